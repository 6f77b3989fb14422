import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelsDir } from '../../src/models/manifest.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, '..', 'shared', 'fixtures');
const haveFixtures = existsSync(FIXTURES);
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

/** A PNG header claiming 50000×50000 pixels with almost no data behind it. */
function hugePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const chunk = (type: string, body: Buffer) => {
    const td = Buffer.concat([Buffer.from(type), body]);
    let c = 0xffffffff;
    for (const b of td) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE((c ^ 0xffffffff) >>> 0, 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(100))), chunk('IEND', Buffer.alloc(0))]);
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
});

describe.skipIf(!haveFixtures || !haveModels)(`argus analyze on real photos and video${skipReason}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-analyze-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints one JSON line per image in source pixels, and a one-line error for a text file and a 50000×50000 PNG', async () => {
    const text = join(dir, 'notes.txt');
    const bomb = join(dir, 'bomb.png');
    await writeFile(text, 'not a picture');
    await writeFile(bomb, hugePng());
    const r = await argus([
      '--json',
      '--embeddings',
      join(FIXTURES, 'faces/probe/obama_and_biden.jpg'),
      text,
      bomb,
      join(FIXTURES, 'people/ai-body.jpg'),
    ]);
    expect(r.code).toBe(1);
    const errors = r.stderr.trim().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/notes\.txt: not an image/);
    expect(errors[1]).toMatch(/bomb\.png: image is 50000×50000/);
    const [pair, body] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(pair).toMatchObject({ file: 'obama_and_biden.jpg', width: 2000, height: 1428 });
    expect(pair.objects.filter((o: { label: string }) => o.label === 'person').length).toBeGreaterThanOrEqual(2);
    expect(pair.faces).toHaveLength(2);
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

  it('samples a video and finds the performer\'s face once he is close', async () => {
    const r = await argus(['--json', '--models', 'faces', '--every', '2', join(FIXTURES, 'video/short_hamilton_clip.mp4')]);
    expect(r.code).toBe(0);
    const frames = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(frames.map((f) => f.time_s)).toEqual([0, 2, 4, 6, 8]);
    expect(frames.every((f) => f.width === 640 && f.height === 360 && f.objects.length === 0)).toBe(true);
    // close up from about 3 s to 7 s (fixtures/README.md)
    expect(frames[2].faces.length).toBeGreaterThanOrEqual(1);
    expect(frames[3].faces.length).toBeGreaterThanOrEqual(1);
  });

  it('prints a readable summary without --json', async () => {
    const r = await argus(['--models', 'objects', join(FIXTURES, 'people/group-3.jpg')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^group-3\.jpg \(1920×1537\)\n {2}objects \(\d+, [\d.]+ ms\): person \d+%/);
  });
});
