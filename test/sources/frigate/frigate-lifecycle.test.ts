import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/bus.js';
import type { ArgusEvent, EventMessage } from '../../../src/events/event.js';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection } from '../../../src/outputs/mqtt/connection.js';
import { type AnalyzeSnapshot, FrigateSource } from '../../../src/sources/frigate/frigate-source.js';
import { waitUntil as until } from '../../helpers/argus-process.js';
import { FrigateStandIn } from '../../helpers/frigate-api.js';
import { startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

/** A Frigate 0.14 `frigate/events` message; `over` changes `after`. */
function frigateEvent(type: 'new' | 'update' | 'end', id: string, over: Record<string, unknown> = {}) {
  const after = {
    id,
    camera: 'porch',
    label: 'person',
    sub_label: null,
    start_time: 1_795_000_000,
    end_time: type === 'end' ? 1_795_000_010 : null,
    box: [600, 0, 1100, 700],
    current_zones: [],
    snapshot: { frame_time: 1_795_000_001, box: [620, 10, 1080, 690] },
    ...over,
  };
  return JSON.stringify({ type, before: after, after });
}

/**
 * Frigate's events over their life, whatever a face analysis says (a stub here; the registry's
 * own choice of face is tested with the real models): what Argus is told of the event's person,
 * its events at a stop, across a restart, when Frigate never ends one, and a malformed message.
 */
describe('Frigate events over their life: real MQTT and a local Frigate API', () => {
  let broker: TestBroker;
  let frigate: FrigateStandIn;
  let conn: MqttConnection;
  let pub: MqttClient;
  const sources: FrigateSource[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    frigate = await FrigateStandIn.start();
    frigate.cameras = ['porch'];
    conn = new MqttConnection({ url: broker.url, baseTopic: 'argus_frigate_life', logger: silentLogger() });
    conn.start();
    pub = await mqtt.connectAsync(broker.url);
    await until('subscriber connected', () => conn.connected);
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
  });
  afterAll(async () => {
    await pub?.endAsync();
    await conn?.stop();
    await frigate?.stop();
    await broker?.stop();
  });

  /** A started source; `analyses` holds what each analysis was told of the event's person. */
  async function source(over: { kept?: (id: string) => ArgusEvent | null; clock?: { now: number }; name?: string | null } = {}) {
    const bus = new EventBus();
    const messages: EventMessage[] = [];
    bus.on({}, 'event', (m) => messages.push(structuredClone(m)));
    const analyses: Parameters<AnalyzeSnapshot>[2][] = [];
    const s = new FrigateSource({
      mqtt: conn,
      frigateUrl: frigate.url,
      topicPrefix: 'frigate',
      labels: ['person'],
      analyzeSnapshot: async (_jpeg, _camera, person) => {
        analyses.push(person);
        const name = over.name === undefined ? 'ada' : over.name;
        return { name, similarity: name ? 0.8 : undefined, faceBox: [700, 50, 760, 120], faceScore: 0.9 };
      },
      bus,
      logger: silentLogger(),
      snapshotAttempts: 1,
      retryMs: 10,
      kept: over.kept,
      staleAfter: 600,
      ...(over.clock ? { now: () => over.clock!.now } : {}),
    });
    await s.cameras();
    s.start();
    sources.push(s);
    await new Promise((r) => setTimeout(r, 100)); // subscribed
    return { s, bus, messages, analyses };
  }

  it("tells the analysis the event's person box in its snapshot and Frigate's detect size: in a frame of two, this person's face", async () => {
    const { messages, analyses } = await source();
    frigate.addEvent('e-right', JPEG);
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-right'));
    await until('the start', () => messages.find((m) => m.type === 'start'));
    expect(analyses[0]).toEqual({ box: [620, 10, 1080, 690], width: 1280, height: 720 });
  });

  it("keeps every zone the person entered: Frigate's entered_zones, and those entered after the face was named", async () => {
    const { messages } = await source();
    frigate.addEvent('e-walk', JPEG);
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-walk', { current_zones: ['driveway'], entered_zones: ['driveway'] }));
    const start = await until('the start', () => messages.find((m) => m.type === 'start'));
    expect(start.event.zones).toEqual(['driveway']);
    await pub.publishAsync('frigate/events', frigateEvent('update', 'e-walk', { current_zones: ['porch'], entered_zones: ['driveway', 'porch'] }));
    await pub.publishAsync('frigate/events', frigateEvent('end', 'e-walk', { current_zones: [], entered_zones: ['driveway', 'porch'] }));
    const end = await until('the end', () => messages.find((m) => m.type === 'end'));
    expect(end.event.zones).toEqual(['driveway', 'porch']);
  });

  it('ends its open events at a stop, as a camera ends its own', async () => {
    const { s, messages } = await source();
    frigate.addEvent('e-stop', JPEG);
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-stop'));
    await until('the start', () => messages.find((m) => m.type === 'start'));
    await s.stop();
    sources.splice(sources.indexOf(s), 1);
    expect(messages.map((m) => [m.type, m.event.id, m.event.sub_label])).toEqual([
      ['start', 'frigate-e-stop-face', 'ada'],
      ['end', 'frigate-e-stop-face', 'ada'],
    ]);
    expect(messages[1].event.end_time).toEqual(expect.any(Number));
  });

  it('goes on with an event announced before a restart: no second start, and its end still comes', async () => {
    const before: ArgusEvent = {
      id: 'frigate-e-again-face',
      camera: 'porch',
      kind: 'face',
      label: 'face',
      sub_label: 'ada',
      score: 0.9,
      top_score: 0.9,
      box: [700, 50, 760, 120],
      zones: [],
      start_time: 1_795_000_000,
      end_time: 1_795_000_005, // ended by the restart (closeInterrupted)
      snapshot: null,
      attributes: {},
    };
    const { messages, analyses } = await source({ kept: (id) => (id === before.id ? before : null) });
    frigate.addEvent('e-again', JPEG);
    await pub.publishAsync('frigate/events', frigateEvent('update', 'e-again', { snapshot: { frame_time: 1_795_000_050 } }));
    await pub.publishAsync('frigate/events', frigateEvent('end', 'e-again'));
    await until('the end', () => messages.find((m) => m.type === 'end'));
    expect(messages.map((m) => [m.type, m.event.id])).toEqual([['end', before.id]]);
    expect(messages[0].event.end_time).toBe(1_795_000_010);
    expect(analyses).toEqual([]); // named already: not analysed again
  });

  it('ends an event Frigate never ends, at its last word, once nothing is heard of it for staleAfter', async () => {
    const clock = { now: 1_795_000_100 };
    const { s, messages } = await source({ clock, name: null });
    frigate.addEvent('e-lost', JPEG);
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-lost'));
    await until('the start', () => messages.find((m) => m.type === 'start'));
    clock.now += 599;
    s.endStale();
    await new Promise((r) => setTimeout(r, 50));
    expect(messages.map((m) => m.type)).toEqual(['start']);
    clock.now += 2;
    s.endStale();
    const end = await until('the end', () => messages.find((m) => m.type === 'end'));
    expect(end.event.end_time).toBe(1_795_000_100);
  });

  it('ignores a message without a start time, and leaves out a box or zones of the wrong shape', async () => {
    const { messages, analyses } = await source();
    frigate.addEvent('e-bad', JPEG);
    frigate.addEvent('e-odd', JPEG);
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-bad', { start_time: 'soon' }));
    await pub.publishAsync('frigate/events', frigateEvent('new', 'e-odd', { box: 'bad', current_zones: 'porch', snapshot: { frame_time: 1 } }));
    const start = await until('the start', () => messages.find((m) => m.type === 'start'));
    expect(start.event.attributes.frigate_event_id).toBe('e-odd');
    expect(start.event.zones).toEqual([]);
    expect(analyses).toEqual([undefined]); // no box to go by: the whole snapshot
    expect(frigate.snapshotRequests).not.toContain('e-bad');
  });
});
