import { z } from 'zod';
import { RegistryError } from '../../registry/errors.js';
import type { EnrolOptions, FaceRegistry, PhotoInput } from '../../registry/face-registry.js';
import { HttpError } from '../http-error.js';
import { unpackCap } from '../../registry/gunzip-capped.js';
import { acceptUploads, readUpload, type UploadLimit } from '../upload.js';
import { budgetedWork, photoWork } from '../upload-work.js';
import { parseOr400, type ApiPlugin } from '../zod-validation.js';
import { enrolJson, personDetailJson, personJson } from './face-json.js';

export interface FaceRoutesDeps {
  registry: FaceRegistry;
}

/** An archive may hold thousands of crops: far more than one photo. */
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
const MAX_PHOTOS = 20;
/** Names are at most 64 characters once trimmed (registry/person-name.ts); a little room for the spaces. */
const MAX_NAME = 128;
/** An external id is a Home Assistant entity id such as `person.alice`, or another system's key. */
const MAX_EXTERNAL_ID = 255;

const name = z.string().min(1).max(MAX_NAME);
/** A name typed in a form: an empty one reaches the registry, whose answer says what a name must be. */
const typedName = z.string().max(MAX_NAME);
const nameParams = z.object({ name });
const sampleParams = z.object({ name, id: z.string().regex(/^\d{1,15}$/, 'a sample id is a whole number') });
const eventParams = z.object({ name, eventId: z.string().min(1).max(128) });
const backupParams = z.object({ file: z.string().min(1).max(255) });
/** `force`, `true`, `1`, `yes` and a bare `force=` all mean yes. */
const flagWord = z.string().max(8);
const enrolOptions = z.object({ face: z.string().max(8).optional(), force: flagWord.optional(), external_id: z.string().max(MAX_EXTERNAL_ID).optional() });
const forceQuery = z.object({ force: flagWord.optional() });
const forceBody = z.object({ force: z.union([z.boolean(), flagWord]).optional() }).nullable();
const mergeBody = z.object({ into: typedName, force: z.boolean().optional() }).strict();
/** Only strings: an object or a number would reach SQLite as something else (issue 17). */
const updateBody = z
  .object({ name: typedName.optional(), external_id: z.string().max(MAX_EXTERNAL_ID).nullable().optional() })
  .strict()
  .nullable();

function flag(value: string | boolean | undefined): boolean {
  return typeof value === 'string' ? ['', '1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value === true;
}

function faceIndex(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RegistryError('no_such_face', `face must be a face's index (0, 1, …), got "${value}"`);
  return n;
}

const photosOf = (files: { data: Buffer; name: string }[]): PhotoInput[] => files.map((f) => ({ data: f.data, label: f.name }));

/** The face registry's REST API under /api/faces (docs/faces.md). Refusals are RegistryErrors, which carry their status. */
export const faceRoutes: ApiPlugin<FaceRoutesDeps> = async (app, { registry }) => {
  await acceptUploads(app);
  const photo = (maxFiles: number): UploadLimit => ({ kind: 'photo', maxBytes: registry.maxUploadBytes, maxFiles, key: 'faces.max_upload_mb' });
  const archive: UploadLimit = { kind: 'archive', maxBytes: MAX_ARCHIVE_BYTES, maxFiles: 1 };

  app.get('/', async () => ({ threshold: registry.threshold, people: registry.list().map(personJson) }));

  app.get('/export', async (_req, reply) => {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
    return reply.type('application/gzip').header('content-disposition', `attachment; filename="argus-faces-${stamp}.tar.gz"`).send(registry.exportArchive());
  });

  app.post('/import', { config: { upload: archive } }, async (req) => {
    const [file] = (await readUpload(req)).files;
    // Its cost is what it may unpack to (registry/gunzip-capped.ts), not what it weighs packed.
    return budgetedWork(req, unpackCap(file.data.length, MAX_ARCHIVE_BYTES), () => registry.importArchive(file.data));
  });

  app.get('/backups', async () => registry.listBackups().map(({ file, bytes, time, people }) => ({ file, bytes, time, people })));

  app.post('/backups/:file/restore', { schema: { params: backupParams } }, async (req) => {
    const backup = registry.listBackups().find((b) => b.file === req.params.file);
    if (!backup) throw new RegistryError('bad_archive', `no backup named "${req.params.file}": GET /api/faces/backups lists them`);
    return registry.restore(backup.path);
  });

  app.post('/match', { config: { upload: photo(1) } }, async (req) => {
    const { files } = await readUpload(req);
    const faces = await photoWork(req, files, () => registry.identify(photosOf(files)[0]));
    return { threshold: registry.threshold, faces };
  });

  app.get('/:name', { schema: { params: nameParams } }, async (req) => personDetailJson(registry.person(req.params.name)));

  app.get('/:name/thumbnail.jpg', { schema: { params: nameParams } }, async (req, reply) => {
    const jpeg = registry.thumbnail(req.params.name);
    if (!jpeg) throw new HttpError(404, 'sample_not_found', `"${req.params.name}" has no picture`);
    return reply.type('image/jpeg').header('cache-control', 'no-cache').send(jpeg);
  });

  app.get('/:name/samples/:id/crop.jpg', { schema: { params: sampleParams } }, async (req, reply) => {
    const jpeg = registry.crop(req.params.name, Number(req.params.id));
    if (!jpeg) throw new HttpError(404, 'sample_not_found', `sample ${req.params.id} has no picture`);
    return reply.type('image/jpeg').header('cache-control', 'no-cache').send(jpeg);
  });

  // Options come as query parameters or as form fields beside the photos.
  app.post('/:name', { schema: { params: nameParams, querystring: enrolOptions }, config: { upload: photo(MAX_PHOTOS) } }, async (req, reply) => {
    const upload = await readUpload(req);
    const fields = { ...req.query, ...parseOr400(enrolOptions, upload.fields, 'form') };
    const opts: EnrolOptions = { face: faceIndex(fields.face), force: 'force' in fields && flag(fields.force), externalId: fields.external_id || undefined };
    const result = await photoWork(req, upload.files, () => registry.enrolPhotos(req.params.name, photosOf(upload.files), opts));
    return reply.code(201).send(enrolJson(result, registry.threshold));
  });

  app.post('/:name/from-event/:eventId', { schema: { params: eventParams, querystring: forceQuery, body: forceBody } }, async (req, reply) => {
    const force = ('force' in req.query && flag(req.query.force)) || flag(req.body?.force);
    const result = await registry.enrolFromEvent(req.params.name, req.params.eventId, { force });
    return reply.code(201).send(enrolJson(result, registry.threshold));
  });

  app.patch('/:name', { schema: { params: nameParams, body: updateBody } }, async (req) => {
    const body = req.body ?? {};
    return personJson(registry.update(req.params.name, { name: body.name, externalId: body.external_id }));
  });

  /** Two entries that are one person: every sample of `:name` goes to `into`, and `:name` goes. */
  app.post('/:name/merge', { schema: { params: nameParams, body: mergeBody } }, async (req) => {
    const { person, moved } = registry.merge(req.params.name, req.body.into, { force: req.body.force });
    return { person: personJson(person), moved };
  });

  app.delete('/:name', { schema: { params: nameParams } }, async (req, reply) => {
    registry.removePerson(req.params.name);
    return reply.code(204).send();
  });

  app.delete('/:name/samples/:id', { schema: { params: sampleParams } }, async (req, reply) => {
    registry.removeSample(req.params.name, Number(req.params.id));
    return reply.code(204).send();
  });
};
