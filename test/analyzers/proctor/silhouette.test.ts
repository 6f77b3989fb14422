import { describe, expect, it } from 'vitest';
import { FEATURE_LENGTH, ratioFeatures } from '../../../src/analyzers/proctor/features.js';
import { maskCoverage, personMask, silhouetteBox, type Mask } from '../../../src/analyzers/proctor/silhouette.js';
import type { RgbImage } from '../../../src/vision/image.js';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgb, p * 3);
  return { width, height, data };
}

function paint(img: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img.data.set(rgb, (y * img.width + x) * 3);
}

/** A mask from rows of '#' (set) and '.' (clear). */
function drawn(rows: string[]): Mask {
  const width = rows[0].length;
  const data = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = r[x] === '#' ? 1 : 0;
  });
  return { width, height: rows.length, data };
}

describe('personMask: mean |ΔR,ΔG,ΔB| above T', () => {
  it('sets a pixel only when the mean difference exceeds the threshold', () => {
    const background = solid(10, 4, [100, 100, 100]);
    const frame = solid(10, 4, [100, 100, 100]);
    paint(frame, 0, 0, 2, 4, [146, 146, 146]); // mean 46 > 45: person
    paint(frame, 2, 0, 4, 4, [145, 145, 145]); // mean 45, not above: background
    paint(frame, 4, 0, 6, 4, [250, 100, 100]); // one channel off by 150: mean 50, person
    paint(frame, 6, 0, 8, 4, [55, 55, 55]); // darker by 45 each: mean 45, background
    const mask = personMask(frame, background, 45);
    const row = [...mask.data.subarray(0, 10)];
    expect(row).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
    // a lower threshold takes the mean-45 blocks too
    expect([...personMask(frame, background, 44).data.subarray(0, 10)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('looks only inside a region and refuses a background of another size', () => {
    const frame = solid(10, 10, [0, 0, 0]);
    const background = solid(10, 10, [255, 255, 255]);
    const mask = personMask(frame, background, 45, [2, 3, 5, 6]);
    expect(mask.data.reduce((a, b) => a + b, 0)).toBe(9);
    expect(maskCoverage(mask, [2, 3, 5, 6])).toBe(1);
    expect(maskCoverage(mask, [0, 0, 10, 10])).toBeCloseTo(0.09);
    expect(() => personMask(frame, solid(8, 10, [0, 0, 0]), 45)).toThrow(/8×10/);
  });
});

describe('silhouetteBox', () => {
  it('bounds the set pixels, exclusive at the far edges', () => {
    const mask = drawn(['......', '..##..', '.###..', '..#...', '......']);
    expect(silhouetteBox(mask)).toEqual([1, 1, 4, 4]);
    expect(silhouetteBox(drawn(['...', '...']))).toBeNull();
  });

  it('ignores rows and columns with fewer than minPixels set (a stray pixel)', () => {
    const mask = drawn(['#.......', '........', '...##...', '...##...', '...##...']);
    expect(silhouetteBox(mask)).toEqual([0, 0, 5, 5]);
    expect(silhouetteBox(mask, 2)).toEqual([3, 2, 5, 5]);
  });
});

describe('ratioFeatures: 9 widths and 9 heights over the box height', () => {
  it('gives a filled rectangle constant widths and heights', () => {
    // 9 wide, 18 tall: every width is 9/18, every height 18/18
    const rows = Array.from({ length: 18 }, () => '#########');
    const f = ratioFeatures(drawn(rows), [0, 0, 9, 18]);
    expect(f.length).toBe(FEATURE_LENGTH);
    for (let i = 0; i < 9; i++) expect(f[i]).toBeCloseTo(0.5);
    for (let i = 9; i < 18; i++) expect(f[i]).toBeCloseTo(1);
  });

  it('measures a T: wide arms on top, a narrow body below', () => {
    // 9×9: rows 0–2 are 9 wide (arms), rows 3–8 are 3 wide in columns 3–5 (body).
    const rows = [...Array(3).fill('#########'), ...Array(6).fill('...###...')];
    const f = [...ratioFeatures(drawn(rows), [0, 0, 9, 9])];
    // lines at the middle of each 1-pixel band: rows 0..8, columns 0..8
    expect(f.slice(0, 9)).toEqual([1, 1, 1, 3 / 9, 3 / 9, 3 / 9, 3 / 9, 3 / 9, 3 / 9].map((v) => Math.fround(v)));
    expect(f.slice(9)).toEqual([3 / 9, 3 / 9, 3 / 9, 1, 1, 1, 3 / 9, 3 / 9, 3 / 9].map((v) => Math.fround(v)));
  });

  it('does not change when the silhouette is scaled (ratios, not pixels)', () => {
    const small = drawn([...Array(3).fill('#########'), ...Array(6).fill('...###...')]);
    const bigRows: string[] = [];
    for (let y = 0; y < 18; y++) bigRows.push([...(y < 6 ? '#########' : '...###...')].map((c) => c + c).join(''));
    const big = drawn(bigRows);
    const a = ratioFeatures(small, [0, 0, 9, 9]);
    const b = ratioFeatures(big, [0, 0, 18, 18]);
    for (let i = 0; i < 18; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  it('measures a width from the first to the last set pixel, gaps included, and 0 on an empty line', () => {
    const rows = Array.from({ length: 9 }, (_, y) => (y === 4 ? '.........' : '#.......#'));
    const f = ratioFeatures(drawn(rows), [0, 0, 9, 9]);
    expect(f[0]).toBeCloseTo(1);
    expect(f[4]).toBe(0);
    // column 0 runs from row 0 to row 8 (the empty row 4 is a gap inside it): 9/9
    expect(f[9]).toBeCloseTo(1);
    expect(f[13]).toBe(0);
  });
});
