import { describe, expect, it } from 'vitest';
import { compareGraph, randomArray, type GraphSpec } from '../graph-fixture.js';

/** Shape and indexing ops must be exact: integer outputs equal, float outputs bit-for-bit close. */

const F = { type: 'DT_FLOAT' };
const I = { type: 'DT_INT32' };
const x = (shape: number[], seed = 1) => [
  {
    name: 'x',
    shape,
    dtype: 'float32' as const,
    data: randomArray(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
  },
];
const int = (name: string, values: number[], shape = [values.length]) => ({ name, dtype: 'int32' as const, shape, values });

async function expectExact(spec: GraphSpec, feeds: Parameters<typeof compareGraph>[1]): Promise<void> {
  for (const r of await compareGraph(spec, feeds)) {
    expect(r.onnx, r.output).toEqual(r.tfjs);
  }
}

/** A 1x1 convolution first, so the op under test reads a tensor that exists in NCHW. */
const conv = {
  name: 'c',
  op: 'Conv2D',
  inputs: ['x', 'w'],
  attrs: { T: F, data_format: { s: 'NHWC' }, padding: { s: 'VALID' }, strides: { ints: [1, 1, 1, 1] }, dilations: { ints: [1, 1, 1, 1] } },
};
const w = (c: number) => ({ name: 'w', dtype: 'float32' as const, shape: [1, 1, c, c], values: Array.from({ length: c * c }, (_, i) => (i % (c + 1) === 0 ? 1 : 0)) });

describe('shape ops', () => {
  it('StridedSlice with begin/end masks, negative strides and shrink axes', async () => {
    const cases: Array<[number[], number[], number[], Record<string, number>]> = [
      [[0, 1, 0], [0, 3, 0], [1, 1, 1], { begin_mask: 5, end_mask: 5 }],
      [[-1, 1, 2], [0, 3, 4], [1, 1, 1], { shrink_axis_mask: 1 }],
      [[0, 4, 2], [2, 0, 4], [1, -1, 1], {}],
      [[0, 0, -1], [0, 0, 0], [1, 1, -2], { begin_mask: 3, end_mask: 7 }],
    ];
    for (const [begin, end, strides, masks] of cases) {
      const spec: GraphSpec = {
        inputs: [{ name: 'x', shape: [2, 5, 6], dtype: 'float32' }],
        consts: [int('b', begin), int('e', end), int('s', strides)],
        nodes: [
          {
            name: 'y',
            op: 'StridedSlice',
            inputs: ['x', 'b', 'e', 's'],
            attrs: {
              T: F,
              Index: I,
              ellipsis_mask: { i: 0 },
              begin_mask: { i: 0 },
              end_mask: { i: 0 },
              new_axis_mask: { i: 0 },
              shrink_axis_mask: { i: 0 },
              ...Object.fromEntries(Object.entries(masks).map(([k, v]) => [k, { i: v }])),
            },
          },
        ],
        outputs: ['y'],
      };
      await expectExact(spec, x([2, 5, 6]));
    }
  });

  it('Shape → StridedSlice → Pack → Reshape, on a convolution output, as BlazePose builds its outputs', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [-1, 4, 6, 3], dtype: 'float32' }],
      consts: [w(3), int('b', [0]), int('e', [1]), int('s', [1]), int('m1', [-1], []), int('k', [3], [])],
      nodes: [
        conv,
        { name: 'shape', op: 'Shape', inputs: ['c'], attrs: { T: F, out_type: I } },
        {
          name: 'n',
          op: 'StridedSlice',
          inputs: ['shape', 'b', 'e', 's'],
          attrs: { T: I, Index: I, shrink_axis_mask: { i: 1 }, begin_mask: { i: 0 }, end_mask: { i: 0 }, new_axis_mask: { i: 0 }, ellipsis_mask: { i: 0 } },
        },
        { name: 'pack', op: 'Pack', inputs: ['n', 'm1', 'k'], attrs: { T: I, N: { i: 3 }, axis: { i: 0 } } },
        { name: 'y', op: 'Reshape', inputs: ['c', 'pack'], attrs: { T: F, Tshape: I } },
      ],
      outputs: ['y', 'shape'],
    };
    await expectExact(spec, x([2, 4, 6, 3]));
  });

  it('Pack, Unpack, ExpandDims and Squeeze', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [3, 4], dtype: 'float32' }],
      consts: [int('d', [-1], [])],
      nodes: [
        { name: 'u', op: 'Unpack', inputs: ['x'], attrs: { T: F, num: { i: 4 }, axis: { i: 1 } } },
        { name: 'p', op: 'Pack', inputs: ['u:3', 'u:1'], attrs: { T: F, N: { i: 2 }, axis: { i: 1 } } },
        { name: 'e', op: 'ExpandDims', inputs: ['p', 'd'], attrs: { T: F, Tdim: I } },
        { name: 'y', op: 'Squeeze', inputs: ['e'], attrs: { T: F, squeeze_dims: { ints: [2] } } },
      ],
      outputs: ['y', 'e'],
    };
    await expectExact(spec, x([3, 4]));
  });

  it('ConcatV2 and Pad on NCHW activations and on plain inputs', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 4, 5, 3], dtype: 'float32' }],
      consts: [w(3), int('axis', [-1], []), int('axis1', [1], []), int('pads', [0, 0, 1, 2, 0, 1, 0, 0], [4, 2])],
      nodes: [
        conv,
        { name: 'cat', op: 'ConcatV2', inputs: ['c', 'c', 'axis'], attrs: { T: F, N: { i: 2 }, Tidx: I } },
        { name: 'cat1', op: 'ConcatV2', inputs: ['x', 'c', 'axis1'], attrs: { T: F, N: { i: 2 }, Tidx: I } },
        { name: 'pad', op: 'Pad', inputs: ['cat', 'pads'], attrs: { T: F, Tpaddings: I } },
        { name: 'padx', op: 'Pad', inputs: ['x', 'pads'], attrs: { T: F, Tpaddings: I } },
      ],
      outputs: ['pad', 'cat1', 'padx'],
    };
    await expectExact(spec, x([1, 4, 5, 3]));
  });

  it('TopKV2, GatherV2 and GatherNd, as CenterNet and MoveNet decode', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [2, 50], dtype: 'float32' }],
      consts: [int('k', [7], []), int('axis', [1], []), int('nd', [1, 3, 0, 49, 1, 0], [3, 2])],
      nodes: [
        { name: 'top', op: 'TopKV2', inputs: ['x', 'k'], attrs: { T: F, sorted: { b: true } } },
        { name: 'g', op: 'GatherV2', inputs: ['x', 'top:1', 'axis'], attrs: { Tparams: F, Tindices: I, Taxis: I, batch_dims: { i: 0 } } },
        { name: 'gnd', op: 'GatherNd', inputs: ['x', 'nd'], attrs: { Tparams: F, Tindices: I } },
      ],
      outputs: ['top', 'top:1', 'g', 'gnd'],
    };
    await expectExact(spec, x([2, 50]));
  });
});
