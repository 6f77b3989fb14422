import { describe, expect, it } from 'vitest';
import { CaptionMasks } from '../../src/events/caption-masks.js';

const ink = (m: { alpha: Uint8Array }) => m.alpha.reduce((s, a) => s + (a > 0 ? 1 : 0), 0);

describe('caption masks', () => {
  it('renders a caption once as wide as its ink, and keeps it', async () => {
    const masks = new CaptionMasks();
    const short = await masks.mask('person 87%', 15);
    const long = await masks.mask('person 87% person 87%', 15);
    expect(short.height).toBe(19);
    expect(short.alpha.length).toBe(short.width * short.height);
    expect(short.width).toBeGreaterThan(60);
    expect(long.width).toBeGreaterThan(1.8 * short.width);
    expect(ink(short)).toBeGreaterThan(100);
    // trimmed to its ink: the last column holds some
    const lastColumn = Array.from({ length: short.height }, (_, y) => short.alpha[y * short.width + short.width - 1]);
    expect(Math.max(...lastColumn)).toBeGreaterThan(0);
    expect(await masks.mask('person 87%', 15)).toBe(short);
    expect(masks.size).toBe(2);
  });

  it('renders names XML would refuse, and keeps no more than its capacity', async () => {
    const masks = new CaptionMasks();
    const odd = await masks.mask('face <b>&"\u0001 Zoë 李 91%', 12);
    expect(ink(odd)).toBeGreaterThan(50);
    await Promise.all(Array.from({ length: 600 }, (_, i) => masks.mask(`person ${i}`, 12)));
    expect(masks.size).toBe(512);
  });
});
