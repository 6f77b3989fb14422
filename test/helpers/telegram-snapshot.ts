import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import type { ArgusEvent, EventBox } from '../../src/events/event.js';

export const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures');
export const HAVE_FIXTURES = existsSync(resolve(FIXTURES, 'faces/probe/obama1.jpg'));

/** The box colour the stand-in snapshot draws; the test looks for it on the box edge. */
export const BOX_RGB: [number, number, number] = [255, 0, 0];
export const BOX_STROKE = 6;

/**
 * Stands in for the events module's annotated snapshot: the fixture photo scaled to the
 * camera's detect size with the event's box drawn on it, as a JPEG.
 */
export async function annotatedSnapshot(photo: string, width: number, height: number, box: EventBox): Promise<Buffer> {
  const [x1, y1, x2, y2] = box;
  const svg = `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
    <rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none"
      stroke="rgb(${BOX_RGB.join(',')})" stroke-width="${BOX_STROKE}"/></svg>`;
  return sharp(resolve(FIXTURES, photo))
    .resize(width, height, { fit: 'fill' })
    .composite([{ input: Buffer.from(svg) }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

let seq = 0;

/** An event as the analyzers would emit it; override what the test is about. */
export function testEvent(over: Partial<ArgusEvent> = {}): ArgusEvent {
  seq++;
  return {
    id: `ev${seq}`,
    camera: 'front_door',
    kind: 'person',
    label: 'person',
    sub_label: null,
    score: 0.8,
    top_score: 0.84,
    box: [200, 60, 440, 330],
    zones: [],
    start_time: 1_790_000_000 + seq,
    end_time: null,
    snapshot: null,
    attributes: {},
    ...over,
  };
}
