import { describe, expect, it } from 'vitest';
import { compareGraph, randomArray, type GraphSpec } from '../graph-fixture.js';

const F = { type: 'DT_FLOAT' };
const I = { type: 'DT_INT32' };
const int = (name: string, values: number[], shape = [values.length]) => ({ name, dtype: 'int32' as const, shape, values });
const conv = {
  name: 'c',
  op: 'Conv2D',
  inputs: ['x', 'w'],
  attrs: { T: F, data_format: { s: 'NHWC' }, padding: { s: 'VALID' }, strides: { ints: [1, 1, 1, 1] }, dilations: { ints: [1, 1, 1, 1] } },
};

describe('reductions and matrix products', () => {
  it('Mean (kept and dropped dims), Sum, Max and ArgMax on an NCHW activation', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 5, 6, 3], dtype: 'float32' }],
      consts: [
        { name: 'w', dtype: 'float32', shape: [1, 1, 3, 3], values: [1, 0.5, 0, 0, 1, -1, 0.25, 0, 1] },
        int('hw', [1, 2]),
        int('ch', [3]),
        int('h', [1]),
        int('last', [-1], []),
      ],
      nodes: [
        conv,
        { name: 'meanKeep', op: 'Mean', inputs: ['c', 'hw'], attrs: { T: F, Tidx: I, keep_dims: { b: true } } },
        { name: 'mean', op: 'Mean', inputs: ['c', 'hw'], attrs: { T: F, Tidx: I, keep_dims: { b: false } } },
        { name: 'sumC', op: 'Sum', inputs: ['c', 'ch'], attrs: { T: F, Tidx: I, keep_dims: { b: true } } },
        { name: 'maxH', op: 'Max', inputs: ['c', 'h'], attrs: { T: F, Tidx: I, keep_dims: { b: false } } },
        { name: 'argmax', op: 'ArgMax', inputs: ['c', 'last'], attrs: { T: F, Tidx: I, output_type: I } },
      ],
      outputs: ['meanKeep', 'mean', 'sumC', 'maxH', 'argmax'],
    };
    for (const r of await compareGraph(spec, [{ name: 'x', shape: [1, 5, 6, 3], dtype: 'float32', data: randomArray(90, 4) }])) {
      expect(r.error, r.output).toBeLessThan(1e-6);
    }
  });

  it('_FusedMatMul with BiasAdd + Relu, transpose_b, then Softmax', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [-1, 6], dtype: 'float32' }],
      consts: [
        { name: 'b', dtype: 'float32', shape: [4, 6], values: Array.from(randomArray(24, 8)) },
        { name: 'bias', dtype: 'float32', shape: [4], values: [0.1, -0.2, 0.3, 0] },
      ],
      nodes: [
        {
          name: 'mm',
          op: '_FusedMatMul',
          inputs: ['x', 'b', 'bias'],
          attrs: { T: F, transpose_a: { b: false }, transpose_b: { b: true }, fused_ops: { strs: ['BiasAdd', 'Relu'] }, num_args: { i: 1 }, epsilon: { f: 0 } },
        },
        { name: 'sm', op: 'Softmax', inputs: ['mm'], attrs: { T: F } },
      ],
      outputs: ['mm', 'sm'],
    };
    for (const r of await compareGraph(spec, [{ name: 'x', shape: [3, 6], dtype: 'float32', data: randomArray(18, 2) }])) {
      expect(r.error, r.output).toBeLessThan(1e-6);
    }
  });
});
