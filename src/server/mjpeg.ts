import type { ServerResponse } from 'node:http';
import type { CameraView } from './camera-view.js';
import type { JpegCache } from './jpeg-cache.js';

const BOUNDARY = 'argusframe';

/**
 * Streams a camera as multipart/x-mixed-replace JPEGs at most `fps` a second. A slow viewer
 * skips frames (we wait for 'drain') instead of buffering them.
 */
export function streamMjpeg(res: ServerResponse, camera: CameraView, jpegs: JpegCache, fps: number): void {
  res.writeHead(200, {
    'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
    'cache-control': 'no-cache, no-store',
    connection: 'close',
    pragma: 'no-cache',
  });
  let lastSeq = -1;
  let busy = false;
  let closed = false;
  const tick = async () => {
    const frame = camera.latest();
    if (busy || closed || !frame || frame.seq === lastSeq) return;
    busy = true;
    try {
      const jpeg = await jpegs.jpegOf(frame);
      lastSeq = frame.seq;
      if (closed) return;
      res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      const ok = res.write(jpeg);
      res.write('\r\n');
      if (!ok) await new Promise((resolve) => res.once('drain', resolve));
    } catch {
      // a frame that fails to encode is skipped; the next one may not
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(1, Math.round(1000 / fps)));
  void tick();
  res.on('close', () => {
    closed = true;
    clearInterval(timer);
  });
}
