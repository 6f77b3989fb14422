import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildModels, type BuildProgress } from '../../src/convert/build-models.js';
import { CONVERTER_VERSION } from '../../src/convert/convert.js';
import { readManifest } from '../../src/convert/manifest.js';

const MANIFEST = new URL('../../models/manifest.json', import.meta.url).pathname;
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('buildModels', () => {
  let dir: string;
  let manifestPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-models-'));
    // The smallest default model keeps this quick.
    const manifest = await readManifest(MANIFEST);
    manifestPath = join(dir, 'manifest.json');
    await writeFile(manifestPath, JSON.stringify({ models: manifest.models.filter((m) => m.name === 'blazeface-back') }));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('writes <name>.onnx and a stamp with its sha256, then skips it while it is up to date', async () => {
    const phases: string[] = [];
    const onProgress = (p: BuildProgress) => phases.push(`${p.model}:${p.phase}:${p.index}/${p.total}`);
    const [first] = await buildModels({ manifestPath, outDir: dir, onProgress });
    expect(first).toMatchObject({ name: 'blazeface-back', path: join(dir, 'blazeface-back.onnx'), skipped: false });
    expect(first.sha256).toBe(await sha256(first.path));
    const stamp = JSON.parse(await readFile(`${first.path}.sha256`, 'utf8'));
    expect(stamp).toMatchObject({ sha256: first.sha256, converter: CONVERTER_VERSION });
    expect(phases).toEqual(['blazeface-back:check:0/1', 'blazeface-back:convert:0/1', 'blazeface-back:write:0/1', 'blazeface-back:done:0/1']);

    const [second] = await buildModels({ manifestPath, outDir: dir });
    expect(second).toEqual({ ...first, skipped: true });

    // Conversion is deterministic: a forced rebuild writes the same bytes.
    const [forced] = await buildModels({ manifestPath, outDir: dir, force: true });
    expect(forced).toEqual({ ...first, skipped: false });
  });

  it('creates the output folder when it does not exist yet', async () => {
    const [result] = await buildModels({ manifestPath, outDir: join(dir, 'new', 'models') });
    expect(result.sha256).toBe(await sha256(join(dir, 'new', 'models', 'blazeface-back.onnx')));
  });

  it('rebuilds a model whose file no longer matches its stamp', async () => {
    const [first] = await buildModels({ manifestPath, outDir: dir });
    await writeFile(first.path, 'truncated');
    const [again] = await buildModels({ manifestPath, outDir: dir });
    expect(again.skipped).toBe(false);
    expect(await sha256(again.path)).toBe(first.sha256);
  });

  it('refuses a model name the manifest does not list, naming it', async () => {
    await expect(buildModels({ manifestPath, outDir: dir, only: ['yolov99'] })).rejects.toThrow(/unknown model yolov99; the manifest lists blazeface-back/);
  });

  it('refuses a converted model whose outputs differ from the manifest', async () => {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.models[0].outputs[0].name = 'scores';
    await writeFile(manifestPath, JSON.stringify(manifest));
    await expect(buildModels({ manifestPath, outDir: dir })).rejects.toThrow(/blazeface-back: the manifest lists outputs .*scores.* but the converted model has/);
  });
});
