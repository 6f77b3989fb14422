import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { configRoutes, maskSecrets } from '../../src/server/routes/config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('GET /api/config', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'argus-config-api-')), 'argus.yml');
  writeFileSync(
    file,
    [
      'mqtt: { url: "mqtt://broker:1883", user: argus, password: "broker-pass-456" }',
      'server: { token: "access-token-0123456789", max_upload_mb: 5 }',
      'cameras:',
      '  door: { url: "rtsp://admin:door%40pw99@10.0.0.5:554/s1" }',
    ].join('\n'),
  );
  const loaded = loadConfig({ configPath: file, env: {} });
  const app = httpApp(silentLogger());
  void app.register(configRoutes, { prefix: '/api/config', config: loaded.config, source: loaded.source, secrets: loaded.secrets, demo: loaded.demo });
  afterAll(() => app.close());

  it('shows the configuration as loaded, defaults filled in, with every secret masked', async () => {
    const res = await app.inject({ url: '/api/config' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.demo).toBe(false);
    expect(body.config.server).toMatchObject({ max_upload_mb: 5, token: '***', port: 8099 });
    expect(body.config.mqtt).toMatchObject({ user: 'argus', password: '***' });
    expect(body.config.cameras.door.url).toBe('rtsp://admin:***@10.0.0.5:554/s1');
    for (const secret of ['broker-pass-456', 'access-token-0123456789', 'door%40pw99', 'door@pw99']) expect(res.body).not.toContain(secret);
  });

  it('masks secret keys whatever they hold and leaves empty ones empty', () => {
    expect(maskSecrets({ a: { api_key: 'k', password: '', token: null }, list: ['x mytoken y'] }, ['mytoken'])).toEqual({
      a: { api_key: '***', password: '', token: null },
      list: ['x *** y'],
    });
  });
});
