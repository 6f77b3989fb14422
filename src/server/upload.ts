import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ImageLoadError, loadImage, UPLOAD_FIT_PIXELS, type RgbImage } from '../vision/image.js';
import { HttpError, megabytes } from './http-error.js';
import type { ApiScope } from './zod-validation.js';

/** What an upload route takes; set as the route's `config.upload`, so each route has its own limit. */
export interface UploadLimit {
  /** `photo`: an image/* body or multipart files. `archive`: a gzip body or one multipart file. `video`: one multipart file. */
  kind: 'photo' | 'archive' | 'video';
  maxBytes: number;
  /** Files accepted in one multipart form. */
  maxFiles: number;
  /** The config key that sets `maxBytes`, named in the refusal so the user knows what to change. */
  key?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    upload?: UploadLimit;
  }
}

export interface UploadedFile {
  data: Buffer;
  /** The file name, the form field, or "the photo" for a raw body: for messages. */
  name: string;
}

export interface Upload {
  files: UploadedFile[];
  /** The form's text fields (options such as `face` or `threshold`). */
  fields: Record<string, string>;
}

/** Options are a few short words; a form with more is not one of ours. */
const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 1024;
const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'];

const HOW_TO_SEND: Record<UploadLimit['kind'], string> = {
  photo: 'send the photo as multipart/form-data (a file field) or as an image/* body',
  archive: 'send the archive as an application/gzip body or a multipart/form-data file',
  video: 'send the video as a multipart/form-data file',
};
const howToSend = (limit: UploadLimit) => HOW_TO_SEND[limit.kind];

function limitOf(req: FastifyRequest): UploadLimit {
  const limit = req.routeOptions.config.upload;
  if (!limit) throw new HttpError(415, 'unsupported_media_type', `${req.method} ${req.routeOptions.url ?? ''} takes no upload`);
  return limit;
}

function tooLarge(limit: UploadLimit): HttpError {
  const key = limit.key ? ` (${limit.key})` : '';
  const hint = limit.kind === 'photo' ? ': send a smaller photo' : '';
  return new HttpError(413, 'too_large', `the ${limit.kind} is larger than the ${megabytes(limit.maxBytes)} limit${key}${hint}`);
}

/** Reads a raw body up to the route's limit; past it, the rest is drained unread and the upload refused. */
function readCapped(req: FastifyRequest, body: Readable, kind: UploadLimit['kind']): Promise<Buffer> {
  const limit = limitOf(req);
  if (limit.kind !== kind) throw new HttpError(415, 'unsupported_media_type', howToSend(limit));
  if (Number(req.headers['content-length']) > limit.maxBytes) throw tooLarge(limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit.maxBytes) return void chunks.push(chunk);
      body.off('data', onData).off('end', onEnd);
      body.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    body.on('data', onData).once('end', onEnd);
    body.once('error', (err) => reject(new HttpError(400, 'bad_request', `the upload broke off: ${err.message}`)));
  });
}

/**
 * Makes the calling plugin's scope take uploads: multipart forms and raw photo or archive bodies,
 * each capped by the route's own `config.upload` limit. Call it inside a route plugin, so the
 * parsers stay in that plugin.
 */
export async function acceptUploads(scope: ApiScope): Promise<void> {
  await scope.register(multipart, { limits: { fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, files: 1 } });
  scope.addContentTypeParser(/^image\//, async (req: FastifyRequest, body: Readable) => readCapped(req, body, 'photo'));
  scope.addContentTypeParser(ARCHIVE_TYPES, async (req: FastifyRequest, body: Readable) => readCapped(req, body, 'archive'));
}

/** A multipart failure as the refusal it is: too large (413) or malformed (400, with busboy's reason). */
function multipartRefusal(err: unknown, limit: UploadLimit): HttpError {
  if (err instanceof HttpError) return err;
  const { code, message } = err as { code?: string; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(limit);
  if (code === 'FST_FILES_LIMIT') return new HttpError(413, 'too_large', `at most ${limit.maxFiles} file${limit.maxFiles === 1 ? '' : 's'} at once`);
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') return new HttpError(413, 'too_large', `at most ${MAX_FIELDS} form fields`);
  return new HttpError(400, 'bad_multipart', `malformed multipart/form-data: ${message ?? String(err)}`);
}

/** The files and fields of an upload: a multipart form, or one raw body as a single file. */
export async function readUpload(req: FastifyRequest): Promise<Upload> {
  const limit = limitOf(req);
  if (!req.isMultipart()) {
    if (Buffer.isBuffer(req.body)) return { files: [{ data: req.body, name: `the ${limit.kind}` }], fields: {} };
    throw new HttpError(415, 'unsupported_media_type', howToSend(limit));
  }
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  try {
    const parts = req.parts({ limits: { fileSize: limit.maxBytes, files: limit.maxFiles, parts: limit.maxFiles + MAX_FIELDS } });
    for await (const part of parts) {
      if (part.type === 'file') {
        files.push({ data: await part.toBuffer(), name: part.filename || part.fieldname });
      } else {
        if (part.valueTruncated) throw new HttpError(400, 'bad_request', `form field "${part.fieldname}" is longer than ${MAX_FIELD_BYTES} bytes`);
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    throw multipartRefusal(err, limit);
  }
  if (files.length === 0) throw new HttpError(400, 'no_file', `no file in the upload: ${howToSend(limit)}`);
  return { files, fields };
}

/**
 * Decodes an uploaded photo, scaled down to UPLOAD_FIT_PIXELS while decoding: 413 over the pixel
 * limit, 415 for a file that is not an image. Call it inside `photoWork` (upload-work.ts).
 */
export async function decodePhoto(file: UploadedFile): Promise<RgbImage> {
  try {
    return await loadImage(file.data, { fitPixels: UPLOAD_FIT_PIXELS });
  } catch (err) {
    if (!(err instanceof ImageLoadError)) throw err;
    const status = err.code === 'too_large' ? 413 : err.code === 'not_an_image' ? 415 : 400;
    throw new HttpError(status, err.code, `${file.name}: ${err.message}`);
  }
}
