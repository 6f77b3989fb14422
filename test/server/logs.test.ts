import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LogRing, silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { logRoutes } from '../../src/server/routes/logs.js';

describe('/api/logs', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'argus-logs-api-')), 'logs');
  const ring = new LogRing({ write: () => true });
  const log = createLogger('debug', ring, ['s3cret-token']);
  const app = httpApp(silentLogger());
  void app.register(logRoutes, { prefix: '/api/logs', recent: (level, limit) => ring.recent(level, limit), eventLogDir: dir });
  const bare = httpApp(silentLogger());
  void bare.register(logRoutes, { prefix: '/api/logs', eventLogDir: join(dir, 'none') });

  beforeAll(async () => {
    log.debug('details');
    log.info('started with token s3cret-token');
    log.warn('camera slow');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '2026-12-01.jsonl'), '{"type":"start"}\n');
    writeFileSync(join(dir, '2026-12-02.jsonl'), '{"type":"start"}\n{"type":"end"}\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a day');
    await Promise.all([app.ready(), bare.ready()]);
  });
  afterAll(() => Promise.all([app.close(), bare.close()]));

  it('answers the recent lines at a level or above, secrets redacted', async () => {
    const info = (await app.inject({ url: '/api/logs' })).json();
    expect(info.level).toBe('info');
    expect(info.lines.map((l: { msg: string }) => l.msg)).toEqual(['started with token ***', 'camera slow']);
    const warn = (await app.inject({ url: '/api/logs?level=warn' })).json();
    expect(warn.lines.map((l: { msg: string }) => l.msg)).toEqual(['camera slow']);
    const debug = (await app.inject({ url: '/api/logs?level=debug&limit=1' })).json();
    expect(debug.lines.map((l: { msg: string }) => l.msg)).toEqual(['camera slow']);
    const bad = await app.inject({ url: '/api/logs?level=loud' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('bad_request');
  });

  it('says so when the process keeps no lines', async () => {
    const res = await bare.inject({ url: '/api/logs' });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('no_log_ring');
  });

  it('lists the daily event logs newest first and downloads one', async () => {
    const list = (await app.inject({ url: '/api/logs/events' })).json();
    expect(list.days.map((d: { file: string; bytes: number }) => [d.file, d.bytes])).toEqual([
      ['2026-12-02.jsonl', 32],
      ['2026-12-01.jsonl', 17],
    ]);
    const file = await app.inject({ url: '/api/logs/events/2026-12-02.jsonl' });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toBe('attachment; filename="argus-events-2026-12-02.jsonl"');
    expect(
      file.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['start', 'end']);
    expect((await bare.inject({ url: '/api/logs/events' })).json()).toEqual({ days: [] });
  });

  it('refuses names that are not a day file (no path reaches outside the folder) and days without a log', async () => {
    for (const name of ['notes.txt', '..%2F..%2Fargus.db', '2026-12-01.jsonl.bak']) {
      const res = await app.inject({ url: `/api/logs/events/${name}` });
      expect(res.statusCode, name).toBe(400);
    }
    const missing = await app.inject({ url: '/api/logs/events/2020-01-01.jsonl' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('log_not_found');
  });
});
