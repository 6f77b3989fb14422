import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection, topicMatches } from '../../../src/outputs/mqtt/connection.js';
import { EmbeddedBroker } from '../../../src/outputs/mqtt/embedded-broker.js';
import { freePort, startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';
import { capturingLogger } from '../../helpers/log-lines.js';
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

  it("says no availability when it only listens (Frigate's broker), and clears one an older version left", async () => {
    const old = await mqtt.connectAsync(broker.url);
    await old.publishAsync('argus_t1b/available', 'online', { retain: true, qos: 1 });
    await old.endAsync();
    const conn = new MqttConnection({ url: broker.url, baseTopic: 'argus_t1b', logger: silentLogger(), availability: false });
    const watch = await MqttWatch.open(broker.url, 'argus_t1b/#');
    await watch.waitFor('argus_t1b/available', 'online'); // the retained one
    conn.start();
    await watch.waitFor('argus_t1b/available', '');
    await conn.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(watch.messages.map((m) => m.payload)).toEqual(['online', '']);
    await watch.close();
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

  it('logs an outage once, not at every retry', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    const conn = new MqttConnection({ url: `mqtt://127.0.0.1:${port}`, baseTopic: 'argus_t5', logger, reconnectMs: 100 });
    conn.start();
    await new Promise((r) => setTimeout(r, 1000));
    await conn.stop();
    const loud = lines.filter((l) => /"level":(40|50)/.test(l));
    expect(lines.filter((l) => l.includes('connection refused')).length).toBeGreaterThan(2);
    expect(loud).toHaveLength(1);
    expect(loud[0]).toContain('is the broker running?');
  });

  it('holds what is published while the broker is away and sends it on reconnect: states newest only, events in order', async () => {
    const port = await freePort();
    const first = new EmbeddedBroker({ port, logger: silentLogger() });
    await first.start();
    // retries a second apart: the watcher below subscribes before it is back
    const conn = new MqttConnection({ url: `mqtt://127.0.0.1:${port}`, baseTopic: 'argus_t7', logger: silentLogger(), reconnectMs: 1000 });
    conn.start();
    const wait = async (what: () => boolean) => {
      const until = Date.now() + 10_000;
      while (!what() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    };
    await wait(() => conn.connected);
    await first.stop();
    await wait(() => !conn.connected);
    let acked = 0;
    for (let i = 0; i < 50; i++) conn.publish('door/image', `jpeg ${i}`, { retain: true, qos: 1 });
    for (let i = 0; i < 3; i++) conn.publish('events', `event ${i}`, { qos: 1 }, () => acked++);
    const second = new EmbeddedBroker({ port, logger: silentLogger() });
    await second.start();
    const watch = await MqttWatch.open(`mqtt://127.0.0.1:${port}`, 'argus_t7/#');
    expect(conn.connected).toBe(false);
    await wait(() => conn.connected);
    await watch.waitFor('argus_t7/events', 'event 2');
    expect(watch.messages.filter((m) => m.topic === 'argus_t7/events').map((m) => m.payload)).toEqual(['event 0', 'event 1', 'event 2']);
    expect(watch.messages.filter((m) => m.topic === 'argus_t7/door/image').map((m) => m.payload)).toEqual(['jpeg 49']);
    await wait(() => acked === 3);
    expect(acked).toBe(3);
    await watch.close();
    await conn.stop();
    await second.stop();
  });

  it('logs a broker that goes away once: "unreachable", not that and then each refusal', async () => {
    const port = await freePort();
    const first = new EmbeddedBroker({ port, logger: silentLogger() });
    await first.start();
    const { logger, lines } = capturingLogger();
    const conn = new MqttConnection({ url: `mqtt://127.0.0.1:${port}`, baseTopic: 'argus_t6', logger, reconnectMs: 100 });
    conn.start();
    const until = Date.now() + 10_000;
    while (!conn.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await first.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await conn.stop();
    const loud = lines.filter((l) => /"level":(40|50)/.test(l));
    expect(lines.filter((l) => l.includes('connection refused')).length).toBeGreaterThan(2);
    expect(loud).toHaveLength(1);
    expect(loud[0]).toContain('unreachable');
  });
});

describe('MqttConnection against a broker that refuses its login', () => {
  it('keeps trying after a refused login, and connects once the broker accepts it', async () => {
    // aedes speaks MQTT; its authenticate hook plays the broker whose password file is fixed later.
    let accept = false;
    const broker = await Aedes.createBroker({ authenticate: (_client, _user, _password, done) => done(null, accept) });
    const server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { logger, lines } = capturingLogger();
    const conn = new MqttConnection({ url: `mqtt://127.0.0.1:${port}`, user: 'argus', password: 'S3cret-pw', baseTopic: 'argus_t6', logger, reconnectMs: 100 });
    conn.start();
    try {
      await new Promise((r) => setTimeout(r, 800));
      expect(conn.connected).toBe(false);
      const refusals = lines.filter((l) => l.includes('refused the user name or password'));
      expect(refusals.length).toBeGreaterThan(2);
      expect(refusals.filter((l) => l.includes('"level":50'))).toHaveLength(1);
      accept = true;
      const until = Date.now() + 5000;
      while (!conn.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(conn.connected).toBe(true);
      expect(lines.join('')).not.toContain('S3cret-pw');
    } finally {
      await conn.stop();
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    }
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

  it('stops while a client is still connected to it, and drops that client', async () => {
    const broker = new EmbeddedBroker({ port: 0, logger: silentLogger() });
    const url = await broker.start();
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    await broker.stop();
    await closed;
    await client.endAsync(true);
  });
});
