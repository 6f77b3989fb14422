import { existsSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../../src/events/analyzed-frame.js';
import type { EventBox } from '../../src/events/event.js';
import { cameraMasksSchema, cameraZonesSchema } from '../../src/events/config.js';
import { eventHarness, feed, sampleEvent, T0 } from './event-harness.js';

const person = (box: EventBox, score = 0.7, sub_label?: string): Detection => ({ kind: 'person', label: 'person', score, box, sub_label });
const at = (x: number): EventBox => [x, 40, x + 40, 150];

describe('EventManager', () => {
  let h: ReturnType<typeof eventHarness>;
  afterEach(async () => {
    await h.manager.stop();
    h.db.close();
  });

  it('starts after min_frames, updates when the score rises, ends after end_after unseen', async () => {
    h = eventHarness();
    h.manager.start();
    feed(h, 'door', T0, [person(at(10), 0.6)]);
    await h.manager.flush();
    expect(h.messages).toEqual([]);
    feed(h, 'door', T0 + 0.2, [person(at(20), 0.6)]);
    feed(h, 'door', T0 + 0.4, [person(at(30), 0.5)]);
    feed(h, 'door', T0 + 0.6, [person(at(40), 0.9)]);
    feed(h, 'door', T0 + 0.8, [person(at(50), 0.8)]);
    feed(h, 'door', T0 + 1, []);
    h.manager.tick(T0 + 2.7);
    await h.manager.flush();
    expect(h.messages.map((m) => m.type)).toEqual(['start', 'update']);
    h.manager.tick(T0 + 2.9);
    await h.manager.flush();
    expect(h.messages.map((m) => m.type)).toEqual(['start', 'update', 'end']);

    const [start, update, end] = h.messages.map((m) => m.event);
    // `attributes` always there, `{}` when the analyzer added none: a template needs no guard
    expect(start).toMatchObject({ camera: 'door', kind: 'person', label: 'person', sub_label: null, score: 0.6, top_score: 0.6, start_time: T0, end_time: null, attributes: {} });
    expect(start.id).toMatch(/^1732350000\.000-[a-z0-9]{6}$/);
    expect(start.snapshot).toBe(`events/${start.id}/snapshot.jpg`);
    expect(update).toMatchObject({ id: start.id, score: 0.9, top_score: 0.9, box: at(40) });
    expect(end).toMatchObject({ id: start.id, top_score: 0.9, end_time: T0 + 0.8, box: at(50) });

    expect(h.store.get(start.id)).toMatchObject({ end_time: T0 + 0.8, top_score: 0.9, snapshot: start.snapshot, attributes: {} });
    const jpeg = readFileSync(h.snapshots.pathOf(start.id, 'snapshot.jpg')!);
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    expect(h.snapshots.pathOf(start.id, 'crop.jpg')).not.toBeNull();

    const lines = readFileSync(h.log.pathFor(T0 + 2.9), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['start', 'update', 'end']);
    expect(lines[2].event.id).toBe(start.id);
  });

  it("ends a camera's events of one kind at once when their cause is over (endKind), leaving the others", async () => {
    h = eventHarness();
    h.manager.start();
    const incident: Detection = { kind: 'suspicious', label: 'phone', score: 0.8, box: at(10) };
    for (const t of [0, 0.2, 0.4]) feed(h, 'exam', T0 + t, [person(at(40), 0.7), incident]);
    feed(h, 'hall', T0 + 0.4, [incident]);
    feed(h, 'hall', T0 + 0.6, [incident]);
    h.manager.endKind('exam', 'suspicious');
    await h.manager.flush();
    const ends = h.messages.filter((m) => m.type === 'end').map((m) => m.event);
    // ended as last seen, not end_after (2 s) later; the person on the camera and the other camera's incident go on
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ camera: 'exam', kind: 'suspicious', end_time: T0 + 0.4 });
    expect(h.manager.inView()).toMatchObject({ exam: [{ kind: 'person' }], hall: [{ kind: 'suspicious' }] });
  });

  it('says whether it follows objects on a camera, from the first sighting to the end', async () => {
    h = eventHarness({ config: { end_after: 2, min_frames: 2 } });
    h.manager.start();
    expect(h.manager.following('door')).toBe(false);
    feed(h, 'door', T0, [person(at(10))]);
    // not an event yet (one frame of two), but followed: a still frame may confirm it
    expect(h.manager.following('door')).toBe(true);
    expect(h.manager.following('yard')).toBe(false);
    feed(h, 'door', T0 + 0.2, [person(at(12))]);
    h.manager.tick(T0 + 2.1);
    expect(h.manager.following('door')).toBe(true);
    h.manager.tick(T0 + 2.3);
    expect(h.manager.following('door')).toBe(false);
  });

  it('says which open events are in view: seen in the last 3 s, as frames come and as time passes', async () => {
    h = eventHarness({ config: { end_after: 10, min_frames: 1 } });
    const said: Array<[string, string[]]> = [];
    h.bus.on(h, 'inView', ({ camera, events }) => said.push([camera, events.map((e) => e.id)]));
    h.manager.start();
    feed(h, 'door', T0, [person(at(10)), person(at(200))]);
    const [a, b] = [...h.manager.activeIds()];
    expect(said).toEqual([['door', [a, b]]]);
    // the second person is not seen again: out of view after 3 s, their event still open
    for (const t of [1, 2, 3]) feed(h, 'door', T0 + t, [person(at(10 + t))]);
    expect(said).toHaveLength(1);
    feed(h, 'door', T0 + 3.2, [person(at(14))]);
    expect(said.at(-1)).toEqual(['door', [a]]);
    expect(h.manager.activeIds().size).toBe(2);
    // no more frames (nothing moves, or the camera is down): the clock alone takes the first out too
    h.manager.tick(T0 + 6.1);
    expect(said.at(-1)).toEqual(['door', [a]]);
    h.manager.tick(T0 + 6.3);
    expect(said.at(-1)).toEqual(['door', []]);
    expect(said).toHaveLength(3);
  });

  it('answers what each camera sees now: its open events seen in the last 3 s', async () => {
    h = eventHarness({ config: { end_after: 10, min_frames: 1 } });
    h.manager.start();
    feed(h, 'door', T0, [person(at(10)), person(at(200))]);
    feed(h, 'yard', T0, [person(at(10))]);
    feed(h, 'door', T0 + 2, [person(at(12))]);
    const now = h.manager.inView(T0 + 4);
    expect(now.door.map((e) => e.box)).toEqual([at(12)]);
    expect(now.yard).toEqual([]);
    expect(h.manager.activeIds().size).toBe(3);
    // a copy: the caller cannot change the live event
    now.door[0].label = 'changed';
    expect(h.manager.inView(T0 + 4).door[0].label).toBe('person');
  });

  it('never starts an event for a one-frame flicker', async () => {
    h = eventHarness();
    h.manager.start();
    feed(h, 'door', T0, [person(at(10))]);
    h.manager.tick(T0 + 5);
    await h.manager.flush();
    expect(h.messages).toEqual([]);
    expect(h.store.query().total).toBe(0);
  });

  it('sends an update when a name is recognised, and keeps the name when later frames lack it', async () => {
    h = eventHarness();
    h.manager.start();
    const face = (x: number, name?: string): Detection => ({
      kind: 'face',
      label: 'face',
      score: 0.8,
      box: [x, 20, x + 30, 60],
      sub_label: name,
      attributes: name ? { similarity: 0.71 } : undefined,
    });
    feed(h, 'door', T0, [face(100)]);
    feed(h, 'door', T0 + 0.2, [face(102)]);
    feed(h, 'door', T0 + 0.4, [face(104, 'alice')]);
    feed(h, 'door', T0 + 0.6, [face(106)]);
    h.manager.tick(T0 + 5);
    await h.manager.flush();
    expect(h.messages.map((m) => [m.type, m.event.sub_label])).toEqual([
      ['start', null],
      ['update', 'alice'],
      ['end', 'alice'],
    ]);
    expect(h.messages[2].event.attributes).toEqual({ similarity: 0.71 });
    expect(h.store.query({ name: 'alice' }).total).toBe(1);
  });

  it("holds a face's event open for the visit (its hold), following its identity wherever it comes back", async () => {
    h = eventHarness({ config: { end_after: 2, min_frames: 1 } });
    h.manager.start();
    const joe = (x: number): Detection => ({ kind: 'face', label: 'face', score: 0.8, box: [x, 20, x + 30, 60], sub_label: 'joe', hold: 60, identity: 'visit:1' });
    feed(h, 'door', T0, [joe(10)]);
    feed(h, 'door', T0 + 1, [joe(12)]);
    h.manager.tick(T0 + 30); // out of view for 29 s: past end_after, inside the hold
    feed(h, 'door', T0 + 40, [joe(250)]); // back, across the frame
    h.manager.tick(T0 + 99); // 59 s after: still open
    await h.manager.flush();
    expect(h.messages.map((m) => m.type)).toEqual(['start']);
    expect(h.manager.activeIds().size).toBe(1);
    h.manager.tick(T0 + 101);
    await h.manager.flush();
    expect(h.messages.map((m) => [m.type, m.event.end_time])).toEqual([
      ['start', null],
      ['end', T0 + 40],
    ]);
  });

  it("keeps a face's event when its person is renamed while in view, and the event takes the new name", async () => {
    h = eventHarness({ config: { end_after: 2, min_frames: 1 } });
    h.manager.start();
    const face = (name: string, x: number): Detection => ({ kind: 'face', label: 'face', score: 0.8, box: [x, 20, x + 30, 60], sub_label: name, hold: 60, identity: 'visit:1' });
    feed(h, 'door', T0, [face('joe', 10)]);
    feed(h, 'door', T0 + 1, [face('joseph', 12)]);
    await h.manager.flush();
    expect(h.messages.map((m) => [m.type, m.event.sub_label])).toEqual([
      ['start', 'joe'],
      ['update', 'joseph'],
    ]);
    expect(h.manager.activeIds().size).toBe(1);
  });

  it("gives a renamed person's events the new name: stored, open, and those being written as the rename comes", async () => {
    h = eventHarness({ config: { end_after: 2, min_frames: 1 } });
    h.manager.start();
    h.store.save(sampleEvent(-100, { kind: 'face', label: 'face', sub_label: 'Lin' }), T0);
    const face = (x: number, name?: string): Detection => ({ kind: 'face', label: 'face', score: 0.8, box: [x, 20, x + 30, 60], sub_label: name });
    feed(h, 'door', T0, [face(10, 'lin')]); // its start is still being written when the rename comes
    h.bus.emit('personRenamed', { from: 'lin', to: 'manuel' });
    await h.manager.flush();
    await new Promise((r) => setImmediate(r));
    expect(h.store.query({ name: 'lin' }).total).toBe(0); // the start, written after the rename, renamed too
    feed(h, 'door', T0 + 1, [face(12)]); // a later frame, unnamed: the open event keeps its (new) name
    h.manager.tick(T0 + 5);
    await h.manager.flush();
    await new Promise((r) => setImmediate(r));
    expect(h.messages.map((m) => [m.type, m.event.sub_label])).toEqual([
      ['start', 'lin'],
      ['end', 'manuel'],
    ]);
    expect(h.store.query({ name: 'lin' }).total).toBe(0);
    expect(h.store.query({ name: 'manuel' }).total).toBe(2);
  });

  it('keeps separate events for separate cameras and objects', async () => {
    h = eventHarness();
    h.manager.start();
    const knife: Detection = { kind: 'weapon', label: 'knife', score: 0.5, box: [200, 100, 230, 120] };
    for (const t of [0, 0.2]) {
      feed(h, 'door', T0 + t, [person(at(10)), knife]);
      feed(h, 'yard', T0 + t, [person(at(10))]);
    }
    await h.manager.flush();
    const starts = h.messages.filter((m) => m.type === 'start').map((m) => `${m.event.camera}:${m.event.label}`);
    expect(starts.sort()).toEqual(['door:knife', 'door:person', 'yard:person']);
    expect(new Set(h.messages.map((m) => m.event.id)).size).toBe(3);
    expect(h.manager.activeIds().size).toBe(3);
  });

  it('follows zones: entering one is an update, and `zones` keeps every zone entered', async () => {
    h = eventHarness({ cameras: { door: { zones: cameraZonesSchema.parse({ porch: { coordinates: '100,0,320,0,320,180,100,180' } }) } } });
    h.manager.start();
    for (const [i, x] of [0, 30, 60, 90, 120, 150].entries()) feed(h, 'door', T0 + i * 0.2, [person(at(x))]);
    for (const [i, x] of [40, 20].entries()) feed(h, 'door', T0 + 1.2 + i * 0.2, [person(at(x))]);
    await h.manager.flush();
    const zoneTrail = h.messages.map((m) => [m.type, m.event.zones, m.event.current_zones]);
    expect(zoneTrail).toEqual([
      ['start', [], []],
      ['update', ['porch'], ['porch']],
      ['update', ['porch'], []],
    ]);
    h.manager.tick(T0 + 10);
    await h.manager.flush();
    expect(h.store.query({ zone: 'porch' }).total).toBe(1);
  });

  it('ignores masked detections, and answers which zones a box stands in for the analyzers', async () => {
    h = eventHarness({
      cameras: {
        door: {
          detect: { width: 320, height: 180 },
          zones: cameraZonesSchema.parse({ porch: { coordinates: '0.3,0,1,0,1,1,0.3,1' }, bins: { coordinates: '0,0,100,0,100,180,0,180', objects: ['car'] } }),
          masks: cameraMasksSchema.parse('250,0,320,0,320,60,250,60'),
        },
      },
    });
    // Before any frame: fractional zones resolved at the configured detect size.
    expect(h.manager.zonesOf('door', [150, 0, 170, 100])).toEqual(['porch']);
    expect(h.manager.zonesOf('door', [10, 0, 30, 100])).toEqual(['bins']);
    expect(h.manager.zonesOf('door', [10, 0, 30, 100], 'person')).toEqual([]);
    expect(h.manager.zonesOf('yard', [10, 0, 30, 100])).toEqual([]);
    h.manager.start();
    const moon: Detection = { kind: 'weapon', label: 'frisbee', score: 0.5, box: [260, 10, 290, 40] };
    for (const [i, x] of [10, 40].entries()) feed(h, 'door', T0 + i * 0.2, [moon, person(at(x))]);
    await h.manager.flush();
    expect(h.messages.map((m) => [m.type, m.event.label])).toEqual([['start', 'person']]);
  });

  it('starts on the first sighting with the default min_frames of 1 (a face arrives once per visit)', async () => {
    h = eventHarness({ config: { end_after: 2, min_frames: 1 } });
    h.manager.start();
    const embedding = new Float32Array([0.1, 0.2]);
    feed(h, 'door', T0, [
      { kind: 'face', label: 'face', score: 0.8, box: [10, 10, 40, 50], sub_label: null, attributes: { similarity: null, embedding, crop: Buffer.from([0xff, 0xd8]) } },
    ]);
    h.manager.tick(T0 + 3);
    await h.manager.flush();
    expect(h.messages.map((m) => m.type)).toEqual(['start', 'end']);
    // Binary attributes stay out of the event JSON (the event's crop.jpg holds the face).
    expect(h.messages[0].event.attributes).toEqual({ similarity: null });
    expect(h.store.get(h.messages[0].event.id)!.attributes).toEqual({ similarity: null });
  });

  it('hands each detection of an event, binary attributes and all, to onDetection; a throw there is not fatal', async () => {
    const seen: Array<[string, unknown, number]> = [];
    h = eventHarness({
      config: { end_after: 2, min_frames: 2 },
      onDetection: (event, d, time) => {
        seen.push([event.id, d.attributes?.embedding, time]);
        throw new Error('disk full');
      },
    });
    h.manager.start();
    const embedding = new Float32Array([0.1, 0.2]);
    const face: Detection = { kind: 'face', label: 'face', score: 0.8, box: [10, 10, 40, 50], sub_label: null, attributes: { embedding, crop: Buffer.from([0xff, 0xd8]) } };
    for (const t of [0, 0.5, 1]) feed(h, 'door', T0 + t, [face]);
    await h.manager.flush();
    // The first sighting is before the event starts (min_frames 2): it has no event to belong to.
    const id = h.messages[0].event.id;
    expect(seen).toEqual([
      [id, embedding, T0 + 0.5],
      [id, embedding, T0 + 1],
    ]);
    expect(h.messages.map((m) => m.type)).toEqual(['start']);
  });

  it('ends open events at stop() and closes rows a crash left open at the next start()', async () => {
    h = eventHarness();
    h.manager.start();
    feed(h, 'door', T0, [person(at(10))]);
    feed(h, 'door', T0 + 0.2, [person(at(12))]);
    await h.manager.stop();
    expect(h.messages.map((m) => m.type)).toEqual(['start', 'end']);
    expect(h.store.query({ in_progress: true }).total).toBe(0);

    h.store.save({ ...h.messages[0].event, id: '1732349000.000-crash1', start_time: T0 - 1000, end_time: null }, T0 - 990);
    h.manager.start();
    expect(h.store.get('1732349000.000-crash1')!.end_time).toBe(T0 - 990);
    // its end is in the daily log (the event's history), not on the bus: the outputs would take it for a sighting now
    await h.manager.flush();
    const lines = readFileSync(h.log.pathFor(T0 - 990), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'end', event: { id: '1732349000.000-crash1', end_time: T0 - 990 } });
    expect(h.messages.map((m) => m.type)).toEqual(['start', 'end']);
  });

  it('keeps the best-scoring frame as the snapshot, drawn with the box in the event colour', async () => {
    h = eventHarness();
    h.manager.start();
    const frame = (t: number, shade: number) => ({ camera: 'door', width: 320, height: 180, data: Buffer.alloc(320 * 180 * 3, shade), time: t * 1000, seq: 0 });
    h.manager.handle({ camera: 'door', frame: frame(T0, 40), detections: [person(at(100), 0.5)] });
    h.manager.handle({ camera: 'door', frame: frame(T0 + 0.2, 40), detections: [person(at(100), 0.5)] });
    h.manager.handle({ camera: 'door', frame: frame(T0 + 0.4, 200), detections: [person(at(100), 0.95)] });
    h.manager.handle({ camera: 'door', frame: frame(T0 + 0.6, 40), detections: [person(at(100), 0.6)] });
    await h.manager.flush();
    const id = h.messages[0].event.id;
    const crop = await sharp(readFileSync(h.snapshots.pathOf(id, 'crop.jpg')!))
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The crop is clean and from the 0.95 frame (shade 200), not the later 0.6 one.
    expect(Math.abs(crop.data[0] - 200)).toBeLessThan(8);
    const shot = await sharp(readFileSync(h.snapshots.pathOf(id, 'snapshot.jpg')!))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(shot.info.width).toBe(320);
    // The left edge of the person box (x = 100) is drawn green.
    const i = (120 * 320 + 100) * 3;
    expect(shot.data[i + 1]).toBeGreaterThan(150);
    expect(shot.data[i]).toBeLessThan(120);
    expect(existsSync(h.snapshots.pathOf(id, 'snapshot.jpg')!)).toBe(true);
  });
});
