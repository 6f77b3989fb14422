import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../../src/models/manifest.js';
import type { Box } from '../../src/vision/iou.js';
import { PEOPLE_TRUTH, tallyPersons } from '../helpers/fixture-people.js';
import { hugePngHeader } from '../vision/png-bomb.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, '..', 'shared', 'fixtures');
const haveFixtures = existsSync(FIXTURES);
const WEAPON_PHOTOS = join(ROOT, '..', 'shared', 'datasets', 'weapons', 'valid', 'images');
/** A pistol the shipped model finds at 0.68, and a man holding a knife it finds at 0.48 (the knife alerts from 0.6). */
const PISTOL = join(WEAPON_PHOTOS, 'armas--1461-_jpg.rf.2a26607cd1aa86ea978e762837f83bc8.jpg');
const LOW_KNIFE = join(WEAPON_PHOTOS, 'DSC_0061_JPG.rf.97d066321aa004f0ffcc031ba6ec739f.jpg');
/** A woman holding a pistol to her head: the detector alone 0.36 (under the pistol's 0.5), at her right wrist 0.56. */
const HELD_PISTOL = join(WEAPON_PHOTOS, 'armas--1010-_jpg.rf.ebf8977692c61756ebdeccde8394adcc.jpg');
const haveModels = existsSync(join(defaultModelsDir(), 'centernet.onnx'));
const skipReason = !haveFixtures ? ` (skipped: fixtures absent at ${FIXTURES})` : !haveModels ? ' (skipped: models not built; run "argus models build")' : '';

function argus(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'analyze', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('argus analyze: arguments', () => {
  it('refuses an unknown model family', async () => {
    const r = await argus(['--models', 'objects,weapons', 'a.jpg']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown model family "weapons"/);
  });

  it('asks for files', async () => {
    const r = await argus([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no files given/);
  });

  it('names the flag of a bad value, not the config key behind it', async () => {
    const pose = await argus(['--pose', 'bogus', 'a.jpg']);
    expect([pose.code, pose.stderr.trim()]).toEqual([2, 'argus analyze: --pose bogus: expected one of blazepose, movenet']);
    expect((await argus(['--threads', 'abc', 'a.jpg'])).stderr.trim()).toBe('argus analyze: --threads abc: expected a number');
  });
});

describe.skipIf(!haveFixtures || !haveModels)(`argus analyze on real photos and video${skipReason}`, () => {
  it('names the file of a missing YOLO label file or a YOLO model that is not ONNX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'argus-analyze-yolo-'));
    try {
      const labels = join(dir, 'labels.txt');
      const notOnnx = join(dir, 'model.onnx');
      await writeFile(labels, 'pistol\n');
      await writeFile(notOnnx, 'not a model');
      const photo = join(FIXTURES, 'people', 'group-1.jpg');
      const missing = await argus([photo, '--models', 'objects', '--yolo', notOnnx, '--labels', join(dir, 'nope.txt')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`label file ${join(dir, 'nope.txt')} cannot be read: no such file`);
      const bad = await argus([photo, '--models', 'objects', '--yolo', notOnnx, '--labels', labels]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`the YOLO model ${notOnnx} is not an ONNX model onnxruntime can load`);
      const absent = await argus([photo, '--models', 'objects', '--yolo', join(dir, 'gone.onnx'), '--labels', labels]);
      expect(absent.stderr).toContain(`the YOLO model ${join(dir, 'gone.onnx')} does not exist`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reads the photos of a folder, and says so when a folder holds none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'argus-analyze-folder-'));
    try {
      const r = await argus(['--json', '--models', 'objects', join(FIXTURES, 'people'), dir]);
      expect(r.code).toBe(1);
      const files = r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { file: string }).file);
      expect(files).toEqual(['ai-body.jpg', 'background.jpg', 'group-1.jpg', 'group-3.jpg', 'group-6.jpg', 'stock-group-2.jpg']);
      expect(r.stderr).toContain(`${dir}: no photos (.jpg .jpeg .png .webp) or videos in this folder`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('says --embeddings needs --json', async () => {
    const r = await argus(['--embeddings', '--models', 'objects', join(FIXTURES, 'people', 'background.jpg')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--embeddings is printed only with --json');
  }, 60_000);

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-analyze-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints one JSON line per image in source pixels, and a one-line error for a text file and a 50000×50000 PNG', async () => {
    const text = join(dir, 'notes.txt');
    const bomb = join(dir, 'bomb.png');
    await writeFile(text, 'not a picture');
    await writeFile(bomb, hugePngHeader(50_000, 50_000));
    const missing = join(dir, 'nope.jpg');
    const r = await argus(['--json', '--embeddings', join(FIXTURES, 'faces/probe/obama_and_biden.jpg'), text, bomb, missing, join(FIXTURES, 'people/ai-body.jpg')]);
    expect(r.code).toBe(1);
    const errors = r.stderr.trim().split('\n');
    expect(errors).toHaveLength(3);
    // a missing file is said first, before the models load
    expect(errors[0]).toBe(`argus analyze: ${missing}: cannot read file: no such file`);
    expect(errors[1]).toMatch(/notes\.txt: not an image/);
    expect(errors[2]).toMatch(/bomb\.png: image is 50000×50000/);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // every file given has its line: a failed one with its error, so a script reading the lines misses none
    expect(lines.filter((l) => l.error).map((l) => [l.file, l.error.slice(0, 20)])).toEqual([
      ['nope.jpg', 'cannot read file: no'],
      ['notes.txt', expect.stringMatching(/^not an image/)],
      ['bomb.png', expect.stringMatching(/^image is 50000×50000/)],
    ]);
    const [pair, body] = lines.filter((l) => !l.error);
    expect(pair).toMatchObject({ file: 'obama_and_biden.jpg', width: 2000, height: 1428 });
    expect(pair.objects.filter((o: { label: string }) => o.label === 'person').length).toBeGreaterThanOrEqual(2);
    expect(pair.faces).toHaveLength(3); // Biden, Obama, and a child at the right edge
    // each of them a person once, as live analysis counts them (and maybe the woman cut by the right edge, whom the truth leaves optional)
    expect(
      tallyPersons(
        pair.persons.map((p: { box: Box }) => p.box),
        PEOPLE_TRUTH['faces/probe/obama_and_biden.jpg'],
      ),
    ).toEqual({ found: 3, missed: 0, duplicates: 0, false: 0 });
    for (const f of pair.faces) {
      expect(f.landmarks).toHaveLength(6);
      expect(f.embedding).toHaveLength(1024);
      expect(f.box[2]).toBeLessThanOrEqual(2000);
    }
    expect(Object.keys(pair.timings_ms).sort()).toEqual(['faces', 'objects', 'pose']);
    expect(body.poses).toHaveLength(1);
    expect(body.poses[0].keypoints).toHaveLength(33);
    expect(body.poses[0].keypoints[0]).toMatchObject({ name: 'nose', x: expect.any(Number), y: expect.any(Number), score: expect.any(Number) });
  });

  it("samples a video and finds the performer's face and pose once he is close", async () => {
    const r = await argus(['--json', '--every', '2', join(FIXTURES, 'video/short_hamilton_clip.mp4')]);
    expect(r.code).toBe(0);
    const frames = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(frames.map((f) => f.time_s)).toEqual([0, 2, 4, 6, 8]);
    expect(frames.every((f) => f.width === 640 && f.height === 360)).toBe(true);
    // close up from about 3 s to 7 s (fixtures/README.md)
    for (const f of [frames[2], frames[3]]) {
      expect(f.objects.filter((o: { label: string }) => o.label === 'person')).toHaveLength(1);
      expect(f.faces).toHaveLength(1);
      expect(f.poses).toHaveLength(1);
    }
  });

  it('prints a readable summary without --json', async () => {
    const r = await argus(['--models', 'objects', join(FIXTURES, 'people/group-3.jpg')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^group-3\.jpg \(1920×1537\)\n {2}objects \(\d+, [\d.]+ ms\): person \d+%/);
    expect(r.stdout).not.toContain('weapons'); // no weapon candidate, no weapons line
  });

  it.skipIf(!existsSync(PISTOL) || !existsSync(LOW_KNIFE))('says which weapons reach the score that raises an alert, and which stay under it', async () => {
    const r = await argus(['--models', 'objects', PISTOL, LOW_KNIFE]);
    expect(r.code).toBe(0);
    const [pistol, knife] = r.stdout.split(/\n(?=\S)/);
    expect(pistol).toMatch(/\n {2}weapons at the default alert thresholds: pistol \d+% \(alerts from 50%\)\n/);
    expect(knife).toMatch(/\n {2}weapons at the default alert thresholds: none; under them: knife [3-5]\d% \(alerts from 60%\)/);
  });

  it.skipIf(!existsSync(PISTOL))('reads the thresholds from the config argus run reads (--config), and stops on a config typo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'argus-analyze-config-'));
    const config = join(dir, 'argus.yml');
    await writeFile(config, 'analyzers:\n  weapon:\n    thresholds: { pistol: 0.9 }\n');
    const r = await argus(['--models', 'objects', '--config', config, PISTOL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}weapons at the configured alert thresholds: none; under them: pistol \d+% \(alerts from 90%\)\n/);
    await writeFile(config, 'analyzers:\n  weapon:\n    thresholdz: { pistol: 0.9 }\n');
    const typo = await argus(['--models', 'objects', '--config', config, PISTOL]);
    expect(typo.code).toBe(78);
    expect(typo.stderr).toMatch(/^argus analyze: .*thresholdz/);
  });

  it.skipIf(!existsSync(HELD_PISTOL))('raises a weapon at a person’s wrist as a camera would, and says “armed person”', async () => {
    const text = await argus(['--models', 'objects,pose', HELD_PISTOL]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\n {2}weapons at the default alert thresholds: pistol 5\d% at a wrist \(armed person; detector 3\d%\) \(alerts from 50%\)\n/);
    const json = await argus(['--json', '--models', 'objects,pose', HELD_PISTOL]);
    const [pistol] = JSON.parse(json.stdout).weapons;
    expect(pistol).toMatchObject({ label: 'pistol', armed_person: true, wrist: 'right_wrist', threshold: 0.5, alerts: true });
    expect(pistol.detector_score).toBeLessThan(0.5);
    // without the pose nothing raises it: under the threshold, as the detector scored it
    const alone = await argus(['--json', '--models', 'objects', HELD_PISTOL]);
    expect(JSON.parse(alone.stdout).weapons).toEqual([expect.objectContaining({ label: 'pistol', score: pistol.detector_score, armed_person: false, alerts: false })]);
  });
});

describe.skipIf(!haveFixtures || !haveModels)(`argus analyze names faces from the registry${skipReason}`, () => {
  let data = '';
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'argus-analyze-registry-'));
    const enrol = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'faces',
        'add',
        'barack_obama',
        join(FIXTURES, 'faces/known/barack_obama/1.jpg'),
        join(FIXTURES, 'faces/known/barack_obama/2.jpg'),
        '--data',
        data,
      ],
      {
        cwd: ROOT,
      },
    );
    expect(await new Promise((r) => enrol.on('close', r))).toBe(0);
  });
  afterAll(() => rm(data, { recursive: true, force: true }));

  it('gives each face a name or null, with its similarity, and no embedding unless asked', async () => {
    const r = await argus(['--json', '--models', 'faces', '--data', data, join(FIXTURES, 'faces/probe/two_people.jpg')]);
    expect(r.code).toBe(0);
    const faces = (JSON.parse(r.stdout) as { faces: Array<{ box: number[]; name: string | null; similarity: number | null; embedding?: number[] }> }).faces.sort(
      (a, b) => a.box[0] - b.box[0],
    );
    // Obama on the left, Biden (not enrolled) on the right.
    expect(faces.map((f) => f.name)).toEqual(['barack_obama', null]);
    expect(faces[0].similarity).toBeGreaterThan(0.56);
    expect(faces[1].similarity).toBeNull();
    expect(faces.every((f) => f.embedding === undefined)).toBe(true);
    // the summary says the likeness as the Analyze page does ("78% similar"), not "(0.776)"
    const text = await argus(['--models', 'faces', '--data', data, join(FIXTURES, 'faces/probe/two_people.jpg')]);
    expect(text.stdout).toContain(`barack_obama (${Math.round(faces[0].similarity! * 100)}% similar) `);
  });

  it('gives no names where the data folder has no registry', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'argus-analyze-empty-'));
    const r = await argus(['--json', '--models', 'faces', '--data', empty, join(FIXTURES, 'faces/probe/obama1.jpg')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).faces[0]).not.toHaveProperty('name');
  });
});
