import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { currentLane } from './lane.js';
import type { RuntimeConfig } from './model-config.js';
import { TensorBuffers } from './tensor-buffers.js';
import { UploadGate } from './upload-gate.js';
import type { ModelInfo, TensorData } from './tensor-data.js';
import type { WorkerReply, WorkerRequest } from './inference-worker.js';

/** Where each run's inference time goes (src/stats); called once a run, so it must not allocate. */
export interface RunTimings {
  record(model: string, ms: number): void;
}

/** How a model is cut down before its session is made (inference-worker.ts). */
export interface Reduction {
  /** The only outputs read: the graph is pruned to them. */
  outputs?: string[];
  /** CenterNet's class indices to compute (keep-classes.ts). */
  classes?: number[];
}

type Pending = { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: Error) => void; live: boolean };

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Distributive Omit, so each request variant keeps its own fields. */
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/**
 * A small pool of inference worker threads. Every worker holds a session for each loaded model,
 * so any worker can serve any request; a request goes to the worker with the fewest in flight.
 * Runs from the upload lane (lane.ts) wait at an `UploadGate` for a worker live work leaves idle.
 */
export class SessionPool {
  private readonly workers: PoolWorker[] = [];
  private readonly models = new Map<string, ModelInfo>();
  private readonly paths = new Map<string, string>();
  private readonly reductions = new Map<string, Reduction>();
  private nextId = 1;
  private closed = false;
  private readonly buffers = new TensorBuffers();
  private readonly uploads = new UploadGate<PoolWorker>(() => this.workers.find((w) => w.pending.size === 0));

  constructor(
    private readonly runtime: RuntimeConfig,
    private readonly logger: Logger,
    private readonly timings?: RunTimings,
  ) {
    // Threads spin while a run lasts (inference-worker.ts), so more of them than cores fight:
    // two workers of two threads on two cores made a full frame 1.3× slower than one worker.
    const threads = runtime.workers * runtime.threads;
    const cores = availableParallelism();
    if (runtime.provider === 'cpu' && threads > cores) {
      logger.warn(
        { workers: runtime.workers, threads: runtime.threads, cores },
        `models.runtime asks for ${threads} inference threads (workers × threads) on ${cores} cores: runs will slow each other; keep workers × threads at most ${cores}`,
      );
    }
  }

  private spawn(): PoolWorker {
    const worker = startWorker();
    const pw: PoolWorker = { worker, pending: new Map() };
    worker.on('message', (reply: WorkerReply) => {
      const p = pw.pending.get(reply.id);
      if (!p) return;
      pw.pending.delete(reply.id);
      if (reply.ok) for (const b of reply.returned ?? []) this.buffers.give(b);
      if (p.live) this.uploads.liveActivity();
      if (reply.ok) p.resolve(reply);
      else p.reject(new Error(reply.message));
      this.uploads.pump();
    });
    // A dead worker leaves the pool; the next request spawns a fresh one and reloads the models.
    const retire = (err: Error) => {
      const i = this.workers.indexOf(pw);
      if (i >= 0) this.workers.splice(i, 1);
      for (const p of pw.pending.values()) p.reject(err);
      pw.pending.clear();
      this.uploads.pump();
    };
    worker.on('error', (err) => {
      this.logger.error({ err }, 'inference worker failed');
      retire(err);
    });
    worker.on('exit', (code) => {
      if (!this.closed) retire(new Error(`inference worker exited with code ${code}`));
    });
    for (const [name, path] of this.paths) {
      this.send(pw, { type: 'load', name, path, options: this.sessionOptions(), ...this.reductions.get(name) }).catch((err: unknown) =>
        this.logger.error({ err, model: name }, 'reloading model in a new inference worker failed'),
      );
    }
    return pw;
  }

  private ensureWorkers(): void {
    if (this.closed) throw new Error('session pool is closed');
    while (this.workers.length < this.runtime.workers) this.workers.push(this.spawn());
  }

  private send(pw: PoolWorker, body: RequestBody, transfer: ArrayBuffer[] = [], live = false): Promise<WorkerReply & { ok: true }> {
    const id = this.nextId++;
    if (live) this.uploads.liveActivity();
    return new Promise((resolve, reject) => {
      pw.pending.set(id, { resolve, reject, live });
      pw.worker.postMessage({ ...body, id }, transfer);
    });
  }

  /**
   * Loads an ONNX file under `name` in every worker; returns its inputs and outputs. With
   * `outputs`, the graph is first pruned to those outputs (the others are gone from the session,
   * and so is the work that only they needed); with `classes`, CenterNet computes only those.
   */
  async load(name: string, path: string, reduction: Reduction = {}): Promise<ModelInfo> {
    const existing = this.models.get(name);
    if (existing) return existing;
    this.ensureWorkers();
    const options = this.sessionOptions();
    const replies = await Promise.all(this.workers.map((w) => this.send(w, { type: 'load', name, path, options, ...reduction })));
    const { info, warning } = replies[0];
    if (warning) this.logger.warn({ model: name }, warning);
    if (!info) throw new Error(`loading model "${name}" returned no description`);
    this.models.set(name, info);
    this.paths.set(name, path);
    this.reductions.set(name, reduction);
    this.logger.debug({ model: name, provider: info.provider }, 'model loaded');
    return info;
  }

  private sessionOptions() {
    return { provider: this.runtime.provider, threads: this.runtime.threads };
  }

  /**
   * A float32 input body of `length` elements for `run()`: one a finished run gave back when one
   * of that size is free (it holds that run's values: write every element), else a new one.
   */
  float32(length: number): Float32Array {
    return this.buffers.float32(length);
  }

  info(name: string): ModelInfo | undefined {
    return this.models.get(name);
  }

  /**
   * Runs a loaded model. The feeds' buffers are transferred to the worker (they are unusable
   * here afterwards); outputs come back transferred too.
   */
  async run(name: string, feeds: Record<string, TensorData>, outputs?: string[]): Promise<Record<string, TensorData>> {
    if (!this.models.has(name)) throw new Error(`model "${name}" is not loaded`);
    this.ensureWorkers();
    const transfer = [...new Set(Object.values(feeds).map((t) => t.data.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    const body: RequestBody = { type: 'run', name, feeds, outputs };
    const reply =
      currentLane() === 'upload'
        ? await this.uploads.admit((pw) => this.send(pw, body, transfer))
        : await this.send(
            this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a)),
            body,
            transfer,
            true,
          );
    if (!reply.outputs) throw new Error(`model "${name}" returned no outputs`);
    if (reply.ms !== undefined) this.timings?.record(name, reply.ms);
    return reply.outputs;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.uploads.close(new Error('session pool is closed'));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
    this.models.clear();
    this.paths.clear();
    this.reductions.clear();
  }
}

/**
 * Starts an inference worker. Built JavaScript loads the compiled worker directly; under tsx or
 * vitest this module is TypeScript, and Node 20 ignores `--import tsx` in a worker's execArgv,
 * so the worker registers tsx itself before importing the .ts file.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./inference-worker.js', import.meta.url));
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(tsxPackage.replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./inference-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true });
}
