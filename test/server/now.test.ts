import { afterAll, describe, expect, it } from 'vitest';
import type { ArgusEvent } from '../../src/events/event.js';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { nowRoutes } from '../../src/server/routes/now.js';

const event = (id: string, kind: string, label: string): ArgusEvent => ({
  id,
  camera: 'door',
  kind,
  label,
  sub_label: null,
  score: 0.8,
  top_score: 0.8,
  box: [0, 0, 10, 10],
  zones: [],
  start_time: 1,
  end_time: null,
  snapshot: null,
  attributes: {},
});

describe('GET /api/now', () => {
  const app = httpApp(silentLogger());
  void app.register(nowRoutes, { prefix: '/api/now', cameras: ['door', 'yard'], inView: () => ({ door: [event('a', 'person', 'person'), event('b', 'weapon', 'knife')] }) });
  afterAll(() => app.close());

  it('lists each camera with its events in view, a camera that sees nothing with none', async () => {
    const res = await app.inject({ url: '/api/now' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.cameras.door.map((e: ArgusEvent) => e.label)).toEqual(['person', 'knife']);
    expect(body.cameras.yard).toEqual([]);
    expect(Date.parse(body.time)).not.toBeNaN();
  });
});
