import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS, RegistryError } from '../../registry/errors.js';
import type { EnrolOptions, EnrolResult, FaceRegistry, PhotoInput } from '../../registry/face-registry.js';
import type { Person, PersonSummary } from '../../store/people.js';

export interface FaceRoutesDeps {
  registry: FaceRegistry;
}

/** An archive may hold thousands of crops: far more than one photo. */
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
const MAX_PHOTOS = 20;

type NameParams = { Params: { name: string } };

const iso = (ms: number) => new Date(ms).toISOString();
/** Paths are relative to the API root, like an event's snapshot, so they work behind HA ingress. */
const facePath = (name: string) => `faces/${encodeURIComponent(name)}`;

function personJson(p: Person | PersonSummary) {
  return {
    id: p.id,
    name: p.name,
    external_id: p.externalId,
    ...('samples' in p ? { samples: p.samples, thumbnail: p.thumbnailSampleId ? `${facePath(p.name)}/thumbnail.jpg` : null } : {}),
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

function enrolJson(r: EnrolResult) {
  return {
    person: personJson(r.person),
    created: r.created,
    samples: r.samples.map((s) => ({ id: s.id, source: s.source, face: s.face, crop: `${facePath(r.person.name)}/samples/${s.id}/crop.jpg` })),
  };
}

/** `force`, `true`, `1`, `yes` and a bare `force=` all mean yes. */
function flag(value: unknown): boolean {
  return typeof value === 'string' ? ['', '1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value === true;
}

function faceIndex(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RegistryError('no_such_face', `face must be a face's index (0, 1, …), got "${String(value)}"`);
  return n;
}

/** Photos from a multipart form (any number of file fields) or one raw `image/*` body; options from fields or the query. */
async function photosOf(req: FastifyRequest, maxBytes: number): Promise<{ photos: PhotoInput[]; fields: Record<string, string> }> {
  const fields: Record<string, string> = { ...(req.query as Record<string, string>) };
  if (!req.isMultipart()) {
    if (!Buffer.isBuffer(req.body)) throw new RegistryError('not_an_image', 'send the photo as multipart/form-data (a file field) or as an image/* body');
    return { photos: [{ data: req.body, label: 'the photo' }], fields };
  }
  const photos: PhotoInput[] = [];
  for await (const part of req.parts({ limits: { fileSize: maxBytes, files: MAX_PHOTOS } })) {
    if (part.type === 'file') photos.push({ data: await part.toBuffer(), label: part.filename || part.fieldname });
    else fields[part.fieldname] = String(part.value);
  }
  return { photos, fields };
}

/** Error bodies are `{ error, code }`: a sentence for the user and a word for programs. */
function sendError(err: FastifyError | RegistryError | Error, reply: FastifyReply, maxBytes: number): FastifyReply {
  if (err instanceof RegistryError) {
    return reply.code(HTTP_STATUS[err.code]).send({ error: err.message, code: err.code, ...err.details });
  }
  const code = (err as FastifyError).code;
  const mb = (maxBytes / 1024 / 1024).toFixed(0);
  if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.code(400).send({ error: `the file is larger than the ${mb} MB limit: send a smaller photo (a face needs far fewer pixels)`, code: 'too_large' });
  }
  if (code === 'FST_FILES_LIMIT') return reply.code(400).send({ error: `at most ${MAX_PHOTOS} photos at once`, code: 'too_large' });
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply.code(400).send({ error: 'send the photo as multipart/form-data (a file field) or as an image/* body', code: 'not_an_image' });
  }
  const status = (err as FastifyError).statusCode;
  if (status && status < 500) return reply.code(status).send({ error: err.message, code: code ?? 'bad_request' });
  reply.log.error(err);
  return reply.code(500).send({ error: `the face registry failed: ${err.message}`, code: 'internal' });
}

/**
 * The face registry's REST API under /api/faces (docs/faces.md). A plugin of its own, so the
 * multipart parser, the raw body parsers and the error mapping stay in this scope.
 */
export function faceRoutes(app: FastifyInstance, deps: FaceRoutesDeps): void {
  const { registry } = deps;
  const maxBytes = registry.maxUploadBytes;
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxBytes, files: MAX_PHOTOS, fields: 20 } });
    scope.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
    scope.addContentTypeParser(['application/gzip', 'application/x-gzip', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_ARCHIVE_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.setErrorHandler((err: FastifyError, _req, reply) => sendError(err, reply, maxBytes));

    scope.get('/api/faces', async () => ({ threshold: registry.threshold, people: registry.list().map(personJson) }));

    scope.get('/api/faces/export', async (_req, reply) => {
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="argus-faces-${stamp}.tar.gz"`)
        .send(registry.exportArchive());
    });

    scope.post('/api/faces/import', async (req) => {
      let archive: Buffer | undefined;
      if (req.isMultipart()) {
        const file = await req.file({ limits: { fileSize: MAX_ARCHIVE_BYTES } });
        archive = await file?.toBuffer();
      } else if (Buffer.isBuffer(req.body)) archive = req.body;
      if (!archive) throw new RegistryError('bad_archive', 'send the archive (an `argus faces export` .tar.gz) as the body or a multipart file; nothing was changed');
      return registry.importArchive(archive);
    });

    scope.get('/api/faces/backups', async () => registry.listBackups().map(({ file, bytes, time }) => ({ file, bytes, time })));

    scope.post<{ Params: { file: string } }>('/api/faces/backups/:file/restore', async (req) => {
      const backup = registry.listBackups().find((b) => b.file === req.params.file);
      if (!backup) throw new RegistryError('bad_archive', `no backup named "${req.params.file}": GET /api/faces/backups lists them`);
      return registry.restore(backup.path);
    });

    scope.post('/api/faces/match', async (req) => {
      const { photos } = await photosOf(req, maxBytes);
      if (photos.length !== 1) throw new RegistryError('no_face', 'send exactly one photo to match');
      return { threshold: registry.threshold, faces: await registry.identify(photos[0]) };
    });

    scope.get<NameParams>('/api/faces/:name', async (req) => {
      const p = registry.person(req.params.name);
      return {
        ...personJson(p),
        samples: p.samples.map((s) => ({
          id: s.id,
          source: s.source,
          source_ref: s.sourceRef,
          box: s.box,
          model: s.model,
          created_at: iso(s.createdAt),
          crop: s.hasCrop ? `${facePath(p.name)}/samples/${s.id}/crop.jpg` : null,
        })),
      };
    });

    const jpeg = (reply: FastifyReply, data: Buffer | undefined, what: string) =>
      data ? reply.type('image/jpeg').header('cache-control', 'no-cache').send(data) : reply.code(404).send({ error: `${what} has no picture`, code: 'sample_not_found' });

    scope.get<NameParams>('/api/faces/:name/thumbnail.jpg', async (req, reply) => jpeg(reply, registry.thumbnail(req.params.name), `"${req.params.name}"`));

    scope.get<{ Params: { name: string; id: string } }>('/api/faces/:name/samples/:id/crop.jpg', async (req, reply) =>
      jpeg(reply, registry.crop(req.params.name, Number(req.params.id)), `sample ${req.params.id}`),
    );

    scope.post<NameParams>('/api/faces/:name', async (req, reply) => {
      const { photos, fields } = await photosOf(req, maxBytes);
      const opts: EnrolOptions = { face: faceIndex(fields.face), force: 'force' in fields && flag(fields.force), externalId: fields.external_id || undefined };
      const result = await registry.enrolPhotos(req.params.name, photos, opts);
      return reply.code(201).send(enrolJson(result));
    });

    scope.post<{ Params: { name: string; eventId: string }; Querystring: { force?: string }; Body: { force?: boolean } | undefined }>(
      '/api/faces/:name/from-event/:eventId',
      async (req, reply) => {
        const force = ('force' in req.query && flag(req.query.force)) || flag((req.body as { force?: unknown } | undefined)?.force);
        const result = await registry.enrolFromEvent(req.params.name, req.params.eventId, { force });
        return reply.code(201).send(enrolJson(result));
      },
    );

    scope.patch<NameParams & { Body: { name?: string; external_id?: string | null } }>('/api/faces/:name', async (req) => {
      const body = req.body ?? {};
      if (typeof body !== 'object' || (body.name !== undefined && typeof body.name !== 'string')) {
        throw new RegistryError('invalid_name', 'send JSON like {"name": "New Name", "external_id": "person.someone"}');
      }
      return personJson(registry.update(req.params.name, { name: body.name, externalId: body.external_id }));
    });

    scope.delete<NameParams>('/api/faces/:name', async (req, reply) => {
      registry.removePerson(req.params.name);
      return reply.code(204).send();
    });

    scope.delete<{ Params: { name: string; id: string } }>('/api/faces/:name/samples/:id', async (req, reply) => {
      registry.removeSample(req.params.name, Number(req.params.id));
      return reply.code(204).send();
    });
  });
}
