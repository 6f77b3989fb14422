/**
 * The weapon classes (docs/weapons.md) against what they must not do. Run after `argus models build`:
 *   npx tsx test/bench/weapons.ts [--runs=240] [--thresholds=pistol:0.5,knife:0.6] [--input=square|frame] [--photo]
 *
 * 1. Cost: CenterNet with the trained head merged in (as built, and at stride 4) vs plain
 *    CenterNet, the same photo, timed in turns in the same run (the ratio is the figure; this
 *    machine's speed drifts), each as Argus runs it: pruned to the detections, Argus' session
 *    options (until 2026-12-04 this bench ran the whole graphs with onnxruntime's defaults).
 * 2. False alarms: every fixture photo, every frame of the Hamilton clip and of the demo clip
 *    (5 fps, no motion gate: every frame counts) through the weapon analyzer as a camera runs it;
 *    prints the confirmed weapon events and the highest weapon score the detector gave at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { FrameContext } from '../../src/analyzers/analyzer.js';
import { weaponSchema } from '../../src/analyzers/weapon/config.js';
import { weaponAnalyzer } from '../../src/analyzers/weapon/index.js';
import { ensureDemoClip } from '../../src/demo/demo-clip.js';
import { silentLogger } from '../../src/log.js';
import { mergeHead, replacedChannels } from '../../src/convert/merge-head.js';
import { Detector } from '../../src/models/detector.js';
import { readLabels } from '../../src/models/labels.js';
import { modelsSchema } from '../../src/models/model-config.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { headFromFile, readHeadFile } from '../../src/train/head-file.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { median, timeInTurns } from './timing.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const MODELS = join(import.meta.dirname, '..', '..', 'models');
const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 240);

// 1. cost (--runs=0 skips it)
if (runs > 0) {
  const photo = await loadImage(join(FIXTURES, 'people', 'group-3.jpg'));
  const lb = await letterboxTensor(photo, 512, 512, 0, { layout: 'nhwc' });
  const input = { 'tower_0/images': new ort.Tensor('float32', lb.data, [1, 512, 512, 3]) };
  const plainBytes = readFileSync(join(MODELS, 'centernet.onnx'));
  const headPath = join(MODELS, 'weapons.head.json');
  // the same head merged at stride 4 (every cell, as it was shipped until 2026-12-04)
  const head = await readHeadFile(headPath);
  const coco = await readLabels(join(MODELS, 'labels', 'coco80.txt'));
  const fine = mergeHead(plainBytes, headFromFile(head, headPath), { suppress: replacedChannels(coco, head.classes), stride: 4 });
  const contenders: [string, Uint8Array][] = [
    ['centernet', plainBytes],
    ['centernet-weapons (head at stride 8, as built)', readFileSync(join(MODELS, 'centernet-weapons.onnx'))],
    ['the head merged at stride 4', fine],
  ];
  // As Argus runs them: pruned to the detections it reads (detector.ts), its session options.
  const sessions = [];
  for (const [, bytes] of contenders) sessions.push(await ort.InferenceSession.create(pruneToOutputs(bytes, ['tower_0/detections']).bytes, cpuSessionOptions(2)));
  // rounds of short blocks, each contender in turn: this machine's speed drifts from minute to minute
  const rounds = Math.max(1, Math.round(runs / 8));
  const times = await timeInTurns(
    sessions.map((s) => () => s.run(input)),
    runs,
    2,
    rounds,
  );
  console.log(`# Cost: ${rounds} rounds of 8 runs each, contenders in turn, 2 threads, 512×512\n`);
  for (const [i, [name]] of contenders.entries()) console.log(`${name}: median ${median(times[i]).toFixed(1)} ms, ratio ${(median(times[i]) / median(times[0])).toFixed(3)}`);
  console.log();
  for (const s of sessions) await s.release();
}

// 2. false alarms
// --input=square|frame: models.objects.input other than the default (camera: these frames at their own aspect)
const objectInput = process.argv.find((a) => a.startsWith('--input='))?.split('=')[1] ?? 'camera';
// Frames go in as a camera's (live: at their aspect with the default input, candidates verified from 0.25);
// --photo: as uploads (square, verified from 0.08, a small one also at its own size), as this bench ran until 2026-12-05.
const scope = process.argv.includes('--photo') ? 'all' : 'live';
const detector = await Detector.create({ config: modelsSchema.parse({ objects: { min_score: 0.05, input: objectInput } }), logger: silentLogger(), families: ['objects', 'pose'] });
// --thresholds tries other per-label thresholds than the shipped ones
const thresholds = process.argv.find((a) => a.startsWith('--thresholds='))?.split('=')[1];
const config = weaponSchema.parse(thresholds ? { thresholds: Object.fromEntries(thresholds.split(',').map((kv) => [kv.split(':')[0], Number(kv.split(':')[1])])) } : {});
console.log(`thresholds ${JSON.stringify(config.thresholds)}, input ${objectInput}, as ${scope === 'live' ? 'camera frames' : 'photos'}\n`);
const weaponLabels = new Set(config.labels);

async function check(name: string, frames: AsyncIterable<RgbImage> | Iterable<Promise<RgbImage>>): Promise<void> {
  const analyzer = weaponAnalyzer.create({
    config,
    models: detector,
    camera: name,
    cameraConfig: { enabled: true, schedule: [], required_zones: [] } as never,
    matchFace: () => null,
    references: () => [],
    logger: silentLogger(),
  });
  let count = 0;
  let events = 0;
  let top = { score: 0, label: '-', frame: -1 };
  for await (const img of frames) {
    const objects = await detector.detectObjects(img, scope);
    for (const o of objects) if (weaponLabels.has(o.label) && o.score > top.score) top = { score: o.score, label: o.label, frame: count };
    const frame: FrameContext = {
      camera: name,
      time: count * 200,
      img,
      objects: async () => objects,
      persons: async () => objects.filter((o) => o.label === 'person' && o.score >= 0.5).map((o) => ({ ...o, from: 'objects' as const })),
      faces: async () => [],
      earlier: [],
    };
    events += (await analyzer.analyze(frame)).length;
    count++;
  }
  console.log(`| ${name} | ${count} | ${events} | ${top.score.toFixed(3)} (${top.label}, frame ${top.frame}) |`);
}

function* clipFrames(path: string): Iterable<Promise<RgbImage>> {
  const probe = spawnSync(findFfmpeg(), ['-v', 'error', '-i', path, '-vf', 'fps=5,scale=640:-2', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const info = spawnSync(findFfmpeg(), ['-i', path, '-vf', 'scale=640:-2', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' });
  const h = Number(/640x(\d+)/.exec(info.stderr)?.[1] ?? 360);
  const size = 640 * h * 3;
  for (let i = 0; (i + 1) * size <= probe.stdout.length; i++)
    yield Promise.resolve({ width: 640, height: h, data: new Uint8Array(probe.stdout.subarray(i * size, (i + 1) * size)) });
}

console.log('# False alarms: confirmed weapon events, and the highest pistol/knife score seen (detector floor 0.05)\n');
console.log('| source | frames | weapon events | highest weapon score |');
console.log('|---|---:|---:|---|');
const photos = ['people', 'faces/probe', ...readdirSync(join(FIXTURES, 'faces', 'known')).map((d) => `faces/known/${d}`)].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .map((f) => join(FIXTURES, d, f)),
);
// each photo as three frames of a still camera: N-of-M could confirm a weapon in it
for (const p of photos)
  await check(
    p.slice(FIXTURES.length + 1),
    [0, 1, 2].map(() => loadImage(p)),
  );
await check('video/short_hamilton_clip.mp4', clipFrames(join(FIXTURES, 'video', 'short_hamilton_clip.mp4')));
const tmp = mkdtempSync(join(tmpdir(), 'argus-demo-'));
await check('demo clip', clipFrames(await ensureDemoClip(tmp, findFfmpeg())));
rmSync(tmp, { recursive: true, force: true });
await detector.close();
