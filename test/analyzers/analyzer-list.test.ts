import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { configSchemaFor } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { Argus, type Running } from '../../src/main.js';
import { runFfmpeg } from '../helpers/clip-colours.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';
import { TelegramBotApiStandIn } from '../helpers/telegram-bot-api.js';
import { glowAnalyzer } from './throwaway/index.js';

const CHAT = 4242;

/**
 * A throwaway analyzer from a test folder, added to the list and nowhere else: its kind must
 * reach the config, the events and `/api/events?kind=`, Home Assistant's discovery and states,
 * and Telegram's routing, through the whole of Argus (a real file camera, broker and models).
 */
describe('an analyzer added to the list reaches every output', () => {
  const api = new TelegramBotApiStandIn();
  const list = [...ANALYZERS, glowAnalyzer];
  let argus: Argus;
  let running: Running;
  let watch: MqttWatch;

  beforeAll(async () => {
    await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'argus-glow-'));
    const clip = join(dir, 'glow.mp4');
    // Bright and moving (the motion gate lets it through); only the glow analyzer is on.
    await runFfmpeg([
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=160x120:rate=5:duration=4',
      '-vf',
      'eq=brightness=0.8',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-y',
      clip,
    ]);
    const off = { enabled: false };
    const config = configSchemaFor(list).parse({
      data_dir: dir,
      server: { port: 0, host: '127.0.0.1' },
      mqtt: { embedded_port: 0 },
      analyzers: { glow: { min_brightness: 150 } },
      cameras: { lab: { url: clip, detect: { width: 160, height: 120, fps: 5 }, analyzers: { person: off, weapon: off, faces: off, pose: off } } },
      telegram: {
        token: api.token,
        api_root: api.apiRoot,
        group_window: 0.2,
        chats: [
          { id: CHAT, kinds: ['glow'] },
          { id: CHAT + 1, kinds: ['weapon'] },
        ],
      },
    });
    argus = new Argus({ config, source: 'test', demo: false, secrets: [], warnings: [] }, silentLogger(), list);
    running = await argus.start();
    watch = await MqttWatch.open(running.mqttUrl);
  }, 60_000);

  afterAll(async () => {
    await watch?.close();
    await argus?.stop();
    await api.stop();
  });

  it('refuses an alert kind no analyzer in the list offers, and accepts the new one', () => {
    expect(configSchemaFor(ANALYZERS).safeParse({ telegram: { token: 't', chats: [{ id: 1, kinds: ['glow'] }] } }).success).toBe(false);
    expect(configSchemaFor(list).safeParse({ telegram: { token: 't', chats: [{ id: 1, kinds: ['glow'] }] } }).success).toBe(true);
    expect(configSchemaFor(ANALYZERS).safeParse({ analyzers: { glow: {} } }).success).toBe(false);
  });

  it('announces its entity in the camera device and turns it on', async () => {
    await watch.waitFor('argus/lab/glow', 'ON', 30_000);
    const config = JSON.parse(watch.last('homeassistant/device/argus_lab/config')!);
    expect(config.cmps.argus_lab_glow).toMatchObject({ p: 'binary_sensor', state_topic: 'argus/lab/glow', device_class: 'light' });
    // Only the entities of the analyzers this camera runs: no weapon, person, face or proctoring sensors here.
    for (const off of ['weapon', 'person', 'known_face', 'suspicious', 'proctor_incident', 'object']) expect(config.cmps[`argus_lab_${off}`], off).toBeUndefined();
    expect(config.cmps.argus_lab_motion).toBeDefined();
    const events = watch.messages.filter((m) => m.topic === 'argus/events').map((m) => JSON.parse(m.payload));
    expect(events.some((m) => m.type === 'start' && m.event.kind === 'glow')).toBe(true);
  });

  it('stores its events and filters them by kind in the API', async () => {
    const get = async (query: string) => {
      const res = await fetch(`http://127.0.0.1:${running.port}/api/events?${query}&token=${running.token}`);
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const glow = await get('kind=glow');
    expect(glow.status).toBe(200);
    const rows = (glow.body as { events?: unknown[] }).events ?? (glow.body as unknown[]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((e) => (e as { kind: string }).kind === 'glow')).toBe(true);
    expect((await get('kind=cheating')).status).toBe(400);
  });

  it('mounts the routes an analyzer brings with its parts (the proctor’s), with no line for them in main.ts', async () => {
    const res = await fetch(`http://127.0.0.1:${running.port}/api/proctor/sessions?token=${running.token}`);
    expect(res.status).toBe(200);
    // No camera runs the proctor here: starting a session says so.
    const start = await fetch(`http://127.0.0.1:${running.port}/api/proctor/sessions?token=${running.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ camera: 'lab', action: 'start' }),
    });
    expect(start.status).toBe(409);
    expect(((await start.json()) as { code: string }).code).toBe('proctor_off');
  });

  it('routes its alerts to the chats that asked for its alert kind only', async () => {
    const photo = await api.waitFor('a glow alert', () => api.sent('sendPhoto', CHAT)[0], 30_000);
    expect(String(photo.params.caption)).toMatch(/^✨ Glow at lab/);
    expect(api.sent('sendPhoto', CHAT + 1)).toEqual([]);
  });
});
