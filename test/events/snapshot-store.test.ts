import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventRetention } from '../../src/events/event-retention.js';
import { SnapshotStore } from '../../src/events/snapshot-store.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { sampleEvent, T0 } from './event-harness.js';

const KB = 1024;
const shot = (kb: number) => ({ annotated: Buffer.alloc(kb * KB, 1), crop: Buffer.alloc(0) });

/** Event n's folder, written n seconds after T0 (mtime), so age order is known. */
async function saveAged(snapshots: SnapshotStore, n: number, kb: number): Promise<string> {
  const id = sampleEvent(n).id;
  await snapshots.save(id, shot(kb));
  for (const f of ['snapshot.jpg', 'crop.jpg']) utimesSync(join(snapshots.dir, id, f), T0 + n, T0 + n);
  return id;
}

describe('SnapshotStore', () => {
  it('refuses ids that are not event ids, so no path escapes the folder', async () => {
    const snapshots = new SnapshotStore(mkdtempSync(join(tmpdir(), 'argus-snaps-')));
    expect(snapshots.pathOf('../argus.db', 'snapshot.jpg')).toBeNull();
    await expect(snapshots.save('../../etc', shot(1))).rejects.toThrow(/not an event id/);
  });

  it('writes both files without leaving temporaries behind', async () => {
    const snapshots = new SnapshotStore(mkdtempSync(join(tmpdir(), 'argus-snaps-')));
    const id = await saveAged(snapshots, 1, 2);
    expect(readdirSync(join(snapshots.dir, id)).sort()).toEqual(['crop.jpg', 'snapshot.jpg']);
    expect((await snapshots.load(id))!.length).toBe(2 * KB);
    expect(await snapshots.load(sampleEvent(9).id)).toBeUndefined();
  });

  it('prunes the oldest folders to fit the size cap, sparing the ones kept', async () => {
    const snapshots = new SnapshotStore(mkdtempSync(join(tmpdir(), 'argus-snaps-')));
    const ids = [];
    for (const n of [1, 2, 3, 4]) ids.push(await saveAged(snapshots, n, 100));
    // 400 KB stored, 250 KB allowed; the oldest (1) is still going on and is kept.
    const removed = await snapshots.pruneToSize(250 * KB, new Set([ids[0]]));
    expect(removed).toEqual([ids[1], ids[2]]);
    expect((await snapshots.usage()).map((f) => f.id)).toEqual([ids[0], ids[3]]);
  });
});

describe('EventRetention', () => {
  it('deletes events older than retain.days with their files, then trims snapshots to retain.max_mb', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-retain-'));
    const store = new EventStore(openDatabase(join(dir, 'argus.db')));
    const snapshots = new SnapshotStore(join(dir, 'snapshots'));
    const DAY = 86_400;
    // Events 0 and 1 are 3 days old; 2, 3 and 4 are recent; each has a 400 KB snapshot.
    for (const n of [0, 1, 2, 3, 4]) {
      const start = n < 2 ? T0 - 3 * DAY + n : T0 + n;
      const id = sampleEvent(n).id;
      store.save(sampleEvent(n, { start_time: start, end_time: start + 5, snapshot: `events/${id}/snapshot.jpg` }));
      await saveAged(snapshots, n, 400);
    }
    const retention = new EventRetention({
      retain: { days: 2, max_mb: 1 },
      store,
      snapshots,
      activeIds: () => new Set(),
      logger: silentLogger(),
      now: () => T0 + 100,
      everyMs: 3_600_000,
    });
    await retention.prune();
    expect(
      store
        .query()
        .events.map((e) => e.id)
        .sort(),
    ).toEqual([2, 3, 4].map((n) => sampleEvent(n).id));
    // 1200 KB left over 1 MB: the oldest remaining snapshot (2) goes and its row says so.
    expect((await snapshots.usage()).map((f) => f.id)).toEqual([sampleEvent(3).id, sampleEvent(4).id]);
    expect(store.get(sampleEvent(2).id)!.snapshot).toBeNull();
    expect(store.get(sampleEvent(3).id)!.snapshot).not.toBeNull();
    await retention.stop();
  });
});
