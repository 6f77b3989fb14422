import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * `models/manifest.json`: the default models, where each comes from, and the facts the runtime
 * needs to feed and read it. The converter builds every entry; the model runtime reads it.
 */

const dim = z.union([z.number().int().min(1), z.string().min(1)]);

export const tensorSpecSchema = z
  .object({
    name: z.string().min(1),
    /** A string is a symbolic dimension, e.g. the batch `N`. */
    shape: z.array(dim),
    dtype: z.enum(['float32', 'int32', 'int64', 'bool', 'uint8']),
    description: z.string().optional(),
  })
  .strict();

export const modelInputSchema = tensorSpecSchema
  .extend({
    layout: z.enum(['NHWC']).default('NHWC'),
    /** Pixel values the model expects, RGB: 0–255, 0–1 or −1…1 (`int32-0-255`: 0–255 as int32). */
    pixelRange: z.enum(['0-255', '0-1', '-1-1', 'int32-0-255']),
  })
  .strict();

export const manifestEntrySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    /** The ONNX file, relative to the manifest's folder. */
    file: z.string().regex(/\.onnx$/),
    task: z.enum(['objects', 'face-detect', 'face-embed', 'pose-detect', 'pose-landmarks']),
    source: z
      .object({
        /** npm package holding the TFJS graph model. */
        package: z.string().min(1),
        /** model.json inside that package. */
        path: z.string().min(1),
        origin: z.string().url(),
        licence: z.string().min(1),
      })
      .strict(),
    inputs: z.array(modelInputSchema).min(1),
    outputs: z.array(tensorSpecSchema).min(1),
    /** Label file relative to the manifest's folder, one label a line in class order. */
    labels: z.string().optional(),
    /** A trained class head (`argus train objects`, relative to the manifest's folder) merged into the converted CenterNet. */
    head: z.string().optional(),
    notes: z.string().optional(),
  })
  .strict();

export const manifestSchema = z.object({ models: z.array(manifestEntrySchema).min(1) }).strict();

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export async function readManifest(path: string): Promise<ModelManifest> {
  const parsed = manifestSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
