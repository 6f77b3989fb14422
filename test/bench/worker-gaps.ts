/**
 * Where the inference worker waits, for `bench:live` (or any in-process Argus): preloaded, it
 * records every pool run (sent, answered, the worker's own ms) and every frame the FrameAnalyzer
 * starts and ends, and at exit prints the worker's idle time between runs by what came before and
 * after (the same frame or the next, the run already queued or sent only after the one before
 * answered). Run:
 *   MALLOC_ARENA_MAX=2 node --import tsx --import ./test/bench/worker-gaps.ts test/bench/live.ts --cameras 4 --seconds 30
 * A run's start in the worker is taken as its answer's arrival less its own ms, so each gap also
 * holds one message's way back (a fraction of a millisecond, docs/benchmarks.md).
 */
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { type RunTimings, SessionPool } from '../../src/models/session-pool.js';

interface Run {
  model: string;
  sent: number;
  answered: number;
  ms: number;
  frame: number;
}
const runs: Run[] = [];
const frames: Array<{ start: number; end: number }> = [];
let current = -1;
/** Runs before this many ms (models loading, warm-up) are left out. */
const SKIP_MS = Number(process.env.GAPS_SKIP_MS ?? 12_000);
// The pool reports each run's worker ms through its RunTimings just before the run resolves.
let last = { ms: 0, at: 0 };
const wrapped = new WeakSet<SessionPool>();

const run = SessionPool.prototype.run;
SessionPool.prototype.run = async function (this: SessionPool, name, feeds, outputs) {
  const pool = this as unknown as { timings?: RunTimings };
  if (!wrapped.has(this)) {
    const inner = pool.timings;
    pool.timings = {
      record: (model, ms) => {
        last = { ms, at: performance.now() };
        inner?.record(model, ms);
      },
    };
    wrapped.add(this);
  }
  const sent = performance.now();
  const frame = current;
  const out = await run.call(this, name, feeds, outputs);
  runs.push({ model: name, sent, answered: last.at, ms: last.ms, frame });
  return out;
};

const analyze = FrameAnalyzer.prototype.analyze;
FrameAnalyzer.prototype.analyze = async function (this: FrameAnalyzer, frame, motion) {
  const f = { start: performance.now(), end: 0 };
  current = frames.push(f) - 1;
  try {
    return await analyze.call(this, frame, motion);
  } finally {
    f.end = performance.now();
  }
};

process.on('exit', () => {
  const rs = runs.filter((r) => r.sent > SKIP_MS).sort((a, b) => a.answered - b.answered);
  if (rs.length < 2) return;
  let idle = 0;
  let busy = 0;
  const kinds = new Map<string, { n: number; ms: number }>();
  for (let i = 1; i < rs.length; i++) {
    const [before, after] = [rs[i - 1], rs[i]];
    busy += after.ms;
    const gap = after.answered - after.ms - before.answered;
    if (gap <= 0) continue;
    idle += gap;
    const key = `${after.frame === before.frame ? 'same frame' : 'next frame'}, ${after.sent > before.answered ? 'sent after the run before answered' : 'queued'}: ${before.model} → ${after.model}`;
    const k = kinds.get(key) ?? { n: 0, ms: 0 };
    kinds.set(key, { n: k.n + 1, ms: k.ms + gap });
  }
  const span = rs[rs.length - 1].answered - rs[0].answered;
  const out = [
    `\nworker: ${rs.length} runs over ${(span / 1000).toFixed(1)} s, in runs ${((100 * busy) / span).toFixed(0)} %, waiting between runs ${((100 * idle) / span).toFixed(0)} %`,
  ];
  out.push('| waited | times | ms each | between |', '|---:|---:|---:|---|');
  for (const [key, k] of [...kinds].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) out.push(`| ${k.ms.toFixed(0)} ms | ${k.n} | ${(k.ms / k.n).toFixed(2)} | ${key} |`);
  const done = frames.filter((f) => f.start > SKIP_MS && f.end > 0);
  let between = 0;
  for (let i = 1; i < done.length; i++) between += Math.max(0, done[i].start - done[i - 1].end);
  let toFirst = 0;
  let n = 0;
  for (let i = 1; i < rs.length; i++) {
    if (rs[i].frame === rs[i - 1].frame || rs[i].frame < 0) continue;
    toFirst += rs[i].sent - frames[rs[i].frame].start;
    n++;
  }
  out.push(
    `frames: ${done.length}, ${(done.reduce((s, f) => s + f.end - f.start, 0) / done.length).toFixed(1)} ms each; from one frame's end to the next's start ${(between / Math.max(1, done.length - 1)).toFixed(2)} ms; from a frame's start to its first run sent ${(toFirst / Math.max(1, n)).toFixed(2)} ms`,
  );
  console.error(out.join('\n'));
});
