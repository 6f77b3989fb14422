import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { EventLog } from '../../src/events/event-log.js';
import { SnapshotStore } from '../../src/events/snapshot-store.js';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { eventRoutes } from '../../src/server/routes/events.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { sampleEvent, T0 } from '../events/event-harness.js';

describe('event routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-event-api-'));
  const store = new EventStore(openDatabase(join(dir, 'argus.db')));
  const snapshots = new SnapshotStore(join(dir, 'snapshots'));
  const app = httpApp(silentLogger());
  void app.register(eventRoutes, { prefix: '/api/events', store, snapshots, kinds: new EventKinds(ANALYZERS).names });
  const withShot = sampleEvent(1, { snapshot: `events/${sampleEvent(1).id}/snapshot.jpg`, kind: 'weapon', label: 'knife' });
  let jpeg: Buffer;

  beforeAll(async () => {
    jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
      .jpeg()
      .toBuffer();
    store.save(withShot);
    await snapshots.save(withShot.id, { annotated: jpeg, crop: jpeg });
    store.save(sampleEvent(2, { camera: 'yard', sub_label: 'alice', kind: 'face', label: 'face' }));
    store.save(sampleEvent(3, { end_time: null }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('lists events newest first with filters and paging', async () => {
    const all = await app.inject({ url: '/api/events' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(all.json().events.map((e: { start_time: number }) => e.start_time - T0)).toEqual([3, 2, 1]);
    const q = async (qs: string) => (await app.inject({ url: `/api/events?${qs}` })).json().events.map((e: { id: string }) => e.id);
    expect(await q('camera=yard')).toEqual([sampleEvent(2).id]);
    expect(await q('kind=weapon')).toEqual([withShot.id]);
    expect(await q('label=knife')).toEqual([withShot.id]);
    expect(await q('name=alice')).toEqual([sampleEvent(2).id]);
    expect(await q(`after=${T0 + 2}&before=${T0 + 3}`)).toEqual([sampleEvent(2).id]);
    expect(await q(`before=${new Date((T0 + 2) * 1000).toISOString()}`)).toEqual([withShot.id]);
    expect(await q('in_progress=true')).toEqual([sampleEvent(3).id]);
    expect(await q('limit=1&offset=1')).toEqual([sampleEvent(2).id]);
  });

  it('lists the kinds the analyzers raise, which is what ?kind= accepts', async () => {
    expect((await app.inject({ url: '/api/events/kinds' })).json()).toEqual({ kinds: ['person', 'weapon', 'object', 'face', 'pose', 'suspicious'] });
    const bad = await app.inject({ url: '/api/events?kind=cheating' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/person, weapon, object, face, pose, suspicious/);
  });

  it('refuses a bad query, naming the parameter', async () => {
    for (const [qs, words] of [
      ['kind=cat', /kind/],
      ['limit=0', /limit/],
      ['after=yesterday', /after.*ISO/],
      ['colour=red', /unknown parameter.*colour/],
    ] as const) {
      const res = await app.inject({ url: `/api/events?${qs}` });
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error, qs).toMatch(words);
    }
  });

  it('answers one event, its snapshot and crop, and 404s with a reason', async () => {
    expect((await app.inject({ url: `/api/events/${withShot.id}` })).json()).toEqual(withShot);
    const shot = await app.inject({ url: `/api/events/${withShot.id}/snapshot.jpg` });
    expect(shot.statusCode).toBe(200);
    expect(shot.headers['content-type']).toBe('image/jpeg');
    expect(shot.rawPayload.equals(jpeg)).toBe(true);
    expect((await app.inject({ url: `/api/events/${withShot.id}/crop.jpg` })).statusCode).toBe(200);
    const none = await app.inject({ url: '/api/events/1.000-nothin' });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toMatch(/no event with id "1.000-nothin"/);
    const noShot = await app.inject({ url: `/api/events/${sampleEvent(2).id}/snapshot.jpg` });
    expect(noShot.statusCode).toBe(404);
    expect(noShot.json().error).toMatch(/has no snapshot.jpg/);
    expect((await app.inject({ url: '/api/events/..%2F..%2Fargus.db/snapshot.jpg' })).statusCode).toBe(404);
  });

  it('deletes an ended event with its files, and refuses one still going on', async () => {
    const del = await app.inject({ method: 'DELETE', url: `/api/events/${withShot.id}` });
    expect(del.statusCode).toBe(204);
    expect(store.get(withShot.id)).toBeNull();
    expect(snapshots.pathOf(withShot.id, 'snapshot.jpg')).toBeNull();
    expect((await app.inject({ method: 'DELETE', url: `/api/events/${withShot.id}` })).statusCode).toBe(404);
    const busy = await app.inject({ method: 'DELETE', url: `/api/events/${sampleEvent(3).id}` });
    expect(busy.statusCode).toBe(409);
    expect(store.get(sampleEvent(3).id)).not.toBeNull();
  });
});

describe('event groups and history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-event-groups-'));
  const store = new EventStore(openDatabase(join(dir, 'argus.db')));
  const log = new EventLog(join(dir, 'logs'));
  const deleted: string[] = [];
  const app = httpApp(silentLogger());
  void app.register(eventRoutes, {
    prefix: '/api/events',
    store,
    snapshots: new SnapshotStore(join(dir, 'snapshots')),
    kinds: new EventKinds(ANALYZERS).names,
    logDir: log.dir,
    onDelete: (id) => deleted.push(id),
  });
  // Two visits on the door: a person with their face (named) and pose, then another person alone.
  const alice = sampleEvent(10, { box: [0, 0, 100, 300], end_time: T0 + 20 });
  const face = sampleEvent(11, { kind: 'face', label: 'face', sub_label: 'alice', box: [30, 10, 70, 50] });
  const pose = sampleEvent(12, { kind: 'pose', label: 'hands_up', box: [5, 5, 95, 295] });
  const later = sampleEvent(40, { box: [0, 0, 100, 300] });

  beforeAll(async () => {
    for (const e of [alice, face, pose, later]) store.save(e);
    await log.append({ type: 'start', event: { ...face, sub_label: null, end_time: null } }, T0 + 11);
    await log.append({ type: 'update', event: { ...face, end_time: null } }, T0 + 12);
    await log.append({ type: 'start', event: later }, T0 + 12.5);
    await log.append({ type: 'end', event: face }, T0 + 16);
    await app.ready();
  });
  afterAll(() => app.close());

  it('groups a visit: the person with their face and pose, titled with the name; newest first', async () => {
    const res = await app.inject({ url: '/api/events/groups' });
    expect(res.statusCode).toBe(200);
    const { groups, next } = res.json();
    expect(next).toBeNull();
    expect(groups.map((g: { id: string; events: { id: string }[] }) => [g.id, g.events.map((e) => e.id)])).toEqual([
      [later.id, [later.id]],
      [alice.id, [alice.id, face.id, pose.id]],
    ]);
    expect(groups[1]).toMatchObject({ title: 'alice', sub_label: 'alice', kinds: ['person', 'face', 'pose'] });
  });

  it("answers the visit an event was part of: a person event's name and the events seen with it", async () => {
    for (const id of [alice.id, pose.id]) {
      const { group } = (await app.inject({ url: `/api/events/${id}/group` })).json();
      expect(group).toMatchObject({ id: alice.id, sub_label: 'alice' });
      expect(group.events.map((e: { id: string }) => e.id)).toEqual([alice.id, face.id, pose.id]);
    }
    expect((await app.inject({ url: `/api/events/${later.id}/group` })).json().group.events).toHaveLength(1);
    expect((await app.inject({ url: '/api/events/1732350000.000-nosuch/group' })).statusCode).toBe(404);
  });

  it('filters by member and shows the whole group; pages with before=next', async () => {
    const byName = (await app.inject({ url: '/api/events/groups?name=alice' })).json();
    expect(byName.groups.map((g: { id: string }) => g.id)).toEqual([alice.id]);
    expect(byName.groups[0].events).toHaveLength(3);
    const first = (await app.inject({ url: '/api/events/groups?kind=person&limit=1' })).json();
    expect(first.groups.map((g: { id: string }) => g.id)).toEqual([later.id]);
    expect(first.next).toEqual({ before: later.start_time, before_id: later.id });
    const second = (await app.inject({ url: `/api/events/groups?kind=person&limit=1&before=${first.next.before}&before_id=${first.next.before_id}` })).json();
    expect(second.groups.map((g: { id: string }) => g.id)).toEqual([alice.id]);
    expect((await app.inject({ url: '/api/events/groups?offset=3' })).statusCode).toBe(400);
  });

  it('groups a linked event with the person it was seen on, and forgets the link with the event', async () => {
    const stranger = sampleEvent(13, { kind: 'face', label: 'face', box: [30, 10, 70, 50] });
    const other = sampleEvent(14, { box: [300, 0, 400, 300], end_time: T0 + 20 });
    store.save(stranger);
    store.save(other);
    const groupOf = async (id: string) =>
      (await app.inject({ url: '/api/events/groups' })).json().groups.find((g: { events: { id: string }[] }) => g.events.some((e) => e.id === id)).id;
    // Its box lies in alice's, but the frame that saw it put it on the other person.
    expect(await groupOf(stranger.id)).toBe(alice.id);
    store.link(stranger.id, other.id);
    expect(await groupOf(stranger.id)).toBe(other.id);
    store.delete(other.id);
    expect(await groupOf(stranger.id)).toBe(alice.id);
    store.delete(stranger.id);
  });

  it('pages through events of one frame (same start time) without skipping one', async () => {
    const twins = [sampleEvent(60, { id: `${T0 + 60}.000-twin0a`, camera: 'twins' }), sampleEvent(60, { id: `${T0 + 60}.000-twin0b`, camera: 'twins' })];
    for (const e of twins) store.save(e);
    const seen: string[] = [];
    let next: { before: number; before_id: string } | null = null;
    do {
      const cursor: string = next ? `&before=${next.before}&before_id=${next.before_id}` : '';
      const page = (await app.inject({ url: `/api/events/groups?camera=twins&limit=1${cursor}` })).json();
      seen.push(...page.groups.map((g: { id: string }) => g.id));
      next = page.next;
    } while (next && seen.length < 5);
    expect(seen.sort()).toEqual(twins.map((e) => e.id).sort());
    for (const e of twins) store.delete(e.id);
  });

  it('reads an event’s updates over time back from the daily logs', async () => {
    const res = await app.inject({ url: `/api/events/${face.id}/history` });
    expect(res.json().history.map((m: { type: string; event: { sub_label: string | null } }) => [m.type, m.event.sub_label])).toEqual([
      ['start', null],
      ['update', 'alice'],
      ['end', 'alice'],
    ]);
  });

  it('tells who listens that an event was deleted', async () => {
    expect((await app.inject({ method: 'DELETE', url: `/api/events/${pose.id}` })).statusCode).toBe(204);
    expect(deleted).toEqual([pose.id]);
  });
});
