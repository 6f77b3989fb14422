import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection, topicMatches } from '../../../src/outputs/mqtt/connection.js';
import { EmbeddedBroker } from '../../../src/outputs/mqtt/embedded-broker.js';
import { freePort, startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';
import { MqttWatch } from '../../helpers/mqtt-watch.js';

describe('MqttConnection against a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  it('publishes a retained online, and offline when stopped', async () => {
    const conn = new MqttConnection({ url: broker.url, baseTopic: 'argus_t1', logger: silentLogger() });
    conn.start();
    const watch = await MqttWatch.open(broker.url, 'argus_t1/#');
    await watch.waitFor('argus_t1/available', 'online');
    await conn.stop();
    await watch.waitFor('argus_t1/available', 'offline');
    await watch.close();
    // Retained: a late subscriber still sees the last state.
    const late = await MqttWatch.open(broker.url, 'argus_t1/available');
    await late.waitFor('argus_t1/available', 'offline');
    expect(late.messages[0].retain).toBe(true);
    await late.close();
  });

  it('delivers subscribed messages to handlers, with wildcards', async () => {
    const conn = new MqttConnection({ url: broker.url, baseTopic: 'argus_t2', logger: silentLogger() });
    const got: string[] = [];
    conn.subscribe('+/set', (topic, payload) => got.push(`${topic}=${payload}`));
    conn.start();
    const watch = await MqttWatch.open(broker.url, 'argus_t2/available');
    await watch.waitFor('argus_t2/available', 'online');
    const { default: mqtt } = await import('mqtt');
    const pub = await mqtt.connectAsync(broker.url);
    await pub.publishAsync('argus_t2/door/set', 'OFF');
    await pub.publishAsync('argus_t2/door/other', 'x');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual(['argus_t2/door/set=OFF']);
    await pub.endAsync();
    await watch.close();
    await conn.stop();
  });

  it('keeps retrying while the broker is down and connects when it comes up', async () => {
    const port = await freePort();
    const conn = new MqttConnection({ url: `mqtt://127.0.0.1:${port}`, baseTopic: 'argus_t3', logger: silentLogger(), reconnectMs: 200 });
    conn.start(); // nothing listens yet: no throw, no crash
    await new Promise((r) => setTimeout(r, 600));
    expect(conn.connected).toBe(false);
    const late = new EmbeddedBroker({ port, logger: silentLogger() });
    await late.start();
    const until = Date.now() + 10_000;
    while (!conn.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(conn.connected).toBe(true);
    await conn.stop();
    await late.stop();
  });
});

describe('topicMatches', () => {
  it('follows MQTT wildcard rules', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('homeassistant/status', 'homeassistant/status')).toBe(true);
  });
});

describe('EmbeddedBroker', () => {
  it('falls back to a free port when its port is taken', async () => {
    const first = new EmbeddedBroker({ port: 0, logger: silentLogger() });
    await first.start();
    const second = new EmbeddedBroker({ port: first.port, logger: silentLogger() });
    const url = await second.start();
    expect(second.port).not.toBe(first.port);
    expect(url).toBe(`mqtt://127.0.0.1:${second.port}`);
    await second.stop();
    await first.stop();
  });
});
