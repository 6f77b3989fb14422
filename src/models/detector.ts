import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERIFIER_CROP, VERIFIER_DELTAS, VERIFIER_EXTRAS_INPUT, VERIFIER_IMAGE_INPUT, VERIFIER_PLACE_INPUT, VERIFIER_PROBS } from '../convert/crop-verifier.js';
import type { Logger } from '../log.js';
import { boxPlace, cropTensor } from '../vision/crop.js';
import type { RgbImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';
import { BlazeFaceDetector } from './blazeface.js';
import { BlazePoseDetector } from './blazepose.js';
import { CenterNetDetector, type CenterNetSessions } from './centernet.js';
import type { BodyRoi, DetectScope, FaceDetection, FaceDetector, FaceEmbedder, FaceSearch, ObjectDetection, ObjectDetector, PoseDetection, PoseDetector } from './detection.js';
import { EMBEDDERS, OnnxFaceEmbedder } from './face-embedder.js';
import { readLabels } from './labels.js';
import { ModelManifest } from './manifest.js';
import type { ModelsConfig, UserModelConfig } from './model-config.js';
import { MoveNetDetector } from './movenet.js';
import { objectModelWithHeads, type HeadedModel, verifierModels } from './object-heads.js';
import { SessionPool, type RunTimings } from './session-pool.js';
import { asFloat32 } from './tensor-data.js';
import type { Verifier } from './verifier.js';
import { YoloDetector } from './yolo.js';

export type ModelFamily = 'objects' | 'faces' | 'pose';
export const MODEL_FAMILIES: readonly ModelFamily[] = ['objects', 'faces', 'pose'];

export interface DetectorOptions {
  config: ModelsConfig;
  logger: Logger;
  /** Families to load; the others throw when asked. Default: all. */
  families?: readonly ModelFamily[];
  /** Load the face embedder too (needs `faces`). Default: true. */
  embeddings?: boolean;
  /** Gets every model run's inference time (the live stats). */
  timings?: RunTimings;
  /** Where the detector with `models.objects.heads` merged in is kept (default: a folder in the system's temp). */
  cacheDir?: string;
  /** A head that cannot be merged stops the start instead of being left out (the CLI). */
  strictHeads?: boolean;
  /**
   * The object labels live analysis reads (`liveObjectLabels`): `detectObjects(img, 'live')` then
   * runs a CenterNet that computes those classes alone (keep-classes.ts), and the one with every
   * class is loaded on the first `all` call (an upload). Absent: one session, every class.
   */
  liveLabels?: readonly string[];
}

/** The default detector's name in the stats when household heads are merged into it. */
const HEADED_MODEL = 'centernet-heads';

/**
 * Which outputs of a default model its family decodes, picked by shape as the decoders pick them
 * (undefined: all). Sessions are pruned to these: onnxruntime computes every node of a graph
 * whatever a run asks for, and BlazePose's segmentation mask and heatmap, FaceRes' age and
 * gender heads are never read.
 */
const READS: Record<string, (shape: readonly (number | string)[]) => boolean> = {
  centernet: (d) => d.length === 3 && d[2] === 6,
  'centernet-weapons': (d) => d.length === 3 && d[2] === 6,
  faceres: (d) => d[d.length - 1] === EMBEDDERS.faceres.dimensions,
  mobilefacenet: (d) => d[d.length - 1] === EMBEDDERS.mobilefacenet.dimensions,
  'blazepose-full': (d) => d.length === 2 && (d[1] === 195 || d[1] === 1),
};

/** CenterNet with the trained weapon classes merged in (docs/weapons.md) when built, else plain CenterNet. */
export function defaultObjectModel(manifest: ModelManifest): string {
  try {
    manifest.path('centernet-weapons');
    return 'centernet-weapons';
  } catch {
    return 'centernet';
  }
}

/**
 * The default detector with `models.objects.heads` merged in; undefined without heads. A head that
 * cannot be merged (a file gone, a class trained twice) costs its classes, not the analysis: the
 * reason is logged and the shipped detector runs, unless `strictHeads` (the CLI, asked for them).
 */
async function withHeads(manifest: ModelManifest, opts: DetectorOptions): Promise<HeadedModel | undefined> {
  const heads = opts.config.objects.heads;
  if (heads.length === 0) return undefined;
  try {
    return await objectModelWithHeads(manifest, heads, opts.cacheDir ?? scratchModels());
  } catch (err) {
    if (opts.strictHeads) throw err;
    opts.logger.error(`models.objects.heads not merged, their classes are off: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * The trained classes' verifiers (verifier.ts), loaded as `<detector>/verify-<classes>`. A verifier
 * that cannot be built costs its second look, not the analysis (its classes keep the detector's
 * scores), unless `strictHeads`.
 */
async function loadVerifiers(pool: SessionPool, manifest: ModelManifest, detector: string, opts: DetectorOptions): Promise<Verifier[]> {
  const { heads, verify } = opts.config.objects;
  if (!verify) return [];
  try {
    const models = await verifierModels(manifest, detector === HEADED_MODEL ? heads : [], opts.cacheDir ?? scratchModels());
    const verifiers: Verifier[] = [];
    for (const m of models) {
      const name = `${detector}/verify-${m.classes.join('-')}`;
      await pool.load(name, m.path);
      verifiers.push(poolVerifier(pool, name, m.classes, m.boxes));
    }
    return verifiers;
  } catch (err) {
    if (opts.strictHeads) throw err;
    opts.logger.error(`object class verifiers not loaded, their classes keep the detector's scores: ${(err as Error).message}`);
    return [];
  }
}

/** A verifier run in the session pool: the crop written into a recycled input. */
function poolVerifier(pool: SessionPool, name: string, classes: string[], boxes: boolean): Verifier {
  return {
    classes,
    run: async (img, box, extras) => {
      const t = await cropTensor(img, box, VERIFIER_CROP, pool.float32(VERIFIER_CROP * VERIFIER_CROP * 3));
      const out = await pool.run(
        name,
        {
          [VERIFIER_IMAGE_INPUT]: { type: 'float32', dims: [1, VERIFIER_CROP, VERIFIER_CROP, 3], data: t.data },
          [VERIFIER_EXTRAS_INPUT]: { type: 'float32', dims: [1, extras.length], data: extras },
          ...(boxes ? { [VERIFIER_PLACE_INPUT]: { type: 'float32' as const, dims: [1, 4], data: boxPlace(box, img.width, img.height) } } : {}),
        },
        boxes ? [VERIFIER_PROBS, VERIFIER_DELTAS] : [VERIFIER_PROBS],
      );
      return { probs: asFloat32(out[VERIFIER_PROBS]), deltas: boxes ? asFloat32(out[VERIFIER_DELTAS]) : undefined };
    },
  };
}

export function outputsRead(manifest: ModelManifest, name: string): string[] | undefined {
  const reads = READS[name];
  const outputs = reads
    ? manifest
        .get(name)
        .outputs.filter((o) => reads(o.shape))
        .map((o) => o.name)
    : [];
  return outputs.length > 0 ? outputs : undefined;
}

/**
 * CenterNet's sessions: with `liveLabels` that leave classes out, one computing those alone for
 * live analysis (under the model's name, as the stats show it) and one with every class loaded
 * on first use (`<name>/all`); else one. A graph the reduction does not fit (a household's merge
 * it does not know) keeps every class for both, with a warning: slower, never wrong.
 */
async function centerNetSessions(
  pool: SessionPool,
  model: { name: string; path: string; labels: readonly string[]; outputs?: string[]; liveLabels?: readonly string[] },
  logger: Logger,
): Promise<CenterNetSessions> {
  const { name, path, outputs } = model;
  const classes = model.labels.flatMap((l, i) => (model.liveLabels?.includes(l) ? [i] : []));
  if (!model.liveLabels || classes.length === model.labels.length) return { all: { name, info: await pool.load(name, path, { outputs }) } };
  try {
    const live = { name, info: await pool.load(name, path, { outputs, classes }) };
    logger.debug({ model: name, classes: classes.map((i) => model.labels[i]) }, 'live analysis computes these object classes alone');
    return { live, all: { name: `${name}/all`, load: () => pool.load(`${name}/all`, path, { outputs }) } };
  } catch (err) {
    logger.warn({ model: name, err }, 'the object model could not be reduced to the classes live analysis reads; it computes all of them');
    return { all: { name, info: await pool.load(name, path, { outputs }) } };
  }
}

/**
 * The one entry point to the models: builds the session pool and each family's detector from
 * config, and answers in source pixels. Frigate-like: one interface per family, one file each.
 */
export class Detector {
  private constructor(
    private readonly pool: SessionPool,
    private readonly objects: ObjectDetector[],
    private readonly faces: FaceDetector | null,
    private readonly embedder: FaceEmbedder | null,
    private readonly poses: PoseDetector | null,
  ) {}

  static async create(opts: DetectorOptions): Promise<Detector> {
    const { config, logger } = opts;
    const families = new Set(opts.families ?? MODEL_FAMILIES);
    const manifest = ModelManifest.load(config.dir);
    const pool = new SessionPool(config.runtime, logger, opts.timings);
    const load = (name: string) => pool.load(name, manifest.path(name), { outputs: outputsRead(manifest, name) });
    try {
      const objects: ObjectDetector[] = [];
      if (families.has('objects')) {
        const headed = config.objects.use_default || !config.objects.model ? await withHeads(manifest, opts) : undefined;
        const centerNet = async (name: string, path: string, labels: string[]) => {
          const sessions = await centerNetSessions(pool, { name, path, labels, outputs: outputsRead(manifest, 'centernet'), liveLabels: opts.liveLabels }, logger);
          const verifiers = await loadVerifiers(pool, manifest, name, opts);
          objects.push(new CenterNetDetector(pool, sessions, labels, config.objects.min_score, config.objects.input, verifiers));
        };
        if (headed) {
          await centerNet(HEADED_MODEL, headed.path, headed.labels);
          logger.info(`object classes from models.objects.heads: ${headed.custom.join(', ')}`);
        } else if (config.objects.use_default || !config.objects.model) {
          const name = defaultObjectModel(manifest);
          const labelsPath = manifest.labelsPath(name);
          if (!labelsPath) throw new Error(`the ${name} entry of the model manifest names no label file`);
          await centerNet(name, manifest.path(name), await readLabels(labelsPath));
        }
        const user = config.objects.model;
        if (user) objects.push(await userYolo(pool, user, logger));
      }
      let faces: FaceDetector | null = null;
      let embedder: FaceEmbedder | null = null;
      if (families.has('faces')) {
        faces = new BlazeFaceDetector(pool, await load('blazeface-back'), config.faces.min_score, 0.3, config.faces.tiles);
        if (opts.embeddings ?? true) {
          const spec = EMBEDDERS[config.faces.embedder];
          embedder = new OnnxFaceEmbedder(pool, await load(spec.name), spec);
        }
      }
      let poses: PoseDetector | null = null;
      if (families.has('pose')) {
        const { model, min_score, max_people } = config.pose;
        poses =
          model === 'movenet'
            ? new MoveNetDetector(pool, await load('movenet-lightning'), min_score ?? 0.2, max_people)
            : new BlazePoseDetector(pool, await load('blazepose-detector'), await load('blazepose-full'), {
                minScore: min_score ?? 0.5,
                maxPeople: max_people,
              });
      }
      return new Detector(pool, objects, faces, embedder, poses);
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  has(family: ModelFamily): boolean {
    return family === 'objects' ? this.objects.length > 0 : family === 'faces' ? this.faces !== null : this.poses !== null;
  }

  /** Every class the object models know (a config naming another is a typo, or a head not merged). */
  get objectLabels(): string[] {
    return [...new Set(this.objects.flatMap((d) => d.labels))];
  }

  get embeddingDimensions(): number | null {
    return this.embedder?.dimensions ?? null;
  }

  /** `scope` `live`: at least `liveLabels` (live analysis); `all`: every class (uploads, the CLI). */
  async detectObjects(img: RgbImage, scope: DetectScope = 'all'): Promise<ObjectDetection[]> {
    if (this.objects.length === 0) throw new Error('object detection was not loaded');
    const all = await Promise.all(this.objects.map((d) => d.detect(img, scope)));
    return all.flat().sort((a, b) => b.score - a.score);
  }

  async detectFaces(img: RgbImage, opts?: FaceSearch): Promise<FaceDetection[]> {
    if (!this.faces) throw new Error('face detection was not loaded');
    return this.faces.detect(img, opts);
  }

  /** L2-normalised embedding of a face found by detectFaces() in the same image. */
  async embedFace(img: RgbImage, face: FaceDetection): Promise<Float32Array> {
    if (!this.embedder) throw new Error('the face embedder was not loaded');
    return this.embedder.embed(img, face);
  }

  /** `people`: person boxes from detectObjects(), if it ran; they guide the pose models to each body. */
  async detectPoses(img: RgbImage, people?: readonly Box[]): Promise<PoseDetection[]> {
    if (!this.poses) throw new Error('pose detection was not loaded');
    return this.poses.detect(img, people);
  }

  /** The bodies of an earlier frame's poses (their `roi`), found again without the pose detector; undefined where lost. */
  async followPoses(img: RgbImage, rois: readonly BodyRoi[]): Promise<(PoseDetection | undefined)[]> {
    if (!this.poses) throw new Error('pose detection was not loaded');
    return this.poses.follow ? this.poses.follow(img, rois) : rois.map(() => undefined);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** A user's YOLO model and its labels, or an error that names the file and what is wrong with it. */
async function userYolo(pool: SessionPool, user: UserModelConfig, logger: Logger): Promise<YoloDetector> {
  let labels: string[];
  try {
    labels = await readLabels(user.labels);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (err as Error).message;
    throw new Error(`the YOLO model's label file ${user.labels} cannot be read: ${why}`);
  }
  if (labels.length === 0) throw new Error(`the YOLO model's label file ${user.labels} is empty: give one label a line, in class order`);
  if (!existsSync(user.path)) throw new Error(`the YOLO model ${user.path} does not exist`);
  try {
    return await YoloDetector.create(pool, user, labels, logger);
  } catch (err) {
    // onnxruntime's own words ("Protobuf parsing failed") say little to someone who picked the wrong file
    const said = (err as Error).message.replace(/^Load model from .*? failed:\s*/, '');
    throw new Error(`the YOLO model ${user.path} is not an ONNX model onnxruntime can load (${said})`);
  }
}

/**
 * Where `argus analyze --heads` keeps merged models (a running Argus uses `<data_dir>/models/`): a
 * folder of the user's own, as each load clears the other merges in its folder (two users' runs
 * deleted each other's files in a shared /tmp/argus-models).
 */
function scratchModels(): string {
  return join(tmpdir(), `argus-models-${process.getuid?.() ?? 'user'}`);
}
