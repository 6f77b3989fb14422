import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { keepClasses } from './keep-classes.js';
import { pruneToOutputs } from './prune-outputs.js';
import { cpuSessionOptions } from './session-options.js';
import type { ModelInfo, TensorData, ValueInfo } from './tensor-data.js';

/**
 * Runs inside a worker thread: owns the onnxruntime sessions, because `session.run()` blocks
 * the thread it is called on. Messages come from SessionPool (session-pool.ts).
 */

export interface SessionOptions {
  provider: 'cpu' | 'cuda' | 'openvino';
  threads: number;
}

export type WorkerRequest =
  /**
   * `outputs`: the only outputs the caller reads; the graph is pruned to them before the session is made.
   * `classes`: CenterNet reduced to these class indices first (keep-classes.ts).
   */
  | { type: 'load'; id: number; name: string; path: string; options: SessionOptions; outputs?: string[]; classes?: number[] }
  | { type: 'run'; id: number; name: string; feeds: Record<string, TensorData>; outputs?: string[] }
  | { type: 'unload'; id: number; name: string };

/**
 * `ms`: the run's own time in the worker (no queueing, no message passing), for src/stats.
 * `returned`: the run's feed buffers, transferred back for the next input (tensor-buffers.ts).
 */
export type WorkerReply =
  | { id: number; ok: true; info?: ModelInfo; outputs?: Record<string, TensorData>; warning?: string; ms?: number; returned?: ArrayBuffer[] }
  | { id: number; ok: false; message: string };

const sessions = new Map<string, ort.InferenceSession>();

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' ? d : -1)) } : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

/** Two identical calls because TypeScript resolves `create`'s overloads per call, not over a union. */
function open(path: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return typeof path === 'string' ? ort.InferenceSession.create(path, options) : ort.InferenceSession.create(path, options);
}

async function createSession(path: string | Uint8Array, options: SessionOptions): Promise<{ session: ort.InferenceSession; provider: string; warning?: string }> {
  const base = cpuSessionOptions(options.threads);
  if (options.provider !== 'cpu') {
    // onnxruntime quietly skips a provider its build lacks, so ask it first rather than trust create().
    const built = ort.listSupportedBackends().some((b) => b.name === options.provider);
    if (!built) {
      const session = await open(path, { ...base, executionProviders: ['cpu'] });
      return { session, provider: 'cpu', warning: `execution provider "${options.provider}" is not in this onnxruntime build; using cpu` };
    }
    try {
      const session = await open(path, { ...base, executionProviders: [options.provider, 'cpu'] });
      return { session, provider: options.provider };
    } catch (err) {
      const session = await open(path, { ...base, executionProviders: ['cpu'] });
      const reason = err instanceof Error ? err.message : String(err);
      return { session, provider: 'cpu', warning: `execution provider "${options.provider}" unavailable (${reason}); using cpu` };
    }
  }
  return { session: await open(path, { ...base, executionProviders: ['cpu'] }), provider: 'cpu' };
}

async function handle(msg: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  if (msg.type === 'load') {
    const old = sessions.get(msg.name);
    if (old) await old.release();
    const graph = msg.classes ? keepClasses(await readFile(msg.path), msg.classes) : undefined;
    const source = msg.outputs ? pruneToOutputs(graph ?? (await readFile(msg.path)), msg.outputs).bytes : (graph ?? msg.path);
    const { session, provider, warning } = await createSession(source, msg.options);
    sessions.set(msg.name, session);
    const info: ModelInfo = { name: msg.name, inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata), provider };
    return { reply: { id: msg.id, ok: true, info, warning }, transfer: [] };
  }
  if (msg.type === 'unload') {
    await sessions.get(msg.name)?.release();
    sessions.delete(msg.name);
    return { reply: { id: msg.id, ok: true }, transfer: [] };
  }
  const session = sessions.get(msg.name);
  if (!session) throw new Error(`model "${msg.name}" is not loaded`);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(msg.feeds)) feeds[k] = new ort.Tensor(t.type, t.data, t.dims);
  const t0 = performance.now();
  const result = msg.outputs ? await session.run(feeds, msg.outputs) : await session.run(feeds);
  const ms = performance.now() - t0;
  const outputs: Record<string, TensorData> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [k, t] of Object.entries(result)) {
    const data = t.data as TensorData['data'];
    outputs[k] = { type: t.type as TensorData['type'], dims: [...t.dims], data };
    if (data.buffer instanceof ArrayBuffer && !transfer.includes(data.buffer)) transfer.push(data.buffer);
  }
  // The run is over and onnxruntime holds no view of its inputs: their buffers go back too.
  const returned: ArrayBuffer[] = [];
  for (const t of Object.values(msg.feeds)) {
    const b = t.data.buffer;
    if (b instanceof ArrayBuffer && !transfer.includes(b)) returned.push(b);
  }
  transfer.push(...returned);
  return { reply: { id: msg.id, ok: true, outputs, ms, returned }, transfer };
}

// One message at a time, in order: a run queued behind a load must find the session created.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (msg: WorkerRequest) => {
  queue = queue.then(() => reply(msg));
});

function reply(msg: WorkerRequest): Promise<void> {
  return handle(msg).then(
    ({ reply, transfer }) => parentPort?.postMessage(reply, transfer),
    (err: unknown) => parentPort?.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
}
