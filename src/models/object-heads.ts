import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VERIFIER_CROP, verifierModel } from '../convert/crop-verifier.js';
import { mergeHeads, replacedChannels } from '../convert/merge-head.js';
import { headFromFile, readHeadFile, verifierFromFile, writeFileAtomic } from '../train/head-file.js';
import { readLabels } from './labels.js';
import type { ModelManifest } from './manifest.js';

/** Bumped when mergeHeads writes a different graph for the same inputs, so cached files are remade. */
const MERGE_VERSION = 2;
const PREFIX = 'centernet-heads-';

/** CenterNet with the shipped head and a household's own, as written to the cache folder. */
export interface HeadedModel {
  path: string;
  /** COCO-80, then each head's classes in order (the decoder's class indices). */
  labels: string[];
  /** The classes the household's heads add (`models.objects.heads`), in order. */
  custom: string[];
}

/**
 * The object model with `models.objects.heads` merged in (heads trained by `argus train
 * objects`): plain CenterNet plus the shipped weapon head (the manifest's `centernet-weapons`
 * entry) plus each of the household's heads, merged at start-up in about a second and kept in
 * `cacheDir` under a name made from what it is built of, so a later start reads it back. A class
 * trained in two heads is refused (which one would a label mean?); a COCO class of the same name
 * is silenced, as the shipped `knife` silences COCO's.
 */
export async function objectModelWithHeads(manifest: ModelManifest, headPaths: readonly string[], cacheDir: string): Promise<HeadedModel> {
  const basePath = manifest.path('centernet');
  const labelsPath = manifest.labelsPath('centernet');
  if (!labelsPath) throw new Error('the centernet entry of the model manifest names no label file');
  const baseLabels = await readLabels(labelsPath);
  const shipped = shippedHead(manifest);
  const paths = [...(shipped ? [shipped] : []), ...headPaths.map((p) => resolve(p))];
  const files = await Promise.all(paths.map((p) => readHeadFile(p)));
  const owner = new Map<string, string>();
  for (const [i, file] of files.entries()) {
    for (const c of file.classes) {
      // in any case: "Pistol" beside the shipped "pistol" is the same thing twice, and no weapon label
      const other = owner.get(c.toLowerCase());
      if (other) throw new Error(`${paths[i]}: class "${c}" is also trained in ${other}; rename it in your data set (data.yaml) and train again`);
      owner.set(c.toLowerCase(), paths[i]);
    }
  }
  const added = files.flatMap((f) => f.classes);
  const labels = [...baseLabels, ...added];
  const custom = files.slice(shipped ? 1 : 0).flatMap((f) => f.classes);

  const base = await readFile(basePath);
  const hash = createHash('sha256').update(`argus-heads/${MERGE_VERSION}\n`).update(base);
  for (const p of paths) hash.update(await readFile(p));
  const path = join(cacheDir, `${PREFIX}${hash.digest('hex').slice(0, 16)}.onnx`);
  if (existsSync(path)) return { path, labels, custom };

  const merged = mergeHeads(
    base,
    files.map((f, i) => headFromFile(f, paths[i])),
    { suppress: replacedChannels(baseLabels, added) },
  );
  await mkdir(cacheDir, { recursive: true });
  // Older merges (heads retrained or removed) are dropped; a half-written file is never read.
  for (const old of await readdir(cacheDir)) if (old.startsWith(PREFIX)) await rm(join(cacheDir, old), { force: true });
  await writeFileAtomic(path, merged);
  return { path, labels, custom };
}

/** The classes of the weapon head Argus ships (none when the manifest names none): a household's head may not train them again. */
export async function shippedClasses(manifest: ModelManifest): Promise<{ path: string; classes: string[] } | undefined> {
  const path = shippedHead(manifest);
  return path && existsSync(path) ? { path, classes: (await readHeadFile(path)).classes } : undefined;
}

function shippedHead(manifest: ModelManifest): string | undefined {
  try {
    const head = manifest.get('centernet-weapons').head;
    return head ? join(manifest.dir, head) : undefined;
  } catch {
    return undefined;
  }
}

const VERIFIER_PREFIX = 'argus-verifier-';

/** A head's verifier, built for onnxruntime: its file and the classes it rescores. */
export interface VerifierModel {
  path: string;
  classes: string[];
  /** It also corrects the boxes (a box regressor: takes the box's place in its crop, gives deltas). */
  boxes: boolean;
}

/**
 * The verifiers of the shipped head and of `models.objects.heads` (those trained with one,
 * src/models/verifier.ts): each built from CenterNet's backbone and its layers into
 * `cacheDir` under a name made from what it is built of, like the merged detector.
 */
export async function verifierModels(manifest: ModelManifest, headPaths: readonly string[], cacheDir: string): Promise<VerifierModel[]> {
  const shipped = shippedHead(manifest);
  const paths = [...(shipped ? [shipped] : []), ...headPaths.map((p) => resolve(p))];
  const base = await readFile(manifest.path('centernet'));
  const models: VerifierModel[] = [];
  for (const p of paths) {
    const file = await readHeadFile(p);
    const verifier = verifierFromFile(file, p);
    if (!verifier) continue;
    const hash = createHash('sha256')
      .update(`argus-verifier/2/${VERIFIER_CROP}\n`)
      .update(base)
      .update(await readFile(p));
    const path = join(cacheDir, `${VERIFIER_PREFIX}${hash.digest('hex').slice(0, 16)}.onnx`);
    if (!existsSync(path)) {
      await mkdir(cacheDir, { recursive: true });
      await writeFileAtomic(path, verifierModel(base, verifier));
    }
    models.push({ path, classes: file.classes, boxes: verifier.box !== undefined });
  }
  // Verifiers of heads since retrained or removed are dropped.
  if (existsSync(cacheDir))
    for (const old of await readdir(cacheDir))
      if (old.startsWith(VERIFIER_PREFIX) && !models.some((m) => m.path === join(cacheDir, old))) await rm(join(cacheDir, old), { force: true });
  return models;
}
