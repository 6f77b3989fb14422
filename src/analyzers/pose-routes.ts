import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ImageLoadError, loadImage } from '../vision/image.js';
import type { PoseLibrary, ReferencePose } from '../store/poses.js';
import type { AnalyzersConfig } from './config.js';
import { PoseSaveError, savePoseFromImage, type SavePoseDeps } from './pose/reference-poses.js';

export interface PoseRoutesDeps {
  detector: SavePoseDeps['detector'];
  library: PoseLibrary;
  /** `models.pose.model`, stored with each pose. */
  model: string;
  config: AnalyzersConfig['pose'];
  now: () => number;
  /** Largest photo accepted, in bytes (default 10 MB). */
  maxBytes?: number;
}

type NameParams = { Params: { name: string } };

const STATUS = { bad_name: 400, no_person: 422, not_an_image: 400, too_large: 413, unreadable: 400, bad_threshold: 400 } as const;

class PoseRequestError extends Error {
  constructor(
    readonly code: 'bad_threshold',
    message: string,
  ) {
    super(message);
  }
}

function poseJson(p: ReferencePose) {
  return { name: p.name, threshold: p.threshold, model: p.model, keypoints: Object.keys(p.vector), created_at: new Date(p.created_at * 1000).toISOString() };
}

/** The photo from one raw `image/*` body or the first file of a multipart form; fields and query as options. */
async function photoOf(req: FastifyRequest): Promise<{ photo: Buffer | null; fields: Record<string, string> }> {
  const fields: Record<string, string> = { ...(req.query as Record<string, string>) };
  if (!req.isMultipart()) return { photo: Buffer.isBuffer(req.body) ? req.body : null, fields };
  let photo: Buffer | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'file') photo ??= await part.toBuffer();
    else fields[part.fieldname] = String(part.value);
  }
  return { photo, fields };
}

function threshold(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < -1 || n > 1) throw new PoseRequestError('bad_threshold', `threshold must be a cosine similarity between -1 and 1, got "${value}"`);
  return n;
}

function sendError(err: Error, reply: FastifyReply): FastifyReply {
  if (err instanceof PoseSaveError || err instanceof ImageLoadError || err instanceof PoseRequestError) {
    return reply.code(STATUS[err.code]).send({ error: err.message, code: err.code });
  }
  const status = (err as FastifyError).statusCode;
  if (status && status < 500) return reply.code(status).send({ error: err.message, code: (err as FastifyError).code ?? 'bad_request' });
  reply.log.error(err);
  return reply.code(500).send({ error: `saving the pose failed: ${err.message}`, code: 'internal' });
}

/**
 * Reference poses under /api/poses (docs/analyzers.md): list, save one from a photo
 * (`POST /api/poses/hands_up` with the photo as the body or a multipart file), delete.
 */
export function poseRoutes(app: FastifyInstance, deps: PoseRoutesDeps): void {
  const maxBytes = deps.maxBytes ?? 10 * 1024 * 1024;
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10 } });
    scope.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: FastifyError, _req, reply) => sendError(err, reply));

    scope.get('/api/poses', async () => deps.library.list().map(poseJson));

    scope.post<NameParams>('/api/poses/:name', async (req, reply) => {
      const { photo, fields } = await photoOf(req);
      if (!photo) throw new ImageLoadError('not_an_image', 'send the photo as an image/* body or a multipart file');
      const t = threshold(fields.threshold, deps.config.match_threshold);
      const saveDeps = { ...deps, minKeypointScore: deps.config.min_keypoint_score };
      const pose = await savePoseFromImage(saveDeps, req.params.name, await loadImage(photo), t);
      return reply.code(201).send(poseJson(pose));
    });

    scope.delete<NameParams>('/api/poses/:name', async (req, reply) => {
      if (!deps.library.remove(req.params.name)) return reply.code(404).send({ error: `no pose named "${req.params.name}"`, code: 'no_such_pose' });
      return reply.code(204).send();
    });
  });
}
