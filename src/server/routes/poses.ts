import { z } from 'zod';
import type { AnalyzersConfig } from '../../analyzers/config.js';
import { PoseSaveError, savePoseFromImage, type SavePoseDeps } from '../../analyzers/pose/reference-poses.js';
import type { PoseLibrary, ReferencePose } from '../../store/poses.js';
import { HttpError } from '../http-error.js';
import { acceptUploads, decodePhoto, readUpload } from '../upload.js';
import { photoWork } from '../upload-work.js';
import { parseOr400, type ApiPlugin } from '../zod-validation.js';

export interface PoseRoutesDeps {
  detector: SavePoseDeps['detector'];
  library: PoseLibrary;
  /** `models.pose.model`, stored with each pose. */
  model: string;
  config: AnalyzersConfig['pose'];
  now: () => number;
  /** Largest photo accepted (`server.max_upload_mb`). */
  maxUploadBytes: number;
}

const STATUS: Record<PoseSaveError['code'], number> = { bad_name: 400, no_person: 422, too_little: 422 };

/** Pose names are a-z, 0-9 and _ up to 64 (store/poses.ts says why a name is refused); the bound keeps echoes short. */
const nameParams = z.object({ name: z.string().min(1).max(128) });
const poseOptions = z.object({ threshold: z.string().max(32).optional() });

function poseJson(p: ReferencePose) {
  return { name: p.name, threshold: p.threshold, model: p.model, keypoints: Object.keys(p.vector), created_at: new Date(p.created_at * 1000).toISOString() };
}

function threshold(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  // under 0 a pose would match bones pointing every other way: nothing a household means
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new HttpError(400, 'bad_threshold', `threshold is how alike the bones must point, above 0 and at most 1 (0.7 by default), got "${value}"`);
  return n;
}

/**
 * Reference poses under /api/poses (docs/analyzers.md): list, save one from a photo
 * (`POST /api/poses/hands_up` with the photo as the body or a multipart file), delete.
 */
export const poseRoutes: ApiPlugin<PoseRoutesDeps> = async (app, deps) => {
  await acceptUploads(app);
  const upload = { kind: 'photo', maxBytes: deps.maxUploadBytes, maxFiles: 1, key: 'server.max_upload_mb' } as const;

  app.get('/', async () => deps.library.list().map(poseJson));

  app.post('/:name', { schema: { params: nameParams, querystring: poseOptions }, config: { upload } }, async (req, reply) => {
    const { files, fields } = await readUpload(req);
    const options = { ...req.query, ...parseOr400(poseOptions, fields, 'form') };
    const t = threshold(options.threshold, deps.config.match_threshold);
    const saveDeps = { ...deps, minKeypointScore: deps.config.min_keypoint_score };
    try {
      const saved = await photoWork(req, files, async () => savePoseFromImage(saveDeps, req.params.name, await decodePhoto(files[0]), t));
      return reply.code(201).send(poseJson(saved));
    } catch (err) {
      if (err instanceof PoseSaveError) throw new HttpError(STATUS[err.code], err.code, err.message);
      throw err;
    }
  });

  app.delete('/:name', { schema: { params: nameParams } }, async (req, reply) => {
    if (!deps.library.remove(req.params.name)) throw new HttpError(404, 'no_such_pose', `no pose named "${req.params.name}"`);
    return reply.code(204).send();
  });
};
