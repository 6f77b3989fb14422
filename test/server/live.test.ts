import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/bus.js';
import type { EventMessage } from '../../src/events/event.js';
import { route } from '../../src/server/app.js';
import { liveRoutes } from '../../src/server/routes/live.js';
import { testServer } from '../helpers/web-server.js';

const TOKEN = 'live-token-0123456789';
const message: EventMessage = {
  type: 'start',
  event: {
    id: 'e1',
    camera: 'door',
    kind: 'person',
    label: 'person',
    sub_label: null,
    score: 0.8,
    top_score: 0.8,
    box: [1, 2, 3, 4],
    zones: [],
    start_time: 1,
    end_time: null,
    snapshot: null,
    attributes: {},
  },
};

describe('GET /api/live (Server-Sent Events)', () => {
  const bus = new EventBus();
  const server = testServer({ token: TOKEN, routes: [route(liveRoutes, '/api/live', { bus })] });
  let port = 0;
  beforeAll(async () => {
    [port] = await server.start();
  });
  afterAll(() => server.stop());

  it('streams each event message to an open page, and lets go of the bus when it closes', async () => {
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/live`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const owners = () => bus.ownerCount;
    expect(owners()).toBe(1);
    bus.emit('event', message);
    let text = '';
    while (!text.includes('event: detection')) text += new TextDecoder().decode((await reader.read()).value);
    const data = /event: detection\ndata: (.*)\n/.exec(text)![1];
    expect(JSON.parse(data)).toEqual(message);
    abort.abort();
    await reader.cancel().catch(() => undefined);
    const until = Date.now() + 5000;
    while (owners() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(owners()).toBe(0);
  });

  it('needs the token like every other route', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/api/live`)).status).toBe(401);
  });
});
