import { weaponSchema, type WeaponConfig } from '../../analyzers/weapon/config.js';
import { photoWeapons, type WeaponFinding } from '../../analyzers/weapon/photo-weapons.js';
import type { AnalyzeOptions, ImageAnalysis } from '../../models/analyze-image.js';
import { analyzeImage } from '../../models/analyze-image.js';
import type { Detector, ModelFamily } from '../../models/detector.js';
import { MODEL_FAMILIES } from '../../models/detector.js';
import { HttpError } from '../http-error.js';
import { acceptUploads, decodePhoto, readUpload } from '../upload.js';
import { imageSize } from '../../vision/image.js';
import type { Box } from '../../vision/iou.js';
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

/** An analysis of a scaled-down photo in the photo's own pixels (`width` × `height`). */
export function scaleAnalysis(a: ImageAnalysis, width: number, height: number): ImageAnalysis {
  const sx = width / a.width;
  const sy = height / a.height;
  const box = ([x1, y1, x2, y2]: Box): Box => [x1 * sx, y1 * sy, x2 * sx, y2 * sy];
  return {
    ...a,
    width,
    height,
    objects: a.objects.map((o) => ({ ...o, box: box(o.box) })),
    persons: a.persons.map((p) => ({ ...p, box: box(p.box) })),
    faces: a.faces.map((f) => ({ ...f, box: box(f.box), landmarks: f.landmarks.map(([x, y]): [number, number] => [x * sx, y * sy]) })),
    poses: a.poses.map((p) => ({
      ...p,
      box: box(p.box),
      keypoints: p.keypoints.map((k) => ({ ...k, x: k.x * sx, y: k.y * sy })),
      roi: p.roi && { ...p.roi, cx: p.roi.cx * sx, cy: p.roi.cy * sy, side: p.roi.side * sx },
    })),
  };
}

/** `POST /api/analyze`: one uploaded photo in, objects, persons, named faces and poses out (the drag-and-drop page). */
export const analyzeRoutes: ApiPlugin<AnalyzeDeps> = async (app, deps) => {
  await acceptUploads(app);
  const upload = { kind: 'photo', maxBytes: deps.maxUploadBytes, maxFiles: 1, key: 'server.max_upload_mb' } as const;

  app.post('/', { config: { upload } }, async (req) => {
    const detector = deps.detector();
    if (!detector) throw new HttpError(503, 'models_missing', 'the models are not loaded: run "argus models build" and restart');
    const [file] = (await readUpload(req)).files;
    const families = MODEL_FAMILIES.filter((f: ModelFamily) => detector.has(f));
    // Photos over 12 MP are analyzed scaled down, and their findings scaled back: width, height and
    // boxes are the photo's own, as `argus analyze --json` gives them (it reads the photo whole).
    const result = await photoWork(req, [file], async () => {
      const img = await decodePhoto(file);
      const analysis = await analyzeImage(detector, img, { ...deps.people, file: file.name, families, embeddings: Boolean(deps.matchFace) });
      const own = await imageSize(file.data);
      return own.width === img.width && own.height === img.height ? analysis : scaleAnalysis(analysis, own.width, own.height);
    });
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
