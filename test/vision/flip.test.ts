import { describe, expect, it } from 'vitest';
import { flipHorizontal, unflipBox } from '../../src/vision/flip.js';

describe('flipHorizontal / unflipBox', () => {
  it('mirrors a picture left to right, and a box on the mirror back onto the picture', () => {
    // 3×1: red, green, blue
    const img = { width: 3, height: 1, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]) };
    expect([...flipHorizontal(img).data]).toEqual([0, 0, 255, 0, 255, 0, 255, 0, 0]);
    expect([...img.data]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]); // a copy: the picture is untouched
    // a box over the left third of the mirror is the right third of the picture
    expect(unflipBox([0, 0, 100, 50], 300)).toEqual([200, 0, 300, 50]);
    expect(unflipBox(unflipBox([10, 20, 30, 40], 300), 300)).toEqual([10, 20, 30, 40]);
  });
});
