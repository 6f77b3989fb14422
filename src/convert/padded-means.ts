import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../vision/image.js';
import { letterboxTensor } from '../vision/resize.js';
import { decodeGraph, type GraphNode } from './decoded-graph.js';

const { onnx } = onnxProto;
const INT = onnx.AttributeProto.AttributeType.INT;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/**
 * CenterNet at a frame's own aspect (512×320 for 16:9 instead of a 512×512 letterbox,
 * free-input-size.ts) sees less black padding, and its squeeze-excite gates average their maps
 * over the picture alone: the channel means that scale every feature after them shift, and person
 * scores with them (median −0.03 on the fixture photos and clip, docs/inference.md). Far from the
 * picture the letterbox's padding gives each channel an almost constant value, so each
 * squeeze-excite mean is completed with it: over the square the input is part of,
 *
 *   mean' = mean + (1 − r) · (pad − mean),   r = H·W / max(H, W)²
 *
 * the share of that square the input covers. A square input (r = 1) computes exactly what it did,
 * so uploads, training features and 512×512 frames are unchanged.
 */

/** The squeeze-excite means: ReduceMean over H and W of an NCHW map, dims kept. */
export function squeezeExciteMeans(nodes: readonly GraphNode[]): GraphNode[] {
  return nodes.filter((n) => {
    if (n.opType !== 'ReduceMean') return false;
    const axes = n.attribute?.find((a) => a.name === 'axes')?.ints?.map(Number);
    const keep = n.attribute?.find((a) => a.name === 'keepdims')?.i;
    return axes?.length === 2 && axes[0] === 2 && axes[1] === 3 && Number(keep ?? 1) === 1;
  });
}

/**
 * Each squeeze-excite mean's padding value per channel: its input averaged over the rows of a
 * 512×512 letterbox that the frame's own input leaves out (`missing` input pixels at the top and
 * at the bottom), over `frames` (landscape pictures of one size). The build measures it on the
 * demo camera's photos at 640×360.
 */
export async function paddingMeans(bytes: Uint8Array, frames: readonly RgbImage[], missing: number): Promise<Float32Array[]> {
  if (frames.length === 0) throw new Error('padding means: no calibration frames');
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph?.node) throw new Error('ONNX model has no graph');
  const inputs = squeezeExciteMeans(graph.node).map((n) => n.input?.[0] ?? '');
  if (inputs.length === 0) throw new Error('padding means: the graph has no squeeze-excite means');
  graph.output = inputs.map((name) => onnx.ValueInfoProto.create({ name }));
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { graphOptimizationLevel: 'basic' });
  try {
    const sums: Float64Array[] = [];
    const counts = inputs.map(() => 0);
    for (const frame of frames) {
      const { data } = await letterboxTensor(frame, 512, 512, 0, { layout: 'nhwc' });
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 512, 512, 3]) }, inputs);
      inputs.forEach((name, k) => {
        const [, channels, h, w] = out[name].dims.map(Number);
        const rows = Math.floor(missing / (512 / h));
        if (rows < 1) throw new Error(`padding means: ${name} (${h} rows) has no row inside ${missing} px of padding`);
        const map = out[name].data as Float32Array;
        sums[k] ??= new Float64Array(channels);
        for (let c = 0; c < channels; c++) {
          for (let y = 0; y < h; y++) {
            if (y >= rows && y < h - rows) continue;
            for (let x = 0; x < w; x++) sums[k][c] += map[(c * h + y) * w + x];
          }
        }
        counts[k] += 2 * rows * w;
      });
    }
    return sums.map((s, k) => Float32Array.from(s, (v) => v / counts[k]));
  } finally {
    await session.release();
  }
}

/** Completes each squeeze-excite mean with its padding value (`pad[k]` for the k-th mean, in graph order). */
export function fillPaddedMeans(bytes: Uint8Array, pad: readonly Float32Array[]): Uint8Array {
  const { nodes, inits, encode } = decodeGraph(bytes);
  const means = squeezeExciteMeans(nodes);
  if (means.length !== pad.length) throw new Error(`padded means: ${pad.length} padding vectors for ${means.length} squeeze-excite means`);
  const input = onnx.ModelProto.decode(bytes).graph?.input?.[0]?.name;
  if (!input) throw new Error('ONNX model has no input');
  const p = 'padded_means';
  const node = (opType: string, name: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): GraphNode =>
    onnx.NodeProto.create({ opType, name: `${p}/${name}`, input: inputs, output: [`${p}/${name}`], attribute });
  const init = (name: string, dims: number[], data: Float32Array | BigInt64Array, dataType: number) =>
    inits.push(onnx.TensorProto.create({ name: `${p}/${name}`, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }));
  init('from', [1], BigInt64Array.of(1n), onnx.TensorProto.DataType.INT64);
  init('to', [1], BigInt64Array.of(3n), onnx.TensorProto.DataType.INT64);
  init('one', [], Float32Array.of(1), FLOAT);
  const noKeep = [{ name: 'keepdims', type: INT, i: 0 }];
  // 1 − H·W / max(H, W)²: the share of the square around the input that the input leaves out
  const share = [
    node('Shape', 'shape', [input]),
    node('Slice', 'hw_dims', [`${p}/shape`, `${p}/from`, `${p}/to`]),
    node('Cast', 'hw', [`${p}/hw_dims`], [{ name: 'to', type: INT, i: FLOAT }]),
    node('ReduceProd', 'area', [`${p}/hw`], noKeep),
    node('ReduceMax', 'side', [`${p}/hw`], noKeep),
    node('Mul', 'square', [`${p}/side`, `${p}/side`]),
    node('Div', 'covered', [`${p}/area`, `${p}/square`]),
    node('Sub', 'left_out', [`${p}/one`, `${p}/covered`]),
  ];
  means.forEach((mean, k) => {
    const out = mean.output?.[0] ?? '';
    const raw = `${out}/over_input`;
    mean.output = [raw];
    init(`${k}/pad`, [1, pad[k].length, 1, 1], pad[k], FLOAT);
    const step = (opType: string, name: string, inputs: string[], output?: string): GraphNode =>
      onnx.NodeProto.create({ opType, name: `${p}/${k}/${name}`, input: inputs, output: [output ?? `${p}/${k}/${name}`] });
    nodes.splice(
      nodes.indexOf(mean) + 1,
      0,
      step('Sub', 'towards_pad', [`${p}/${k}/pad`, raw]),
      step('Mul', 'scaled', [`${p}/${k}/towards_pad`, `${p}/left_out`]),
      step('Add', 'mean', [raw, `${p}/${k}/scaled`], out),
    );
  });
  nodes.unshift(...share);
  return encode();
}
