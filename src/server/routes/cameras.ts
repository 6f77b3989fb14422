import type { FastifyInstance } from 'fastify';
import type { CameraView } from '../camera-view.js';
import { JpegCache } from '../jpeg-cache.js';
import { streamMjpeg } from '../mjpeg.js';

/** Live MJPEG is capped: a browser tab should not cost a full-rate encode per camera. */
const MAX_STREAM_FPS = 5;

export function cameraRoutes(app: FastifyInstance, cameras: Map<string, CameraView>): void {
  const jpegs = new JpegCache();
  const find = (name: string) => cameras.get(name);

  app.get('/api/cameras', async () => [...cameras.values()].map((c) => c.status()));

  app.get<{ Params: { name: string } }>('/api/cameras/:name', async (req, reply) => {
    const camera = find(req.params.name);
    if (!camera) return reply.code(404).send({ error: `no camera named "${req.params.name}"` });
    return camera.status();
  });

  app.get<{ Params: { name: string } }>('/api/cameras/:name/snapshot.jpg', async (req, reply) => {
    const camera = find(req.params.name);
    if (!camera) return reply.code(404).send({ error: `no camera named "${req.params.name}"` });
    const frame = camera.latest();
    if (!frame) {
      const why = camera.status().lastError ?? 'no frame received yet';
      return reply.code(503).header('retry-after', '2').send({ error: `camera "${req.params.name}" has no picture: ${why}` });
    }
    const jpeg = await jpegs.jpegOf(frame);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
  });

  app.get<{ Params: { name: string }; Querystring: { fps?: string } }>('/api/cameras/:name/stream.mjpeg', async (req, reply) => {
    const camera = find(req.params.name);
    if (!camera) return reply.code(404).send({ error: `no camera named "${req.params.name}"` });
    const asked = Number(req.query.fps);
    const fps = Math.min(MAX_STREAM_FPS, Number.isFinite(asked) && asked > 0 ? asked : MAX_STREAM_FPS);
    reply.hijack();
    streamMjpeg(reply.raw, camera, jpegs, fps);
  });
}
