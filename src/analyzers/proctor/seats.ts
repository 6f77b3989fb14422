import { pointInPolygon } from '../../events/zones.js';
import type { Box } from '../../vision/iou.js';
import type { SeatConfig } from './config.js';

/** A seat resolved to one frame size: its polygon in pixels and the box around it. */
export interface Seat {
  name: string;
  polygon: Array<[number, number]>;
  box: Box;
  candidate?: string;
}

/** The one seat of a camera with no seats configured. */
export const WHOLE_FRAME_SEAT = 'seat';

/** Seats in pixels; coordinates that are all ≤ 1 are fractions of the frame (as zones are). */
export function resolveSeats(seats: readonly SeatConfig[], width: number, height: number): Seat[] {
  if (seats.length === 0) {
    const polygon: Array<[number, number]> = [
      [0, 0],
      [width, 0],
      [width, height],
      [0, height],
    ];
    return [{ name: WHOLE_FRAME_SEAT, polygon, box: [0, 0, width, height] }];
  }
  return seats.map((s) => {
    const relative = s.coordinates.every(([x, y]) => x <= 1 && y <= 1);
    const polygon = relative ? s.coordinates.map(([x, y]): [number, number] => [x * width, y * height]) : s.coordinates;
    const xs = polygon.map((p) => p[0]);
    const ys = polygon.map((p) => p[1]);
    const box: Box = [Math.max(0, Math.min(...xs)), Math.max(0, Math.min(...ys)), Math.min(width, Math.max(...xs)), Math.min(height, Math.max(...ys))];
    return { name: s.name, polygon, box, candidate: s.candidate };
  });
}

/** The seat a box belongs to: the one its centre lies in (a seated person's box centre is on the chair). */
export function seatOf(seats: readonly Seat[], box: Box): Seat | undefined {
  const x = (box[0] + box[2]) / 2;
  const y = (box[1] + box[3]) / 2;
  return seats.find((s) => pointInPolygon(x, y, s.polygon));
}
