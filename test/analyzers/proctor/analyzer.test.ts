import { describe, expect, it } from 'vitest';
import { cameraSchemaOf } from '../../../src/analyzers/analyzer.js';
import { proctorAnalyzer } from '../../../src/analyzers/proctor/index.js';
import { resolveSeats, seatOf } from '../../../src/analyzers/proctor/seats.js';
import { weaponAnalyzer } from '../../../src/analyzers/weapon/index.js';

describe('the proctor is off on a camera until the camera turns it on', () => {
  it('defaults enabled to false for it and to true for the others', () => {
    expect(cameraSchemaOf(proctorAnalyzer).parse({}).enabled).toBe(false);
    expect(cameraSchemaOf(proctorAnalyzer).parse({ enabled: true }).enabled).toBe(true);
    expect(cameraSchemaOf(weaponAnalyzer).parse({}).enabled).toBe(true);
  });
});

describe('seats', () => {
  it('are the whole frame when none is configured, and fractions scale to the frame', () => {
    expect(resolveSeats([], 640, 360)).toMatchObject([{ name: 'seat', box: [0, 0, 640, 360] }]);
    const seats = resolveSeats(
      [
        {
          name: 'A1',
          coordinates: [
            [0, 0],
            [0.5, 0],
            [0.5, 1],
            [0, 1],
          ],
        },
        {
          name: 'A2',
          coordinates: [
            [320, 0],
            [640, 0],
            [640, 360],
            [320, 360],
          ],
          candidate: 'alice',
        },
      ],
      640,
      360,
    );
    expect(seats.map((s) => s.box)).toEqual([
      [0, 0, 320, 360],
      [320, 0, 640, 360],
    ]);
    expect(seatOf(seats, [400, 100, 500, 300])?.name).toBe('A2');
    expect(seatOf(seats, [10, 100, 200, 300])?.candidate).toBeUndefined();
  });
});
