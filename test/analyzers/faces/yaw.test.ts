import { describe, expect, it } from 'vitest';
import { yawOf } from '../../../src/analyzers/faces/yaw.js';

describe('yawOf', () => {
  it('is 0 for a frontal face and grows as the nose moves towards an eye', () => {
    expect(
      yawOf([
        [40, 50],
        [80, 50],
        [60, 70],
      ]),
    ).toBeCloseTo(0);
    expect(
      yawOf([
        [40, 50],
        [80, 50],
        [70, 70],
      ]),
    ).toBeCloseTo(30);
    expect(
      yawOf([
        [40, 50],
        [80, 50],
        [85, 70],
      ]),
    ).toBe(90);
  });
});
