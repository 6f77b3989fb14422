import type { RgbImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';
import type { FaceDetection, Keypoint, ObjectDetection, PoseDetection } from './detection.js';
import type { Detector, ModelFamily } from './detector.js';

/** What `argus analyze` prints for one image or video frame; coordinates in source pixels. */
export interface ImageAnalysis {
  file: string;
  /** Video frames only: index of the sampled frame and its time. */
  frame?: number;
  time_s?: number;
  width: number;
  height: number;
  objects: ObjectDetection[];
  /** `name`/`similarity` are added where a face registry is at hand (null: a stranger). */
  faces: (FaceDetection & { embedding?: number[]; name?: string | null; similarity?: number | null })[];
  poses: PoseDetection[];
  timings_ms: Partial<Record<'objects' | 'faces' | 'pose', number>>;
}

export interface AnalyzeOptions {
  file: string;
  families: readonly ModelFamily[];
  embeddings: boolean;
}

const px = (v: number) => Math.round(v * 10) / 10;
const score = (v: number) => Math.round(v * 1000) / 1000;
const box = (b: Box): Box => [px(b[0]), px(b[1]), px(b[2]), px(b[3])];

/**
 * Runs the requested model families on one image and times each. Faces run alongside objects
 * then pose (which needs the person boxes, as do the face tiles): the worker infers one model
 * while this thread prepares the next crops, instead of waiting for it. Each timing is its
 * family's own wall time, so they overlap.
 */
export async function analyzeImage(detector: Detector, img: RgbImage, opts: AnalyzeOptions): Promise<ImageAnalysis> {
  const result: ImageAnalysis = { file: opts.file, width: img.width, height: img.height, objects: [], faces: [], poses: [], timings_ms: {} };
  const timed = async <T>(key: 'objects' | 'faces' | 'pose', work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await work();
    result.timings_ms[key] = Math.round((performance.now() - t0) * 10) / 10;
    return out;
  };
  const objects = (async () => {
    if (!opts.families.includes('objects')) return;
    result.objects = (await timed('objects', () => detector.detectObjects(img))).map((o) => ({ label: o.label, score: score(o.score), box: box(o.box) }));
  })();
  const people = objects.then(() => result.objects.filter((o) => o.label === 'person').map((o) => o.box));
  people.catch(() => undefined); // a failure surfaces through `objects`
  const pose = async () => {
    if (!opts.families.includes('pose')) return;
    const persons = await people;
    result.poses = (await timed('pose', () => detector.detectPoses(img, persons))).map((p) => ({
      score: score(p.score),
      box: box(p.box),
      keypoints: p.keypoints.map((k: Keypoint) => ({ name: k.name, x: px(k.x), y: px(k.y), score: score(k.score) })),
    }));
  };
  const faces = async () => {
    if (!opts.families.includes('faces')) return;
    result.faces = await timed('faces', async () => {
      // Face tiles look for faces too small for the whole-frame pass: with person boxes, only around people it found no face for.
      const faces = await detector.detectFaces(img, opts.families.includes('objects') ? { people } : {});
      // All embeddings are queued at once: the worker runs one while this thread aligns the next face.
      const embeddings = opts.embeddings ? faces.map((f) => detector.embedFace(img, f)) : [];
      for (const e of embeddings) e.catch(() => undefined);
      const out: ImageAnalysis['faces'] = [];
      for (const [i, f] of faces.entries()) {
        const face: ImageAnalysis['faces'][number] = { score: score(f.score), box: box(f.box), landmarks: f.landmarks.map(([x, y]) => [px(x), px(y)]) };
        if (opts.embeddings) face.embedding = Array.from(await embeddings[i], (v) => Math.round(v * 1e6) / 1e6);
        out.push(face);
      }
      return out;
    });
  };
  await Promise.all([objects, pose(), faces()]);
  return result;
}
