import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packArchive } from '../../src/registry/archive.js';
import { HOST, report, RestartableBroker, type RunningArgus, startArgus } from './fault-kit.js';

/** Every file and folder under `dir` whose mode lets anyone but the owner in. */
function tooOpen(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mode = statSync(path).mode & 0o777;
    if (entry.isDirectory()) {
      if (mode !== 0o700) out.push(`${path} ${mode.toString(8)}`);
      out.push(...tooOpen(path));
    } else if (entry.isFile() && mode !== 0o600) out.push(`${path} ${mode.toString(8)}`);
  }
  return out;
}

function archiveOf(name: string): Buffer {
  const embedding = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i + name.length));
  const person = { id: 1, name, externalId: null, createdAt: 1, updatedAt: 1 };
  const sample = { id: 1, personId: 1, embedding, crop: null, source: 'photo' as const, sourceRef: null, box: null, model: 'faceres', createdAt: 1 };
  return packArchive([person], [sample]);
}

/**
 * Issue 17, rows 4–8, against a real `argus run` and its real data dir: input that never gives
 * a 500, secrets kept out of the log and away from other users, ingress prefixes, and a camera
 * that is down.
 */
describe('faults: secrets, permissions and hostile input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-faults-secrets-'));
  let broker: RestartableBroker;
  let argus: RunningArgus;
  const post = (path: string, body: string | Buffer, type: string, method = 'POST') =>
    fetch(`http://${HOST}:${argus.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${argus.token}`, 'content-type': type },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  beforeAll(async () => {
    broker = await RestartableBroker.start();
    const clip = join(dir, 'still.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=320x180:r=10:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    // What an older version left behind: a world-readable backup in a world-readable folder.
    const old = join(dir, 'secrets', 'backups');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'registry-old.tar.gz'), archiveOf('Old'));
    chmodSync(old, 0o755);
    chmodSync(join(old, 'registry-old.tar.gz'), 0o644);
    argus = await startArgus(dir, 'secrets', broker.url, clip);
  });
  afterAll(async () => {
    await argus?.stop();
    await broker?.down();
  });

  it('keeps the data dir to its owner: argus.db with WAL and SHM, the token, backups (0600 files, 0700 folders)', async () => {
    for (const name of ['Ada', 'Bob']) expect((await post('/api/faces/import', archiveOf(name), 'application/gzip')).status).toBe(200);
    const files = readdirSync(argus.dataDir, { recursive: true }).map(String);
    const backups = files.filter((f) => f.startsWith('backups/registry-') && f !== 'backups/registry-old.tar.gz');
    report('data dir permissions', { files: files.length, backupsWritten: backups.length, tooOpen: tooOpen(argus.dataDir) });
    expect(files).toEqual(expect.arrayContaining(['argus.db', 'argus.db-wal', 'argus.db-shm', 'access-token', 'backups/registry-old.tar.gz']));
    expect(backups.length).toBeGreaterThan(0);
    expect(tooOpen(argus.dataDir)).toEqual([]);
    expect(statSync(argus.dataDir).mode & 0o777).toBe(0o700);
  });

  it('logs where the token is, never the token, and keeps the camera password out of the log', () => {
    const log = argus.process.output();
    expect(log).toContain(`the access token is in ${join(argus.dataDir, 'access-token')}`);
    expect(log).not.toContain(argus.token);
    expect(log).not.toContain('hunter2');
  });

  it('echoes X-Ingress-Path into <base> only in the Supervisor form', async () => {
    const base = async (path: string) => /<base href="([^"]*)">/.exec(await (await argus.get('/', { 'x-ingress-path': path })).text())?.[1];
    const hostile = ['//evil.example', '/\\evil.example', 'https://evil.example/', '/api/hassio_ingress/../../x', '/api/hassio_ingress/a/b', '/other/prefix'];
    const echoed = [];
    for (const h of hostile) echoed.push([h, await base(h)]);
    report('hostile X-Ingress-Path', { tried: hostile.length, echoed: echoed.filter(([, b]) => b !== './').length });
    for (const [h, b] of echoed) expect(b, h).toBe('./');
    expect(await base('/api/hassio_ingress/Ab_9-xYz')).toBe('/api/hassio_ingress/Ab_9-xYz/');
  });

  it('answers a camera that is down with 503 {error, code} and the reason', async () => {
    const res = await argus.get('/api/cameras/broken/snapshot.jpg');
    const body = (await res.json()) as { error: string; code: string };
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(body.code).toBe('no_picture');
    expect(body.error).toMatch(/camera "broken" has no picture: /);
    expect(body.error).not.toContain('hunter2');
  });

  it('gives 400 with the reason for malformed multipart and JSON, never 500 (items 4 and 5, done earlier)', async () => {
    const cases: Array<[string, string, string | Buffer, string, string?]> = [
      ['/api/analyze', 'multipart/form-data', 'x', 'no boundary'],
      ['/api/faces/match', 'multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data; name="f"; filename="a.jpg"\r\n\r\nabc', 'cut-off part'],
      ['/api/faces/Ada', 'multipart/form-data', 'x', 'no boundary'],
      ['/api/faces/Ada', 'application/json', '{"external_id":{"a":1}}', 'object external_id', 'PATCH'],
      ['/api/faces/Ada', 'application/json', '{"external_id":true}', 'boolean external_id', 'PATCH'],
      ['/api/faces/Ada', 'application/json', '{"external_id":', 'broken JSON', 'PATCH'],
      ['/api/faces/Ada', 'application/json', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), '2 MB JSON', 'PATCH'],
    ];
    const answers = [];
    for (const [path, type, body, what, method] of cases) {
      const res = await post(path, body, type, method);
      const json = (await res.json()) as { error: string; code: string };
      answers.push({ what, status: res.status, code: json.code });
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
      expect(json.error.length, what).toBeGreaterThan(10);
      if (what === '2 MB JSON') expect(json.error).not.toMatch(/photo/);
    }
    report('malformed multipart and JSON', { cases: answers.length, statuses: answers.map((a) => `${a.what}: ${a.status} ${a.code}`) });
    expect(readFileSync(join(argus.dataDir, 'access-token'), 'utf8').trim()).toBe(argus.token);
  });
});
