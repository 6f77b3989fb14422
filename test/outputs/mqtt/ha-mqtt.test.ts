import { mkdtempSync } from 'node:fs';
import { EventKinds } from '../../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../../src/analyzers/list.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync as mqttConnect } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/bus.js';
import type { ArgusEvent, EventMessage } from '../../../src/events/event.js';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection } from '../../../src/outputs/mqtt/connection.js';
import { HomeAssistantMqtt, type HomeAssistantMqttOptions } from '../../../src/outputs/mqtt/ha-mqtt.js';
import type { CameraStatus } from '../../../src/sources/frame.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { EmbeddedBroker } from '../../../src/outputs/mqtt/embedded-broker.js';
import { freePort, startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';
import { capturingLogger } from '../../helpers/log-lines.js';
import { MqttWatch } from '../../helpers/mqtt-watch.js';
import { waitUntil as until } from '../../helpers/argus-process.js';
import { snapshotLinks } from '../../../src/server/snapshot-links.js';
import { SnapshotSigner } from '../../../src/server/snapshot-signer.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

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

describe('Home Assistant over MQTT, against a real broker', () => {
  let broker: TestBroker;
  let dir: string;
  const running: Array<{ ha: HomeAssistantMqtt; mqtt: MqttConnection }> = [];
  const watches: MqttWatch[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    dir = mkdtempSync(join(tmpdir(), 'argus-ha-mqtt-'));
  });
  afterAll(async () => broker?.stop());
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.ha.stop();
      await r.mqtt.stop();
    }
    for (const w of watches.splice(0)) await w.close();
  });

  async function watch(filter: string): Promise<MqttWatch> {
    const w = await MqttWatch.open(broker.url, filter);
    watches.push(w);
    return w;
  }

  /** Starts the HA output with its own connection; `base` keeps each test's topics apart. */
  async function start(base: string, cameras: string[], db: Db, paused: Array<[string, boolean]> = [], extra: Partial<HomeAssistantMqttOptions> = {}) {
    const bus = new EventBus();
    const mqtt = new MqttConnection({ url: broker.url, baseTopic: base, logger: silentLogger() });
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus,
      db,
      cameras,
      kinds: new EventKinds(ANALYZERS),
      discoveryPrefix: `${base}_ha`,
      version: '9.9.9',
      logger: silentLogger(),
      onPause: (camera, p) => paused.push([camera, p]),
      loadSnapshot: async (ev) => (ev.kind === 'weapon' ? JPEG : undefined),
      snapshotUrl: snapshotLinks({ signer: new SnapshotSigner(Buffer.alloc(32, 3)), ttlSeconds: 3600, publicUrl: 'http://argus.local:8099' }),
      ...extra,
    });
    mqtt.start();
    ha.start();
    running.push({ ha, mqtt });
    await until('the connection', () => mqtt.connected);
    return { bus, mqtt, ha, paused };
  }

  it('two Argus on one broker (base topics argus and argus2) announce devices of their own; one that announced argus_… ids before keeps them', async () => {
    const prefix = 'two_ha';
    const w = await watch(`${prefix}/device/+/config`);
    await start('argus', ['front_door'], openDatabase(join(dir, 'two-1.db')), [], { discoveryPrefix: prefix });
    await start('argus2', ['front_door'], openDatabase(join(dir, 'two-2.db')), [], { discoveryPrefix: prefix });
    const topics = () => [...new Set(w.messages.filter((m) => m.payload !== '').map((m) => m.topic))].sort();
    await until('both bridges and cameras', () => (topics().length === 4 ? true : undefined));
    expect(topics()).toEqual(['argus', 'argus2'].flatMap((id) => [`${prefix}/device/${id}_bridge/config`, `${prefix}/device/${id}_front_door/config`]).sort());
    // the first's bridge still reads its own availability (the second rewrote it to argus2/available)
    const bridge = JSON.parse(w.last(`${prefix}/device/argus_bridge/config`)!);
    expect(bridge.cmps.argus_bridge_connection.state_topic).toBe('argus/available');
    expect(JSON.parse(w.last(`${prefix}/device/argus2_front_door/config`)!).cmps.argus2_front_door_motion.state_topic).toBe('argus2/front_door/motion');

    // an Argus of an earlier version with the base topic home/cams announced argus_… ids: its entity ids stay
    const legacy = openDatabase(join(dir, 'two-3.db'));
    legacy.exec(`CREATE TABLE IF NOT EXISTS ha_discovery (topic TEXT PRIMARY KEY, payload TEXT NOT NULL)`);
    legacy.prepare('INSERT INTO ha_discovery (topic, payload) VALUES (?, ?)').run('legacy_ha/device/argus_garden/config', '{"cmps":{}}');
    const old = await watch('legacy_ha/device/+/config');
    await start('home/cams', ['garden'], legacy, [], { discoveryPrefix: 'legacy_ha' });
    await until('the legacy configs', () => (old.messages.some((m) => m.topic === 'legacy_ha/device/argus_bridge/config') ? true : undefined));
    expect(JSON.parse(old.last('legacy_ha/device/argus_garden/config')!).availability).toContainEqual({ topic: 'home/cams/garden/available' });
  });

  it('keeps a camera turned off in the config (enabled: false) in HA: announced, unavailable (its pause switch too), its Stream problem saying why', async () => {
    const w = await watch('off1/#');
    const disc = await watch('off1_ha/#');
    await start('off1', ['front_door'], openDatabase(join(dir, 'off.db')), [], { disabled: ['garden'] });
    await until('the garden config', () => disc.last('off1_ha/device/off1_garden/config') || undefined);
    const garden = JSON.parse(disc.last('off1_ha/device/off1_garden/config')!);
    expect(garden.cmps.off1_garden_person).toMatchObject({ p: 'binary_sensor' });
    // its pause switch follows the device's availability (the camera's is offline): nothing to pause; a running camera's works whatever its stream does
    expect(garden.cmps.off1_garden_pause.availability).toBeUndefined();
    expect(garden.availability).toContainEqual({ topic: 'off1/garden/available' });
    const door = JSON.parse((await until('the front_door config', () => disc.last('off1_ha/device/off1_front_door/config') || undefined))!);
    expect(door.cmps.off1_front_door_pause.availability).toEqual([{ topic: 'off1/available' }]);
    await w.waitFor('off1/garden/available', 'offline');
    await w.waitFor('off1/garden/problem', 'turned off in the config (enabled: false)');
    expect(w.last('off1/garden/motion')).toBe('OFF');
  });

  it('with the broker down at start, says the configs are queued, not published, and they reach the broker when it comes up', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    const mqtt = new MqttConnection({ url: `mqtt://127.0.0.1:${port}`, baseTopic: 'late', logger: silentLogger(), reconnectMs: 200 });
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus: new EventBus(),
      db: openDatabase(join(dir, 'late.db')),
      cameras: ['front_door'],
      kinds: new EventKinds(ANALYZERS),
      discoveryPrefix: 'late_ha',
      version: '9.9.9',
      logger,
      onPause: () => {},
      loadSnapshot: async () => undefined,
    });
    mqtt.start();
    ha.start();
    running.push({ ha, mqtt });
    expect(lines.filter((l) => l.includes('Home Assistant discovery:'))).toEqual([expect.stringContaining('queued (the broker is not connected yet) 2 device config(s)')]);
    const late = new EmbeddedBroker({ port, logger: silentLogger() });
    await late.start();
    try {
      const w = await MqttWatch.open(`mqtt://127.0.0.1:${port}`, 'late_ha/#');
      watches.push(w);
      await until('the camera config', () => w.last('late_ha/device/late_front_door/config')?.includes('"late_front_door_motion"') || undefined, 10_000);
      expect(w.last('late_ha/device/late_bridge/config')).toContain('"late_bridge_connection"');
    } finally {
      ha.stop();
      await mqtt.stop();
      running.splice(
        running.findIndex((r) => r.ha === ha),
        1,
      );
      await late.stop();
    }
  });

  it('announces one retained device config per camera with what device-based discovery requires', async () => {
    const db = openDatabase(join(dir, 'announce.db'));
    await start('t1', ['front_door', 'garden'], db, [], { configurationUrl: 'http://argus.local:8099' });
    // A fresh subscriber sees only retained messages: the configs must be among them.
    const w = await watch('t1_ha/#');
    const configs = await until('both camera configs and the bridge', () => {
      const c = w.messages.filter((m) => m.topic.endsWith('/config') && m.retain);
      return c.length === 3 ? c : undefined;
    });
    expect(configs.map((c) => c.topic).sort()).toEqual(['t1_ha/device/t1_bridge/config', 't1_ha/device/t1_front_door/config', 't1_ha/device/t1_garden/config']);
    for (const { payload } of configs) {
      const cfg = JSON.parse(payload);
      expect(cfg.dev.identifiers.length).toBeGreaterThan(0);
      expect(cfg.o.name).toBe('Argus');
      expect(cfg.o.sw_version).toBe('9.9.9');
      expect(cfg.o.support_url).toMatch(/^https:\/\//);
      // HA's device page links to the web UI ("Visit")
      expect(cfg.dev.configuration_url).toBe('http://argus.local:8099');
      const cmps = Object.values(cfg.cmps) as Array<Record<string, unknown>>;
      expect(cmps.length).toBeGreaterThan(0);
      for (const c of cmps) {
        expect(typeof c.p).toBe('string');
        expect(typeof c.unique_id).toBe('string');
        expect(c.default_entity_id).toBe(`${c.p}.${c.unique_id}`);
        expect(c).not.toHaveProperty('object_id');
      }
    }
    const door = JSON.parse(configs.find((c) => c.topic.includes('front_door'))!.payload);
    expect(door.dev.via_device).toBe('t1_bridge');
    expect(door.availability).toEqual([{ topic: 't1/available' }, { topic: 't1/front_door/available' }]);
    const byKey = (k: string) => door.cmps[`t1_front_door_${k}`];
    // the stream's problem stays available while the camera is not: that is when it says something
    expect(byKey('problem')).toMatchObject({ p: 'sensor', state_topic: 't1/front_door/problem', entity_category: 'diagnostic', availability: [{ topic: 't1/available' }] });
    expect(byKey('weapon')).toMatchObject({ p: 'binary_sensor', device_class: 'safety', state_topic: 't1/front_door/weapon' });
    expect(byKey('person')).toMatchObject({ p: 'binary_sensor', device_class: 'occupancy' });
    for (const k of ['known_face', 'unknown_face', 'motion']) expect(byKey(k).p).toBe('binary_sensor');
    // "Detected" / "Clear" in HA, not On / Off
    for (const k of ['known_face', 'unknown_face']) expect(byKey(k).device_class).toBe('occupancy');
    // each component at QoS 1 itself (HA may not carry the device's `qos` over)
    for (const c of Object.values(door.cmps) as Array<Record<string, unknown>>) expect(c.qos).toBe(1);
    // The proctor's: announced on every camera, off where the proctor is (docs/proctoring.md).
    expect(byKey('suspicious')).toMatchObject({ p: 'binary_sensor', device_class: 'problem' });
    expect(byKey('proctor_incident')).toMatchObject({ p: 'event', event_types: ['proctor_incident'] });
    for (const k of ['person_count', 'last_face', 'fps']) expect(byKey(k).p).toBe('sensor');
    expect(byKey('snapshot')).toMatchObject({ p: 'image', image_topic: 't1/front_door/image' });
    expect(byKey('face_recognized')).toMatchObject({ p: 'event', event_types: ['face_recognized'] });
    expect(byKey('weapon_detected')).toMatchObject({ p: 'event', event_types: ['weapon_detected'] });
    expect(byKey('fall')).toMatchObject({ p: 'binary_sensor', device_class: 'safety', state_topic: 't1/front_door/fall' });
    expect(byKey('pose_detected')).toMatchObject({ p: 'event', event_types: ['pose_detected'] });
    expect(byKey('pause')).toMatchObject({ p: 'switch', command_topic: 't1/front_door/pause/set' });
  });

  it('counts the open events in view once the events say which are, and keeps the binary sensor on their being open', async () => {
    const db = openDatabase(join(dir, 'in-view.db'));
    const w = await watch('t9/#');
    const { bus } = await start('t9', ['front_door'], db);
    const last = (k: string) => w.last(`t9/front_door/${k}`);
    await w.waitFor('t9/front_door/person', 'OFF');

    // Once the events say what is in view, the count counts those: an open event out of view
    // (someone who left, not yet ended; half a track split at a cut) is not in it.
    const [p3, p4, p5] = ['p3', 'p4', 'p5'].map((id) => event({ id, kind: 'person' }));
    for (const p of [p3, p4, p5]) bus.emit('event', { type: 'start', event: p });
    await w.waitFor('t9/front_door/person_count', '3');
    bus.emit('inView', { camera: 'front_door', events: [p3, p5] });
    await w.waitFor('t9/front_door/person_count', '2');
    expect(last('person')).toBe('ON');
    bus.emit('inView', { camera: 'front_door', events: [] });
    await w.waitFor('t9/front_door/person_count', '0');
    // nobody in view, events still open: the Person sensor stays on until they end
    expect(last('person')).toBe('ON');
    for (const p of [p3, p4, p5]) bus.emit('event', { type: 'end', event: { ...p, end_time: p.start_time + 1 } });
    await w.waitFor('t9/front_door/person', 'OFF');
  });

  it('turns states on and off from the events on the bus', async () => {
    const db = openDatabase(join(dir, 'states.db'));
    const w = await watch('t2/#');
    const { bus, ha: t2 } = await start('t2', ['front_door'], db, [], { people: () => [{ id: 7, name: 'barack_obama', externalId: 'person.barack' }] });
    const last = (k: string) => w.last(`t2/front_door/${k}`);
    await w.waitFor('t2/front_door/person', 'OFF');
    expect(last('person_count')).toBe('0');

    const p1 = event({ id: 'p1', kind: 'person' });
    const p2 = event({ id: 'p2', kind: 'person' });
    bus.emit('event', { type: 'start', event: p1 });
    bus.emit('event', { type: 'start', event: p2 });
    await w.waitFor('t2/front_door/person_count', '2');
    expect(last('person')).toBe('ON');
    bus.emit('event', { type: 'end', event: { ...p1, end_time: p1.start_time + 3 } });
    await w.waitFor('t2/front_door/person_count', '1');
    expect(last('person')).toBe('ON');
    bus.emit('event', { type: 'end', event: { ...p2, end_time: p2.start_time + 4 } });
    await w.waitFor('t2/front_door/person', 'OFF');
    expect(last('person_count')).toBe('0');

    // An unknown face that is recognised on an update: unknown → known, one face_recognized event.
    const face = event({ id: 'f1', kind: 'face', label: 'face' });
    bus.emit('event', { type: 'start', event: face });
    await w.waitFor('t2/front_door/unknown_face', 'ON');
    const known = { ...face, sub_label: 'barack_obama', attributes: { similarity: 0.71 } };
    bus.emit('event', { type: 'update', event: known });
    bus.emit('event', { type: 'update', event: { ...known, score: 0.95 } });
    await w.waitFor('t2/front_door/known_face', 'ON');
    expect(last('unknown_face')).toBe('OFF');
    await w.waitFor('t2/front_door/last_face', 'barack_obama');
    expect(JSON.parse(last('last_face/attributes')!)).toMatchObject({ similarity: 0.71, event_id: 'f1' });
    const recognised = w.messages.filter((m) => m.topic === 't2/front_door/face_recognized');
    expect(recognised).toHaveLength(1);
    expect(JSON.parse(recognised[0].payload)).toMatchObject({
      event_type: 'face_recognized',
      name: 'barack_obama',
      // the registry's id and the household's external id: a rename changes neither
      person_id: 7,
      external_id: 'person.barack',
      similarity: 0.71,
      snapshot_url: expect.stringMatching(/^http:\/\/argus\.local:8099\/api\/events\/f1\/snapshot\.jpg\?exp=\d+&sig=[0-9a-f]{64}$/),
    });
    // when Argus fired it, so an automation can tell a message the broker held back
    expect(Math.abs(Date.parse(JSON.parse(recognised[0].payload).time) - Date.now())).toBeLessThan(60_000);
    bus.emit('event', { type: 'end', event: known });
    await w.waitFor('t2/front_door/known_face', 'OFF');
    // renamed in the registry: Last face names them anew (the retained old name outlived the rename)
    bus.emit('personRenamed', { from: 'barack_obama', to: 'Barack Obama' });
    await w.waitFor('t2/front_door/last_face', 'Barack Obama');
    expect(JSON.parse(last('last_face/attributes')!)).toMatchObject({ event_id: 'f1' });
    bus.emit('personRenamed', { from: 'Barack Obama', to: 'barack_obama' });
    await w.waitFor('t2/front_door/last_face', 'barack_obama');

    // A weapon: the binary sensor, the event entity, and the image entity gets the snapshot JPEG.
    const knife = event({ id: 'w1', kind: 'weapon', label: 'knife', score: 0.8 });
    bus.emit('event', { type: 'start', event: knife });
    await w.waitFor('t2/front_door/weapon', 'ON');
    const detected = await until('weapon_detected', () => w.messages.find((m) => m.topic === 't2/front_door/weapon_detected'));
    expect(JSON.parse(detected.payload)).toMatchObject({ event_type: 'weapon_detected', label: 'knife', score: 0.8 });
    const image = await until('the image', () => w.messages.find((m) => m.topic === 't2/front_door/image'));
    expect(Buffer.from(image.payload, 'binary').length).toBeGreaterThan(0);
    bus.emit('event', { type: 'end', event: knife });
    await w.waitFor('t2/front_door/weapon', 'OFF');

    // Poses: a body present fires nothing of the pose's own; a saved pose fires the event entity
    // with its name; a fall turns the Fall sensor on and fires it too.
    const present = event({ id: 'q0', kind: 'pose', label: 'person' });
    const handsUp = event({ id: 'q1', kind: 'pose', label: 'hands_up', attributes: { similarity: 0.96 } });
    const fall = event({ id: 'q2', kind: 'pose', label: 'fall', score: 0.81 });
    bus.emit('event', { type: 'start', event: present });
    bus.emit('event', { type: 'start', event: handsUp });
    const posed = await until('pose_detected', () => w.messages.find((m) => m.topic === 't2/front_door/pose_detected'));
    expect(JSON.parse(posed.payload)).toMatchObject({ event_type: 'pose_detected', label: 'hands_up', similarity: 0.96 });
    expect(last('fall')).toBe('OFF'); // published with the hands_up event's states, before its event entity
    bus.emit('event', { type: 'start', event: fall });
    await w.waitFor('t2/front_door/fall', 'ON');
    const fell = await until('the fall fired', () => w.messages.find((m) => m.topic === 't2/front_door/pose_detected' && JSON.parse(m.payload).label === 'fall'));
    expect(JSON.parse(fell.payload)).toMatchObject({ event_type: 'pose_detected', label: 'fall', score: 0.81 });
    expect(w.messages.filter((m) => m.topic === 't2/front_door/pose_detected')).toHaveLength(2); // presence fired none
    for (const ev of [present, handsUp, fall]) bus.emit('event', { type: 'end', event: ev });
    await w.waitFor('t2/front_door/fall', 'OFF');

    // argus/events carries every message as JSON, in order.
    const events = w.messages.filter((m) => m.topic === 't2/events').map((m) => JSON.parse(m.payload) as EventMessage);
    expect(events.map((e) => `${e.type}:${e.event.id}`)).toEqual([
      'start:p1',
      'start:p2',
      'end:p1',
      'end:p2',
      'start:f1',
      'update:f1',
      'update:f1',
      'end:f1',
      'start:w1',
      'end:w1',
      'start:q0',
      'start:q1',
      'start:q2',
      'end:q0',
      'end:q1',
      'end:q2',
    ]);
    // Each message also carries a signed absolute snapshot link, and no access token; the event itself is unchanged.
    const first = JSON.parse(w.messages.find((m) => m.topic === 't2/events')!.payload) as EventMessage & { snapshot_url: string };
    expect(first.snapshot_url).toMatch(/^http:\/\/argus\.local:8099\/api\/events\/p1\/snapshot\.jpg\?exp=\d+&sig=[0-9a-f]{64}$/);
    expect(first.event).toEqual(p1);

    // Camera status: availability and fps.
    const status: CameraStatus = {
      name: 'front_door',
      enabled: true,
      connected: false,
      fps: 0,
      framesReceived: 0,
      framesDropped: 0,
      reconnects: 1,
      lastError: 'connection refused',
      lastFrameTime: null,
      width: 640,
      height: 360,
    };
    bus.emit('cameraStatus', status);
    await w.waitFor('t2/front_door/available', 'offline');
    // why, in words: "unavailable" alone said nothing of a wrong password
    await w.waitFor('t2/front_door/problem', 'connection refused');
    bus.emit('cameraStatus', { ...status, connected: true, fps: 4.96 });
    await w.waitFor('t2/front_door/available', 'online');
    await w.waitFor('t2/front_door/fps', '5');
    await w.waitFor('t2/front_door/problem', 'ok');
    // a clean stop says so, retained ("connecting" stayed there for any reader but HA)
    t2.stop();
    await w.waitFor('t2/front_door/problem', 'Argus is stopped');
    await w.waitFor('t2/front_door/available', 'offline');
  });

  it('brings Last face and the last picture back after a restart, to a broker that forgot them (no persistence)', async () => {
    const db = openDatabase(join(dir, 'lasts.db'));
    const first = await start('t9', ['front_door'], db);
    first.bus.emit('event', { type: 'start', event: event({ id: 'f9', kind: 'face', label: 'face', sub_label: 'barack_obama', attributes: { similarity: 0.7 } }) });
    first.bus.emit('event', { type: 'start', event: event({ id: 'w9', kind: 'weapon', label: 'knife', score: 0.8 }) });
    const w = await watch('t9/#');
    await w.waitFor('t9/front_door/last_face', 'barack_obama');
    await until('the picture', () => w.messages.find((m) => m.topic === 't9/front_door/image'));
    for (const r of running.splice(0)) {
      r.ha.stop();
      await r.mqtt.stop();
    }
    // the broker loses its retained states
    const wipe = await mqttConnect(broker.url);
    for (const topic of ['t9/front_door/last_face', 't9/front_door/last_face/attributes', 't9/front_door/image']) await wipe.publishAsync(topic, '', { retain: true });
    await wipe.endAsync();
    const fresh = await watch('t9/front_door/#');
    await start('t9', ['front_door'], db);
    await fresh.waitFor('t9/front_door/last_face', 'barack_obama');
    expect(JSON.parse(fresh.last('t9/front_door/last_face/attributes')!)).toMatchObject({ event_id: 'f9' });
    await until('the picture again', () => fresh.messages.find((m) => m.topic === 't9/front_door/image' && m.payload.length > 0));
  });

  it("sends a start's picture at once and an event's updates' pictures at most once a period, the newest last", async () => {
    const db = openDatabase(join(dir, 'images.db'));
    const w = await watch('t6/#');
    const { bus } = await start('t6', ['front_door'], db, [], { imageEveryMs: 600 });
    const images = () => w.messages.filter((m) => m.topic === 't6/front_door/image').length;
    const knife = (score: number) => event({ id: 'w6', kind: 'weapon', label: 'knife', score, top_score: score });
    bus.emit('event', { type: 'start', event: knife(0.6) });
    await until('the start picture', () => images() === 1 || undefined);
    // the score rising frame by frame: no picture each time
    for (const s of [0.62, 0.65, 0.7, 0.72]) bus.emit('event', { type: 'update', event: knife(s) });
    await new Promise((r) => setTimeout(r, 250));
    expect(images()).toBe(1);
    // the newest update's picture goes when the period is up, once
    await until('the held-back picture', () => images() === 2 || undefined);
    await new Promise((r) => setTimeout(r, 800));
    expect(images()).toBe(2);
    // another event's start does not wait
    bus.emit('event', { type: 'start', event: event({ id: 'w7', kind: 'weapon', label: 'knife', score: 0.9 }) });
    await until('the second start', () => images() === 3 || undefined);
    // but the starts of one frame (its person, face, object…) are one picture more, not one each
    await new Promise((r) => setTimeout(r, 700));
    for (const id of ['w8', 'w9', 'w10']) bus.emit('event', { type: 'start', event: event({ id, kind: 'weapon', label: 'knife' }) });
    await until('the burst picture', () => images() === 4 || undefined);
    await new Promise((r) => setTimeout(r, 1500));
    expect(images()).toBe(5); // the first at once, the newest of the others after the spacing
    expect(w.messages.filter((m) => m.topic === 't6/front_door/image').length).toBe(5);
  });

  it('pauses a camera from the switch and keeps it paused across a restart', async () => {
    const db = openDatabase(join(dir, 'pause.db'));
    const w = await watch('t3/#');
    const first = await start('t3', ['front_door', 'garden'], db);
    await w.waitFor('t3/front_door/pause', 'OFF');
    w.messages.length = 0;
    const pub = new MqttConnection({ url: broker.url, baseTopic: 'commander', logger: silentLogger() });
    pub.start();
    await until('commander connection', () => pub.connected);
    pub.publishExternal('t3/front_door/pause/set', 'ON', { qos: 1 });
    await w.waitFor('t3/front_door/pause', 'ON');
    expect(first.paused).toEqual([['front_door', true]]);
    pub.publishExternal('t3/garden/pause/set', 'bogus', { qos: 1 });
    pub.publishExternal('t3/garden/pause/set', 'OFF', { qos: 1 });
    await until('garden state echoed', () => w.messages.some((m) => m.topic === 't3/garden/pause'));
    expect(first.paused).toEqual([['front_door', true]]);
    await pub.stop();

    const r = running.pop()!;
    r.ha.stop();
    await r.mqtt.stop();
    const { logger, lines } = capturingLogger();
    const second = await start('t3', ['front_door', 'garden'], db, [], { logger });
    expect(second.paused).toEqual([['front_door', true]]);
    // said at start, so an upgrade or a restart does not leave a camera silently paused
    expect(lines.filter((l) => l.includes('stays paused')).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      "front_door: detection stays paused, as it was left; resume it on the Cameras page or with Home Assistant's Pause detection switch",
    ]);
    expect(second.ha.isPaused('front_door')).toBe(true);
    expect(second.ha.isPaused('garden')).toBe(false);
  });

  it('re-announces when Home Assistant comes online and at each start, and clears removed cameras with their states', async () => {
    const db = openDatabase(join(dir, 'reannounce.db'));
    const w = await watch('t4_ha/#');
    const first = await start('t4', ['front_door', 'garden'], db);
    const configs = () => w.messages.filter((m) => m.topic.endsWith('/config'));
    await until('3 configs', () => configs().length === 3);

    const states = await watch('t4/front_door/person');
    await until('the retained person state', () => states.messages.length === 1);
    first.mqtt.publishExternal('t4_ha/status', 'online', { qos: 1 });
    await until('a re-announce', () => configs().length === 6);
    // The current states are sent again too (live, not from the broker's retained store).
    await until('the person state re-sent', () => states.messages.some((m) => !m.retain && m.payload === 'OFF'));

    // A restart sends every config again, unchanged: a broker without persistence lost them while Argus was down.
    let r = running.pop()!;
    r.ha.stop();
    await r.mqtt.stop();
    await start('t4', ['front_door', 'garden'], db);
    await until('the configs again', () => configs().length === 9);
    expect(
      configs()
        .slice(6)
        .map((m) => m.payload),
    ).toEqual(
      configs()
        .slice(0, 3)
        .map((m) => m.payload),
    );
    const garden = await watch('t4/garden/#');
    await until("garden's retained states", () => garden.messages.some((m) => m.topic === 't4/garden/person' && m.payload === 'OFF'));

    // garden leaves the config: its retained config is cleared with an empty payload, and so are its states.
    r = running.pop()!;
    r.ha.stop();
    await r.mqtt.stop();
    await start('t4', ['front_door'], db);
    await until('garden cleared', () => w.messages.find((m) => m.topic === 't4_ha/device/t4_garden/config' && m.payload === ''));
    await until("garden's person state cleared", () => garden.messages.some((m) => m.topic === 't4/garden/person' && m.payload === ''));
    // every one of its states, not just the first (they are cleared one message each)
    const cleared = (topic: string) => garden.messages.some((m) => m.topic === topic && m.payload === '');
    await until("garden's states cleared", () => garden.messages.every((m) => cleared(m.topic)));
    const fresh = await watch('t4_ha/#');
    const freshStates = await watch('t4/#');
    await until('retained configs', () => fresh.messages.some((m) => m.topic.includes('front_door')));
    await new Promise((res) => setTimeout(res, 200));
    expect(fresh.messages.map((m) => m.topic).sort()).toEqual(['t4_ha/device/t4_bridge/config', 't4_ha/device/t4_front_door/config']);
    expect(freshStates.messages.filter((m) => m.topic.startsWith('t4/garden/'))).toEqual([]);
    expect(freshStates.messages.some((m) => m.topic === 't4/front_door/person')).toBe(true);
  });

  it("removes a zone's entities from its camera's device, as HA asks, and clears their states", async () => {
    const db = openDatabase(join(dir, 'zone-removed.db'));
    const w = await watch('t14_ha/device/t14_front_door/config');
    await start('t14', ['front_door'], db, [], { zones: { front_door: ['porch'] } });
    const porch = await watch('t14/front_door/zones/#');
    await until('the porch count', () => porch.messages.some((m) => m.topic.endsWith('porch/person_count') && m.payload === '0'));
    const r = running.pop()!;
    r.ha.stop();
    await r.mqtt.stop();
    await start('t14', ['front_door'], db);
    const cmps = () => (JSON.parse(w.messages.at(-1)?.payload ?? '{}') as { cmps?: Record<string, object> }).cmps ?? {};
    // HA leaves a component that is simply missing; one sent as its platform alone is removed.
    await until('the zone removed', () => Object.keys(cmps()).includes('t14_front_door_zone_porch_occupancy') && w.messages.length >= 2);
    expect(cmps().t14_front_door_zone_porch_occupancy).toEqual({ p: 'binary_sensor' });
    expect(cmps().t14_front_door_zone_porch_person_count).toEqual({ p: 'sensor' });
    await until('its states cleared', () =>
      ['occupancy', 'person_count'].every((k) => porch.messages.some((m) => m.topic === `t14/front_door/zones/porch/${k}` && m.payload === '')),
    );
    // The stubs stay in later configs: an HA that was down at the change still removes them.
    const again = running.pop()!;
    again.ha.stop();
    await again.mqtt.stop();
    await start('t14', ['front_door'], db);
    await until('the config again', () => w.messages.length >= 3);
    expect(cmps().t14_front_door_zone_porch_person_count).toEqual({ p: 'sensor' });
  });
});

describe('Home Assistant over MQTT, across a broker that restarts empty', () => {
  it('sends every config and state again, people included, when the connection comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-ha-restart-'));
    const port = await freePort();
    let broker = new EmbeddedBroker({ port, logger: silentLogger() });
    const url = await broker.start();
    const bus = new EventBus();
    const mqtt = new MqttConnection({ url, baseTopic: 'r1', logger: silentLogger(), reconnectMs: 100 });
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus,
      db: openDatabase(join(dir, 'restart.db')),
      cameras: ['front_door'],
      kinds: new EventKinds(ANALYZERS),
      discoveryPrefix: 'r1_ha',
      version: '9.9.9',
      logger: silentLogger(),
      onPause: () => {},
      loadSnapshot: async () => undefined,
      people: () => [{ id: 7, name: 'Anna' }],
    });
    mqtt.start();
    ha.start();
    const retained = async (filter: string, what: (topics: string[]) => boolean): Promise<string[]> =>
      until(`retained ${filter}`, async () => {
        const w = await MqttWatch.open(url, filter);
        await new Promise((r) => setTimeout(r, 150));
        await w.close();
        const topics = w.messages.filter((m) => m.retain).map((m) => m.topic);
        return what(topics) ? topics : undefined;
      });
    try {
      bus.emit('event', { type: 'start', event: event({ id: 'a', kind: 'face', label: 'face', sub_label: 'Anna' }) });
      const expected = ['r1_ha/device/r1_bridge/config', 'r1_ha/device/r1_front_door/config', 'r1_ha/device/r1_people/config', 'r1/people/7', 'r1/front_door/person'];
      await retained('#', (t) => expected.every((e) => t.includes(e)));
      // The broker restarts with nothing retained (no persistence): Argus fills it again.
      await broker.stop();
      broker = new EmbeddedBroker({ port, logger: silentLogger() });
      await broker.start();
      const after = await retained('#', (t) => expected.every((e) => t.includes(e)));
      expect(after).toEqual(expect.arrayContaining(expected));
    } finally {
      ha.stop();
      await mqtt.stop();
      await broker.stop();
    }
  });
});
