import { describe, expect, it } from 'vitest';
import { compareGraph, randomArray, type GraphSpec } from '../graph-fixture.js';

/** Each spatial op, converted and run by onnxruntime, against TFJS on the same input. */

const F = { type: 'DT_FLOAT' };
const NHWC = { s: 'NHWC' };

function convGraph(op: string, filterShape: number[], attrs: GraphSpec['nodes'][number]['attrs'], extra: GraphSpec['consts'] = [], inputShape = [1, 9, 11, 4]): GraphSpec {
  const n = filterShape.reduce((a, b) => a * b, 1);
  return {
    inputs: [{ name: 'x', shape: inputShape, dtype: 'float32' }],
    consts: [{ name: 'w', dtype: 'float32', shape: filterShape, values: Array.from(randomArray(n, 7)) }, ...extra],
    nodes: [{ name: 'y', op, inputs: ['x', 'w', ...extra.map((c) => c.name)], attrs: { T: F, data_format: NHWC, dilations: { ints: [1, 1, 1, 1] }, ...attrs } }],
    outputs: ['y'],
  };
}

const x = (shape = [1, 9, 11, 4], seed = 1) => [
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

async function expectAgrees(spec: GraphSpec, feeds = x()): Promise<void> {
  for (const r of await compareGraph(spec, feeds)) expect(r.error, r.output).toBeLessThan(1e-5);
}

describe('convolution ops', () => {
  it('Conv2D with SAME padding and stride 2 on odd sizes puts the extra pixel at the end, as TF does', async () => {
    await expectAgrees(convGraph('Conv2D', [3, 3, 4, 5], { padding: { s: 'SAME' }, strides: { ints: [1, 2, 2, 1] } }));
  });

  it('Conv2D with dilation 2 and VALID padding', async () => {
    await expectAgrees(convGraph('Conv2D', [3, 3, 4, 2], { padding: { s: 'VALID' }, strides: { ints: [1, 1, 1, 1] }, dilations: { ints: [1, 2, 2, 1] } }));
  });

  it('Conv2D with EXPLICIT padding', async () => {
    await expectAgrees(convGraph('Conv2D', [3, 2, 4, 3], { padding: { s: 'EXPLICIT' }, explicit_paddings: { ints: [0, 0, 1, 2, 0, 1, 0, 0] }, strides: { ints: [1, 1, 2, 1] } }));
  });

  it('depthwise convolution with a channel multiplier keeps TF channel order', async () => {
    await expectAgrees(convGraph('DepthwiseConv2dNative', [3, 3, 4, 2], { padding: { s: 'SAME' }, strides: { ints: [1, 2, 2, 1] } }));
  });

  it('_FusedConv2D with BiasAdd + Relu6, and with BiasAdd + Prelu', async () => {
    const bias = { name: 'b', dtype: 'float32' as const, shape: [5], values: [0.5, -0.2, 3, 0.1, -1] };
    const alpha = { name: 'a', dtype: 'float32' as const, shape: [5], values: [0.1, 0.2, 0.3, 0.4, 0.5] };
    const fused = (ops: string[]) => ({ padding: { s: 'SAME' }, strides: { ints: [1, 1, 1, 1] }, fused_ops: { strs: ops }, num_args: { i: ops.includes('Prelu') ? 2 : 1 } });
    await expectAgrees(
      convGraph('_FusedConv2D', [3, 3, 4, 5], fused(['BiasAdd', 'Relu6']), [bias]),
      x([1, 9, 11, 4], 3).map((f) => ({ ...f, data: f.data.map((v) => v * 4) })),
    );
    await expectAgrees(convGraph('_FusedConv2D', [1, 1, 4, 5], fused(['BiasAdd', 'Prelu']), [bias, alpha]));
  });

  it('FusedDepthwiseConv2dNative with BiasAdd + Relu', async () => {
    const bias = { name: 'b', dtype: 'float32' as const, shape: [4], values: [0.5, -0.2, 0.3, 0.1] };
    await expectAgrees(
      convGraph(
        'FusedDepthwiseConv2dNative',
        [5, 5, 4, 1],
        { padding: { s: 'SAME' }, strides: { ints: [1, 1, 1, 1] }, fused_ops: { strs: ['BiasAdd', 'Relu'] }, num_args: { i: 1 } },
        [bias],
      ),
    );
  });

  it('MaxPool with SAME padding ignores the padded pixels', async () => {
    const spec: GraphSpec = {
      inputs: [{ name: 'x', shape: [1, 9, 11, 4], dtype: 'float32' }],
      nodes: [
        { name: 'y', op: 'MaxPool', inputs: ['x'], attrs: { T: F, data_format: NHWC, ksize: { ints: [1, 3, 3, 1] }, strides: { ints: [1, 2, 2, 1] }, padding: { s: 'SAME' } } },
      ],
      outputs: ['y'],
    };
    await expectAgrees(
      spec,
      x().map((f) => ({ ...f, data: f.data.map((v) => v - 2) })),
    );
  });

  for (const [align, half] of [
    [false, false],
    [false, true],
    [true, false],
  ]) {
    it(`ResizeBilinear (align_corners ${align}, half_pixel_centers ${half}) up and down`, async () => {
      for (const size of [
        [18, 22],
        [5, 4],
      ]) {
        const spec: GraphSpec = {
          inputs: [{ name: 'x', shape: [1, 9, 11, 4], dtype: 'float32' }],
          consts: [{ name: 'size', dtype: 'int32', shape: [2], values: size }],
          nodes: [{ name: 'y', op: 'ResizeBilinear', inputs: ['x', 'size'], attrs: { T: F, align_corners: { b: align }, half_pixel_centers: { b: half } } }],
          outputs: ['y'],
        };
        await expectAgrees(spec);
      }
    });
  }

  it('DepthToSpace after a convolution (NCHW, DCR order)', async () => {
    const spec = convGraph('Conv2D', [1, 1, 4, 8], { padding: { s: 'VALID' }, strides: { ints: [1, 1, 1, 1] } });
    spec.nodes[0].name = 'c';
    spec.nodes.push({ name: 'y', op: 'DepthToSpace', inputs: ['c'], attrs: { T: F, block_size: { i: 2 }, data_format: NHWC } });
    await expectAgrees(spec);
  });
});
