/**
 * Per-model latency of our ONNX models (onnxruntime-node through Argus' worker pool) against the
 * same TFJS weights on tfjs-backend-wasm (Human's runtime), same inputs, same run; then a whole
 * frame (objects + faces + pose) through Argus' Detector against human.detect().
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { silentLogger } from '../../src/log.js';
import { analyzeImage } from '../../src/models/analyze-image.js';
import { Detector, outputsRead } from '../../src/models/detector.js';
import { ModelManifest } from '../../src/models/manifest.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { SessionPool } from '../../src/models/session-pool.js';
import type { TensorData } from '../../src/models/tensor-data.js';
import { rgbImage } from '../../src/vision/image.js';
import { startHuman } from './human-reference.js';
import { median, timePaired } from './timing.js';

const require = createRequire(import.meta.url);

/** Our manifest name → Human's model key (null: Human did not load it; loaded separately). */
const MODELS: Array<{ name: string; human: string | null }> = [
  { name: 'centernet', human: 'centernet' },
  { name: 'blazeface-back', human: 'blazeface' },
  { name: 'faceres', human: 'faceres' },
  { name: 'mobilefacenet', human: null },
  { name: 'blazepose-detector', human: 'blazeposedetect' },
  { name: 'blazepose-full', human: 'blazepose' },
  { name: 'movenet-lightning', human: null },
];

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export interface Row {
  what: string;
  ours_ms: number;
  human_ms: number;
  ratio: number;
}

export async function benchModels(runs: number, warmup: number, rounds: number): Promise<Row[]> {
  const manifest = ModelManifest.load();
  const config = defaultModelsConfig();
  const pool = new SessionPool(config.runtime, silentLogger());
  const ref = await startHuman();
  const tf = ref.human.tf;
  const modelsUrl = (ref.human as unknown as { config: { modelBasePath: string } }).config.modelBasePath;
  const rows: Row[] = [];
  try {
    for (const { name, human } of MODELS) {
      // Pruned to the outputs Argus decodes, as Detector loads it.
      const info = await pool.load(name, manifest.path(name), { outputs: outputsRead(manifest, name) });
      const input = info.inputs[0];
      const model = human ? ref.human.models.models[human] : await tf.loadGraphModel(`${modelsUrl}${name}.json`);
      if (!model) throw new Error(`Human did not load ${human}`);
      // A side the converted graph leaves free (CenterNet's, since `models build` frees it for the
      // frame's own aspect) takes the TFJS model's size, which Human runs it at; the batch is 1.
      const tfjsShape = (model as { inputs?: Array<{ shape?: number[] }> }).inputs?.[0]?.shape ?? [];
      const dims = input.shape.map((d, i) => (d > 0 ? d : (tfjsShape[i] ?? 0) > 0 ? tfjsShape[i] : i === 0 ? 1 : Number.NaN));
      if (dims.some(Number.isNaN)) throw new Error(`${name}: input ${JSON.stringify(input.shape)} has a free side the TFJS model does not fix either`);
      const size = dims.reduce((a, b) => a * b, 1);
      const rand = seededRandom(42);
      const isInt = input.type.includes('int32');
      const values = Array.from({ length: size }, () => (isInt ? Math.floor(rand() * 256) : rand()));
      // Made once, as Human's tensor is; each run sends a copy (a memcpy), since the worker takes the buffer.
      const body = isInt ? Int32Array.from(values) : Float32Array.from(values);
      const feed = (): Record<string, TensorData> => ({
        [input.name]: body instanceof Int32Array ? { type: 'int32', dims, data: body.slice() } : { type: 'float32', dims, data: body.slice() },
      });
      const tensor = tf.tensor(values, dims, isInt ? 'int32' : 'float32');
      const [ours, theirs] = await timePaired(
        () => pool.run(name, feed()),
        async () => {
          const out = (model as { execute(t: unknown): unknown }).execute(tensor);
          const list = (Array.isArray(out) ? out : [out]) as Array<{ data(): Promise<unknown>; dispose(): void }>;
          await Promise.all(list.map((t) => t.data())); // wait for the work, as a caller must
          for (const t of list) t.dispose();
        },
        runs,
        warmup,
        rounds,
      );
      tensor.dispose();
      rows.push({ what: name, ours_ms: median(ours), human_ms: median(theirs), ratio: median(theirs) / median(ours) });
    }

    // A whole frame: the npm-shipped photo of three people, 1280 wide.
    const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
    const { data, info } = await sharp(photo).resize({ width: 1280 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = rgbImage(info.width, info.height, new Uint8Array(data));
    const detector = await Detector.create({ config, logger: silentLogger() });
    const families = ['objects', 'faces', 'pose'] as const;
    const found = await analyzeImage(detector, img, { file: 'bench', families, embeddings: true });
    // The same passes as Human makes: faces in the whole frame only (no tiles), and one pose
    // detector pass over the whole frame instead of one per person box.
    const plain = await Detector.create({ config: { ...config, faces: { ...config.faces, tiles: 1 } }, logger: silentLogger() });
    // Run side by side as analyzeImage runs its families (and as Human's async mode does).
    const humanLike = async () => {
      const [objects, faces, poses] = await Promise.all([
        plain.detectObjects(img),
        plain.detectFaces(img).then(async (found) => {
          await Promise.all(found.map((f) => plain.embedFace(img, f)));
          return found;
        }),
        plain.detectPoses(img),
      ]);
      return { objects, faces, poses };
    };
    const foundPlain = await humanLike();
    const frame = tf.tensor(data, [1, info.height, info.width, 3], 'int32');
    const humanFound = await ref.human.detect(frame);
    const [ours, theirs] = await timePaired(
      () => analyzeImage(detector, img, { file: 'bench', families, embeddings: true }),
      () => ref.human.detect(frame),
      runs,
      warmup,
      rounds,
    );
    const [oursPlain, theirsAgain] = await timePaired(humanLike, () => ref.human.detect(frame), runs, warmup, rounds);
    frame.dispose();
    await detector.close();
    await plain.close();
    const theirsFound = `Human: ${humanFound.object.length}, ${humanFound.face.length}, ${humanFound.body.length}`;
    rows.push({
      what: `full frame ${info.width}×${info.height}, Argus defaults (ours: ${found.objects.length} objects, ${found.faces.length} faces, ${found.poses.length} poses; ${theirsFound})`,
      ours_ms: median(ours),
      human_ms: median(theirs),
      ratio: median(theirs) / median(ours),
    });
    rows.push({
      what: `full frame, Human's passes: no face tiles, one pose pass (ours: ${foundPlain.objects.length}, ${foundPlain.faces.length}, ${foundPlain.poses.length}; ${theirsFound})`,
      ours_ms: median(oursPlain),
      human_ms: median(theirsAgain),
      ratio: median(theirsAgain) / median(oursPlain),
    });

    // A frame whose face tiles do run: in sample2.jpg a person is left without a face by the
    // whole-frame pass, so Argus also searches the tiles around them (sample1's are skipped).
    const photo2 = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample2.jpg');
    const second = await sharp(photo2).resize({ width: 1280 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img2 = rgbImage(second.info.width, second.info.height, new Uint8Array(second.data));
    const detector2 = await Detector.create({ config, logger: silentLogger() });
    const found2 = await analyzeImage(detector2, img2, { file: 'bench', families, embeddings: true });
    const frame2 = tf.tensor(second.data, [1, second.info.height, second.info.width, 3], 'int32');
    const humanFound2 = await ref.human.detect(frame2);
    const [ours2, theirs2] = await timePaired(
      () => analyzeImage(detector2, img2, { file: 'bench', families, embeddings: true }),
      () => ref.human.detect(frame2),
      runs,
      warmup,
      rounds,
    );
    frame2.dispose();
    await detector2.close();
    rows.push({
      what: `full frame ${second.info.width}×${second.info.height} with face tiles, Argus defaults (ours: ${found2.objects.length}, ${found2.faces.length}, ${found2.poses.length}; Human: ${humanFound2.object.length}, ${humanFound2.face.length}, ${humanFound2.body.length})`,
      ours_ms: median(ours2),
      human_ms: median(theirs2),
      ratio: median(theirs2) / median(ours2),
    });
  } finally {
    await pool.close();
    await ref.close();
  }
  return rows;
}
