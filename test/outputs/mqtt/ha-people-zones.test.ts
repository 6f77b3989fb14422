import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../../src/analyzers/list.js';
import { EventBus } from '../../../src/bus.js';
import type { ArgusEvent } from '../../../src/events/event.js';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection } from '../../../src/outputs/mqtt/connection.js';
import { HomeAssistantMqtt, type HomeAssistantMqttOptions } from '../../../src/outputs/mqtt/ha-mqtt.js';
import { registryConfigSchema } from '../../../src/registry/config.js';
import { FaceRegistry } from '../../../src/registry/face-registry.js';
import { snapshotLinks } from '../../../src/server/snapshot-links.js';
import { SnapshotSigner } from '../../../src/server/snapshot-signer.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { waitUntil as until } from '../../helpers/argus-process.js';
import { startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';
import { MqttWatch } from '../../helpers/mqtt-watch.js';

function event(over: Partial<ArgusEvent> & Pick<ArgusEvent, 'id' | 'kind'>): ArgusEvent {
  return {
    camera: 'front_door',
    label: over.kind,
    sub_label: null,
    score: 0.9,
    top_score: 0.9,
    box: [0, 0, 10, 10],
    zones: [],
    start_time: 1_795_000_000,
    end_time: null,
    snapshot: `events/${over.id}/snapshot.jpg`,
    attributes: {},
    ...over,
  };
}

/** A face sample nobody else resembles: one axis of a 16-d embedding. */
const sample = (axis: number) => {
  const embedding = new Float32Array(16);
  embedding[axis] = 1;
  return [{ embedding, crop: null, source: 'photo' as const, sourceRef: null, box: null }];
};

describe('people and zones in Home Assistant, against a real broker', () => {
  let broker: TestBroker;
  let dir: string;
  const cleanup: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    broker = await startBroker();
    dir = mkdtempSync(join(tmpdir(), 'argus-ha-people-'));
  });
  afterAll(async () => broker?.stop());
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function watch(filter: string): Promise<MqttWatch> {
    const w = await MqttWatch.open(broker.url, filter);
    cleanup.push(() => w.close());
    return w;
  }

  async function start(base: string, db: Db, over: Partial<HomeAssistantMqttOptions> = {}) {
    const bus = new EventBus();
    const mqtt = new MqttConnection({ url: broker.url, baseTopic: base, logger: silentLogger() });
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus,
      db,
      cameras: ['front_door'],
      kinds: new EventKinds(ANALYZERS),
      discoveryPrefix: `${base}_ha`,
      version: '9.9.9',
      logger: silentLogger(),
      onPause: () => undefined,
      loadSnapshot: async () => undefined,
      snapshotUrl: snapshotLinks({ signer: new SnapshotSigner(Buffer.alloc(32, 9)), ttlSeconds: 3600, publicUrl: 'http://argus.local:8100' }),
      ...over,
    });
    mqtt.start();
    ha.start();
    const stop = async () => {
      ha.stop();
      await mqtt.stop();
    };
    cleanup.push(stop);
    await until('the connection', () => mqtt.connected);
    return { bus, mqtt, ha, stop };
  }

  const config = (w: MqttWatch, topic: string) => {
    const payload = w.last(topic);
    return payload ? (JSON.parse(payload) as { dev: { name: string }; cmps: Record<string, Record<string, unknown>> }) : undefined;
  };

  it('gives each enrolled person a sensor: last camera, attributes, away after the quiet time, gone when deleted', async () => {
    const db = openDatabase(join(dir, 'people.db'));
    const bus = new EventBus();
    const registry = new FaceRegistry({
      db,
      config: registryConfigSchema.parse({ backups: { keep: 0 } }),
      dataDir: dir,
      model: 'faceres',
      logger: silentLogger(),
      onChange: (counts) => bus.emit('facesChanged', counts),
    });
    registry.start();
    cleanup.push(() => registry.stop());
    const alice = registry.enrol('Alice', sample(0)).person;
    const bob = registry.enrol('Bob', sample(1)).person;
    let now = 1_800_000_000_000;
    const w = await watch('p1/#');
    const disc = await watch('p1_ha/#');
    const people = () => registry.list().map(({ id, name, externalId }) => ({ id, name, externalId }));
    const first = await start('p1', db, { bus, people, awayAfterSeconds: 60, clock: () => now, tickMs: 20 });

    const device = await until('the people device', () => config(disc, 'p1_ha/device/p1_people/config'));
    expect(device.dev.name).toBe('Argus people');
    expect(device.cmps[`p1_person_${alice.id}`]).toMatchObject({ p: 'sensor', name: 'Alice', default_entity_id: 'sensor.p1_alice', state_topic: `p1/people/${alice.id}` });
    expect(device.cmps[`p1_person_${bob.id}`]).toMatchObject({ name: 'Bob', json_attributes_topic: `p1/people/${bob.id}/attributes` });
    await w.waitFor(`p1/people/${alice.id}`, 'away');
    await w.waitFor(`p1/people/${bob.id}`, 'away');

    // Alice's face is recognised at the front door.
    const face = event({ id: 'f1', kind: 'face', label: 'face', sub_label: 'Alice', attributes: { similarity: 0.8 } });
    bus.emit('event', { type: 'start', event: face });
    await w.waitFor(`p1/people/${alice.id}`, 'front_door');
    const attrs = JSON.parse(w.last(`p1/people/${alice.id}/attributes`)!);
    expect(attrs).toMatchObject({ camera: 'front_door', similarity: 0.8, event_id: 'f1', time: new Date(now).toISOString() });
    expect(attrs.snapshot_url).toMatch(/^http:\/\/argus\.local:8100\/api\/events\/f1\/snapshot\.jpg\?exp=\d+&sig=[0-9a-f]{64}$/);
    expect(w.last(`p1/people/${bob.id}`)).toBe('away');
    // Someone not enrolled changes nobody's sensor.
    bus.emit('event', { type: 'start', event: event({ id: 'f2', kind: 'face', label: 'face', sub_label: 'Mallory', camera: 'garden' }) });

    // While her event is open she stays, however long; once it ends, the quiet time runs.
    now += 120_000;
    await new Promise((r) => setTimeout(r, 100));
    expect(w.last(`p1/people/${alice.id}`)).toBe('front_door');
    bus.emit('event', { type: 'end', event: { ...face, end_time: now / 1000 } });
    now += 30_000;
    await new Promise((r) => setTimeout(r, 100));
    expect(w.last(`p1/people/${alice.id}`)).toBe('front_door');
    now += 31_000;
    await w.waitFor(`p1/people/${alice.id}`, 'away');
    // The last sighting stays in the attributes while away.
    expect(JSON.parse(w.last(`p1/people/${alice.id}/attributes`)!).event_id).toBe('f1');

    // Seen again, on another camera; then a restart keeps the state (kept in SQLite).
    bus.emit('event', { type: 'start', event: event({ id: 'f3', kind: 'face', label: 'face', camera: 'garden', sub_label: 'Bob' }) });
    await w.waitFor(`p1/people/${bob.id}`, 'garden');
    await first.stop();
    cleanup.splice(cleanup.indexOf(first.stop), 1);
    const fresh = await watch('p1/people/#');
    await start('p1', db, { bus, people, awayAfterSeconds: 60, clock: () => now, tickMs: 20 });
    await fresh.waitFor(`p1/people/${bob.id}`, 'garden');

    // The id the household gave them is an attribute, for automations that map to HA's person entities.
    registry.update('Bob', { externalId: 'person.bob' });
    await until('the external id', () => JSON.parse(fresh.last(`p1/people/${bob.id}/attributes`) ?? '{}').external_id === 'person.bob');
    expect(JSON.parse(fresh.last(`p1/people/${bob.id}/attributes`)!)).toMatchObject({ camera: 'garden', event_id: 'f3' });

    // A rename keeps the entity (same unique id) under the new name; a delete removes it and its state.
    registry.update('Bob', { name: 'Robert' });
    await until('the renamed sensor', () => config(disc, 'p1_ha/device/p1_people/config')?.cmps[`p1_person_${bob.id}`]?.name === 'Robert');
    registry.removePerson('Alice');
    // sent as its platform alone: how HA is told to remove one component of a device
    await until('Alice removed', () => isDeepStrictEqual(config(disc, 'p1_ha/device/p1_people/config')?.cmps[`p1_person_${alice.id}`], { p: 'sensor' }));
    await w.waitFor(`p1/people/${alice.id}`, '');
    registry.removePerson('Robert');
    await until('the people device cleared', () => disc.last('p1_ha/device/p1_people/config') === '');
  });

  it('keeps a person on the camera they were last seen on when an earlier visit elsewhere ends (it jumped back to the one they left)', async () => {
    const db = openDatabase(join(dir, 'moved.db'));
    const bus = new EventBus();
    const registry = new FaceRegistry({ db, config: registryConfigSchema.parse({ backups: { keep: 0 } }), dataDir: dir, model: 'faceres', logger: silentLogger() });
    registry.start();
    cleanup.push(() => registry.stop());
    const anna = registry.enrol('Anna', sample(2)).person;
    let now = 1_800_000_000_000;
    const w = await watch('m1/#');
    const people = () => registry.list().map(({ id, name }) => ({ id, name }));
    await start('m1', db, { bus, people, awayAfterSeconds: 600, clock: () => now, tickMs: 20 });
    const garden = event({ id: 'g1', kind: 'face', label: 'face', sub_label: 'Anna', camera: 'garden', start_time: now / 1000 });
    bus.emit('event', { type: 'start', event: garden });
    await w.waitFor(`m1/people/${anna.id}`, 'garden');
    now += 40_000;
    bus.emit('event', { type: 'start', event: event({ id: 'b1', kind: 'face', label: 'face', sub_label: 'Anna', camera: 'back', start_time: now / 1000 }) });
    await w.waitFor(`m1/people/${anna.id}`, 'back');
    const seenAtBack = JSON.parse(w.last(`m1/people/${anna.id}/attributes`)!).time;
    // the garden visit ends (its cooldown ran out): she is still at the back, seen when she was
    now += 20_000;
    bus.emit('event', { type: 'end', event: { ...garden, end_time: garden.start_time + 5 } });
    await new Promise((r) => setTimeout(r, 100));
    expect(w.last(`m1/people/${anna.id}`)).toBe('back');
    expect(JSON.parse(w.last(`m1/people/${anna.id}/attributes`)!)).toMatchObject({ camera: 'back', event_id: 'b1', time: seenAtBack });
  });

  it('counts people per zone from the open person events that stand in it', async () => {
    const db = openDatabase(join(dir, 'zones.db'));
    const w = await watch('z1/#');
    const disc = await watch('z1_ha/#');
    const { bus } = await start('z1', db, { zones: { front_door: ['porch', 'drive'] } });
    const cfg = await until('the camera config', () => config(disc, 'z1_ha/device/z1_front_door/config'));
    expect(cfg.cmps.z1_front_door_zone_porch_person_count).toMatchObject({ p: 'sensor', name: 'Porch person count', state_topic: 'z1/front_door/zones/porch/person_count' });
    expect(cfg.cmps.z1_front_door_zone_drive_occupancy).toMatchObject({ p: 'binary_sensor', device_class: 'occupancy', state_topic: 'z1/front_door/zones/drive/occupancy' });
    await w.waitFor('z1/front_door/zones/porch/occupancy', 'OFF');
    expect(w.last('z1/front_door/zones/porch/person_count')).toBe('0');

    const a = event({ id: 'a', kind: 'person', zones: ['porch'], current_zones: ['porch'] });
    const b = event({ id: 'b', kind: 'person', zones: ['porch', 'drive'], current_zones: ['porch', 'drive'] });
    bus.emit('event', { type: 'start', event: a });
    bus.emit('event', { type: 'start', event: b });
    // A face in the porch is not a second person.
    bus.emit('event', { type: 'start', event: event({ id: 'f', kind: 'face', label: 'face', current_zones: ['porch'] }) });
    await w.waitFor('z1/front_door/zones/porch/person_count', '2');
    expect(w.last('z1/front_door/zones/porch/occupancy')).toBe('ON');
    expect(w.last('z1/front_door/zones/drive/person_count')).toBe('1');
    // b walks off the drive (an update with new current zones), then a leaves.
    bus.emit('event', { type: 'update', event: { ...b, current_zones: ['porch'] } });
    await w.waitFor('z1/front_door/zones/drive/occupancy', 'OFF');
    bus.emit('event', { type: 'end', event: a });
    await w.waitFor('z1/front_door/zones/porch/person_count', '1');
    // b out of view, its event still open: nobody counted in the porch, which stays occupied until it ends
    bus.emit('inView', { camera: 'front_door', events: [event({ id: 'f', kind: 'face', label: 'face', current_zones: ['porch'] })] });
    await w.waitFor('z1/front_door/zones/porch/person_count', '0');
    expect(w.last('z1/front_door/zones/porch/occupancy')).toBe('ON');
    bus.emit('event', { type: 'end', event: b });
    await w.waitFor('z1/front_door/zones/porch/occupancy', 'OFF');
  });

  it("counts a zone from one frame's view, not from event messages that arrive one by one", async () => {
    const db = openDatabase(join(dir, 'zones-once.db'));
    const w = await watch('z2/#');
    const { bus } = await start('z2', db, { zones: { front_door: ['porch'] } });
    await w.waitFor('z2/front_door/zones/porch/person_count', '0');
    const x = event({ id: 'x', kind: 'person', zones: ['porch'], current_zones: ['porch'] });
    const y = event({ id: 'y', kind: 'person', current_zones: [] });
    for (const e of [x, y]) bus.emit('event', { type: 'start', event: e });
    bus.emit('inView', { camera: 'front_door', events: [x, y] });
    await w.waitFor('z2/front_door/zones/porch/person_count', '1');
    // One frame: x steps out of the porch as y steps in. EventManager says so at once; the two
    // updates reach the bus later, one at a time, each after its snapshot is written.
    const [x2, y2] = [
      { ...x, current_zones: [] },
      { ...y, zones: ['porch'], current_zones: ['porch'] },
    ];
    bus.emit('inView', { camera: 'front_door', events: [x2, y2] });
    bus.emit('event', { type: 'update', event: y2 });
    bus.emit('event', { type: 'update', event: x2 });
    // Stopping ends every event, with no last word on what is in view.
    for (const e of [x2, y2]) bus.emit('event', { type: 'end', event: e });
    await w.waitFor('z2/front_door/zones/porch/occupancy', 'OFF');
    await w.waitFor('z2/front_door/zones/porch/person_count', '0');
    const counts = w.messages.filter((m) => m.topic === 'z2/front_door/zones/porch/person_count').map((m) => m.payload);
    expect(counts).toEqual(['0', '1', '0']);
  });

  it("makes Frigate's cameras HA devices, from its camera list and from events of new cameras, and keeps them across a restart", async () => {
    const db = openDatabase(join(dir, 'frigate.db'));
    const w = await watch('fr1/#');
    const disc = await watch('fr1_ha/#');
    const first = await start('fr1', db, { frigate: true });
    first.bus.emit('sourceCameras', { source: 'frigate', cameras: ['driveway', 'front_door'], complete: true });
    const drive = await until('the Frigate camera device', () => config(disc, 'fr1_ha/device/fr1_driveway/config'));
    expect(drive.dev).toMatchObject({ name: 'Driveway', model: 'Frigate camera' });
    expect(drive.cmps.fr1_driveway_known_face).toMatchObject({ p: 'binary_sensor' });
    // Frigate decodes its streams: no motion, fps or pause of Argus'.
    expect(drive.cmps.fr1_driveway_pause).toBeUndefined();
    expect(drive.cmps.fr1_driveway_motion).toBeUndefined();
    // front_door is Argus' own camera too: it stays Argus' device.
    expect(config(disc, 'fr1_ha/device/fr1_front_door/config')?.cmps.fr1_front_door_pause).toBeDefined();

    // Events from a Frigate camera now reach its entities.
    first.bus.emit('event', { type: 'start', event: event({ id: 'ff', kind: 'face', label: 'face', camera: 'driveway', sub_label: 'Alice' }) });
    await w.waitFor('fr1/driveway/known_face', 'ON');

    // A camera added to Frigate later, seen in an event first: its device, and its states at once.
    first.bus.emit('sourceCameras', { source: 'frigate', cameras: ['garage'], complete: false });
    await until('the new camera', () => config(disc, 'fr1_ha/device/fr1_garage/config'));
    await w.waitFor('fr1/garage/known_face', 'OFF');
    // Frigate's camera names may hold capitals and hyphens; entity ids may not.
    first.bus.emit('sourceCameras', { source: 'frigate', cameras: ['Back-Yard'], complete: false });
    const yard = await until('Back-Yard', () => config(disc, 'fr1_ha/device/fr1_Back-Yard/config'));
    expect(yard.cmps['fr1_Back-Yard_known_face'].default_entity_id).toBe('binary_sensor.fr1_back_yard_known_face');
    // Frigate decodes its cameras: no availability or fps of theirs is sent.
    first.bus.emit('cameraStatus', {
      name: 'garage',
      enabled: true,
      connected: true,
      fps: 0,
      framesReceived: 0,
      framesDropped: 0,
      reconnects: 0,
      lastError: null,
      lastFrameTime: null,
      width: 0,
      height: 0,
    });

    // A restart does not clear them before Frigate answers; Frigate's full list then drops the one it lost.
    await first.stop();
    cleanup.splice(cleanup.indexOf(first.stop), 1);
    const second = await start('fr1', db, { frigate: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(disc.messages.filter((m) => m.payload === '')).toEqual([]);
    second.bus.emit('sourceCameras', { source: 'frigate', cameras: ['driveway'], complete: true });
    await until('garage cleared', () => disc.last('fr1_ha/device/fr1_garage/config') === '');
    expect(disc.last('fr1_ha/device/fr1_driveway/config')).not.toBe('');
    await until("garage's state cleared", () => w.last('fr1/garage/known_face') === '');
    // …and HA coming back online (a resend) does not bring the camera that left back.
    second.mqtt.publishExternal('fr1_ha/status', 'online', { qos: 1 });
    await until('the resend', () => w.messages.filter((m) => m.topic === 'fr1/driveway/known_face').length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.last('fr1/garage/known_face')).toBe('');
    expect(w.messages.filter((m) => m.topic === 'fr1/garage/available' && m.payload !== '')).toEqual([]);

    // Frigate taken out of the config: its devices go.
    await second.stop();
    cleanup.splice(cleanup.indexOf(second.stop), 1);
    await start('fr1', db, { frigate: false });
    await until('driveway cleared', () => disc.last('fr1_ha/device/fr1_driveway/config') === '');
  });
});
