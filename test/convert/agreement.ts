import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertTfjsModel, type ConvertedModel } from '../../src/convert/convert.js';
import { readManifest, type ManifestEntry } from '../../src/convert/manifest.js';
import { randomArray } from './graph-fixture.js';
import { TfjsReference, type FeedTensor } from './tfjs-reference.js';

/**
 * The proof a default model converted right: TFJS (pure-JS CPU backend) and our ONNX
 * (onnxruntime, full optimisation) on the same random inputs and real photos must agree within
 * 1e-3 relative (‖onnx − tfjs‖ / ‖tfjs‖) on every output.
 */

export const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url).pathname;
export const HAS_FIXTURES = existsSync(FIXTURES);
const MANIFEST = new URL('../../models/manifest.json', import.meta.url).pathname;
const TOLERANCE = 1e-3;

interface Agreement {
  relative: number;
  rmsDiff: number;
  rmsReference: number;
}

function agreement(actual: ArrayLike<number>, reference: ArrayLike<number>): Agreement {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    diff += (actual[i] - reference[i]) ** 2;
    norm += reference[i] ** 2;
  }
  return { relative: Math.sqrt(diff / norm), rmsDiff: Math.sqrt(diff / reference.length), rmsReference: Math.sqrt(norm / reference.length) };
}

/** A photo resized (stretched) to the model's input and scaled to its pixel range. */
async function photoInput(entry: ManifestEntry, file: string): Promise<FeedTensor> {
  const input = entry.inputs[0];
  const [, h, w] = input.shape as [unknown, number, number, number];
  const rgb = await sharp(file).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer();
  const scale = { '0-255': (v: number) => v, 'int32-0-255': (v: number) => v, '0-1': (v: number) => v / 255, '-1-1': (v: number) => v / 127.5 - 1 }[input.pixelRange];
  const data = input.dtype === 'int32' ? Int32Array.from(rgb) : Float32Array.from(rgb, scale);
  return { name: input.name, shape: [1, h, w, 3], dtype: input.dtype === 'int32' ? 'int32' : 'float32', data };
}

/** Uniform noise over the model's pixel range. */
function randomInput(entry: ManifestEntry, seed: number, batch: number): FeedTensor {
  const input = entry.inputs[0];
  const shape = [batch, ...(input.shape.slice(1) as number[])];
  const n = shape.reduce((a, b) => a * b, 1);
  const [lo, hi] = { '0-255': [0, 255], 'int32-0-255': [0, 256], '0-1': [0, 1], '-1-1': [-1, 1] }[input.pixelRange];
  const r = randomArray(n, seed, lo, hi);
  return input.dtype === 'int32' ? { name: input.name, shape, dtype: 'int32', data: Int32Array.from(r, Math.floor) } : { name: input.name, shape, dtype: 'float32', data: r };
}

export function describeAgreement(name: string, opts: { seeds: number[]; photos: string[]; batchOfTwo?: boolean }): void {
  describe(`${name}: the ONNX conversion agrees with the TFJS original`, () => {
    let entry: ManifestEntry;
    let model: ConvertedModel;
    let session: ort.InferenceSession;
    let reference: TfjsReference;

    beforeAll(async () => {
      entry = (await readManifest(MANIFEST)).models.find((m) => m.name === name)!;
      const modelJson = createRequire(MANIFEST).resolve(`${entry.source.package}/${entry.source.path}`);
      model = await convertTfjsModel(modelJson, name);
      session = await ort.InferenceSession.create(model.bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
      reference = await TfjsReference.load(modelJson);
    });
    afterAll(async () => {
      reference?.dispose();
      await session?.release();
    });

    async function check(label: string, feed: FeedTensor): Promise<void> {
      const onnx = await session.run({ [feed.name]: new ort.Tensor(feed.dtype, feed.data, feed.shape) });
      const tfjs = await reference.run(
        [feed],
        model.outputs.map((o) => o.ref),
      );
      for (const o of model.outputs) {
        // The runtime trusts the manifest's shapes: N is the batch fed.
        const listed = entry.outputs.find((e) => e.name === o.name)!.shape.map((d) => (typeof d === 'number' ? d : feed.shape[0]));
        expect(onnx[o.name].dims, `${o.name} shape`).toEqual(listed);
        const a = agreement(onnx[o.name].data as Float32Array, tfjs.get(o.ref)!);
        console.log(
          `agreement ${name} ${label} ${o.name}: relative ${a.relative.toExponential(2)} (rms diff ${a.rmsDiff.toExponential(2)}, rms ref ${a.rmsReference.toExponential(2)})`,
        );
        expect(onnx[o.name].data.length, o.name).toBe(tfjs.get(o.ref)!.length);
        expect(a.relative, o.name).toBeLessThan(TOLERANCE);
      }
    }

    for (const seed of opts.seeds) {
      it(`on random input, seed ${seed}`, async () => check(`seed ${seed}`, randomInput(entry, seed, 1)), 90_000);
    }
    if (opts.batchOfTwo) {
      it('on a batch of two random inputs', async () => check('batch 2', randomInput(entry, 99, 2)), 90_000);
    }
    describe.skipIf(!HAS_FIXTURES)(HAS_FIXTURES ? 'on real photos' : `on real photos (skipped: ${FIXTURES} is absent)`, () => {
      for (const photo of opts.photos) {
        it(`on ${photo}`, async () => check(photo, await photoInput(entry, FIXTURES + photo)), 90_000);
      }
    });
  });
}
