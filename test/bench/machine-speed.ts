/**
 * What this machine does at best right now, so a bench's absolute figures can be read against
 * another day's: this VM's speed moves by up to 2× between minutes and between days (the 4-camera
 * `bench:live` read 88–90 % of motion frames seen one day and 71–80 % another, no code changed).
 * The reference is onnxruntime's own SGEMM on a 1024³ MatMul with Argus' session options: the
 * float32 matrix peak the model floors are measured against (model-floors.ts).
 */
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { median } from './timing.js';

const { onnx } = onnxProto;

/** A model of one [n, n] × [n, n] MatMul. */
export function matmulModel(n: number): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const info = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'peak', node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'] }], input: [info('a'), info('b')], output: [info('c')] },
  });
  return onnx.ModelProto.encode(model).finish();
}

export const PEAK_SIDE = 1024;

/** GFLOP/s of one run of the PEAK_SIDE³ MatMul that took `ms`. */
export const peakGflops = (ms: number): number => (2 * PEAK_SIDE ** 3) / (ms * 1e6);

/** The MatMul's fastest and median GFLOP/s over `runs` runs (after two untimed), on `threads` threads. */
export async function machineSpeed(runs = 20, threads = 2): Promise<{ fastest: number; median: number; line: string }> {
  const session = await ort.InferenceSession.create(matmulModel(PEAK_SIDE), cpuSessionOptions(threads));
  try {
    const data = Float32Array.from({ length: PEAK_SIDE * PEAK_SIDE }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const feeds = { a: new ort.Tensor('float32', data, [PEAK_SIDE, PEAK_SIDE]), b: new ort.Tensor('float32', data, [PEAK_SIDE, PEAK_SIDE]) };
    const ms: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const t = performance.now();
      await session.run(feeds);
      if (i >= 2) ms.push(performance.now() - t);
    }
    const fastest = peakGflops(Math.min(...ms));
    const med = peakGflops(median(ms));
    return {
      fastest,
      median: med,
      line: `machine: onnxruntime MatMul ${PEAK_SIDE}³ on ${threads} threads, ${fastest.toFixed(0)} GFLOP/s at best, ${med.toFixed(0)} median (${runs} runs)`,
    };
  } finally {
    await session.release();
  }
}
