import { describe, expect, it } from 'vitest';
import { FpsMeter } from '../../src/sources/fps-meter.js';

describe('FpsMeter', () => {
  it('measures a steady rate over its window', () => {
    const m = new FpsMeter(5000);
    for (let t = 0; t <= 10_000; t += 200) m.tick(t);
    expect(m.rate(10_000)).toBeCloseTo(5, 1);
  });

  it('falls to zero when frames stop', () => {
    const m = new FpsMeter(2000);
    for (let t = 0; t <= 2000; t += 100) m.tick(t);
    expect(m.rate(2000)).toBeCloseTo(10, 0);
    expect(m.rate(3000)).toBeLessThan(10);
    expect(m.rate(4500)).toBe(0);
  });
});
