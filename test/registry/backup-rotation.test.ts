import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { BackupRotation } from '../../src/registry/backup-rotation.js';

const DAY = 86_400_000;

describe('BackupRotation', () => {
  it('keeps the newest `keep`, and the last backup of each of the `keepDaily` latest days besides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-backups-'));
    let now = Date.parse('2026-12-01T10:00:00Z');
    const rotation = new BackupRotation({ dir, keep: 3, keepDaily: 2, delayMs: 0, snapshot: () => Buffer.from('x'), logger: silentLogger(), now: () => now });
    // one a day for four days (at 10:00 and 18:00), then ten quick edits on the fifth
    for (let day = 0; day < 4; day++) {
      for (const hour of [0, 8 * 3_600_000]) {
        now = Date.parse('2026-12-01T10:00:00Z') + day * DAY + hour;
        rotation.writeNow();
      }
    }
    for (let i = 0; i < 10; i++) {
      now = Date.parse('2026-12-05T09:00:00Z') + i * 1000;
      rotation.writeNow();
    }
    const times = rotation.list().map((b) => b.time);
    // the three newest (5 December), and the last of the day before with backups (4 December, 18:00)
    expect(times).toEqual(['2026-12-05T09:00:09.000Z', '2026-12-05T09:00:08.000Z', '2026-12-05T09:00:07.000Z', '2026-12-04T18:00:00.000Z']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tar.gz'))).toHaveLength(4);
  });

  it('keeps only the newest `keep` with no daily ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-backups-'));
    let now = Date.parse('2026-12-01T10:00:00Z');
    const rotation = new BackupRotation({ dir, keep: 2, delayMs: 0, snapshot: () => Buffer.from('x'), logger: silentLogger(), now: () => now });
    for (let i = 0; i < 4; i++) {
      now += DAY;
      rotation.writeNow();
    }
    expect(rotation.list().map((b) => b.time)).toEqual(['2026-12-05T10:00:00.000Z', '2026-12-04T10:00:00.000Z']);
  });
});
