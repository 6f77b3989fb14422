import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { healthRoutes } from '../../src/server/routes/health.js';

describe('GET /api/health', () => {
  const state = { mqtt: true, full: false, connected: 3 };
  const app = httpApp(silentLogger());
  void app.register(healthRoutes, {
    prefix: '/api/health',
    info: { version: '9.9.9', mqttConnected: () => state.mqtt, cameraCount: () => 3, camerasConnected: () => state.connected, diskFull: () => state.full },
  });
  afterAll(() => app.close());
  const health = async () => {
    const res = await app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200); // the watchdog restarts on anything else, and a restart fixes neither
    return res.json();
  };

  it('says ok with nothing to fix', async () => {
    expect(await health()).toMatchObject({ status: 'ok', version: '9.9.9', mqtt: 'connected', disk: 'ok', cameras: 3, cameras_connected: 3, problems: [] });
  });

  it('says degraded, and why, with a full data disk or the broker gone', async () => {
    state.full = true;
    expect(await health()).toMatchObject({ status: 'degraded', disk: 'full', problems: ['the data folder is full: events are not stored (snapshots, database, logs)'] });
    state.mqtt = false;
    expect((await health()).problems).toEqual([
      'MQTT is disconnected: Home Assistant gets no detections',
      'the data folder is full: events are not stored (snapshots, database, logs)',
    ]);
    state.full = false;
    state.mqtt = true;
    expect((await health()).status).toBe('ok');
  });

  it('says degraded while cameras are not connected, how many, and where to see why (a user read ok with 4 of 6 failing)', async () => {
    state.connected = 1;
    expect(await health()).toMatchObject({ status: 'degraded', cameras: 3, cameras_connected: 1, problems: ['2 of 3 cameras are not connected (the Cameras page says why)'] });
    state.connected = 3;
  });
});
