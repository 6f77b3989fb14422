import { describe, expect, it } from 'vitest';
import { drawLine, fillCircle, fillRect, paintMask, parseColour, strokeRect } from '../../src/vision/draw.js';

const blank = (width: number, height: number) => ({ width, height, data: new Uint8Array(width * height * 3) });
const at = (img: ReturnType<typeof blank>, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
const painted = (img: ReturnType<typeof blank>) => {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 3) if (img.data[i] || img.data[i + 1] || img.data[i + 2]) n++;
  return n;
};

describe('drawing into RGB pixels', () => {
  it('reads #rrggbb and #rgb, and refuses names', () => {
    expect(parseColour('#ff851b')).toEqual([255, 133, 27]);
    expect(parseColour('#0F0')).toEqual([0, 255, 0]);
    expect(() => parseColour('red')).toThrow('not a colour');
  });

  it('fills a rectangle clipped to the image', () => {
    const img = blank(10, 8);
    fillRect(img, -5, 6, 3, 20, [1, 2, 3]);
    expect(painted(img)).toBe(3 * 2);
    expect(at(img, 2, 7)).toEqual([1, 2, 3]);
    expect(at(img, 3, 7)).toEqual([0, 0, 0]);
  });

  it('strokes a box centred on its edges, leaving the inside', () => {
    const img = blank(20, 20);
    strokeRect(img, 5, 5, 15, 15, 2, [9, 9, 9]);
    expect(at(img, 4, 10)).toEqual([9, 9, 9]);
    expect(at(img, 5, 10)).toEqual([9, 9, 9]);
    expect(at(img, 6, 10)).toEqual([0, 0, 0]);
    expect(at(img, 10, 14)).toEqual([9, 9, 9]);
    expect(at(img, 10, 10)).toEqual([0, 0, 0]);
    // a 12 × 12 square less its 8 × 8 inside
    expect(painted(img)).toBe(144 - 64);
  });

  it('draws a thick segment with round ends, and a disc', () => {
    const img = blank(40, 40);
    drawLine(img, 5, 20, 35, 20, 4, [200, 0, 0]);
    expect(at(img, 20, 18)).toEqual([200, 0, 0]);
    expect(at(img, 20, 21)).toEqual([200, 0, 0]);
    expect(at(img, 20, 23)).toEqual([0, 0, 0]);
    expect(at(img, 3, 19)).toEqual([200, 0, 0]);
    expect(at(img, 1, 19)).toEqual([0, 0, 0]);
    const disc = blank(40, 40);
    fillCircle(disc, 20, 20, 5, [0, 0, 1]);
    // about π r²
    expect(painted(disc)).toBeGreaterThan(70);
    expect(painted(disc)).toBeLessThan(90);
    expect(at(disc, 20, 16)).toEqual([0, 0, 1]);
    expect(at(disc, 15, 15)).toEqual([0, 0, 0]);
  });

  it('paints through a coverage mask, blended, clipped to the image', () => {
    const img = blank(4, 4);
    img.data.fill(100);
    paintMask(img, { width: 3, height: 1, alpha: Uint8Array.of(255, 128, 0) }, 2, 3, [200, 0, 100]);
    expect(at(img, 2, 3)).toEqual([200, 0, 100]);
    expect(at(img, 3, 3)).toEqual([150, 50, 100]);
    expect(at(img, 1, 3)).toEqual([100, 100, 100]);
  });
});
