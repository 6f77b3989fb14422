import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, OnnxType } from '../../src/convert/onnx-writer.js';

describe('OnnxGraphBuilder', () => {
  it('encodes a graph onnxruntime loads and runs: inputs, initializers, attributes, symbolic dims', async () => {
    const g = new OnnxGraphBuilder();
    g.addInput('x', OnnxType.float, ['N', 3]);
    g.reserve('y');
    const w = g.addInitializer('w', { type: OnnxType.float, dims: [3], data: Float32Array.from([1, 2, 3]) });
    const [sum] = g.addNode('Add', ['x', w], { name: 'add' });
    const axes = g.addInitializer('axes', { type: OnnxType.int64, dims: [1], data: BigInt64Array.from([1n]) });
    g.addNode('ReduceSum', [sum, axes], { name: 'sum', outputs: ['y'], attrs: { keepdims: 0 } });
    g.addOutput('y', OnnxType.float);
    const session = await ort.InferenceSession.create(g.encode({ graphName: 't', producer: 'test' }));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 0, 0, 0]), [2, 3]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([9, 6]);
  });

  it('hands out unique tensor names, never a reserved one', () => {
    const g = new OnnxGraphBuilder();
    g.reserve('a');
    expect(g.uniqueName('a')).not.toBe('a');
    expect(g.uniqueName('b')).toBe('b');
    expect(g.uniqueName('b')).not.toBe('b');
  });
});
