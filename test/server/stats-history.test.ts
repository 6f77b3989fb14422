import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { statsHistoryRoutes } from '../../src/server/routes/stats-history.js';
import type { LoadSample } from '../../src/stats/load-history.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { TelegramOutbox } from '../../src/store/outbox.js';
import { sampleEvent } from '../events/event-harness.js';

/** A whole day (UTC) to count in: 2026-11-23T00:00:00Z. */
const DAY = Date.UTC(2026, 10, 23) / 1000;
const H = 3600;

describe('GET /api/stats/history and /api/stats/load', () => {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'argus-stats-history-')), 'argus.db'));
  const events = new EventStore(db);
  let clock = 0;
  const outbox = new TelegramOutbox(db, 100, () => clock);
  const sample: LoadSample = {
    time: DAY * 1000,
    cameras: { door: { motion_fps: 2, analyzed_fps: 1.5, essential_fps: 0, skipped_fps: 0.5 } },
    inference_ms: { p50: 40, p95: 90 },
    cpu_percent: 80,
  };
  const app = httpApp(silentLogger());
  void app.register(statsHistoryRoutes, { prefix: '/api/stats', db, load: () => [sample], now: () => (DAY + 24 * H) * 1000 });
  const get = async (qs: string) => app.inject({ url: `/api/stats/history?${qs}` });

  beforeAll(async () => {
    const at = (n: number, time: number, over = {}) => events.save({ ...sampleEvent(n, over), start_time: time, end_time: time + 5 });
    at(1, DAY + 1 * H + 10); // 01:00 door person
    at(2, DAY + 1 * H + 20, { kind: 'face', label: 'face', sub_label: 'alice' });
    at(3, DAY + 3 * H + 5, { camera: 'yard' });
    at(4, DAY + 3 * H + 50, { camera: 'yard', kind: 'face', label: 'face', sub_label: null }); // a stranger: not a person in `by=person`
    at(5, DAY + 23 * H + 30, { kind: 'face', label: 'face', sub_label: 'alice' }); // 23:00 UTC is the next day at UTC+2
    at(6, DAY - 10, {}); // the day before
    const draft = { chatId: 1, weapon: false, eventId: null, camera: 'door', caption: 'x', photo: null, buttons: [] };
    clock = (DAY + 1 * H + 30) * 1000;
    outbox.add([draft, draft]);
    outbox.markSent(outbox.peek()!.id);
    outbox.markSent(outbox.peek()!.id);
    clock = (DAY + 3 * H) * 1000;
    outbox.add([draft]);
    outbox.remove(outbox.peek()!.id); // refused by Telegram: not sent
    await app.ready();
  });
  afterAll(() => app.close());

  it('counts detections per hour by camera, one dense array per camera, with the alerts sent', async () => {
    const res = await get(`bucket=hour&by=camera&from=${DAY}&to=${DAY + 4 * H}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.times).toEqual([DAY, DAY + H, DAY + 2 * H, DAY + 3 * H]);
    expect(body.series).toEqual([
      { name: 'door', counts: [0, 2, 0, 0] },
      { name: 'yard', counts: [0, 0, 0, 2] },
    ]);
    expect(body.total).toBe(4);
    expect(body.notifications).toEqual([0, 2, 0, 0]);
  });

  it('groups by kind and by person (named faces only)', async () => {
    const kinds = (await get(`bucket=hour&by=kind&from=${DAY}&to=${DAY + 4 * H}`)).json();
    expect(kinds.series).toEqual([
      { name: 'face', counts: [0, 1, 0, 1] },
      { name: 'person', counts: [0, 1, 0, 1] },
    ]);
    const people = (await get(`bucket=day&by=person&from=${DAY}&to=${DAY + 86_400}`)).json();
    expect(people.series).toEqual([{ name: 'alice', counts: [2] }]);
  });

  it("starts day buckets at the reader's midnight (utc_offset in minutes east)", async () => {
    // At UTC+2 the day of DAY starts at DAY - 2 h: the event 10 s before DAY UTC falls on it, the 23:00 UTC face on the next local day.
    const body = (await get(`bucket=day&by=camera&from=${DAY - 2 * H}&to=${DAY + 46 * H}&utc_offset=120`)).json();
    expect(body.times).toEqual([DAY - 2 * H, DAY + 22 * H]);
    expect(body.series.find((s: { name: string }) => s.name === 'door').counts).toEqual([3, 1]);
  });

  it('defaults to the last two days of hours', async () => {
    const body = (await get('')).json();
    expect(body).toMatchObject({ bucket: 'hour', by: 'camera', to: DAY + 24 * H, from: DAY - 24 * H });
    expect(body.times).toHaveLength(48);
    expect(body.total).toBe(6);
  });

  it('refuses a backwards span, too many buckets and unknown groupings with 400 and a reason', async () => {
    const back = await get(`from=${DAY}&to=${DAY - 10}`);
    expect(back.statusCode).toBe(400);
    expect(back.json().error).toMatch(/from .* must be before to/);
    const long = await get(`bucket=hour&from=${DAY - 365 * 86_400}&to=${DAY}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatch(/at most 1000/);
    const by = await get('by=colour');
    expect(by.statusCode).toBe(400);
    expect(by.json()).toMatchObject({ code: 'bad_request' });
  });

  it('hands out the load samples', async () => {
    const res = await app.inject({ url: '/api/stats/load' });
    expect(res.json()).toEqual({ samples: [sample] });
  });
});
