import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMotionClip } from '../helpers/clip-colours.js';
import { waitUntil } from '../helpers/argus-process.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';
import { report, RestartableBroker, type RunningArgus, startArgus } from './fault-kit.js';

/** The retained topics a fresh subscriber is handed: everything it sees in its first moments. */
async function retainedTopics(url: string, settleMs = 1500): Promise<Map<string, number>> {
  const watch = await MqttWatch.open(url, '#');
  await new Promise((r) => setTimeout(r, settleMs));
  const seen = new Map<string, number>();
  for (const m of watch.messages) if (m.retain) seen.set(m.topic, (seen.get(m.topic) ?? 0) + 1);
  await watch.close();
  return seen;
}

/**
 * Issue 17, row 3: after a broker restart only `argus/available` came back. A real mosquitto
 * without persistence is stopped and started on the same port; a subscriber that connects
 * afterwards, with no Home Assistant birth message ever sent, must be handed every retained
 * topic Argus had before: discovery, availability, camera availability, states.
 */
describe('faults: MQTT broker restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-faults-mqtt-'));
  let broker: RestartableBroker;
  let argus: RunningArgus;

  beforeAll(async () => {
    broker = await RestartableBroker.start();
    const clip = join(dir, 'moving.mp4');
    makeMotionClip(clip);
    argus = await startArgus(dir, 'restart', broker.url, clip);
  });
  afterAll(async () => {
    await argus?.stop();
    await broker?.down();
  });

  it('re-publishes discovery, availability and every retained state once after the broker comes back', async () => {
    const health = async () => ((await (await argus.get('/api/health')).json()) as { mqtt: string }).mqtt;
    const base = argus.base;
    // Steady state first: both cameras have reported, the live one has moved.
    await waitUntil(
      'the retained picture to settle',
      async () => {
        const t = await retainedTopics(broker.url, 500);
        return ['available', 'lobby/available', 'broken/available', 'lobby/motion'].every((p) => t.has(`${base}/${p}`)) || undefined;
      },
      60_000,
    );
    const before = await retainedTopics(broker.url);
    expect(before.has(`homeassistant/device/${base}_bridge/config`)).toBe(true);

    await broker.down();
    await waitUntil('Argus to notice the broker is gone', async () => (await health()) === 'disconnected' || undefined, 30_000);
    await broker.up();
    const t0 = performance.now();
    // Connected before Argus is back (it retries every 5 s): it sees the re-publication itself.
    const watch = await waitUntil('a fresh subscriber', () => MqttWatch.open(broker.url, '#'), 10_000);
    try {
      const missing = () => [...before.keys()].filter((topic) => !watch.messages.some((m) => m.topic === topic));
      await waitUntil('every retained topic again', () => missing().length === 0 || undefined, 30_000).catch((err: Error) => {
        throw new Error(`${err.message}; still missing: ${missing().join(', ')}`);
      });
      const recoveryMs = Math.round(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 2000)); // time for any duplicate to show
      const configs = [...before.keys()].filter((t) => t.endsWith('/config'));
      const sends = configs.map((t) => watch.messages.filter((m) => m.topic === t).length);
      const reannounced = (argus.process.output().match(/MQTT reconnected: re-sending discovery and states/g) ?? []).length;
      report('MQTT broker restart (mosquitto, no persistence)', {
        broker: broker.kind,
        retainedTopicsBefore: before.size,
        recoveredTopics: before.size - missing().length,
        recoveryMs,
        discoveryConfigs: configs.length,
        maxSendsPerConfig: Math.max(...sends),
        reannouncements: reannounced,
      });
      expect(await health()).toBe('connected');
      expect(watch.last(`${base}/available`)).toBe('online');
      expect(watch.last(`${base}/lobby/available`)).toBe('online');
      expect(watch.last(`${base}/broken/available`)).toBe('offline');
      expect(sends.every((n) => n === 1)).toBe(true); // idempotent: one re-announcement, not one per listener
      expect(reannounced).toBe(1);
    } finally {
      await watch.close();
    }
  });
});
