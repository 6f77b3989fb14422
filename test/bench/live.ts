/**
 * Argus live, in process, on N file cameras of the fixture clip (people in every frame: the
 * worst case), read through `GET /api/stats` as a user would.
 * Run: npm run bench:live -- --cameras N --seconds S   (without --cameras: N = 1, 2, 4, 8 in turn)
 * Soak: npm run bench:live -- --cameras 4 --seconds 1800 --trail 60   (RSS every 60 s, and its growth)
 * Runtime: --concurrency N (frames at once), --workers N --threads N (inference workers, threads each),
 *   --input frame (CenterNet at the frame's aspect: models.objects.input), --no-verify (models.objects.verify off),
 *   --under-load drop (analyzers.under_load: whole frames skipped while busy, instead of the essential analyzers alone),
 *   --under-load beside (the essential analyzers also on one more frame beside the one analysed in full)
 * What a household can turn down (the statistics page's advice): --fps N (each camera's
 *   detect.fps, default 5), --off pose,faces (those analyzers off on every camera)
 *
 * Rates come from the difference of two reads: one after `--warmup` seconds (models loaded,
 * ffmpeg running), one `--seconds` later, so start-up does not dilute them; the second read asks for
 * the percentiles since the first (`?since=`), so latencies and inference times leave it out too
 * (since 2026-12-05; before, they held the warm-up's first runs and events).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { Argus } from '../../src/main.js';
import type { StatsReport } from '../../src/stats/report.js';
import { machineSpeed } from './machine-speed.js';

const VIDEO = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'video', 'short_hamilton_clip.mp4');
const flag = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const SECONDS = flag('seconds') ?? 30;
const WARMUP = flag('warmup') ?? 8;
const RUNS = flag('cameras') ? [flag('cameras') as number] : [1, 2, 4, 8];
/** analyzers.concurrency (default: the config's default). */
const CONCURRENCY = flag('concurrency');
/** models.runtime.workers and .threads (default: the config's, 1 worker of 2 threads). */
const WORKERS = flag('workers');
/** models.objects.input (`--input frame`: the frame's aspect instead of 512×512). */
const INPUT = process.argv.includes('--input') ? process.argv[process.argv.indexOf('--input') + 1] : undefined;
/** models.objects.verify off (`--no-verify`): the weapon candidates keep the detector's scores. */
const NO_VERIFY = process.argv.includes('--no-verify');
const THREADS = flag('threads');
/** analyzers.under_load (`--under-load drop`: as before 2026-12-05; `beside`: a second, light frame at once). */
const UNDER_LOAD = process.argv.includes('--under-load') ? process.argv[process.argv.indexOf('--under-load') + 1] : undefined;
/** cameras.<name>.detect.fps (default: the config's, 5). */
const FPS = flag('fps');
/** Analyzers switched off on every camera (`--off pose,faces`). */
const OFF = process.argv.includes('--off') ? process.argv[process.argv.indexOf('--off') + 1].split(',') : [];
/** Seconds between the RSS readings of the trail (default: one reading at the end). */
const TRAIL = flag('trail') ?? SECONDS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(1));

async function run(cameras: number): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'argus-bench-live-'));
  const config = parseConfig({
    data_dir: dataDir,
    server: { port: 0, host: '127.0.0.1' },
    mqtt: { embedded_port: 0 },
    ...(CONCURRENCY || UNDER_LOAD ? { analyzers: { ...(CONCURRENCY ? { concurrency: CONCURRENCY } : {}), ...(UNDER_LOAD ? { under_load: UNDER_LOAD } : {}) } } : {}),
    models: {
      ...(WORKERS || THREADS ? { runtime: { ...(WORKERS ? { workers: WORKERS } : {}), ...(THREADS ? { threads: THREADS } : {}) } } : {}),
      ...(INPUT || NO_VERIFY ? { objects: { ...(INPUT ? { input: INPUT } : {}), ...(NO_VERIFY ? { verify: false } : {}) } } : {}),
    },
    cameras: Object.fromEntries(
      Array.from({ length: cameras }, (_, i) => [
        `cam${i + 1}`,
        { url: VIDEO, ...(FPS ? { detect: { fps: FPS } } : {}), ...(OFF.length ? { analyzers: Object.fromEntries(OFF.map((a) => [a, { enabled: false }])) } : {}) },
      ]),
    ),
  });
  const argus = new Argus({ config, source: 'bench:live', demo: false, secrets: [], warnings: [] }, silentLogger());
  try {
    const { port, token } = await argus.start();
    const read = async (since?: number): Promise<StatsReport> =>
      (await (await fetch(`http://127.0.0.1:${port}/api/stats${since ? `?since=${since}` : ''}`, { headers: { authorization: `Bearer ${token}` } })).json()) as StatsReport;
    await sleep(WARMUP * 1000);
    const a = await read();
    // The main thread's share of time busy and how late its timers ran: pre-processing, motion and
    // events share it, so a busy loop delays every frame's next step.
    const elu = performance.eventLoopUtilization();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    // RSS is read through the API, as a user would see it; the trail shows growth over a soak.
    const trail: number[] = [];
    for (let t = 0; t < SECONDS; t += TRAIL) {
      await sleep(Math.min(TRAIL, SECONDS - t) * 1000);
      trail.push((await read()).process.rss_mb);
    }
    // latencies and inference times of the measured seconds only, not of the warm-up (models' first runs, first events)
    const b = await read(a.time);
    delay.disable();
    const busy = performance.eventLoopUtilization(elu).utilization;
    const s = (b.time - a.time) / 1000;
    const rows = Object.keys(b.cameras).map((name) => {
      const [x, y] = [a.cameras[name].totals, b.cameras[name].totals];
      const motion = y.motion - x.motion;
      const analyzed = y.analyzed - x.analyzed;
      const full = analyzed - (y.essential - x.essential);
      const skip = (r: keyof typeof y.skipped_by_reason) => y.skipped_by_reason[r] - x.skipped_by_reason[r];
      const det = Object.keys(y.detections).reduce((n, k) => n + y.detections[k] - (x.detections[k] ?? 0), 0);
      return `| ${cameras} | ${name} | ${b.cameras[name].camera_fps.toFixed(1)} | ${(motion / s).toFixed(2)} | ${(analyzed / s).toFixed(2)} | ${((motion - analyzed) / s).toFixed(2)} (busy ${skip('busy')}, schedule ${skip('schedule')}, paused ${skip('paused')}, failed ${skip('failed')}) | ${motion ? Math.round((100 * analyzed) / motion) : 0} % | ${motion ? Math.round((100 * full) / motion) : 0} % | ${(det / s).toFixed(1)} |`;
    });
    const m = b.models;
    // Runs per analyzed frame say where a frame's time goes (a model's p50 × its runs).
    const frames = Object.keys(b.cameras).reduce((n, c) => n + b.cameras[c].totals.analyzed - a.cameras[c].totals.analyzed, 0);
    const models = Object.keys(m)
      .map((k) => `${k} ${fmt(m[k].inference_ms.p50)}/${fmt(m[k].inference_ms.p95)} ×${((m[k].runs - (a.models[k]?.runs ?? 0)) / Math.max(1, frames)).toFixed(2)}`)
      .join(', ');
    const lat = b.latency_ms;
    const cpuSeconds = process.cpuUsage();
    const memory = process.memoryUsage();
    return [
      ...rows,
      `N=${cameras}: ${s.toFixed(0)} s;${trail.length > 2 ? ` RSS every ${TRAIL} s: ${trail.join(' ')} MB (second half: ${rssGrowth(trail)});` : ''} queue ${b.queue.waiting} waiting, ${b.queue.in_flight} in flight; frame→event p50/p95 ${fmt(lat.frame_to_event.p50)}/${fmt(lat.frame_to_event.p95)} ms; frame→MQTT ${fmt(lat.frame_to_mqtt.p50)}/${fmt(lat.frame_to_mqtt.p95)} ms; main thread busy ${Math.round(100 * busy)} %, its 5 ms timer fired after p50/p99 ${(delay.percentile(50) / 1e6).toFixed(0)}/${(delay.percentile(99) / 1e6).toFixed(0)} ms; CPU ${b.process.cpu_percent} % (window ${b.window_s} s, process total ${((cpuSeconds.user + cpuSeconds.system) / 1e6).toFixed(0)} s); RSS ${b.process.rss_mb} MB (main thread's V8 heap ${mb(memory.heapTotal)} MB, external ${mb(memory.external)} MB); inference ms p50/p95 × runs per analyzed frame: ${models}`,
    ].join('\n');
  } finally {
    await argus.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One N in a fresh process: RSS is the process's, and an earlier Argus in the same process left
 * its heap and allocator arenas behind (N = 4 read 0.9 GB after 1 and 2, 0.6 GB alone).
 */
function inChild(cameras: number): string {
  const args = process.argv.slice(2).filter((_, i, a) => a[i] !== '--cameras' && a[i - 1] !== '--cameras');
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...args, '--cameras', String(cameras), '--rows-only'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`bench:live with ${cameras} cameras failed: ${child.stderr}`);
  return child.stdout.trim();
}

/** RSS change over the second half of the trail (the first half holds the warm-up's allocations), and the range it moved in. */
function rssGrowth(trail: number[]): string {
  const half = trail.slice(Math.floor(trail.length / 2));
  const d = half[half.length - 1] - half[0];
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)} MB, ${Math.min(...half)}–${Math.max(...half)} MB`;
}

if (!existsSync(VIDEO)) {
  console.log(`skipped: ${VIDEO} is absent`);
  process.exit(0);
}
if (process.argv.includes('--rows-only')) {
  console.log(await run(RUNS[0]));
  process.exit(0);
}
console.log(
  `${cpus().length} × ${cpus()[0]?.model}; load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
// This VM's speed moves from day to day: the same reference each run, to read its rows against another day's.
console.log((await machineSpeed()).line);
console.log('| cameras | camera | camera fps | motion fps | analyzed fps | skipped fps (frames, by reason) | motion frames analyzed | in full (every analyzer) | detections/s |');
console.log('|---:|---|---:|---:|---:|---|---:|---:|---:|');
const notes: string[] = [];
for (const n of RUNS) {
  const out = RUNS.length === 1 ? await run(n) : inChild(n);
  const lines = out.split('\n');
  console.log(lines.slice(0, -1).join('\n'));
  notes.push(lines.at(-1) ?? '');
}
console.log(
  `\n${notes.join('\n')}\nload average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
