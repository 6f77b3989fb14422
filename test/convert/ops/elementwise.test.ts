import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { convertGraph } from '../../../src/convert/convert.js';
import { parseTfjsGraph } from '../../../src/convert/tfjs-model.js';
import { buildGraph, compareGraph, randomArray, type GraphSpec } from '../graph-fixture.js';

const F = { type: 'DT_FLOAT' };
const I = { type: 'DT_INT32' };
const conv = {
  name: 'c',
  op: 'Conv2D',
  inputs: ['x', 'w'],
  attrs: { T: F, data_format: { s: 'NHWC' }, padding: { s: 'VALID' }, strides: { ints: [1, 1, 1, 1] }, dilations: { ints: [1, 1, 1, 1] } },
};

describe('elementwise ops', () => {
  it('FloorDiv and FloorMod floor towards −∞ for negative integers and floats, as TF does', async () => {
    const a = [-7, -6, -1, 0, 1, 6, 7, 9];
    const spec: GraphSpec = {
      inputs: [
        { name: 'a', shape: [8], dtype: 'int32' },
        { name: 'f', shape: [8], dtype: 'float32' },
      ],
      consts: [
        { name: 'b', dtype: 'int32', shape: [8], values: [2, -2, 3, 5, -3, 4, -4, 3] },
        { name: 'bf', dtype: 'float32', shape: [], values: [-2.5] },
      ],
      nodes: [
        { name: 'div', op: 'FloorDiv', inputs: ['a', 'b'], attrs: { T: I } },
        { name: 'mod', op: 'FloorMod', inputs: ['a', 'b'], attrs: { T: I } },
        { name: 'fdiv', op: 'FloorDiv', inputs: ['f', 'bf'], attrs: { T: F } },
        { name: 'fmod', op: 'FloorMod', inputs: ['f', 'bf'], attrs: { T: F } },
      ],
      outputs: ['div', 'mod', 'fdiv', 'fmod'],
    };
    const results = await compareGraph(spec, [
      { name: 'a', shape: [8], dtype: 'int32', data: Int32Array.from(a) },
      { name: 'f', shape: [8], dtype: 'float32', data: Float32Array.from(a.map((v) => v * 1.3)) },
    ]);
    // + 0 turns −0 into 0: ONNX keeps floor(−0) = −0 where TFJS writes 0, the same number.
    for (const r of results)
      expect(
        r.onnx.map((v) => v + 0),
        r.output,
      ).toEqual(r.tfjs.map((v) => v + 0));
  });

  it('binary ops on an NCHW activation broadcast scalar, [C] and [1,1,1,C] constants as TF does', async () => {
    const ops = ['AddV2', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference', 'Prelu'];
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 3, 4, 2], dtype: 'float32' }],
      consts: [
        { name: 'w', dtype: 'float32', shape: [1, 1, 2, 2], values: [1, 0.5, -0.25, 1] },
        { name: 'vec', dtype: 'float32', shape: [2], values: [0.5, 2] },
        { name: 'four', dtype: 'float32', shape: [1, 1, 1, 2], values: [-0.3, 1.5] },
        { name: 's', dtype: 'float32', shape: [], values: [0.25] },
      ],
      nodes: [
        conv,
        ...ops.map((op, i) => ({ name: `y${i}`, op, inputs: ['c', ['vec', 'four', 's'][i % 3]], attrs: { T: F } })),
        { name: 'sum', op: 'AddV2', inputs: ['c', 'y0'], attrs: { T: F } },
      ],
      outputs: [...ops.map((_, i) => `y${i}`), 'sum'],
    };
    const results = await compareGraph(spec, [{ name: 'x', shape: [1, 3, 4, 2], dtype: 'float32', data: randomArray(24, 5) }]);
    for (const r of results) expect(r.error, r.output).toBeLessThan(1e-6);
  });

  it('normalises an NHWC image per channel after its transpose to NCHW, not before (MoveNet)', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 4, 4, 3], dtype: 'float32' }],
      consts: [
        { name: 'mean', dtype: 'float32', shape: [1, 1, 1, 3], values: [120, 110, 100] },
        { name: 'inv_std', dtype: 'float32', shape: [1, 1, 1, 3], values: [1 / 60, 1 / 55, 1 / 50] },
        { name: 'one', dtype: 'float32', shape: [], values: [1] },
        { name: 'w', dtype: 'float32', shape: [1, 1, 3, 2], values: [1, 0.5, -0.25, 1, 2, -1] },
      ],
      nodes: [
        { name: 'sub', op: 'Sub', inputs: ['x', 'mean'], attrs: { T: F } },
        { name: 'mul', op: 'Mul', inputs: ['sub', 'inv_std'], attrs: { T: F } },
        { name: 'shift', op: 'Sub', inputs: ['mul', 'one'], attrs: { T: F } },
        { ...conv, inputs: ['shift', 'w'] },
      ],
      outputs: ['c'],
    };
    const results = await compareGraph(spec, [{ name: 'x', shape: [1, 4, 4, 3], dtype: 'float32', data: randomArray(48, 7).map((v) => 128 + 100 * v) }]);
    for (const r of results) expect(r.error, r.output).toBeLessThan(1e-6);
    const { json, weights } = buildGraph(spec);
    const graph = onnxProto.onnx.ModelProto.decode(convertGraph(parseTfjsGraph(json, [weights]), 'test').bytes).graph;
    const nodes = graph?.node ?? [];
    expect(nodes.map((n) => n.opType).slice(0, 4)).toEqual(['Transpose', 'Sub', 'Mul', 'Sub']);
    const mean = (graph?.initializer ?? []).find((t) => t.name === nodes[1].input?.[1]);
    expect((mean?.dims ?? []).map(Number)).toEqual([1, 3, 1, 1]);
  });

  it('runs a per-channel PReLU as x·α + relu(x)·(1 − α) in BatchNormalizations (onnxruntime keeps them in its NCHWc layout), a scalar one as PRelu', async () => {
    const spec = (slope: string): GraphSpec => ({
      inputs: [{ name: 'x', shape: [1, 3, 4, 2], dtype: 'float32' }],
      consts: [
        { name: 'w', dtype: 'float32', shape: [1, 1, 2, 2], values: [1, 0.5, -0.25, 1] },
        { name: 'alpha', dtype: 'float32', shape: [1, 1, 2], values: [0.1, 0.75] },
        { name: 's', dtype: 'float32', shape: [], values: [0.25] },
      ],
      nodes: [conv, { name: 'p', op: 'Prelu', inputs: ['c', slope], attrs: { T: F } }],
      outputs: ['p'],
    });
    const ops = (s: GraphSpec) => {
      const { json, weights } = buildGraph(s);
      return (onnxProto.onnx.ModelProto.decode(convertGraph(parseTfjsGraph(json, [weights]), 'test').bytes).graph?.node ?? []).map((n) => n.opType ?? '');
    };
    expect(ops(spec('alpha')).filter((o) => !['Transpose', 'Identity'].includes(o))).toEqual(['Conv', 'BatchNormalization', 'Relu', 'BatchNormalization', 'Add']);
    expect(ops(spec('s'))).toContain('PRelu');
    for (const slope of ['alpha', 's']) {
      const [r] = await compareGraph(spec(slope), [{ name: 'x', shape: [1, 3, 4, 2], dtype: 'float32', data: randomArray(24, 11, -4, 4) }]);
      expect(r.error, slope).toBeLessThan(1e-6);
    }
  });

  it('unary ops, Cast and Equal', async () => {
    const unary = ['Relu', 'Relu6', 'Sigmoid', 'Abs', 'Sqrt', 'Rsqrt', 'Square', 'Tanh', 'Exp', 'Neg'];
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [4, 5], dtype: 'float32' }],
      consts: [{ name: 'half', dtype: 'float32', shape: [], values: [0.5] }],
      nodes: [
        ...unary.map((op) => ({ name: op, op, inputs: [['Sqrt', 'Rsqrt'].includes(op) ? 'Abs' : 'x'], attrs: { T: F } })),
        { name: 'cast', op: 'Cast', inputs: ['x'], attrs: { SrcT: F, DstT: I, Truncate: { b: false } } },
        { name: 'eq', op: 'Equal', inputs: ['Relu6', 'half'], attrs: { T: F } },
        { name: 'eqf', op: 'Cast', inputs: ['eq'], attrs: { SrcT: { type: 'DT_BOOL' }, DstT: F } },
      ],
      outputs: [...unary, 'cast', 'eqf'],
    };
    const data = randomArray(20, 9, -8, 8);
    data[3] = 0.5;
    const results = await compareGraph(spec, [{ name: 'x', shape: [4, 5], dtype: 'float32', data }]);
    for (const r of results) expect(r.error, r.output).toBeLessThan(1e-6);
  });
});
