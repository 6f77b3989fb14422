import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { freePort, startBroker, type TestBroker } from '../helpers/mqtt-broker.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLIP = resolve(ROOT, '../shared/fixtures/video/short_hamilton_clip.mp4');
const MODELS_BUILT = existsSync(join(ROOT, 'models/centernet.onnx'));

describe.skipIf(!existsSync(CLIP) || !MODELS_BUILT)('Home Assistant sees a person on a camera, and the switch pauses it (needs ../shared/fixtures and built models)', () => {
  let broker: TestBroker;
  let argus: ArgusProcess;
  let watch: MqttWatch;
  const dir = mkdtempSync(join(tmpdir(), 'argus-ha-'));

  beforeAll(async () => {
    broker = await startBroker();
    const config = join(dir, 'argus.yml');
    writeFileSync(
      config,
      `
cameras:
  stage:
    url: ${CLIP}
    detect: { width: 640, height: 360, fps: 5 }
    analyzers: { pose: { enabled: false }, faces: { enabled: false } }
mqtt: { url: ${broker.url}, base_topic: ha_e2e, discovery_prefix: ha_e2e_discovery }
server: { port: ${await freePort()} }
data_dir: ${dir}
`,
    );
    watch = await MqttWatch.open(broker.url, '#');
    argus = spawnArgus(['--config', config], {});
  }, 60_000);
  afterAll(async () => {
    argus?.child.kill('SIGTERM');
    await argus?.exited;
    await watch?.close();
    await broker?.stop();
  });

  it('announces the camera as a device, then turns person on and counts people from the clip', async () => {
    const config = await waitUntil('the device config', () => watch.messages.find((m) => m.topic === 'ha_e2e_discovery/device/ha_e2e_stage/config'), 60_000);
    // Retained: a subscriber that comes later (HA after a restart) still gets it.
    const late = await MqttWatch.open(broker.url, 'ha_e2e_discovery/device/ha_e2e_stage/config');
    await waitUntil('the retained config', () => late.messages[0]);
    expect(late.messages[0].retain).toBe(true);
    await late.close();
    const device = JSON.parse(config.payload) as { dev: { identifiers: string[] }; cmps: Record<string, { p: string; unique_id: string }> };
    expect(device.dev.identifiers.length).toBeGreaterThan(0);
    expect(Object.values(device.cmps).every((c) => c.p && c.unique_id)).toBe(true);
    await watch.waitFor('ha_e2e/stage/person', 'ON', 60_000);
    const count = await waitUntil('a person count', () => {
      const n = Number(watch.last('ha_e2e/stage/person_count'));
      return n > 0 ? n : undefined;
    });
    expect(count).toBeGreaterThan(0);
  });

  it('stops analyzing while the pause switch is on, and resumes when it is off', async () => {
    const client = await mqtt.connectAsync(broker.url);
    await client.publishAsync('ha_e2e/stage/pause/set', 'ON');
    await watch.waitFor('ha_e2e/stage/pause', 'ON');
    await new Promise((r) => setTimeout(r, 5000)); // frames already in analysis finish
    const before = watch.messages.filter((m) => m.topic === 'ha_e2e/events').length;
    await new Promise((r) => setTimeout(r, 8000));
    const during = watch.messages.filter((m) => m.topic === 'ha_e2e/events').slice(before);
    // While paused nothing new starts; only events already open may end.
    expect(during.map((m) => JSON.parse(m.payload).type).filter((t: string) => t !== 'end')).toEqual([]);
    await client.publishAsync('ha_e2e/stage/pause/set', 'OFF');
    await watch.waitFor('ha_e2e/stage/pause', 'OFF');
    const resumed = watch.messages.length;
    await waitUntil(
      'a new event after resuming',
      () => watch.messages.slice(resumed).some((m) => m.topic === 'ha_e2e/events' && JSON.parse(m.payload).type === 'start') || undefined,
      60_000,
    );
    await client.endAsync();
  });
});
