import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, OnnxType } from '../../src/convert/onnx-writer.js';
import { padChannels } from '../../src/convert/pad-channels.js';

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  });
}

/**
 * BlazeFace's block shape on 24 channels: conv → relu → depthwise → 1×1 → add → relu, then a
 * stride-2 block whose shortcut is MaxPool + channel Pad to 48; `exposed`: the 24-channel tensor is
 * also a graph output (so it must keep its 24 channels).
 */
function graph(exposed: boolean): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  g.addInput('x', OnnxType.float, [1, 3, 8, 8]);
  g.reserve('y');
  const init = (name: string, dims: number[], seed: number): string =>
    g.addInitializer(name, {
      type: OnnxType.float,
      dims,
      data: random(
        dims.reduce((a, b) => a * b, 1),
        seed,
      ),
    });
  const conv = (x: string, w: string, b: string | undefined, name: string, attrs: Record<string, number | number[]> = {}): string =>
    g.addNode('Conv', b ? [x, w, b] : [x, w], { name, attrs })[0];
  const [r0] = g.addNode('Relu', [conv('x', init('w0', [24, 3, 3, 3], 1), init('b0', [24], 2), 'c0', { pads: [1, 1, 1, 1] })], { name: 'r0' });
  const dw = conv(r0, init('w1', [24, 1, 3, 3], 3), init('b1', [24], 4), 'dw', { group: 24, pads: [1, 1, 1, 1] });
  const pw = conv(dw, init('w2', [24, 24, 1, 1], 5), init('b2', [24], 6), 'pw');
  const [sum] = g.addNode('Add', [r0, pw], { name: 'add' });
  const [r1] = g.addNode('Relu', [sum], { name: 'r1' });
  const down = conv(r1, init('w3', [48, 24, 1, 1], 7), init('b3', [48], 8), 'down', { strides: [2, 2] });
  const [pool] = g.addNode('MaxPool', [r1], { name: 'pool', attrs: { kernel_shape: [2, 2], strides: [2, 2] } });
  const pads = g.addInitializer('pads', { type: OnnxType.int64, dims: [8], data: BigInt64Array.from([0n, 0n, 0n, 0n, 0n, 24n, 0n, 0n]) });
  const [padded] = g.addNode('Pad', [pool, pads], { name: 'pad' });
  const [sum2] = g.addNode('Add', [down, padded], { name: 'add2' });
  g.addNode('Relu', [sum2], { name: 'r2', outputs: ['y'] });
  g.addOutput('y', OnnxType.float);
  if (exposed) {
    g.reserve('z');
    g.addNode('Identity', [r1], { name: 'z', outputs: ['z'] });
    g.addOutput('z', OnnxType.float);
  }
  return g;
}

async function run(g: OnnxGraphBuilder): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(g.encode({ graphName: 't', producer: 'test' }), { graphOptimizationLevel: 'all' });
  const out = await session.run({ x: new ort.Tensor('float32', random(3 * 64, 9), [1, 3, 8, 8]) });
  return out.y.data as Float32Array;
}

const dims = (g: OnnxGraphBuilder, name: string): number[] => g.initializerList.find((t) => t.name === name)!.dims.map(Number);

describe('padChannels', () => {
  it('pads a 24-channel chain to 32 with zeros, turns the channel Pad into a 1×1 identity Conv, and leaves outputs unchanged', async () => {
    const before = await run(graph(false));
    const g = graph(false);
    expect(padChannels(g.nodeList, g.initializerList, g.outputNames, 16)).toBe(1);
    expect(dims(g, 'w0')).toEqual([32, 3, 3, 3]);
    expect(dims(g, 'w1')).toEqual([32, 1, 3, 3]);
    expect(dims(g, 'w2')).toEqual([32, 32, 1, 1]);
    expect(dims(g, 'w3')).toEqual([48, 32, 1, 1]);
    expect(g.nodeList.find((n) => n.output[0] === 'dw')!.attribute.find((a) => a.name === 'group')!.i).toBe(32);
    expect(g.nodeList.some((n) => n.opType === 'Pad')).toBe(false);
    const after = await run(g);
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < before.length; i++) {
      diff += (after[i] - before[i]) ** 2;
      norm += before[i] ** 2;
    }
    expect(Math.sqrt(diff / norm)).toBeLessThan(1e-6);
  });

  it('leaves a chain alone when one of its tensors is a graph output', () => {
    const g = graph(true);
    expect(padChannels(g.nodeList, g.initializerList, g.outputNames, 16)).toBe(0);
    expect(dims(g, 'w0')).toEqual([24, 3, 3, 3]);
    expect(dims(g, 'w3')).toEqual([48, 24, 1, 1]);
  });
});
