import type { EventBus } from '../../bus.js';
import type { ApiPlugin } from '../zod-validation.js';

/** A heartbeat keeps proxies (HA ingress among them) from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/live`: Server-Sent Events of every event message (`event: detection`) and camera
 * status change (`event: camera`), for the UI. Each open stream is one bus owner, removed on close.
 */
export const liveRoutes: ApiPlugin<{ bus: EventBus }> = async (app, { bus }) => {
  app.get('/', async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    const owner = {};
    const send = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    bus.on(owner, 'event', (message) => send('detection', message));
    bus.on(owner, 'cameraStatus', (status) => send('camera', status));
    bus.on(owner, 'facesChanged', (counts) => send('faces', counts));
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      bus.removeAll(owner);
    });
  });
};
