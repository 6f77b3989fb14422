import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { EmbeddedBroker } from '../../src/outputs/mqtt/embedded-broker.js';
import { type ArgusProcess, spawnArgus, waitUntil } from '../helpers/argus-process.js';
import { freePort } from '../helpers/mqtt-broker.js';

/** Loopback only: the fault suite never talks to anything else. */
export const HOST = '127.0.0.1';

/** A broker on a fixed port that a test can kill and start again: mosquitto where installed, else aedes. */
export class RestartableBroker {
  private child?: ChildProcess;
  private aedes?: EmbeddedBroker;
  private constructor(
    readonly port: number,
    readonly kind: 'mosquitto' | 'aedes',
  ) {}

  static async start(): Promise<RestartableBroker> {
    const bin = spawnSync('sh', ['-c', 'command -v mosquitto || (test -x /usr/sbin/mosquitto && echo /usr/sbin/mosquitto)']).stdout.toString().trim();
    const broker = new RestartableBroker(await freePort(), bin ? 'mosquitto' : 'aedes');
    await broker.up(bin);
    return broker;
  }

  get url(): string {
    return `mqtt://${HOST}:${this.port}`;
  }

  /** Starts it again on the same port, with nothing retained (no persistence: the fault under test). */
  async up(bin = 'mosquitto'): Promise<void> {
    if (this.kind === 'aedes') {
      this.aedes = new EmbeddedBroker({ port: this.port, logger: silentLogger() });
      await this.aedes.start();
      return;
    }
    const path = bin === 'mosquitto' ? spawnSync('sh', ['-c', 'command -v mosquitto || echo /usr/sbin/mosquitto']).stdout.toString().trim() : bin;
    const config = join(process.env.TMPDIR ?? '/tmp', `argus-fault-mosquitto-${this.port}.conf`);
    writeFileSync(config, `listener ${this.port} ${HOST}\nallow_anonymous true\npersistence false\n`);
    this.child = spawn(path, ['-c', config], { stdio: 'ignore' });
    await waitUntil('mosquitto to listen', async () => (await canConnect(this.port)) || undefined, 10_000);
  }

  async down(): Promise<void> {
    if (this.aedes) {
      await this.aedes.stop();
      this.aedes = undefined;
      return;
    }
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const c = connect(port, HOST, () => {
      c.end();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export interface RunningArgus {
  process: ArgusProcess;
  pid: number;
  port: number;
  token: string;
  dataDir: string;
  base: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts `argus run` with one live file camera (`lobby`) and one camera that never answers (`broken`). */
export async function startArgus(dir: string, base: string, brokerUrl: string, clip: string): Promise<RunningArgus> {
  const port = await freePort();
  const deadPort = await freePort();
  const dataDir = join(dir, base);
  const config = join(dir, `${base}.yml`);
  writeFileSync(
    config,
    `cameras:
  lobby:
    url: ${clip}
    detect: { width: 320, height: 180, fps: 2 }
    motion: { min_area: 100 }
  broken:
    url: rtsp://admin:hunter2@${HOST}:${deadPort}/stream
mqtt:
  url: ${brokerUrl}
  base_topic: ${base}
server:
  host: ${HOST}
  port: ${port}
data_dir: ${dataDir}
`,
  );
  const proc = spawnArgus(['--config', config], {});
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error('argus did not start');
  await waitUntil('argus to answer /api/health', async () => (await fetch(`http://${HOST}:${port}/api/health`)).ok || undefined, 120_000);
  const token = readFileSync(join(dataDir, 'access-token'), 'utf8').trim();
  return {
    process: proc,
    pid,
    port,
    token,
    dataDir,
    base,
    get: (path, headers = {}) => fetch(`http://${HOST}:${port}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } }),
    stop: async () => {
      if (proc.child.exitCode === null) proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/** Resident and peak resident memory of a process, from /proc (bytes). */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Samples a process' RSS while a fault runs. */
export class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(pid: number, everyMs = 50) {
    const sample = () => {
      this.peak = Math.max(this.peak, memoryOf(pid).rss);
    };
    sample();
    this.timer = setInterval(sample, everyMs);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

/** Asks /api/health every `everyMs` while a fault runs; a probe that gets no answer in 10 s counts as 10 s. */
export class HealthProbe {
  readonly latencies: number[] = [];
  private running = true;
  private readonly done: Promise<void>;
  constructor(port: number, everyMs = 200) {
    this.done = (async () => {
      while (this.running) {
        const t0 = performance.now();
        try {
          const res = await fetch(`http://${HOST}:${port}/api/health`, { signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer();
          this.latencies.push(performance.now() - t0);
        } catch {
          this.latencies.push(10_000);
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }
  async stop(): Promise<{ probes: number; p95Ms: number; maxMs: number }> {
    this.running = false;
    await this.done;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN;
    return { probes: sorted.length, p95Ms: Math.round(p95), maxMs: Math.round(sorted.at(-1) ?? Number.NaN) };
  }
}

export const MB = 1024 * 1024;

/** One line per fault with its figures, for docs/reliability.md (grep FAULT in the test output). */
export function report(fault: string, figures: Record<string, unknown>): void {
  process.stdout.write(`FAULT ${fault}: ${JSON.stringify(figures)}\n`);
}
