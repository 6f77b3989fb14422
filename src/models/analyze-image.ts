import type { RgbImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';
import type { DetectScope, FaceDetection, Keypoint, ObjectDetection, PoseDetection } from './detection.js';
import type { Detector, ModelFamily } from './detector.js';
import { withBodyBoxes } from '../analyzers/person/body-box.js';
import { personSchema, type PersonConfig } from '../analyzers/person/config.js';
import type { PersonBox } from '../analyzers/person/from-faces.js';
import { findPersons, surePersons } from '../analyzers/person/persons.js';

/** What `argus analyze` prints for one image or video frame; coordinates in source pixels. */
export interface ImageAnalysis {
  file: string;
  /** Video frames only: index of the sampled frame and its time. */
  frame?: number;
  time_s?: number;
  width: number;
  height: number;
  objects: ObjectDetection[];
  /**
   * People as live analysis counts them (with objects run; empty without): the object detector's
   * sure ones (`from: "objects"`) and, with faces run, those a face gives (`from: "face"`, the body
   * extrapolated from the face, or `"body"`, the box of the body its pose found).
   */
  persons: Array<{ score: number; box: Box; from: PersonBox['from'] }>;
  /** `name`/`similarity` are added where a face registry is at hand (null: a stranger). */
  faces: (FaceDetection & { embedding?: number[]; name?: string | null; similarity?: number | null })[];
  poses: PoseDetection[];
  timings_ms: Partial<Record<'objects' | 'faces' | 'pose', number>>;
}

export interface AnalyzeOptions {
  file: string;
  families: readonly ModelFamily[];
  embeddings: boolean;
  /** Which objects count as people (`analyzers.person`; its defaults when absent). */
  person?: PersonConfig;
  /** A pose keypoint counts as seen at or above this (`analyzers.pose.min_keypoint_score`; 0.5 when absent). */
  minKeypointScore?: number;
  /** Objects of every class (the default), or those live analysis reads (benches timing a live frame). */
  scope?: DetectScope;
}

const px = (v: number) => Math.round(v * 10) / 10;
const score = (v: number) => Math.round(v * 1000) / 1000;
const box = (b: Box): Box => [px(b[0]), px(b[1]), px(b[2]), px(b[3])];

/**
 * Runs the requested model families on one image and times each, finding people as live analysis
 * does (src/analyzers/person/persons.ts). Faces run alongside objects (the face tiles need the sure
 * person boxes); pose follows the persons, which need both: the worker infers one model while this
 * thread prepares the next crops, instead of waiting for it. Each timing is its family's own wall
 * time, so they overlap.
 */
export async function analyzeImage(detector: Detector, img: RgbImage, opts: AnalyzeOptions): Promise<ImageAnalysis> {
  const timings: ImageAnalysis['timings_ms'] = {};
  const timed = async <T>(key: 'objects' | 'faces' | 'pose', work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await work();
    timings[key] = Math.round((performance.now() - t0) * 10) / 10;
    return out;
  };
  const want = (family: ModelFamily) => opts.families.includes(family);
  const person = opts.person ?? personSchema.parse({});
  const objects = want('objects') ? timed('objects', () => detector.detectObjects(img, opts.scope)) : Promise.resolve([]);
  // Face tiles look for faces too small for the whole-frame pass: with person boxes, only around people it found no face for.
  const people = objects.then((o) => surePersons(o, person.min_score).map((p) => p.box));
  people.catch(() => undefined); // a failure surfaces through `objects`
  const t0 = performance.now();
  const faces = want('faces') ? detector.detectFaces(img, want('objects') ? { people } : {}) : Promise.resolve([]);
  const persons = want('objects')
    ? Promise.all([objects, faces]).then(([o, f]) => findPersons(o, want('faces') ? f : undefined, person, img.width, img.height))
    : Promise.resolve([]);
  const poses = want('pose')
    ? persons.then((p) =>
        timed('pose', () =>
          detector.detectPoses(
            img,
            p.map((q) => q.box),
          ),
        ),
      )
    : Promise.resolve([]);
  const namedFaces = (async () => {
    if (!want('faces')) return [];
    const found = await faces;
    // All embeddings are queued at once: the worker runs one while this thread aligns the next face.
    const embeddings = opts.embeddings ? found.map((f) => detector.embedFace(img, f)) : [];
    for (const e of embeddings) e.catch(() => undefined);
    const out: ImageAnalysis['faces'] = [];
    for (const [i, f] of found.entries()) {
      const face: ImageAnalysis['faces'][number] = { score: score(f.score), box: box(f.box), landmarks: f.landmarks.map(([x, y]) => [px(x), px(y)]) };
      if (opts.embeddings) face.embedding = Array.from(await embeddings[i], (v) => Math.round(v * 1e6) / 1e6);
      out.push(face);
    }
    timings.faces = Math.round((performance.now() - t0) * 10) / 10;
    return out;
  })();
  const [o, f, p, q] = await Promise.all([objects, namedFaces, persons, poses]);
  const bodies = withBodyBoxes(p, q, { minScore: opts.minKeypointScore ?? 0.5, width: img.width, height: img.height });
  return {
    file: opts.file,
    width: img.width,
    height: img.height,
    objects: o.map((d) => ({ label: d.label, score: score(d.score), box: box(d.box) })),
    persons: bodies.map((b) => ({ score: score(b.score), box: box(b.box), from: b.from })),
    faces: f,
    poses: q.map((d) => ({
      score: score(d.score),
      box: box(d.box),
      keypoints: d.keypoints.map((k: Keypoint) => ({ name: k.name, x: px(k.x), y: px(k.y), score: score(k.score) })),
    })),
    timings_ms: timings,
  };
}
