import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { sampleEvent, T0 } from '../events/event-harness.js';

describe('EventStore', () => {
  const open = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'argus-events-db-')), 'argus.db');
    return { path, store: new EventStore(openDatabase(path)) };
  };

  it('saves, rewrites and reads back an event, attributes and all, across a reopen', () => {
    const { path, store } = open();
    const e = sampleEvent(1, { sub_label: 'alice', zones: ['porch'], attributes: { similarity: 0.7 }, end_time: null });
    store.save(e);
    store.save({ ...e, top_score: 0.95, end_time: T0 + 9 });
    const again = new EventStore(openDatabase(path));
    expect(again.get(e.id)).toEqual({ ...e, top_score: 0.95, end_time: T0 + 9 });
    expect(again.get('nope')).toBeNull();
  });

  it('filters by camera, kind, label, name, zone, time and state, newest first, paged', () => {
    const { store } = open();
    store.save(sampleEvent(1));
    store.save(sampleEvent(2, { camera: 'yard' }));
    store.save(sampleEvent(3, { kind: 'weapon', label: 'knife', zones: ['porch', 'drive'] }));
    store.save(sampleEvent(4, { kind: 'face', label: 'face', sub_label: 'bob', end_time: null }));
    store.save(sampleEvent(5));
    const ids = (q: Parameters<EventStore['query']>[0]) => store.query(q).events.map((e) => e.start_time - T0);
    expect(ids({})).toEqual([5, 4, 3, 2, 1]);
    expect(ids({ camera: 'yard' })).toEqual([2]);
    expect(ids({ kind: 'weapon' })).toEqual([3]);
    expect(ids({ label: 'person', camera: 'door' })).toEqual([5, 1]);
    expect(ids({ name: 'bob' })).toEqual([4]);
    expect(ids({ zone: 'drive' })).toEqual([3]);
    expect(ids({ zone: 'driv' })).toEqual([]);
    expect(ids({ after: T0 + 2, before: T0 + 4 })).toEqual([3, 2]);
    expect(ids({ in_progress: true })).toEqual([4]);
    const page = store.query({ limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.events.map((e) => e.start_time - T0)).toEqual([3, 2]);
  });

  it('says which events were linked to a person event (its face, its pose), once each', () => {
    const { store } = open();
    store.link('face-1', 'person-1');
    store.link('face-1', 'person-1');
    store.link('pose-1', 'person-1');
    store.link('face-2', 'person-2');
    expect(store.linkedTo('person-1').sort()).toEqual(['face-1', 'pose-1']);
    expect(store.linkedTo('nobody')).toEqual([]);
  });

  it("moves a renamed person's events to the new name, whatever the old one's case", () => {
    const { store } = open();
    store.save(sampleEvent(1, { kind: 'face', label: 'face', sub_label: 'alice' }));
    store.save(sampleEvent(2, { kind: 'face', label: 'face', sub_label: 'Alice' }));
    store.save(sampleEvent(3, { kind: 'face', label: 'face', sub_label: 'bob' }));
    expect(store.rename('alice', 'Alice Smith')).toBe(2);
    expect(store.query({ name: 'Alice Smith' }).total).toBe(2);
    expect(store.lastSeen('alice').count).toBe(0);
    expect(store.query({ name: 'bob' }).total).toBe(1);
  });

  it('deletes one event, old ended events, and clears snapshot paths', () => {
    const { store } = open();
    for (const n of [1, 2, 3]) store.save(sampleEvent(n, { snapshot: `events/x${n}/snapshot.jpg` }));
    store.save(sampleEvent(0, { end_time: null }));
    expect(store.delete(sampleEvent(1).id)).toBe(true);
    expect(store.delete(sampleEvent(1).id)).toBe(false);
    // Started before T0 + 3 and ended: 2 goes; 0 is still going on and stays.
    expect(store.deleteStartedBefore(T0 + 3)).toEqual([sampleEvent(2).id]);
    store.clearSnapshots([sampleEvent(3).id]);
    expect(store.get(sampleEvent(3).id)!.snapshot).toBeNull();
    expect(store.query().total).toBe(2);
  });

  it('ends events a crash left open at the time they were last written', () => {
    const { store } = open();
    store.save(sampleEvent(1, { end_time: null }), T0 + 30);
    store.save(sampleEvent(2));
    expect(store.closeInterrupted().map((e) => [e.id, e.end_time])).toEqual([[sampleEvent(1).id, T0 + 30]]);
    expect(store.get(sampleEvent(1).id)!.end_time).toBe(T0 + 30);
    expect(store.get(sampleEvent(2).id)!.end_time).toBe(T0 + 7);
  });
});
