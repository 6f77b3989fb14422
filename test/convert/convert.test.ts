import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../src/convert/context.js';
import { convertGraph } from '../../src/convert/convert.js';
import { parseTfjsGraph } from '../../src/convert/tfjs-model.js';
import { buildGraph, type GraphSpec } from './graph-fixture.js';

const F = { type: 'DT_FLOAT' };
const convert = (spec: GraphSpec) => {
  const { json, weights } = buildGraph(spec);
  return convertGraph(parseTfjsGraph(json, [weights]), 'test');
};

describe('convertGraph', () => {
  it('refuses an unknown op with a message naming it and its node', () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 4], dtype: 'float32' }],
      nodes: [{ name: 'weird/node', op: 'FancyNewOp', inputs: ['x'], attrs: { T: F } }],
      outputs: ['weird/node'],
    };
    expect(() => convert(spec)).toThrow(UnsupportedOpError);
    expect(() => convert(spec)).toThrow(/unsupported TFJS op "FancyNewOp" \(node "weird\/node"\)/);
  });

  it('writes opset 17, IR 8, keeps NHWC input names and a symbolic batch N, and names outputs by signature', async () => {
    const model = convert({
      inputs: [{ name: 'images', shape: [-1, 8, 8, 3], dtype: 'float32' }],
      consts: [{ name: 'w', dtype: 'float32', shape: [1, 1, 3, 2], values: [1, 0, 0, 1, 1, 1] }],
      nodes: [
        { name: 'conv', op: 'Conv2D', inputs: ['images', 'w'], attrs: { T: F, padding: { s: 'VALID' }, strides: { ints: [1, 1, 1, 1] }, data_format: { s: 'NHWC' } } },
        { name: 'Identity', op: 'Identity', inputs: ['conv'], attrs: { T: F } },
      ],
      outputs: ['Identity'],
    });
    expect(model.inputs).toEqual([{ name: 'images', shape: ['N', 8, 8, 3], dtype: 'float32' }]);
    expect(model.outputs).toEqual([{ name: 'Identity', ref: 'Identity', dtype: 'float32' }]);
    const decoded = onnxProto.onnx.ModelProto.decode(model.bytes);
    expect(Number(decoded.irVersion)).toBe(8);
    expect(decoded.opsetImport.map((o) => Number(o.version))).toEqual([17]);
    // One Transpose into NCHW before the convolution, one back for the NHWC output: no more.
    expect((decoded.graph?.node ?? []).filter((n) => n.opType === 'Transpose')).toHaveLength(2);

    const session = await ort.InferenceSession.create(model.bytes);
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * 64 * 3 }, (_, i) => i),
      [2, 8, 8, 3],
    );
    const y = (await session.run({ images: x })).Identity;
    expect(y.dims).toEqual([2, 8, 8, 2]);
    // Pixel 0 of batch 1 has channels (192, 193, 194): out0 = c0 + c2, out1 = c1 + c2.
    expect(Array.from(y.data as Float32Array).slice(128, 130)).toEqual([192 + 194, 193 + 194]);
  });

  it('keeps a chain of convolutions and elementwise ops in NCHW without Transpose pairs between them', () => {
    const conv = (name: string, input: string) => ({
      name,
      op: 'Conv2D',
      inputs: [input, 'w'],
      attrs: { T: F, padding: { s: 'SAME' }, strides: { ints: [1, 1, 1, 1] }, data_format: { s: 'NHWC' } },
    });
    const model = convert({
      inputs: [{ name: 'x', shape: [1, 8, 8, 2], dtype: 'float32' }],
      consts: [
        { name: 'w', dtype: 'float32', shape: [3, 3, 2, 2], values: Array.from({ length: 36 }, (_, i) => i / 36) },
        { name: 'b', dtype: 'float32', shape: [2], values: [1, 2] },
      ],
      nodes: [
        conv('c1', 'x'),
        { name: 'r', op: 'Relu6', inputs: ['c1'], attrs: { T: F } },
        conv('c2', 'r'),
        { name: 'add', op: 'AddV2', inputs: ['c2', 'r'], attrs: { T: F } },
        { name: 'mul', op: 'Mul', inputs: ['add', 'b'], attrs: { T: F } },
        conv('c3', 'mul'),
      ],
      outputs: ['c3'],
    });
    const ops = (onnxProto.onnx.ModelProto.decode(model.bytes).graph?.node ?? []).map((n) => n.opType);
    expect(ops.filter((o) => o === 'Transpose')).toHaveLength(2);
  });
});
