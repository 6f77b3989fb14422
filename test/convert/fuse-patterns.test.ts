import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { convertGraph } from '../../src/convert/convert.js';
import { parseTfjsGraph } from '../../src/convert/tfjs-model.js';
import { buildGraph, compareGraph, randomArray, type GraphSpec } from './graph-fixture.js';

const F = { type: 'DT_FLOAT' };
const conv = (name: string, input: string, fused: string[] = []) => ({
  name,
  op: fused.length ? '_FusedConv2D' : 'Conv2D',
  inputs: [input, 'w', ...(fused.length ? ['bias'] : [])],
  attrs: {
    T: F,
    data_format: { s: 'NHWC' },
    padding: { s: 'SAME' },
    strides: { ints: [1, 1, 1, 1] },
    dilations: { ints: [1, 1, 1, 1] },
    ...(fused.length ? { fused_ops: { strs: fused }, num_args: { i: 1 } } : {}),
  },
});
const consts: GraphSpec['consts'] = [
  { name: 'w', dtype: 'float32', shape: [3, 3, 4, 4], values: Array.from(randomArray(144, 11, -0.5, 0.5)) },
  { name: 'bias', dtype: 'float32', shape: [4], values: [0.1, -0.1, 0.2, 0] },
  { name: 'c', dtype: 'float32', shape: [4], values: [0.125, 0.05, 0.3, 0.0625] },
  { name: 'sixth', dtype: 'float32', shape: [], values: [0.1666259765625] }, // ⅙ as float16 rounds it
  { name: 'three', dtype: 'float32', shape: [], values: [3] },
];
const feed = [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' as const, data: randomArray(168, 3, -4, 4) }];

function onnxOps(spec: GraphSpec): string[] {
  const { json, weights } = buildGraph(spec);
  const model = convertGraph(parseTfjsGraph(json, [weights]), 't');
  return (onnxProto.onnx.ModelProto.decode(model.bytes).graph?.node ?? []).map((n) => n.opType ?? '');
}

describe('fusePatterns', () => {
  it('turns Keras-lowered PReLU (relu(x) + c·(x − |x|)) into one PReLU (per-channel scales, see elementwise) that matches TFJS', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
      consts,
      nodes: [
        conv('y', 'x'),
        { name: 'relu', op: 'Relu', inputs: ['y'], attrs: { T: F } },
        { name: 'abs', op: 'Abs', inputs: ['y'], attrs: { T: F } },
        { name: 'sub', op: 'Sub', inputs: ['y', 'abs'], attrs: { T: F } },
        { name: 'mul', op: 'Mul', inputs: ['sub', 'c'], attrs: { T: F } },
        { name: 'out', op: 'Add', inputs: ['relu', 'mul'], attrs: { T: F } },
      ],
      outputs: ['out'],
    };
    expect(onnxOps(spec).filter((o) => !['Transpose', 'Identity'].includes(o))).toEqual(['Conv', 'BatchNormalization', 'Relu', 'BatchNormalization', 'Add']);
    const [r] = await compareGraph(spec, feed);
    expect(r.error).toBeLessThan(1e-6);
  });

  it('drops the negative part when x is already a ReLU output, as in MobileFaceNet', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
      consts,
      nodes: [
        conv('y', 'x', ['BiasAdd', 'Relu']),
        { name: 'abs', op: 'Abs', inputs: ['y'], attrs: { T: F } },
        { name: 'sub', op: 'Sub', inputs: ['y', 'abs'], attrs: { T: F } },
        { name: 'mul', op: 'Mul', inputs: ['sub', 'c'], attrs: { T: F } },
        { name: 'out', op: 'AddV2', inputs: ['y', 'mul'], attrs: { T: F } },
      ],
      outputs: ['out'],
    };
    expect(onnxOps(spec)).not.toContain('Abs');
    const [r] = await compareGraph(spec, feed);
    expect(r.error).toBeLessThan(1e-6);
  });

  it("turns FaceRes' relu → min(·, 6) → max(·, 0) into one Clip", async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
      consts: [...consts!, { name: 'six', dtype: 'float32', shape: [], values: [6] }, { name: 'zero', dtype: 'float32', shape: [], values: [0] }],
      nodes: [
        conv('y', 'x'),
        { name: 'relu', op: 'Relu', inputs: ['y'], attrs: { T: F } },
        { name: 'min', op: 'Minimum', inputs: ['relu', 'six'], attrs: { T: F } },
        { name: 'out', op: 'Maximum', inputs: ['min', 'zero'], attrs: { T: F } },
      ],
      outputs: ['out'],
    };
    expect(onnxOps(spec).filter((o) => !['Transpose', 'Identity'].includes(o))).toEqual(['Conv', 'Clip']);
    const [r] = await compareGraph(spec, [{ ...feed[0], data: feed[0].data.map((v) => v * 3) }]);
    expect(r.error).toBeLessThan(1e-6);
  });

  /** MobileNetV3's hard-swish on a convolution output, read by another convolution (and maybe by the graph). */
  const hardSwishGraph = (outputs: string[]): GraphSpec => ({
    inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
    consts,
    nodes: [
      conv('y', 'x'),
      { name: 'scaled', op: 'Mul', inputs: ['sixth', 'y'], attrs: { T: F } },
      { name: 'add', op: 'Add', inputs: ['y', 'three'], attrs: { T: F } },
      { name: 'relu6', op: 'Relu6', inputs: ['add'], attrs: { T: F } },
      { name: 'hs', op: 'Mul', inputs: ['scaled', 'relu6'], attrs: { T: F } },
      conv('out', 'hs'),
    ],
    outputs,
  });

  it('turns (x·c)·relu6(x + 3) into HardSwish, folding 6c into the convolution that reads it', async () => {
    const spec = hardSwishGraph(['out']);
    expect(onnxOps(spec).filter((o) => !['Transpose', 'Identity'].includes(o))).toEqual(['Conv', 'HardSwish', 'Conv']);
    const [r] = await compareGraph(spec, feed);
    expect(r.error).toBeLessThan(1e-6);
  });

  it('keeps the 6c factor as a Mul where the hard-swish output is also read elsewhere', async () => {
    const spec = hardSwishGraph(['out', 'hs']);
    const ops = onnxOps(spec);
    expect(ops).toContain('HardSwish');
    expect(ops).not.toContain('Clip');
    for (const r of await compareGraph(spec, feed)) expect(r.error, r.output).toBeLessThan(1e-6);
  });

  /** The hard-swish's own part: (y·⅙)·relu6(y + 3) on the output of `conv('y', 'x')`, named `hs`. */
  const hardSwishOf = (y: string) => [
    { name: 'scaled', op: 'Mul', inputs: ['sixth', y], attrs: { T: F } },
    { name: 'add', op: 'Add', inputs: [y, 'three'], attrs: { T: F } },
    { name: 'relu6', op: 'Relu6', inputs: ['add'], attrs: { T: F } },
    { name: 'hs', op: 'Mul', inputs: ['scaled', 'relu6'], attrs: { T: F } },
  ];

  it("carries 6c through a residual block into the next convolution (CenterNet's stem), its branch's biases divided", async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
      consts,
      nodes: [
        conv('y', 'x'),
        ...hardSwishOf('y'),
        conv('branch', 'hs', ['BiasAdd', 'Relu']),
        conv('project', 'branch', ['BiasAdd']),
        { name: 'sum', op: 'AddV2', inputs: ['project', 'hs'], attrs: { T: F } },
        conv('out', 'sum', ['BiasAdd']),
      ],
      outputs: ['out'],
    };
    expect(onnxOps(spec)).not.toContain('Mul');
    const [r] = await compareGraph(spec, feed);
    expect(r.error).toBeLessThan(1e-6);
  });

  it('carries 6c through a squeeze-excite gate (its mean and its product) into the convolutions after', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
      consts: [
        ...consts!,
        { name: 'axes', dtype: 'int32', shape: [2], values: [1, 2] },
        { name: 'w1', dtype: 'float32', shape: [1, 1, 4, 4], values: Array.from(randomArray(16, 5, -1, 1)) },
      ],
      nodes: [
        conv('y', 'x'),
        ...hardSwishOf('y'),
        { name: 'mean', op: 'Mean', inputs: ['hs', 'axes'], attrs: { T: F, keep_dims: { b: true } } },
        { ...conv('squeeze', 'mean', ['BiasAdd']), inputs: ['mean', 'w1', 'bias'] },
        { name: 'gate', op: 'Sigmoid', inputs: ['squeeze'], attrs: { T: F } },
        { name: 'gated', op: 'Mul', inputs: ['hs', 'gate'], attrs: { T: F } },
        conv('out', 'gated'),
      ],
      outputs: ['out'],
    };
    expect(onnxOps(spec).filter((o) => o === 'Mul')).toHaveLength(1); // the gate's own product
    const [r] = await compareGraph(spec, feed);
    expect(r.error).toBeLessThan(1e-6);
  });

  it('keeps the Mul where a residual branch is not linear (a Relu6 on it)', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 6, 7, 4], dtype: 'float32' }],
      consts,
      nodes: [
        conv('y', 'x'),
        ...hardSwishOf('y'),
        conv('branch', 'hs', ['BiasAdd', 'Relu6']),
        { name: 'sum', op: 'AddV2', inputs: ['branch', 'hs'], attrs: { T: F } },
        conv('out', 'sum'),
      ],
      outputs: ['out'],
    };
    expect(onnxOps(spec)).toContain('Mul');
    const [r] = await compareGraph(spec, feed);
    expect(r.error).toBeLessThan(1e-6);
  });
});
