import { writeFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Builds a tiny ONNX model whose output is a fixed tensor (a Constant node), with an image input
 * it ignores: a stand-in for a detector that emits known raw outputs, to test decoders end to end.
 */
export function constantOutputModel(inputDims: number[], outputDims: number[], values: ArrayLike<number>): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const valueInfo = (name: string, dims: number[]) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'argus-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'constant',
      node: [
        {
          opType: 'Constant',
          output: ['output0'],
          attribute: [
            {
              name: 'value',
              type: onnx.AttributeProto.AttributeType.TENSOR,
              t: { dims: outputDims, dataType: FLOAT, floatData: Array.from(values) },
            },
          ],
        },
      ],
      input: [valueInfo('images', inputDims)],
      output: [valueInfo('output0', outputDims)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export async function writeConstantModel(path: string, inputDims: number[], outputDims: number[], values: ArrayLike<number>): Promise<string> {
  await writeFile(path, constantOutputModel(inputDims, outputDims, values));
  return path;
}
