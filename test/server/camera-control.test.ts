import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { EventBus } from '../../src/bus.js';
import { silentLogger } from '../../src/log.js';
import { MqttConnection } from '../../src/outputs/mqtt/connection.js';
import { HomeAssistantMqtt } from '../../src/outputs/mqtt/ha-mqtt.js';
import { httpApp } from '../../src/server/app.js';
import { cameraControlRoutes } from '../../src/server/routes/camera-control.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { AnalyzerSwitchStore } from '../../src/store/analyzer-switches.js';
import { openDatabase } from '../../src/store/database.js';
import { waitUntil } from '../helpers/argus-process.js';
import { freePort, startBroker, type TestBroker } from '../helpers/mqtt-broker.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';

describe('/api/cameras/:name/detection and /api/cameras/test', () => {
  let broker: TestBroker;
  let mqtt: MqttConnection;
  let ha: HomeAssistantMqtt;
  let watch: MqttWatch;
  const paused: string[] = [];
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'argus-camera-control-')), 'argus.db'));
  const switches = new AnalyzerSwitchStore(db);
  const app = httpApp(silentLogger());

  beforeAll(async () => {
    broker = await startBroker();
    mqtt = new MqttConnection({ url: broker.url, baseTopic: 'cc', logger: silentLogger() });
    ha = new HomeAssistantMqtt({
      mqtt,
      bus: new EventBus(),
      db,
      cameras: ['door'],
      kinds: new EventKinds(ANALYZERS),
      discoveryPrefix: 'cc_ha',
      version: '9.9.9',
      logger: silentLogger(),
      onPause: (camera, on) => paused.push(`${camera} ${on}`),
      loadSnapshot: async () => undefined,
    });
    mqtt.start();
    ha.start();
    watch = await MqttWatch.open(broker.url, 'cc/#');
    await waitUntil('mqtt', () => mqtt.connected);
    void app.register(cameraControlRoutes, {
      prefix: '/api/cameras',
      cameras: { door: { analyzers: ['person', 'weapon', 'faces', 'pose'], schedules: { weapon: ['mon 01:00-02:00'] } } },
      analyzers: ANALYZERS.map((a) => a.name),
      idle: { object: 'no labels to watch: list them in analyzers.object.labels' },
      // a Wednesday noon, local time: the weapon analyzer's Monday-night window is not now
      now: () => new Date(2026, 11, 9, 12, 0).getTime(),
      pause: ha,
      switches,
      ffmpegPath: findFfmpeg(),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await watch?.close();
    ha?.stop();
    mqtt?.stop();
    await broker?.stop();
  });

  const put = (body: unknown, name = 'door') => app.inject({ method: 'PUT', url: `/api/cameras/${name}/detection`, payload: body as object });

  it("pauses and resumes a camera through HA's own switch: the motion gate is told and MQTT shows it", async () => {
    await watch.waitFor('cc/door/pause', 'OFF');
    const res = await put({ paused: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ camera: 'door', paused: true });
    await watch.waitFor('cc/door/pause', 'ON');
    expect(ha.isPaused('door')).toBe(true);
    expect((await app.inject({ url: '/api/cameras/door/detection' })).json().paused).toBe(true);
    await put({ paused: false });
    await watch.waitFor('cc/door/pause', 'OFF');
    expect(paused).toEqual(['door true', 'door false']);
  });

  it('switches an analyzer off and on for one camera, kept in SQLite', async () => {
    const off = (await put({ analyzers: { pose: false } })).json();
    expect(off.analyzers.find((a: { name: string }) => a.name === 'pose')).toEqual({
      name: 'pose',
      configured: true,
      off_reason: null,
      on: false,
      schedule: [],
      in_schedule: true,
    });
    expect(new AnalyzerSwitchStore(db).isOff('door', 'pose')).toBe(true);
    const on = (await put({ analyzers: { pose: true } })).json();
    expect(on.analyzers.find((a: { name: string }) => a.name === 'pose').on).toBe(true);
    expect(new AnalyzerSwitchStore(db).isOff('door', 'pose')).toBe(false);
  });

  it('says which analyzers sleep outside their schedule now (the page says so)', async () => {
    const state = (await app.inject({ url: '/api/cameras/door/detection' })).json();
    expect(state.analyzers.find((a: { name: string }) => a.name === 'weapon')).toEqual({
      name: 'weapon',
      configured: true,
      off_reason: null,
      on: true,
      schedule: ['mon 01:00-02:00'],
      in_schedule: false,
    });
  });

  it('says why an analyzer is off: its options leave it nothing to do, or the camera’s config', async () => {
    const state = (await app.inject({ url: '/api/cameras/door/detection' })).json();
    const of = (name: string) => state.analyzers.find((a: { name: string }) => a.name === name);
    expect(of('object')).toMatchObject({ configured: false, off_reason: 'no labels to watch: list them in analyzers.object.labels' });
    expect(of('proctor')).toMatchObject({ configured: false, off_reason: 'off in the config' });
  });

  it('refuses unknown cameras and analyzers, and turning on one the config leaves off, changing nothing', async () => {
    expect((await put({ paused: true }, 'garage')).statusCode).toBe(404);
    const unknown = await put({ paused: true, analyzers: { colour: false } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('unknown_analyzer');
    const configOff = await put({ paused: true, analyzers: { proctor: true } });
    expect(configOff.statusCode).toBe(409);
    expect(configOff.json().error).toContain('cameras.door.analyzers.proctor.enabled');
    expect(ha.isPaused('door')).toBe(false);
    expect((await put({ paused: 'yes' })).statusCode).toBe(400);
  });

  it('tests a camera URL with ffmpeg and never echoes its password', async () => {
    const port = await freePort(); // nothing listens there
    const res = await app.inject({ method: 'POST', url: '/api/cameras/test', payload: { url: `rtsp://admin:pw-Secret77@127.0.0.1:${port}/stream`, timeout_s: 5 } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: false, url: `rtsp://admin:***@127.0.0.1:${port}/stream` });
    expect(body.reason).toMatch(/refused|could not connect|no answer/i);
    expect(res.body).not.toContain('pw-Secret77');
  });

  it('tests network URLs only, and takes no free ffmpeg options', async () => {
    const file = await app.inject({ method: 'POST', url: '/api/cameras/test', payload: { url: '/etc/passwd' } });
    expect(file.statusCode).toBe(400);
    expect(file.json().error).toContain('rtsp://');
    const args = await app.inject({ method: 'POST', url: '/api/cameras/test', payload: { url: 'rtsp://x/y', input_args: '-f lavfi' } });
    expect(args.statusCode).toBe(400);
    // a mistyped scheme is said as argus test-camera says it
    const typo = await app.inject({ method: 'POST', url: '/api/cameras/test', payload: { url: 'rtps://cam/stream1' } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toContain('"rtps" is no scheme Argus reads (did you mean "rtsp"?)');
    const file2 = await app.inject({ method: 'POST', url: '/api/cameras/test', payload: { url: 'file:///etc/passwd' } });
    expect(file2.statusCode).toBe(400);
  });
});
