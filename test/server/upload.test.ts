import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { acceptUploads, decodePhoto, readUpload, type UploadLimit } from '../../src/server/upload.js';
import type { ApiPlugin } from '../../src/server/zod-validation.js';

const LIMIT: UploadLimit = { kind: 'photo', maxBytes: 64 * 1024, maxFiles: 2, key: 'test.max_upload_mb' };

/** A route that uses the helper as the real upload routes do, and says what it received. */
const echo: ApiPlugin<Record<never, never>> = async (app) => {
  await acceptUploads(app);
  app.post('/photo', { config: { upload: LIMIT } }, async (req) => {
    const { files, fields } = await readUpload(req);
    const sizes = [];
    for (const f of files) {
      const img = await decodePhoto(f);
      sizes.push({ name: f.name, width: img.width, height: img.height });
    }
    return { files: sizes, fields };
  });
  app.post('/archive', { config: { upload: { kind: 'archive', maxBytes: 1024, maxFiles: 1 } } }, async (req) => ({ bytes: (await readUpload(req)).files[0].data.length }));
  app.patch('/json', async (req) => ({ got: req.body }));
};

const BOUNDARY = '----argus-test-boundary';
function multipart(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>, opts: { close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.from(p.data), Buffer.from('\r\n'));
  }
  if (opts.close !== false) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}
const formType = `multipart/form-data; boundary=${BOUNDARY}`;

describe('the upload helper', () => {
  let app: FastifyInstance;
  let png: Buffer;
  beforeAll(async () => {
    png = await sharp({ create: { width: 12, height: 7, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();
    app = httpApp(silentLogger());
    await app.register(echo, { prefix: '/up' });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  const post = (url: string, type: string, payload: Buffer | string) => app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });

  it('takes photos and fields from a multipart form, and one photo as a raw image body', async () => {
    const form = await post(
      '/up/photo',
      formType,
      multipart([
        { name: 'file', filename: 'a.png', type: 'image/png', data: png },
        { name: 'face', data: '1' },
      ]),
    );
    expect(form.statusCode).toBe(200);
    expect(form.json()).toEqual({ files: [{ name: 'a.png', width: 12, height: 7 }], fields: { face: '1' } });
    const raw = await post('/up/photo', 'image/png', png);
    expect(raw.statusCode).toBe(200);
    expect(raw.json()).toEqual({ files: [{ name: 'the photo', width: 12, height: 7 }], fields: {} });
  });

  it('refuses a file over the route limit with 413, naming the limit and its config key', async () => {
    const big = Buffer.alloc(LIMIT.maxBytes + 1, 7);
    for (const res of [await post('/up/photo', formType, multipart([{ name: 'file', filename: 'big.png', data: big }])), await post('/up/photo', 'image/png', big)]) {
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({
        code: 'too_large',
        error: 'the photo is larger than the 64 KB limit (test.max_upload_mb): send a smaller photo',
      });
    }
    // At the limit exactly is still taken (and then refused only because it is not an image).
    expect((await post('/up/photo', 'image/png', Buffer.alloc(LIMIT.maxBytes, 7))).statusCode).toBe(415);
  });

  it('refuses an oversized raw body over a real socket without hanging the connection', async () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const res = await fetch(`http://127.0.0.1:${port}/up/photo`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(5 * LIMIT.maxBytes) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('too_large');
  });

  it('refuses more files than the route takes with 413', async () => {
    const three = [1, 2, 3].map((i) => ({ name: 'file', filename: `${i}.png`, type: 'image/png', data: png }));
    const res = await post('/up/photo', formType, multipart(three));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 'too_large', error: 'at most 2 files at once' });
  });

  it('answers 400 with the reason for multipart without a boundary', async () => {
    const res = await post('/up/photo', 'multipart/form-data', multipart([{ name: 'file', filename: 'a.png', data: png }]));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_multipart');
    expect(res.json().error).toMatch(/^malformed multipart\/form-data: .*boundary/i);
  });

  it('answers 400 with the reason for a truncated multipart body', async () => {
    const whole = multipart([{ name: 'file', filename: 'a.png', type: 'image/png', data: png }], { close: false });
    const res = await post('/up/photo', formType, whole.subarray(0, whole.length - 40));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_multipart');
    expect(res.json().error).toMatch(/^malformed multipart\/form-data: .*(end|unexpected)/i);
  });

  it('answers 400 no_file for a form without a file, and for a field too long', async () => {
    const none = await post('/up/photo', formType, multipart([{ name: 'face', data: '1' }]));
    expect([none.statusCode, none.json().code]).toEqual([400, 'no_file']);
    const long = await post(
      '/up/photo',
      formType,
      multipart([
        { name: 'face', data: 'x'.repeat(5000) },
        { name: 'file', filename: 'a.png', data: png },
      ]),
    );
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ code: 'bad_request', error: 'form field "face" is longer than 1024 bytes' });
  });

  it('answers 415 for a file that is not an image and for a body of the wrong type', async () => {
    const text = await post('/up/photo', formType, multipart([{ name: 'file', filename: 'notes.txt', type: 'text/plain', data: 'hello' }]));
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('not_an_image');
    expect(text.json().error).toMatch(/^notes\.txt: not an image/);
    const json = await post('/up/photo', 'application/json', '{"photo":"x"}');
    expect(json.statusCode).toBe(415);
    expect(json.json()).toEqual({ code: 'unsupported_media_type', error: 'send the photo as multipart/form-data (a file field) or as an image/* body' });
    const plain = await post('/up/photo', 'text/plain', 'hello');
    expect([plain.statusCode, plain.json().code]).toEqual([415, 'unsupported_media_type']);
    const gzipToPhoto = await post('/up/photo', 'application/gzip', Buffer.from([0x1f, 0x8b]));
    expect([gzipToPhoto.statusCode, gzipToPhoto.json().code]).toEqual([415, 'unsupported_media_type']);
  });

  it('keeps each route to its own kind and limit', async () => {
    const archive = await post('/up/archive', 'application/gzip', Buffer.alloc(1024, 1));
    expect(archive.json()).toEqual({ bytes: 1024 });
    const tooBig = await post('/up/archive', 'application/gzip', Buffer.alloc(1025, 1));
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error).toBe('the archive is larger than the 1 KB limit');
    const photoToArchive = await post('/up/archive', 'image/png', png);
    expect([photoToArchive.statusCode, photoToArchive.json().code]).toEqual([415, 'unsupported_media_type']);
    // A route without an upload limit takes no upload at all.
    const noUpload = await app.inject({ method: 'PATCH', url: '/up/json', headers: { 'content-type': 'image/png' }, payload: png });
    expect([noUpload.statusCode, noUpload.json().code]).toEqual([415, 'unsupported_media_type']);
  });
});
