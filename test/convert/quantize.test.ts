import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, OnnxType } from '../../src/convert/onnx-writer.js';
import { calibrationTensors, exposeTensors, int8PerChannel, quantizeModel, uint8Params, type CalibrationRanges } from '../../src/convert/quantize.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-quantize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded generator, so the graph and its inputs are the same on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** x [1, 8, 16, 16] → Conv 3×3 (16) → Relu → Conv 1×1 (8) → Relu → Identity → y (`head`: no second Relu, the Conv is the answer). */
function twoConvs(opts: { head?: boolean } = {}): Uint8Array {
  const r = random(7);
  const g = new OnnxGraphBuilder();
  g.addInput('x', OnnxType.float, [1, 8, 16, 16]);
  g.reserve('y');
  const w1 = g.addInitializer('w1', { type: OnnxType.float, dims: [16, 8, 3, 3], data: Float32Array.from({ length: 16 * 8 * 9 }, () => r() * (1 + Math.abs(r()) * 4)) });
  const b1 = g.addInitializer('b1', { type: OnnxType.float, dims: [16], data: Float32Array.from({ length: 16 }, () => r()) });
  const [c1] = g.addNode('Conv', ['x', w1, b1], { name: 'conv1', attrs: { pads: [1, 1, 1, 1] } });
  const [a1] = g.addNode('Relu', [c1], { name: 'relu1' });
  const w2 = g.addInitializer('w2', { type: OnnxType.float, dims: [8, 16, 1, 1], data: Float32Array.from({ length: 8 * 16 }, () => r()) });
  const [c2] = g.addNode('Conv', [a1, w2], { name: 'conv2' });
  const [a2] = opts.head ? [c2] : g.addNode('Relu', [c2], { name: 'relu2' });
  g.addNode('Identity', [a2], { name: 'out', outputs: ['y'] });
  g.addOutput('y', OnnxType.float);
  return g.encode({ graphName: 't', producer: 'test' });
}

const input = (seed: number) => {
  const r = random(seed);
  return {
    x: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 8 * 16 * 16 }, () => r() * 2),
      [1, 8, 16, 16],
    ),
  };
};

async function calibrate(bytes: Uint8Array): Promise<CalibrationRanges> {
  const tensors = calibrationTensors(bytes);
  const session = await ort.InferenceSession.create(exposeTensors(bytes, tensors));
  const ranges: CalibrationRanges = {};
  for (let seed = 1; seed <= 4; seed++) {
    const out = await session.run(input(seed), tensors);
    for (const t of tensors) {
      const d = out[t].data as Float32Array;
      const [lo, hi] = ranges[t] ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
      ranges[t] = [Math.min(lo, ...d), Math.max(hi, ...d), 0.001];
    }
  }
  return ranges;
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('uint8Params and int8PerChannel', () => {
  it('keeps 0 exactly representable and spans the range in 255 steps', () => {
    const p = uint8Params(-1, 3);
    expect(p.scale).toBeCloseTo(4 / 255, 6);
    expect(p.zeroPoint).toBe(64);
    expect(uint8Params(0.5, 2).zeroPoint).toBe(0); // widened down to 0
    expect(uint8Params(-2, -0.5).zeroPoint).toBe(255);
  });

  it('gives each output channel its own scale, its largest weight ±127', () => {
    const w = Float32Array.from([0.1, -0.2, 0.05, 10, -5, 2.5]);
    const { q, scales } = int8PerChannel(w, [2, 3]);
    expect(scales[0]).toBeCloseTo(0.2 / 127, 8);
    expect(scales[1]).toBeCloseTo(10 / 127, 6);
    expect(Array.from(q)).toEqual([64, -127, 32, 127, -64, 32]);
    for (let i = 0; i < w.length; i++) expect(Math.abs(q[i] * scales[i < 3 ? 0 : 1] - w[i])).toBeLessThanOrEqual(scales[i < 3 ? 0 : 1] / 2 + 1e-9);
  });
});

describe('quantizeModel', () => {
  it('asks calibration for each Conv input and output, a Relu that alone reads a Conv standing in for it', () => {
    expect(calibrationTensors(twoConvs()).sort()).toEqual(['relu1', 'relu2', 'x']);
  });

  it('writes a model onnxruntime runs as QLinearConv, within 2 % of float32 on inputs calibration never saw', async () => {
    const bytes = twoConvs();
    const { bytes: int8, quantized, total } = quantizeModel(bytes, await calibrate(bytes));
    expect([quantized, total]).toEqual([2, 2]);
    const optimized = join(dir, 'optimized.onnx');
    const q = await ort.InferenceSession.create(int8, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized });
    const ops = onnxProto.onnx.ModelProto.decode(readFileSync(optimized)).graph?.node?.map((n) => n.opType) ?? [];
    expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(2);
    expect(ops).not.toContain('Conv');
    const f = await ort.InferenceSession.create(bytes);
    for (const seed of [11, 12, 13]) {
      const [a, b] = [await f.run(input(seed)), await q.run(input(seed))];
      const err = relativeError(a.y.data as Float32Array, b.y.data as Float32Array);
      expect(err).toBeGreaterThan(0); // it is int8, not the float graph
      expect(err).toBeLessThan(0.02);
    }
  });

  it('keeps a Conv float32 where rounding its tensors to uint8 costs more than maxError', async () => {
    const bytes = twoConvs();
    const ranges = await calibrate(bytes);
    ranges.relu1[2] = 0.05; // as a wide, uneven tensor measures
    const { bytes: int8, quantized } = quantizeModel(bytes, ranges, { maxError: 0.01 });
    expect(quantized).toBe(0); // relu1 is the output of one and the input of the other
    const ops = onnxProto.onnx.ModelProto.decode(int8).graph?.node?.map((n) => n.opType) ?? [];
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(2);
    expect(ops).not.toContain('QuantizeLinear');
  });

  it('keeps a head Conv (its output only reshaped into the answer) float32', async () => {
    const bytes = twoConvs({ head: true });
    const { quantized, total } = quantizeModel(bytes, await calibrate(bytes));
    expect([quantized, total]).toEqual([1, 2]);
  });

  it('refuses ranges calibrated for another graph, naming the tensor', () => {
    expect(() => quantizeModel(twoConvs(), { x: [0, 1, 0] })).toThrow(/no finite calibrated range for 2 tensors \(first: "relu1"\)/);
  });
});
