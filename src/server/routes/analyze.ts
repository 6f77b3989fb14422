import { weaponSchema, type WeaponConfig } from '../../analyzers/weapon/config.js';
import { photoWeapons, type WeaponFinding } from '../../analyzers/weapon/photo-weapons.js';
import type { AnalyzeOptions, ImageAnalysis } from '../../models/analyze-image.js';
import { analyzeImage } from '../../models/analyze-image.js';
import type { Detector, ModelFamily } from '../../models/detector.js';
import { MODEL_FAMILIES } from '../../models/detector.js';
import { HttpError } from '../http-error.js';
import { acceptUploads, decodePhoto, readUpload } from '../upload.js';
import { photoWork } from '../upload-work.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface AnalyzeDeps {
  /** Undefined while the models are not loaded (e.g. not built yet). */
  detector(): Detector | undefined;
  /** Names a face from the registry, when there is one. */
  matchFace?(embedding: Float32Array): { name: string; similarity: number } | null;
  /** Largest photo accepted (`server.max_upload_mb`). */
  maxUploadBytes: number;
  /** People counted as live analysis counts them (`analyzers.person`, `analyzers.pose.min_keypoint_score`); their defaults when absent. */
  people?: Pick<AnalyzeOptions, 'person' | 'minKeypointScore'>;
  /** Which objects are weapons and when they alert (`analyzers.weapon`; its defaults when absent). */
  weapons?: WeaponConfig;
}

export type NamedAnalysis = Omit<ImageAnalysis, 'faces'> & {
  faces: Array<ImageAnalysis['faces'][number] & { name: string | null; similarity: number | null }>;
  /** The weapons as a camera would score them: raised at a wrist, against their thresholds. */
  weapons: WeaponFinding[];
};

const DEFAULT_WEAPONS = weaponSchema.parse({});

/** `POST /api/analyze`: one uploaded photo in, objects, persons, named faces and poses out (the drag-and-drop page). */
export const analyzeRoutes: ApiPlugin<AnalyzeDeps> = async (app, deps) => {
  await acceptUploads(app);
  const upload = { kind: 'photo', maxBytes: deps.maxUploadBytes, maxFiles: 1, key: 'server.max_upload_mb' } as const;

  app.post('/', { config: { upload } }, async (req) => {
    const detector = deps.detector();
    if (!detector) throw new HttpError(503, 'models_missing', 'the models are not loaded: run "argus models build" and restart');
    const [file] = (await readUpload(req)).files;
    const families = MODEL_FAMILIES.filter((f: ModelFamily) => detector.has(f));
    // Photos over 12 MP are analyzed scaled down: width, height and boxes are the analyzed image's.
    const result = await photoWork(req, [file], async () =>
      analyzeImage(detector, await decodePhoto(file), { ...deps.people, file: file.name, families, embeddings: Boolean(deps.matchFace) }),
    );
    return nameFaces(result, deps.matchFace, deps.weapons);
  });
};

/**
 * Each face with the registry's name for it and the similarity (null: a stranger), its embedding
 * dropped; and the weapons as the weapon analyzer scores them.
 */
export function nameFaces(result: ImageAnalysis, matchFace: AnalyzeDeps['matchFace'], weapons: WeaponConfig = DEFAULT_WEAPONS): NamedAnalysis {
  return {
    ...result,
    weapons: photoWeapons(result, weapons),
    faces: result.faces.map(({ embedding, ...face }) => {
      const match = embedding && matchFace ? matchFace(Float32Array.from(embedding)) : null;
      return { ...face, name: match?.name ?? null, similarity: match ? Math.round(match.similarity * 1000) / 1000 : null };
    }),
  };
}
