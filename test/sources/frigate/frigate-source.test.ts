import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/bus.js';
import type { EventMessage } from '../../../src/events/event.js';
import { silentLogger } from '../../../src/log.js';
import { Detector } from '../../../src/models/detector.js';
import { cosineSimilarity } from '../../../src/models/face-embedder.js';
import { modelsSchema } from '../../../src/models/model-config.js';
import { MqttConnection } from '../../../src/outputs/mqtt/connection.js';
import { frigateSchema } from '../../../src/sources/frigate/config.js';
import { FrigateSource, type FrigateAnalysis } from '../../../src/sources/frigate/frigate-source.js';
import { frigateEventKeeper } from '../../../src/sources/frigate/keep-frigate-event.js';
import { SnapshotStore } from '../../../src/events/snapshot-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { EventStore } from '../../../src/store/events.js';
import { loadImage } from '../../../src/vision/image.js';
import { FrigateStandIn } from '../../helpers/frigate-api.js';
import { startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';
import { waitUntil as until } from '../../helpers/argus-process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = resolve(ROOT, '../shared/fixtures/faces');
// group-3.jpg (four women, none enrolled) is the unknown-faces photo: probe/two_people.jpg is in fact Obama and Biden.
const haveFixtures = existsSync(FIXTURES);
const haveModels = existsSync(join(ROOT, 'models/blazeface-back.onnx')) && existsSync(join(ROOT, 'models/faceres.onnx'));
const THRESHOLD = 0.5;

function frigateEvent(type: 'new' | 'update' | 'end', id: string, camera: string, label = 'person', frameTime = 1) {
  return JSON.stringify({
    type,
    before: { id, camera, label },
    after: {
      id,
      camera,
      label,
      sub_label: null,
      top_score: 0.8,
      false_positive: false,
      start_time: 1_795_000_000,
      end_time: type === 'end' ? 1_795_000_010 : null,
      box: [10, 10, 200, 300],
      current_zones: ['porch'],
      has_snapshot: true,
      snapshot: { frame_time: frameTime, box: [10, 10, 200, 300] },
    },
  });
}

describe.skipIf(!haveFixtures || !haveModels)('Frigate as a source: real MQTT, a local Frigate API, the real face models', () => {
  // Skipped without ../shared/fixtures (the photos) or models/*.onnx (built by `argus models build`).
  let broker: TestBroker;
  let frigate: FrigateStandIn;
  let detector: Detector;
  let conn: MqttConnection;
  let pub: MqttClient;
  let source: FrigateSource;
  const gallery: Array<{ name: string; embedding: Float32Array }> = [];
  const messages: EventMessage[] = [];
  const statuses: Array<[string, boolean]> = [];
  let knownCameras: string[] = [];
  const analyzedCameras: string[] = [];
  // where Argus keeps the events it makes of Frigate's, with their pictures
  const dataDir = mkdtempSync(join(tmpdir(), 'argus-frigate-keep-'));
  const store = new EventStore(openDatabase(join(dataDir, 'argus.db')));
  const snapshots = new SnapshotStore(join(dataDir, 'snapshots'));

  /** Matches faces the way the face registry does: best cosine similarity against enrolled embeddings. */
  async function analyze(jpeg: Buffer, camera: string): Promise<FrigateAnalysis> {
    analyzedCameras.push(camera);
    const img = await loadImage(jpeg);
    const faces = await detector.detectFaces(img);
    let best: FrigateAnalysis = { name: null };
    for (const face of faces) {
      const emb = await detector.embedFace(img, face);
      for (const g of gallery) {
        const sim = cosineSimilarity(emb, g.embedding);
        if (sim >= THRESHOLD && sim > (best.similarity ?? -1)) best = { name: g.name, similarity: sim, faceBox: face.box as FrigateAnalysis['faceBox'], faceScore: face.score };
      }
      if (!best.faceBox) best = { ...best, faceBox: face.box as FrigateAnalysis['faceBox'], faceScore: face.score };
    }
    return best;
  }

  beforeAll(async () => {
    detector = await Detector.create({ config: modelsSchema.parse({}), logger: silentLogger(), families: ['faces'] });
    for (const name of ['barack_obama', 'joe_biden', 'kit_harington']) {
      const dir = join(FIXTURES, 'known', name);
      const file = join(dir, readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f))[0]);
      const img = await loadImage(file);
      const [face] = await detector.detectFaces(img);
      gallery.push({ name, embedding: await detector.embedFace(img, face) });
    }
    broker = await startBroker();
    frigate = await FrigateStandIn.start();
    const bus = new EventBus();
    bus.on({}, 'event', (m) => messages.push(m));
    bus.on({}, 'cameraStatus', (s) => statuses.push([s.name, s.connected]));
    frigate.cameras = ['driveway', 'garden', 'front_door', 'back_yard', 'street', 'attic'];
    conn = new MqttConnection({ url: broker.url, baseTopic: 'argus_frigate_test', logger: silentLogger() });
    conn.start();
    const cfg = frigateSchema.parse({ url: frigate.url, labels: ['person'], retry_interval: 0.05 });
    source = new FrigateSource({
      mqtt: conn,
      frigateUrl: cfg.url!,
      topicPrefix: cfg.topic_prefix,
      labels: cfg.labels,
      analyzeSnapshot: analyze,
      bus,
      logger: silentLogger(),
      snapshotAttempts: cfg.snapshot_attempts,
      retryMs: cfg.retry_interval * 1000,
      setSubLabel: cfg.set_sub_label,
      cameras: ['driveway', 'garden', 'front_door', 'back_yard', 'street', 'nowhere'],
      keep: frigateEventKeeper({ store, snapshots }),
    });
    knownCameras = await source.cameras();
    source.start();
    pub = await mqtt.connectAsync(broker.url);
    await until('subscriber connected', () => conn.connected);
    await new Promise((r) => setTimeout(r, 200));
  }, 120_000);

  afterAll(async () => {
    source?.stop();
    await pub?.endAsync();
    await conn?.stop();
    await frigate?.stop();
    await broker?.stop();
    await detector?.close();
  });

  it('learns the watched cameras from Frigate’s config and reports them up, so HA can list them before any event', () => {
    expect(knownCameras).toEqual(['driveway', 'garden', 'front_door', 'back_yard', 'street']);
    expect(statuses).toEqual(knownCameras.map((c) => [c, true]));
  });

  it('fetches the snapshot of a new person event, recognises the face and writes the name back as sub label', async () => {
    frigate.addEvent('1795000000.1-abc', readFileSync(join(FIXTURES, 'probe/obama1.jpg')), 1);
    await pub.publishAsync('frigate/events', frigateEvent('new', '1795000000.1-abc', 'driveway'));
    const label = await until('the sub label POST', () => frigate.subLabels.find((s) => s.id === '1795000000.1-abc'));
    expect(label.subLabel).toBe('barack_obama');
    expect(label.subLabelScore).toBeGreaterThan(THRESHOLD);
    expect(label.subLabelScore).toBeLessThanOrEqual(1);
    // One 404 (no snapshot yet), then the JPEG.
    expect(frigate.snapshotRequests.filter((r) => r === '1795000000.1-abc')).toHaveLength(2);
    const start = messages.find((m) => m.type === 'start' && m.event.attributes?.frigate_event_id === '1795000000.1-abc')!;
    expect(start.event).toMatchObject({ camera: 'driveway', kind: 'face', sub_label: 'barack_obama', zones: ['porch'] });

    // Further updates of a recognised event cost nothing; the end closes the Argus event.
    await pub.publishAsync('frigate/events', frigateEvent('update', '1795000000.1-abc', 'driveway', 'person', 2));
    await pub.publishAsync('frigate/events', frigateEvent('end', '1795000000.1-abc', 'driveway', 'person', 2));
    const end = await until('the end', () => messages.find((m) => m.type === 'end' && m.event.id === start.event.id));
    expect(end.event.end_time).toBe(1_795_000_010);
    // kept as a camera's event is: the row (ended), and the snapshot drawn with the face as its picture
    expect(start.event.snapshot).toBe(`events/${start.event.id}/snapshot.jpg`);
    expect(store.get(start.event.id)).toMatchObject({ sub_label: 'barack_obama', end_time: 1_795_000_010, snapshot: start.event.snapshot });
    for (const file of ['snapshot.jpg', 'crop.jpg'] as const) expect([...(await snapshots.load(start.event.id, file))!.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(frigate.snapshotRequests.filter((r) => r === '1795000000.1-abc')).toHaveLength(2);
    expect(frigate.subLabels.filter((s) => s.id === '1795000000.1-abc')).toHaveLength(1);
  });

  it('leaves unknown faces without a sub label, and ignores labels it does not watch', async () => {
    frigate.addEvent('e-unknown', readFileSync(join(FIXTURES, '../people/group-3.jpg')));
    frigate.addEvent('e-car', readFileSync(join(FIXTURES, 'probe/obama1.jpg')));
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-car', 'street', 'car'));
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-unknown', 'garden'));
    const face = await until('an unknown face', () => messages.find((m) => m.event.attributes?.frigate_event_id === 'e-unknown'));
    expect(face.event).toMatchObject({ kind: 'face', sub_label: null, camera: 'garden' });
    // scored by the face's detection, as a camera's face event is (a stranger has no similarity)
    expect(face.event.score).toBeGreaterThan(0.5);
    expect(frigate.subLabels.some((s) => s.id === 'e-unknown')).toBe(false);
    expect(frigate.snapshotRequests).not.toContain('e-car');
  });

  it('gives up on a snapshot that never comes after the set tries, without holding up another camera', async () => {
    frigate.addEvent('e-never', Buffer.alloc(0), 1_000);
    frigate.addEvent('e-biden', readFileSync(join(FIXTURES, 'probe/obama_and_biden.jpg')));
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-never', 'back_yard'));
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-biden', 'front_door'));
    const label = await until('the second camera’s sub label', () => frigate.subLabels.find((s) => s.id === 'e-biden'));
    expect(['barack_obama', 'joe_biden']).toContain(label.subLabel);
    await until('three tries', () => frigate.snapshotRequests.filter((r) => r === 'e-never').length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(frigate.snapshotRequests.filter((r) => r === 'e-never')).toHaveLength(3);
    expect(analyzedCameras).not.toContain('back_yard');
  });
});
