import { z } from 'zod';
import type { CameraView } from '../camera-view.js';
import { HttpError, type ErrorBody } from '../http-error.js';
import { JpegCache } from '../jpeg-cache.js';
import { streamMjpeg } from '../mjpeg.js';
import type { ApiPlugin } from '../zod-validation.js';

/** Live MJPEG is capped: a browser tab should not cost a full-rate encode per camera. */
const MAX_STREAM_FPS = 5;

/** Camera names are at most a few dozen of a-z, 0-9 and _ (config/schema.ts); the bound keeps echoes short. */
const cameraParams = z.object({ name: z.string().min(1).max(64) });
/** Other query parameters (a page's cache-buster) are ignored, as they always were. */
const streamQuery = z.object({ fps: z.string().max(16).optional() });

/** `/api/cameras…`: every camera's status, one camera's, its newest frame as JPEG, and a live MJPEG stream. */
export const cameraRoutes: ApiPlugin<{ cameras: Map<string, CameraView> }> = async (app, { cameras }) => {
  const jpegs = new JpegCache();
  const find = (name: string): CameraView => {
    const camera = cameras.get(name);
    if (!camera) throw new HttpError(404, 'camera_not_found', `no camera named "${name}"`);
    return camera;
  };

  app.get('/', async () => [...cameras.values()].map((c) => c.status()));

  app.get('/:name', { schema: { params: cameraParams } }, async (req) => find(req.params.name).status());

  app.get('/:name/snapshot.jpg', { schema: { params: cameraParams } }, async (req, reply) => {
    const camera = find(req.params.name);
    const frame = camera.latest();
    const status = camera.status();
    // A disconnected camera's last frame is a picture of the past: say so rather than pass it off as now (issue 17).
    if (!frame || !status.connected) {
      const ageS = frame ? Math.max(0, Math.round((Date.now() - frame.time) / 1000)) : null;
      const why = status.lastError ?? (frame ? 'the camera is disconnected' : 'no frame received yet');
      const old = ageS === null ? '' : `; its last frame is ${ageS} s old`;
      const body: ErrorBody = { error: `camera "${req.params.name}" has no picture: ${why}${old}`, code: 'no_picture', last_frame_age_s: ageS };
      return reply.code(503).header('retry-after', '2').send(body);
    }
    const jpeg = await jpegs.jpegOf(frame);
    return reply.type('image/jpeg').header('cache-control', 'no-store').header('last-modified', new Date(frame.time).toUTCString()).send(jpeg);
  });

  app.get('/:name/stream.mjpeg', { schema: { params: cameraParams, querystring: streamQuery } }, async (req, reply) => {
    const camera = find(req.params.name);
    const asked = Number(req.query.fps);
    const fps = Math.min(MAX_STREAM_FPS, Number.isFinite(asked) && asked > 0 ? asked : MAX_STREAM_FPS);
    reply.hijack();
    streamMjpeg(reply.raw, camera, jpegs, fps);
  });
};
