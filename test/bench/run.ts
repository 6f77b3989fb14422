/**
 * `npm run bench`: every benchmark, each as a ratio against a reference measured in the same run
 * (never a pass/fail). `--runs N` timed runs a side (default 15), in `--rounds N` alternating
 * blocks (default 5), each after `--warmup N` untimed runs (default 2).
 */
import { parseArgs } from 'node:util';
import { benchModels } from './models-vs-human.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, warmup: { type: 'string', default: '2' }, rounds: { type: 'string', default: '5' } },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const rounds = Number(values.rounds);

const fmt = (n: number) => n.toFixed(1);
console.log(
  `# Models: Argus (onnxruntime-node, worker pool) vs Human 3.3.6 (tfjs-backend-wasm), median of ${runs} runs a side in ${rounds} alternating blocks, each after ${warmup} warm-up runs\n`,
);
console.log('| model | Argus ms | Human ms | Human ÷ Argus |');
console.log('|---|---:|---:|---:|');
for (const r of await benchModels(runs, warmup, rounds)) console.log(`| ${r.what} | ${fmt(r.ours_ms)} | ${fmt(r.human_ms)} | ${r.ratio.toFixed(1)}× |`);

console.log('\n# Face matching: one probe against 10 000 enrolled samples (FaceIndex vs a per-sample loop, same run)\n');
await import('./registry-match.js');

console.log('\n# Each default model against its float32 floor (its multiply-adds at the MatMul peak measured in the same run)\n');
await import('./model-floors.js');

console.log('\n# An event snapshot against the frame encoded with nothing drawn (same run)\n');
await import('./snapshot.js');
