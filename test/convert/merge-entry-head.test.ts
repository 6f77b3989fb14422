import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../src/convert/manifest.js';
import { mergeEntryHead } from '../../src/convert/merge-entry-head.js';
import { featureChannels } from '../../src/train/feature-model.js';
import { headToFile } from '../../src/train/head-file.js';

const FEATURE_CHANNELS = featureChannels('neck');
const MODELS = join(import.meta.dirname, '../../models');

describe('mergeEntryHead', () => {
  let dir: string;
  const entry = (labels: string) => ({ name: 'centernet-x', file: 'x.onnx', labels, head: 'x.head.json' }) as ManifestEntry;
  const model = () => ({ bytes: readFileSync(join(MODELS, 'centernet.onnx')), inputs: [], outputs: [] });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'argus-entry-head-'));
    const w = (n: number) => new Float32Array(n);
    const head = { dim: FEATURE_CHANNELS, hidden: 0, classes: 2, boxes: false, w1: w(0), b1: w(0), w2: w(2 * FEATURE_CHANNELS), b2: w(2) };
    writeFileSync(join(dir, 'x.head.json'), JSON.stringify(headToFile(head, ['pistol', 'knife'])));
    const coco = readFileSync(join(MODELS, 'labels/coco80.txt'), 'utf8').trim();
    writeFileSync(join(dir, 'good.txt'), `${coco}\npistol\nknife\n`);
    writeFileSync(join(dir, 'bad.txt'), `${coco}\nknife\npistol\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('merges the head and silences the base class a head class replaces (COCO knife)', async () => {
    const merged = await mergeEntryHead(model(), entry('good.txt'), dir);
    const graph = onnxProto.onnx.ModelProto.decode(merged.bytes).graph;
    const bias = graph?.initializer?.find((t) => t.name === 'CenternetHead/centernet_cls_output/biases');
    const b = new Float32Array(new Uint8Array(bias?.rawData ?? []).buffer);
    expect(b[43]).toBe(-40); // knife
    expect(b.filter((v) => v === -40)).toHaveLength(1);
    expect(graph?.node?.some((n) => n.name?.startsWith('argus_head/'))).toBe(true);
  });

  it('refuses a label file that does not end with the head classes in order', async () => {
    await expect(mergeEntryHead(model(), entry('bad.txt'), dir)).rejects.toThrow(/must end with the head's classes pistol, knife, not knife, pistol/);
  });

  it('refuses a head file with the wrong number of weights', async () => {
    const file = JSON.parse(readFileSync(join(dir, 'x.head.json'), 'utf8'));
    writeFileSync(join(dir, 'short.head.json'), JSON.stringify({ ...file, b2: Buffer.from(new Float32Array(1).buffer).toString('base64') }));
    await expect(mergeEntryHead(model(), { ...entry('good.txt'), head: 'short.head.json' }, dir)).rejects.toThrow(/short\.head\.json: b2 holds 1 values, expected 2/);
  });
});
