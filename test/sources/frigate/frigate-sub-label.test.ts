import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type BusEvents } from '../../../src/bus.js';
import type { EventMessage } from '../../../src/events/event.js';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection } from '../../../src/outputs/mqtt/connection.js';
import { FrigateSource } from '../../../src/sources/frigate/frigate-source.js';
import { waitUntil as until } from '../../helpers/argus-process.js';
import { FrigateStandIn } from '../../helpers/frigate-api.js';
import { startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

function frigateEvent(id: string, camera: string, subLabel: string | [string, number] | null) {
  return JSON.stringify({
    type: 'new',
    before: { id, camera, label: 'person' },
    after: { id, camera, label: 'person', sub_label: subLabel, start_time: 1_795_000_000, end_time: null, box: [10, 10, 200, 300], snapshot: { frame_time: 1 } },
  });
}

/** Frigate's sub labels and cameras, with a stand-in Frigate API and a real broker; faces are "recognised" by a stub (no models needed). */
describe('Frigate: names it already has, and the cameras it has', () => {
  let broker: TestBroker;
  let frigate: FrigateStandIn;
  let pub: MqttClient;
  const running: Array<{ source: FrigateSource; conn: MqttConnection }> = [];

  beforeAll(async () => {
    broker = await startBroker();
    frigate = await FrigateStandIn.start();
    frigate.cameras = ['porch', 'yard'];
    pub = await mqtt.connectAsync(broker.url);
  });
  afterAll(async () => {
    for (const { source, conn } of running) {
      source.stop();
      await conn.stop();
    }
    await pub?.endAsync();
    await frigate?.stop();
    await broker?.stop();
  });

  async function start(prefix: string, overwriteSubLabel: boolean) {
    const bus = new EventBus();
    const events: EventMessage[] = [];
    const cameras: Array<BusEvents['sourceCameras']> = [];
    bus.on(events, 'event', (m) => events.push(m));
    bus.on(cameras, 'sourceCameras', (m) => cameras.push(m));
    const conn = new MqttConnection({ url: broker.url, baseTopic: `${prefix}_argus`, logger: silentLogger() });
    conn.start();
    await until('connected', () => conn.connected);
    const source = new FrigateSource({
      mqtt: conn,
      frigateUrl: frigate.url,
      topicPrefix: prefix,
      labels: ['person'],
      bus,
      logger: silentLogger(),
      analyzeSnapshot: async () => ({ name: 'alice', similarity: 0.8, faceBox: [20, 20, 60, 60] }),
      snapshotAttempts: 1,
      retryMs: 0,
      overwriteSubLabel,
    });
    source.start();
    running.push({ source, conn });
    // The subscription is made on connect; give the broker a moment to register it.
    await new Promise((r) => setTimeout(r, 200));
    return { events, cameras };
  }

  it("keeps a sub label Frigate already gave, writes one where there is none, and still reports Argus' face", async () => {
    const { events } = await start('fa', false);
    frigate.addEvent('named', JPEG);
    frigate.addEvent('plain', JPEG);
    frigate.addEvent('string', JPEG);
    await pub.publishAsync('fa/events', frigateEvent('named', 'porch', ['bob', 0.93]));
    await pub.publishAsync('fa/events', frigateEvent('string', 'porch', 'carol'));
    await pub.publishAsync('fa/events', frigateEvent('plain', 'porch', null));
    await until('the three faces', () => (events.length >= 3 ? events : undefined));
    await until('the sub label for the unnamed event', () => frigate.subLabels.find((s) => s.id === 'plain'));
    await new Promise((r) => setTimeout(r, 200));
    expect(frigate.subLabels.map((s) => s.id)).toEqual(['plain']);
    expect(events.map((e) => e.event.sub_label)).toEqual(['alice', 'alice', 'alice']);
  });

  it('overwrites it when frigate.overwrite_sub_label is on', async () => {
    await start('fb', true);
    frigate.addEvent('named2', JPEG);
    await pub.publishAsync('fb/events', frigateEvent('named2', 'porch', ['bob', 0.93]));
    const set = await until('the sub label', () => frigate.subLabels.find((s) => s.id === 'named2'));
    expect(set.subLabel).toBe('alice');
  });

  it("reports Frigate's camera list, and a camera first seen in an event", async () => {
    const { cameras } = await start('fc', false);
    await until('the camera list', () => cameras.find((c) => c.complete));
    expect(cameras[0]).toEqual({ source: 'frigate', cameras: ['porch', 'yard'], complete: true });
    frigate.addEvent('new-cam', JPEG);
    await pub.publishAsync('fc/events', frigateEvent('new-cam', 'shed', null));
    const seen = await until('the new camera', () => cameras.find((c) => !c.complete));
    expect(seen).toEqual({ source: 'frigate', cameras: ['shed'], complete: false });
    // Already known: not reported again.
    await pub.publishAsync('fc/events', frigateEvent('new-cam', 'shed', null));
    await new Promise((r) => setTimeout(r, 200));
    expect(cameras.filter((c) => !c.complete)).toHaveLength(1);
  });
});
