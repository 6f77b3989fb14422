import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

export interface FeedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** Runs a TFJS graph model from disk on the pure-JS CPU backend: the reference the ONNX must match. */
export class TfjsReference {
  private constructor(private readonly model: GraphModel) {}

  static async load(modelJsonPath: string): Promise<TfjsReference> {
    const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
    const shards = await Promise.all(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => readFile(join(dirname(modelJsonPath), p))));
    return TfjsReference.fromArtifacts(json, Buffer.concat(shards));
  }

  /** From model.json (parsed) and all weight bytes, in manifest order. */
  // biome-ignore lint/suspicious/noExplicitAny: model.json as tfjs-converter reads it (its ModelArtifacts type is not exported in a usable form)
  static async fromArtifacts(json: any, weights: Uint8Array): Promise<TfjsReference> {
    await tf.setBackend('cpu');
    const weightSpecs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
    const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    const model = await loadGraphModel({
      load: async () => ({
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
      }),
    });
    return new TfjsReference(model);
  }

  /** Outputs by TF tensor reference (`Identity:0`), as flat arrays. */
  async run(inputs: FeedTensor[], refs: string[]): Promise<Map<string, Float32Array | Int32Array>> {
    const xs = inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype));
    const result = await this.model.executeAsync(Object.fromEntries(inputs.map((i, k) => [i.name, xs[k]])), refs);
    const list = Array.isArray(result) ? result : [result];
    const out = new Map<string, Float32Array | Int32Array>();
    for (let i = 0; i < refs.length; i++) out.set(refs[i], (await list[i].data()) as Float32Array | Int32Array);
    tf.dispose([...xs, ...list]);
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** ‖a − b‖ / ‖b‖: the agreement figure the conversion is held to. */
export function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) return Infinity;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = actual[i] - reference[i];
    diff += d * d;
    norm += reference[i] * reference[i];
  }
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}
