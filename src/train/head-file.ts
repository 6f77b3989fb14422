import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { type ExportedLayers, type ExportedVerifier, verifierInputs } from '../convert/crop-verifier.js';
import type { ExportedHead } from './head.js';

/**
 * A trained head on disk (`<name>.head.json`): its class names, the 1×1 convolution weights
 * (float32, little-endian, base64) and what training measured. `models build` merges it into
 * CenterNet (src/convert/merge-head.ts).
 */
export const HEAD_FORMAT = 'argus-centernet-head/1';

const classReport = z.object({ ap50: z.number(), threshold: z.number(), precision: z.number(), recall: z.number(), boxes: z.number().int() });

const layers = z
  .object({ dim: z.number().int().min(1), hidden: z.number().int().min(1), outputs: z.number().int().min(2), w1: z.string(), b1: z.string(), w2: z.string(), b2: z.string() })
  .strict();

const headFileSchema = z
  .object({
    format: z.literal(HEAD_FORMAT),
    classes: z.array(z.string().min(1)).min(1),
    dim: z.number().int().min(1),
    hidden: z.number().int().min(0),
    /** The head also corrects the boxes of its classes (4 outputs after the class logits). */
    boxes: z.boolean(),
    w1: z.string(),
    b1: z.string(),
    w2: z.string(),
    b2: z.string(),
    training: z.record(z.string(), z.unknown()).optional(),
    valid: z.object({ images: z.number().int(), inputSize: z.number().int(), classes: z.record(z.string(), classReport) }).optional(),
    /** The classes' second look at each candidate's crop (src/models/verifier.ts); older heads have none. */
    verifier: layers
      .extend({
        /** Its box regressor (the candidate's box corrected from its crop); older verifiers have none. */
        box: layers.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type HeadFile = z.infer<typeof headFileSchema>;
export type ClassReport = z.infer<typeof classReport>;

const b64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function floats(s: string, n: number, what: string, path: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.length !== n * 4) throw new Error(`${path}: ${what} holds ${buf.length / 4} values, expected ${n}`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

const layersToFile = (v: ExportedLayers): z.infer<typeof layers> => ({
  dim: v.dim,
  hidden: v.hidden,
  outputs: v.outputs,
  w1: b64(v.w1),
  b1: b64(v.b1),
  w2: b64(v.w2),
  b2: b64(v.b2),
});

function layersFromFile(v: z.infer<typeof layers>, what: string, path: string): ExportedLayers {
  return {
    dim: v.dim,
    hidden: v.hidden,
    outputs: v.outputs,
    w1: floats(v.w1, v.hidden * v.dim, `${what}.w1`, path),
    b1: floats(v.b1, v.hidden, `${what}.b1`, path),
    w2: floats(v.w2, v.outputs * v.hidden, `${what}.w2`, path),
    b2: floats(v.b2, v.outputs, `${what}.b2`, path),
  };
}

export function verifierToFile(v: ExportedVerifier): NonNullable<HeadFile['verifier']> {
  return { ...layersToFile(v), ...(v.box ? { box: layersToFile(v.box) } : {}) };
}

/** The verifier a head file holds, if any; its sizes checked against its head's classes. */
export function verifierFromFile(file: HeadFile, path = 'head'): ExportedVerifier | undefined {
  const v = file.verifier;
  if (!v) return undefined;
  if (v.outputs !== file.classes.length + 1) throw new Error(`${path}: the verifier gives ${v.outputs} probabilities for ${file.classes.length} classes (none and each class)`);
  const sizes = verifierInputs(v.outputs);
  if (v.dim !== sizes.all && v.dim !== sizes.pooled) throw new Error(`${path}: the verifier reads ${v.dim} values, not ${sizes.all} (or ${sizes.pooled})`);
  const box = v.box ? layersFromFile(v.box, 'verifier.box', path) : undefined;
  if (box && (box.outputs !== 4 || box.dim !== sizes.all))
    throw new Error(`${path}: the verifier's box regressor reads ${box.dim} values and gives ${box.outputs}, not ${sizes.all} and 4`);
  return { ...layersFromFile(v, 'verifier', path), ...(box ? { box } : {}) };
}

export function headToFile(head: ExportedHead, classes: string[], extra: Pick<HeadFile, 'training' | 'valid' | 'verifier'> = {}): HeadFile {
  if (classes.length !== head.classes) throw new Error(`${classes.length} class names for a head of ${head.classes} classes`);
  return { format: HEAD_FORMAT, classes, dim: head.dim, hidden: head.hidden, boxes: head.boxes, w1: b64(head.w1), b1: b64(head.b1), w2: b64(head.w2), b2: b64(head.b2), ...extra };
}

export function headFromFile(file: HeadFile, path = 'head'): ExportedHead {
  const { dim, hidden } = file;
  const classes = file.classes.length;
  const inW2 = hidden > 0 ? hidden : dim;
  const outputs = classes + (file.boxes ? 4 : 0);
  return {
    dim,
    hidden,
    classes,
    boxes: file.boxes,
    w1: floats(file.w1, hidden * dim, 'w1', path),
    b1: floats(file.b1, hidden, 'b1', path),
    w2: floats(file.w2, outputs * inW2, 'w2', path),
    b2: floats(file.b2, outputs, 'b2', path),
  };
}

export async function readHeadFile(path: string): Promise<HeadFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: not a readable head file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not a readable head file (not JSON: "argus train objects" writes one)`);
  }
  const parsed = headFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  headFromFile(parsed.data, path); // sizes checked now, not at merge time
  verifierFromFile(parsed.data, path);
  return parsed.data;
}

/**
 * Write then rename: whatever reads the previous file (a running Argus, `models build`) never sees half of one, and a failed write (a full disk) leaves nothing behind.
 * Owner only (0600), as the rest of the data folder: a head and its cache are learnt from the household's photos.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
