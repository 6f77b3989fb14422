import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { SnapshotStore } from '../../src/events/snapshot-store.js';
import { sampleEvent } from './event-harness.js';

/** A real full disk: a 256 kB tmpfs (mounting needs root, as CI and the add-on's build machine have). */
const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'argus-full-disk-'));
const filler = join(dir, 'filler');

/** Leaves about `free` bytes of the tmpfs free. */
function fillUpTo(free: number): void {
  rmSync(filler, { force: true });
  try {
    writeFileSync(filler, Buffer.alloc(256 * 1024));
  } catch {
    // full: now give `free` back
  }
  const size = readFileSync(filler).length;
  rmSync(filler);
  writeFileSync(filler, Buffer.alloc(Math.max(0, size - free)));
}

describe.skipIf(!root)('a full data disk', () => {
  beforeAll(() => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]));
  afterAll(() => execFileSync('umount', [dir]));

  it('leaves no part of a line in the event log: the next line after space comes back starts on its own', async () => {
    const log = new EventLog(join(dir, 'logs'));
    const message = (n: number, pad: number) => ({ type: 'start' as const, event: { ...sampleEvent(n), attributes: { pad: 'x'.repeat(pad) } } });
    await log.append(message(1, 10), 1_800_000_000);
    fillUpTo(4096);
    await expect(log.append(message(2, 20_000), 1_800_000_001)).rejects.toMatchObject({ code: 'ENOSPC' });
    rmSync(filler);
    await log.append(message(3, 10), 1_800_000_002);
    const lines = readFileSync(log.pathFor(1_800_000_000), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { event: { id: string } }).event.id)).toEqual([sampleEvent(1).id, sampleEvent(3).id]);
  });

  it('leaves no temporary file and no empty event folder when a snapshot does not fit', async () => {
    const snapshots = new SnapshotStore(join(dir, 'snapshots'));
    fillUpTo(4096);
    const id = sampleEvent(4).id;
    await expect(snapshots.save(id, { annotated: Buffer.alloc(64 * 1024, 1), crop: Buffer.alloc(0) })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(existsSync(join(snapshots.dir, id))).toBe(false);
    expect(readdirSync(snapshots.dir)).toEqual([]);
    rmSync(filler);
  });
});
