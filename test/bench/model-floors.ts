/**
 * Each default model against its float32 floor (issue 18): the floor is the model's multiply-adds
 * (Conv, ConvTranspose, MatMul, Gemm, counted from the shapes onnxruntime reports for the
 * unoptimised graph) at the float32 matrix peak measured here, in the same run, with the same
 * session options Argus uses (2 intra-op threads, spinning during a run).
 * Run: npx tsx test/bench/model-floors.ts [--runs 60] [--rounds 6]   (also the last part of `npm run bench`)
 *
 * The peak is onnxruntime's own SGEMM on a 1024³ MatMul: what these two cores do at best with the
 * kernels Argus runs on. Each model is timed in turns with the others (timing.ts), on random input
 * of its input shape, pruned to the outputs Argus reads, as it loads it (detector.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { outputsRead } from '../../src/models/detector.js';
import { keepClasses } from '../../src/models/keep-classes.js';
import { defaultModelsDir, ModelManifest } from '../../src/models/manifest.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { matmulModel, PEAK_SIDE, peakGflops } from './machine-speed.js';
import { median, timeInTurns } from './timing.js';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = flag('runs', 60);
const ROUNDS = flag('rounds', 6);
const THREADS = flag('threads', 2);
/**
 * `classes`: the default detector as live analysis runs it with the default analyzers (person,
 * pistol, knife: keep-classes.ts); `sides`: its open input sides, [height, width] (512×512 unless
 * given; a 640×360 camera frame runs at 512×320: models.objects.input `camera`, the default).
 */
const MODELS: Array<{ name: string; label?: string; classes?: number[]; sides?: [number, number] }> = [
  { name: 'centernet-weapons' },
  { name: 'centernet-weapons', label: 'centernet-weapons, live classes', classes: [0, 80, 81] },
  { name: 'centernet-weapons', label: 'centernet-weapons, live classes, a 640×360 frame (512×320)', classes: [0, 80, 81], sides: [320, 512] },
  { name: 'centernet' },
  { name: 'blazeface-back' },
  { name: 'faceres' },
  { name: 'blazepose-detector' },
  { name: 'blazepose-full' },
];
const OPTIONS = cpuSessionOptions(THREADS);

type Shape = Array<Record<string, number[]>>;
interface ProfileEvent {
  cat: string;
  name: string;
  args?: { op_name?: string; input_type_shape?: Shape; output_type_shape?: Shape };
}

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const dimsOf = (s: Shape | undefined, i: number): number[] => (s?.[i] ? Object.values(s[i])[0] : []);

/** Multiply-adds of one node from its reported shapes; 0 for ops that are not matrix work. */
function macs(op: string, inputs: Shape | undefined, outputs: Shape | undefined): number {
  const x = dimsOf(inputs, 0);
  const w = dimsOf(inputs, 1);
  const y = dimsOf(outputs, 0);
  if (op === 'Conv' || op === 'FusedConv') return prod(y) * prod(w.slice(1)); // each output: Cin/group × kh × kw
  if (op === 'ConvTranspose') return prod(x) * prod(w.slice(1)); // each input: Cout/group × kh × kw
  if (op === 'MatMul' || op === 'Gemm') return prod(y) * (x.at(-1) ?? 0);
  return 0;
}

function feedsFor(session: ort.InferenceSession, sides: [number, number] = [512, 512]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const m of session.inputMetadata) {
    if (!m.isTensor) throw new Error(`input ${m.name} is not a tensor`);
    // An open batch is 1; open sides (CenterNet's NHWC height and width) as given, 512 by default.
    const dims = m.shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 1 : (sides[i - 1] ?? 512)));
    feeds[m.name] = new ort.Tensor(
      'float32',
      Float32Array.from({ length: prod(dims) }, () => Math.random()),
      dims,
    );
  }
  return feeds;
}

/** Multiply-adds of one run of the unoptimised graph, from onnxruntime's profile of it. */
async function countMacs(bytes: Uint8Array, dir: string, sides?: [number, number]): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', enableProfiling: true, profileFilePrefix: join(dir, 'count') });
  await session.run(feedsFor(session, sides));
  // onnxruntime-node writes the profile on endProfiling() under the prefix, named by the time.
  (session as unknown as { endProfiling(): void }).endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith('count') && f.endsWith('.json'));
  if (!file) throw new Error('onnxruntime wrote no profile');
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
  rmSync(join(dir, file));
  let total = 0;
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) total += macs(e.args?.op_name ?? '', e.args?.input_type_shape, e.args?.output_type_shape);
  return total;
}

const dir = mkdtempSync(join(tmpdir(), 'argus-floors-'));
try {
  const N = PEAK_SIDE;
  const peak = await ort.InferenceSession.create(matmulModel(N), OPTIONS);
  const peakFeeds = feedsFor(peak);
  const models = [];
  const manifest = ModelManifest.load(defaultModelsDir());
  for (const { name, label, classes, sides } of MODELS) {
    // one at a time: each count reads the one profile in the folder
    const file = new Uint8Array(readFileSync(manifest.path(name)));
    const raw = classes ? keepClasses(file, classes) : file;
    const keep = outputsRead(manifest, name);
    const bytes = keep ? pruneToOutputs(raw, keep).bytes : raw;
    const session = await ort.InferenceSession.create(bytes, OPTIONS);
    models.push({ name: label ?? name, macs: await countMacs(bytes, dir, sides), session, feeds: feedsFor(session, sides) });
  }
  const works = [() => peak.run(peakFeeds), ...models.map((m) => () => m.session.run(m.feeds))];
  const [peakMs, ...modelMs] = await timeInTurns(works, RUNS, 3, ROUNDS);
  // The peak is the best this run saw (its fastest MatMul): a slow minute must not lower the
  // floor's bar (the median once read 124 GFLOP/s against 292–305, and every model "beat" its floor).
  const gflops = peakGflops(Math.min(...peakMs));
  console.log(
    `float32 peak (onnxruntime MatMul ${N}³, ${THREADS} threads, fastest of ${peakMs.length} runs; median ${peakGflops(median(peakMs)).toFixed(0)}): ${gflops.toFixed(0)} GFLOP/s; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log('| model | GMAC a run | floor (ms) | median (ms) | × floor | within 2× |');
  console.log('|---|---:|---:|---:|---:|---|');
  models.forEach((m, i) => {
    const floor = (2 * m.macs) / (gflops * 1e6);
    const ms = median(modelMs[i]);
    console.log(`| ${m.name} | ${(m.macs / 1e9).toFixed(3)} | ${floor.toFixed(2)} | ${ms.toFixed(2)} | ${(ms / floor).toFixed(1)} | ${ms <= 2 * floor ? 'yes' : 'no'} |`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
