import { z } from 'zod';
import type { ProctorTraining } from '../../analyzers/proctor/training.js';
import { FEATURE_LENGTH, POSE_LENGTH } from '../../analyzers/proctor/features.js';
import { SAMPLE_LABELS, type ProctorSample } from '../../store/proctor-samples.js';
import { HttpError } from '../http-error.js';
import type { ApiScope } from '../zod-validation.js';

const label = z.enum(SAMPLE_LABELS);
const camera = z.string().min(1).max(64);
const features = z.array(z.number().finite()).length(FEATURE_LENGTH);
const pose = z.array(z.number().finite()).length(POSE_LENGTH);
/** A classifier's vectors: the 18 ratios, or those joined by the pose vector (`analyzers.proctor.features: ratios_pose`). */
const vector = z.union([features, z.array(z.number().finite()).length(FEATURE_LENGTH + POSE_LENGTH)]);
const idParams = z.object({ id: z.coerce.number().int().positive() }).strict();
const captureBody = z.object({ camera, seat: z.string().min(1).max(32).optional(), label: label.nullable().default(null) }).strict();
const labelBody = z.object({ label: label.nullable() }).strict();
const listQuery = z.object({ camera: camera.optional(), label: z.enum([...SAMPLE_LABELS, 'unlabelled']).optional() }).strict();
const trainBody = z.object({ camera }).strict();
const cameraParams = z.object({ camera }).strict();

/** One archive holds the samples (crops as base64 JPEG) and the trained classifiers: what a proctor moves to another Argus. */
export const archiveSchema = z
  .object({
    format: z.literal('argus-proctor-samples'),
    version: z.literal(1),
    samples: z.array(
      z
        .object({
          camera,
          seat: z.string().min(1).max(32),
          time: z.iso.datetime(),
          features,
          pose: pose.nullable().optional(),
          label: label.nullable(),
          crop: z.base64().nullable(),
        })
        .strict(),
    ),
    classifiers: z.array(
      z
        .object({
          camera,
          k: z.number().int().min(1).max(99),
          trained_at: z.iso.datetime(),
          samples: z
            .array(z.object({ features: vector, label }).strict())
            .min(1)
            .refine((ss) => ss.every((s) => s.features.length === ss[0].features.length), 'a classifier’s vectors all have one length'),
          report: z.unknown(),
        })
        .strict(),
    ),
  })
  .strict();
export type ProctorArchive = z.infer<typeof archiveSchema>;

/** An archive's size: crops are a few KB each, so thousands of samples fit. */
const ARCHIVE_LIMIT = 64 * 1024 * 1024;

const sampleJson = (s: ProctorSample) => ({ ...s, time: new Date(s.time).toISOString(), crop_url: `samples/${s.id}/crop.jpg` });

/**
 * The training page's routes under `/api/proctor` (docs/proctoring.md): capture a seat's
 * silhouette now, list and label samples (one call each), delete, train per camera (k by
 * 10-fold cross-validation), and move everything as one JSON archive.
 */
export function trainingRoutes(app: ApiScope, training: ProctorTraining, proctored: readonly string[]): void {
  const { store } = training;
  const known = (name: string) => {
    if (!proctored.includes(name)) throw new HttpError(404, 'camera_not_found', `no proctored camera named "${name}"`);
  };
  const find = (id: number) => store.get(id) ?? notFound(id);

  app.get('/samples', { schema: { querystring: listQuery } }, async (req) => store.list(req.query).map(sampleJson));

  app.post('/samples', { schema: { body: captureBody } }, async (req, reply) => {
    known(req.body.camera);
    return reply.code(201).send(sampleJson(await training.capture(req.body.camera, req.body.seat, req.body.label)));
  });

  app.get('/samples/:id/crop.jpg', { schema: { params: idParams } }, async (req, reply) => {
    find(req.params.id);
    const crop = store.crop(req.params.id);
    if (!crop) throw new HttpError(404, 'crop_not_found', `sample ${req.params.id} has no crop`);
    return reply.type('image/jpeg').send(crop);
  });

  app.patch('/samples/:id', { schema: { params: idParams, body: labelBody } }, async (req) => {
    if (!store.setLabel(req.params.id, req.body.label)) notFound(req.params.id);
    return sampleJson(find(req.params.id));
  });

  app.delete('/samples/:id', { schema: { params: idParams } }, async (req, reply) => {
    if (!store.remove(req.params.id)) notFound(req.params.id);
    return reply.code(204).send();
  });

  app.post('/captures', { schema: { body: trainBody } }, async (req, reply) => {
    known(req.body.camera);
    const { samples, refused } = await training.captureAll(req.body.camera);
    return reply.code(samples.length > 0 ? 201 : 200).send({ samples: samples.map(sampleJson), refused });
  });

  app.post('/evaluate', { schema: { body: trainBody } }, async (req) => {
    known(req.body.camera);
    return training.evaluate(req.body.camera);
  });

  app.post('/train', { schema: { body: trainBody } }, async (req) => {
    known(req.body.camera);
    return training.train(req.body.camera);
  });

  app.get('/classifiers/:camera', { schema: { params: cameraParams } }, async (req) => {
    const saved = store.classifier(req.params.camera);
    if (!saved) throw new HttpError(404, 'no_classifier', `camera "${req.params.camera}" has no trained classifier`);
    return { camera: saved.camera, k: saved.k, trained_at: new Date(saved.trained_at).toISOString(), samples: saved.samples.length, report: saved.report };
  });

  app.get('/archive', { schema: { querystring: z.object({ camera: camera.optional() }).strict() } }, async (req, reply) => {
    const archive: ProctorArchive = {
      format: 'argus-proctor-samples',
      version: 1,
      samples: store.listWithCrops(req.query.camera).map((s) => ({
        camera: s.camera,
        seat: s.seat,
        time: new Date(s.time).toISOString(),
        features: s.features,
        pose: s.pose ?? null,
        label: s.label,
        crop: s.crop ? s.crop.toString('base64') : null,
      })),
      classifiers: store
        .classifiers()
        .filter((c) => !req.query.camera || c.camera === req.query.camera)
        .map((c) => ({ ...c, trained_at: new Date(c.trained_at).toISOString() })),
    };
    const name = `argus-proctor-samples${req.query.camera ? `-${req.query.camera.replace(/[^\w.-]/g, '_')}` : ''}.json`;
    return reply.header('content-disposition', `attachment; filename="${name}"`).send(archive);
  });

  // Samples are added beside the ones already here (new ids), except those already here (the same
  // seat's capture at the same time: an archive imported twice doubled them, and a sample's twin in
  // another fold made cross-validation read perfect); a camera's classifier is replaced.
  app.post('/archive', { schema: { body: archiveSchema }, bodyLimit: ARCHIVE_LIMIT }, async (req) => {
    const { samples, classifiers } = req.body;
    const strangers = [...new Set([...samples, ...classifiers].map((s) => s.camera))].filter((c) => !proctored.includes(c));
    if (strangers.length > 0) {
      throw new HttpError(
        400,
        'camera_not_found',
        `the archive is for ${strangers.map((c) => `"${c}"`).join(', ')}, not a proctored camera here (${proctored.join(', ') || 'none'}): nothing was imported`,
      );
    }
    let added = 0;
    store.transaction(() => {
      for (const s of samples) {
        const sample = { camera: s.camera, seat: s.seat, time: Date.parse(s.time), features: s.features, pose: s.pose ?? null, label: s.label };
        if (store.has(sample)) continue;
        store.add(sample, s.crop ? Buffer.from(s.crop, 'base64') : undefined);
        added++;
      }
      for (const c of classifiers) store.saveClassifier({ ...c, trained_at: Date.parse(c.trained_at) });
    });
    training.reload();
    return { samples: added, already_here: samples.length - added, classifiers: classifiers.length };
  });
}

function notFound(id: number): never {
  throw new HttpError(404, 'sample_not_found', `no sample ${id}`);
}
