import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { FaceRegistry } from '../../src/registry/face-registry.js';
import { openDatabase } from '../../src/store/database.js';
import { randomEmbedding } from './random-embedding.js';

const CHILD = join(import.meta.dirname, 'enrol-child.ts');
const TOTAL = 1000;
const KILL_AFTER = 300;

describe('face registry crash safety', () => {
  it('holds every committed sample after SIGKILL in the middle of 1000 enrolments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-crash-'));
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(TOTAL)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const committed: [number, number][] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let partial = '';
    const exit = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    child.stdout.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const [i, id] = line.split(' ').map(Number);
        committed.push([i, id]);
        if (committed.length === KILL_AFTER) child.kill('SIGKILL');
      }
    });
    expect(await exit, stderr).toBe('SIGKILL');
    expect(committed.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(committed.length).toBeLessThan(TOTAL);

    const db = openDatabase(join(dir, 'argus.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const registry = new FaceRegistry({ db, config: registryConfigSchema.parse({ backups: { keep: 0 } }), dataDir: dir, model: 'faceres', logger: silentLogger() });
    registry.start();
    const people = new Map(registry.list().map((p) => [p.name, p]));
    // Everything reported committed is there, whole; at most the one in flight besides.
    for (const [i, id] of committed) {
      expect(people.get(`person_${i}`)?.samples, `person_${i}`).toBe(1);
      expect(registry.crop(`person_${i}`, id)).toEqual(Buffer.alloc(2048, i % 256));
      expect(registry.match(randomEmbedding(i + 1))?.name).toBe(`person_${i}`);
    }
    expect(people.size - committed.length).toBeLessThanOrEqual(1);
    for (const p of people.values()) expect(p.samples).toBe(1);
    // And it takes new enrolments.
    registry.enrol('after_crash', [{ embedding: randomEmbedding(99_999), crop: null, source: 'photo', sourceRef: null, box: null }]);
    expect(registry.match(randomEmbedding(99_999))?.name).toBe('after_crash');
    db.close();
  });
});
