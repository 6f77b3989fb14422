import type { FoundFace } from '../../../src/analyzers/faces/faces.js';
import type { Detection } from '../../../src/events/analyzed-frame.js';
import { Tracker } from '../../../src/events/tracker.js';
import { rgbImage } from '../../../src/vision/image.js';

/** A blank frame, and a sharp 20-px face on it at x: what the face analyzer is handed to embed. */
export const blank = rgbImage(64, 64, new Uint8Array(64 * 64 * 3));

export const foundFace = (x: number): FoundFace => ({
  box: [x, 0, x + 20, 20],
  score: 0.9,
  sharpness: 100,
  status: 'ok',
  image: blank,
  face: { box: [x, 0, x + 20, 20], score: 0.9, landmarks: [] },
});

/**
 * What the events make of a face analyzer's reports: the objects the real Tracker follows, as the
 * EventManager runs it (`events.end_after` 10 s, each detection's `hold` on top). `see` gives the
 * events a frame started.
 */
export class FaceEvents {
  private readonly tracker = new Tracker();
  private readonly ids = new Set<number>();

  see(detections: readonly Detection[], timeMs: number): number {
    this.tracker.expire(timeMs / 1000, 10);
    const before = this.ids.size;
    for (const t of this.tracker.update(detections, timeMs / 1000)) this.ids.add(t.id);
    return this.ids.size - before;
  }
}
