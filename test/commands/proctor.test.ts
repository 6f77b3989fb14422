import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../../src/models/manifest.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PEOPLE = join(ROOT, '..', 'shared', 'fixtures', 'people');
const haveFixtures = existsSync(join(PEOPLE, 'ai-body.jpg'));
const haveModels = existsSync(join(defaultModelsDir(), 'centernet.onnx'));
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const skipReason = !haveFixtures
  ? ` (skipped: fixtures absent at ${PEOPLE})`
  : !haveModels
    ? ' (skipped: models not built; run "argus models build")'
    : !haveFfmpeg
      ? ' (skipped: no ffmpeg on PATH)'
      : '';

interface Line {
  kind?: string;
  seat?: string;
  start?: number;
  end?: number;
  score?: number;
  summary?: { seats: number; incidents: Record<string, number>; duration: number };
}

function argus(args: string[]): Promise<{ code: number; lines: Line[]; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'proctor', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
      resolve({ code: code ?? -1, lines, stdout, stderr });
    });
  });
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
}

/** Incidents as [kind, seat, start, end], to compare with a tolerance. */
const incidents = (lines: Line[]) => lines.filter((l) => l.kind).map((l) => [l.kind, l.seat, l.start, l.end] as [string, string, number, number]);

function expectIncidents(found: Array<[string, string, number, number]>, expected: Array<[string, string, number, number]>, tolerance: number): void {
  expect(found.map(([k, s]) => `${k}@${s}`).sort()).toEqual(expected.map(([k, s]) => `${k}@${s}`).sort());
  for (const [kind, seat, start, end] of expected) {
    const f = found.find(([k, s]) => k === kind && s === seat)!;
    expect(Math.abs(f[2] - start), `${kind}@${seat} start ${f[2]} vs ${start}`).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(f[3] - end), `${kind}@${seat} end ${f[3]} vs ${end}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('argus proctor: arguments', () => {
  it('asks for files and refuses a bad threshold', async () => {
    expect(await argus([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no files given/) });
    expect(await argus(['--threshold', '300', 'a.mp4'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--threshold/) });
  });

  it('says what is wrong with a seats or classifier file: the key, a missing file, not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-args-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const line = async (...args: string[]) => (await argus([...args, 'a.mp4'])).stderr.trim();
    expect(await line('--seats', write('two.yml', '- { name: A1, coordinates: [[0, 0], [0.5, 0]] }\n'))).toMatch(/two\.yml is not valid: seats\.0\.coordinates: got/);
    expect(await line('--seats', write('typo.yml', 'seats:\n  - { nme: A1, coordinates: [[0,0],[0.5,0],[0.5,1]] }\n'))).toMatch(
      /typo\.yml is not valid: .*seats\.0\.nme: unknown key \(did you mean "name"\?\)/,
    );
    expect(await line('--seats', join(dir, 'nope.yml'))).toBe(`argus proctor: cannot read ${join(dir, 'nope.yml')}: no such file`);
    expect(await line('--classifier', write('note.txt', 'hello\n'))).toMatch(/note\.txt is not JSON: /);
    // the Proctoring page's export without a saved classifier
    expect(await line('--classifier', write('empty.json', '{"format":"argus-proctor-samples","version":1,"samples":[],"classifiers":[]}'))).toMatch(/holds no trained classifier/);
  });
});

/**
 * An exam composed with ffmpeg from the shared fixtures: the empty landscape is the room, the
 * rendered woman (her grey studio backdrop keyed out) is the candidate, a second copy of her the
 * intruder. 0–10 s nobody, 10–20 s one person, 20–30 s two, 30–36 s one, 36–45 s nobody.
 */
describe.skipIf(!haveFixtures || !haveModels || !haveFfmpeg)(`argus proctor on a composed exam clip${skipReason}`, () => {
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-proctor-'));
    clip = join(dir, 'exam.mp4');
    const graph = [
      '[0]scale=640:400,setsar=1[bg]',
      '[1]colorkey=0xF2F2F2:0.06:0.02,scale=-1:330,split[p1][p2]',
      "[bg][p1]overlay=x=200:y=60:enable='between(t,10,36)'[a]",
      "[a][p2]overlay=x=400:y=60:enable='between(t,20,30)'",
    ].join(';');
    ffmpeg([
      '-loop',
      '1',
      '-i',
      join(PEOPLE, 'background.jpg'),
      '-loop',
      '1',
      '-i',
      join(PEOPLE, 'ai-body.jpg'),
      '-filter_complex',
      graph,
      '-t',
      '45',
      '-r',
      '5',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      clip,
    ]);
    for (const [name, t] of [
      ['empty', 5],
      ['one', 15],
      ['two', 25],
    ] as const)
      ffmpeg(['-ss', String(t), '-i', clip, '-frames:v', '1', join(dir, `${name}.png`)]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the whole frame as one seat: absent, then another person, then the seat left', async () => {
    const r = await argus(['--json', clip]);
    expect(r.code, r.stderr).toBe(0);
    expectIncidents(
      incidents(r.lines),
      [
        ['absent', 'seat', 0, 10],
        ['extra_person', 'seat', 20, 30],
        ['left_seat', 'seat', 36, 45],
      ],
      1,
    );
    expect(r.lines.at(-1)).toEqual({ summary: { seats: 1, incidents: { absent: 1, extra_person: 1, left_seat: 1 }, duration: 45 } });
    // progress on stderr each half minute of recording read (an hour of exam is long to wait on in silence)
    expect(r.stderr).toMatch(/^argus proctor: 30 s of the recording read in \d+ s$/m);
  }, 120_000);

  it('two seats from a seats file, with the empty room as the background: each seat its own incidents', async () => {
    const seats = join(dir, 'seats.yml');
    await writeFile(
      seats,
      'seats:\n  - { name: A1, coordinates: [[0, 0], [0.72, 0], [0.72, 1], [0, 1]] }\n  - { name: A2, coordinates: [[0.72, 0], [1, 0], [1, 1], [0.72, 1]] }\n',
    );
    const r = await argus(['--json', '--seats', seats, '--background', join(PEOPLE, 'background.jpg'), clip]);
    expect(r.code, r.stderr).toBe(0);
    expectIncidents(
      incidents(r.lines),
      [
        ['absent', 'A1', 0, 10],
        ['left_seat', 'A1', 36, 45],
        ['absent', 'A2', 0, 20],
        ['left_seat', 'A2', 30, 45],
      ],
      1,
    );
    expect(r.lines.at(-1)?.summary).toMatchObject({ seats: 2, duration: 45 });
  }, 120_000);

  it('a list of images, one second each', async () => {
    const list = [...Array(6).fill('empty'), ...Array(3).fill('one'), ...Array(4).fill('two'), ...Array(2).fill('one')].map((n) => join(dir, `${n}.png`));
    const r = await argus(['--json', ...list]);
    expect(r.code, r.stderr).toBe(0);
    expect(incidents(r.lines)).toEqual([
      ['absent', 'seat', 0, 6],
      ['extra_person', 'seat', 9, 13],
    ]);
    expect(r.lines.at(-1)).toEqual({ summary: { seats: 1, incidents: { absent: 1, extra_person: 1 }, duration: 15 } });
    // without --json the summary is words too, not a JSON object inside a sentence
    const text = await argus(list);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('1 seat(s), 15 s: 1 absent, 1 extra_person');
  }, 120_000);
});
