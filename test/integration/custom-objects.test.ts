import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchemaFor } from '../../src/config/schema.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import { Argus, type Running } from '../../src/main.js';
import { trainObjects } from '../../src/train/train-objects.js';
import { runFfmpeg } from '../helpers/clip-colours.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';
import { TelegramBotApiStandIn } from '../helpers/telegram-bot-api.js';
import { FIXTURES, syntheticDataset, syntheticTraining } from '../train/synthetic-dataset.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHAT = 5151;

/**
 * A household teaches Argus a class of its own and watches for it: a head trained here on the
 * synthetic "target" (seconds), listed under `models.objects.heads`, its class under
 * `analyzers.object.labels`; a camera then shows a target moving over a fixture photo. The
 * `object` events must reach MQTT, Home Assistant's discovery, the API and Telegram.
 */
describe('a class trained here raises object events through every output', () => {
  const api = new TelegramBotApiStandIn();
  let dir: string;
  let head: string;
  let argus: Argus;
  let running: Running;
  let watch: MqttWatch;

  beforeAll(async () => {
    await api.start();
    dir = mkdtempSync(join(tmpdir(), 'argus-custom-objects-'));
    await syntheticDataset(join(dir, 'data'));
    head = join(dir, 'target.head.json');
    await trainObjects({ ...syntheticTraining(join(dir, 'data')), out: head, workDir: join(dir, 'work') });
    // The target drawn as the data set draws it, moving across a fixture photo (the motion gate lets it through).
    const size = 70;
    const r = size / 2;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${r}" cy="${r}" r="${r}" fill="#d00"/><circle cx="${r}" cy="${r}" r="${r * 0.66}" fill="#fff"/><circle cx="${r}" cy="${r}" r="${r * 0.33}" fill="#d00"/></svg>`;
    await sharp(Buffer.from(svg)).png().toFile(join(dir, 'target.png'));
    await sharp(join(FIXTURES, 'people/background.jpg')).resize(320, 240, { fit: 'fill' }).jpeg().toFile(join(dir, 'yard.jpg'));
    const clip = join(dir, 'yard.mp4');
    // biome-ignore format: ffmpeg's arguments read best a pair a line
    await runFfmpeg([
      '-v', 'error',
      '-loop', '1', '-i', join(dir, 'yard.jpg'),
      '-loop', '1', '-i', join(dir, 'target.png'),
      '-filter_complex', "[0][1]overlay=x='20+mod(t*60\\,220)':y=90",
      '-t', '6', '-r', '5',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip,
    ]);
    const off = { enabled: false };
    const config = configSchemaFor(ANALYZERS).parse({
      data_dir: dir,
      server: { port: 0, host: '127.0.0.1' },
      mqtt: { embedded_port: 0 },
      models: { objects: { heads: [head] } },
      analyzers: { object: { labels: ['target'], thresholds: { target: 0.3 } } },
      cameras: { yard: { url: clip, detect: { width: 320, height: 240, fps: 5 }, analyzers: { faces: off, pose: off } } },
      telegram: { token: api.token, api_root: api.apiRoot, group_window: 0.2, chats: [{ id: CHAT, kinds: ['object'] }] },
    });
    argus = new Argus({ config, source: 'test', demo: false, secrets: [], warnings: [] }, silentLogger(), ANALYZERS);
    running = await argus.start();
    watch = await MqttWatch.open(running.mqttUrl);
  }, 120_000);

  afterAll(async () => {
    await watch?.close();
    await argus?.stop();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces the object entities, the label’s own included, on the camera and turns them on', async () => {
    await watch.waitFor('argus/yard/object', 'ON', 60_000);
    const device = JSON.parse(watch.last('homeassistant/device/argus_yard/config')!);
    expect(device.cmps.argus_yard_object).toMatchObject({ p: 'binary_sensor', state_topic: 'argus/yard/object' });
    expect(device.cmps.argus_yard_object_count).toMatchObject({ p: 'sensor' });
    expect(device.cmps.argus_yard_object_detected).toMatchObject({ p: 'event' });
    // the watched label's own sensors, so an automation waits for this class, not any object
    expect(device.cmps.argus_yard_object_target_occupancy).toMatchObject({ p: 'binary_sensor', name: 'Target occupancy', state_topic: 'argus/yard/object_target_occupancy' });
    expect(device.cmps.argus_yard_object_target_count).toMatchObject({ p: 'sensor', name: 'Target count' });
    await watch.waitFor('argus/yard/object_target_occupancy', 'ON');
    const events = watch.messages.filter((m) => m.topic === 'argus/events').map((m) => JSON.parse(m.payload));
    const start = events.find((m) => m.type === 'start' && m.event.kind === 'object');
    expect(start?.event).toMatchObject({ kind: 'object', label: 'target', camera: 'yard' });
    // Last object: the label, with attributes as Last face's (an ISO time, the event to find its picture)
    await watch.waitFor('argus/yard/last_object', 'target');
    const attributes = JSON.parse(watch.last('argus/yard/last_object/attributes')!);
    expect(attributes).toMatchObject({ score: expect.any(Number), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), event_id: expect.any(String) });
    // No pistol or knife on this camera: the weapon analyzer, on the same merged detector, stays quiet.
    expect(events.filter((m) => m.event.kind === 'weapon')).toEqual([]);
  });

  it('stores the events under kind object, and sends the photo to the chat that asked for objects', async () => {
    const res = await fetch(`http://127.0.0.1:${running.port}/api/events?kind=object&token=${running.token}`);
    const body = (await res.json()) as { events: { kind: string; label: string }[] };
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.every((e) => e.kind === 'object' && e.label === 'target')).toBe(true);
    const photo = await api.waitFor('an object alert', () => api.sent('sendPhoto', CHAT)[0], 30_000);
    expect(String(photo.params.caption)).toMatch(/^📦 Object \(target\) at yard/);
  });

  it('argus analyze --heads finds the class on a photo, and names a bad head file without a stack', () => {
    const cli = (args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'analyze', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const out = JSON.parse(cli(['--json', '--models', 'objects', '--heads', head, join(dir, 'data/valid/images/img1.jpg')]));
    expect(out.objects.map((o: { label: string }) => o.label)).toContain('target');
    let failed: { status: number; stderr: string } | undefined;
    try {
      cli(['--json', '--models', 'objects', '--heads', join(dir, 'yard.jpg'), join(dir, 'yard.jpg')]);
    } catch (err) {
      failed = { status: (err as { status: number }).status, stderr: String((err as { stderr: Buffer }).stderr) };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stderr).toMatch(/argus analyze: .*yard\.jpg: not a readable head file \(not JSON/);
    expect(failed?.stderr).not.toMatch(/\n\s+at /);
  });
});
