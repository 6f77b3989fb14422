import type { RgbImage } from './image.js';

/**
 * Shapes drawn straight into packed RGB pixels, for event snapshots: a frame's boxes and
 * skeletons cost well under a millisecond here, where rasterising the same as SVG (librsvg over
 * a whole RGBA surface, then composited) took 5–9 ms a snapshot (docs/benchmarks.md). Edges are
 * not anti-aliased, as Frigate's OpenCV drawing is not.
 */
export type Rgb = readonly [number, number, number];

/** `#rrggbb` or `#rgb`; anything else is a programming error. */
export function parseColour(hex: string): Rgb {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a colour: ${hex}`);
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [Number.parseInt(h.slice(0, 2), 16), Number.parseInt(h.slice(2, 4), 16), Number.parseInt(h.slice(4, 6), 16)];
}

/** Fills the pixels whose centres lie in [x1, x2) × [y1, y2), clipped to the image. */
export function fillRect(img: RgbImage, x1: number, y1: number, x2: number, y2: number, colour: Rgb): void {
  const left = Math.max(0, Math.round(x1));
  const right = Math.min(img.width, Math.round(x2));
  const top = Math.max(0, Math.round(y1));
  const bottom = Math.min(img.height, Math.round(y2));
  if (left >= right) return;
  const [r, g, b] = colour;
  for (let y = top; y < bottom; y++) {
    for (let i = (y * img.width + left) * 3, end = (y * img.width + right) * 3; i < end; i += 3) {
      img.data[i] = r;
      img.data[i + 1] = g;
      img.data[i + 2] = b;
    }
  }
}

/** A box's outline, `width` pixels thick and centred on its edges (as an SVG stroke is). */
export function strokeRect(img: RgbImage, x1: number, y1: number, x2: number, y2: number, width: number, colour: Rgb): void {
  const h = width / 2;
  fillRect(img, x1 - h, y1 - h, x2 + h, y1 + h, colour);
  fillRect(img, x1 - h, y2 - h, x2 + h, y2 + h, colour);
  fillRect(img, x1 - h, y1 + h, x1 + h, y2 - h, colour);
  fillRect(img, x2 - h, y1 + h, x2 + h, y2 - h, colour);
}

/** A segment `width` pixels thick with round ends: every pixel within width/2 of it. */
export function drawLine(img: RgbImage, x1: number, y1: number, x2: number, y2: number, width: number, colour: Rgb): void {
  const r = width / 2;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy;
  const left = Math.max(0, Math.floor(Math.min(x1, x2) - r));
  const right = Math.min(img.width - 1, Math.ceil(Math.max(x1, x2) + r));
  const top = Math.max(0, Math.floor(Math.min(y1, y2) - r));
  const bottom = Math.min(img.height - 1, Math.ceil(Math.max(y1, y2) + r));
  const [cr, cg, cb] = colour;
  for (let y = top; y <= bottom; y++) {
    const py = y + 0.5 - y1;
    for (let x = left; x <= right; x++) {
      const px = x + 0.5 - x1;
      // the nearest point of the segment, as a fraction t of its length
      const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, (px * dx + py * dy) / length2));
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey > r * r) continue;
      const i = (y * img.width + x) * 3;
      img.data[i] = cr;
      img.data[i + 1] = cg;
      img.data[i + 2] = cb;
    }
  }
}

/** A filled disc: a segment of no length. */
export function fillCircle(img: RgbImage, cx: number, cy: number, radius: number, colour: Rgb): void {
  drawLine(img, cx, cy, cx, cy, radius * 2, colour);
}

/** An 8-bit coverage mask (text rendered once): 0 leaves a pixel, 255 paints it. */
export interface AlphaMask {
  width: number;
  height: number;
  alpha: Uint8Array;
}

/** Paints `colour` through `mask` with its top-left corner at (x, y), blended by coverage, clipped to the image. */
export function paintMask(img: RgbImage, mask: AlphaMask, x: number, y: number, colour: Rgb): void {
  const left = Math.round(x);
  const top = Math.round(y);
  for (let my = Math.max(0, -top); my < mask.height && top + my < img.height; my++) {
    for (let mx = Math.max(0, -left); mx < mask.width && left + mx < img.width; mx++) {
      const a = mask.alpha[my * mask.width + mx];
      if (a === 0) continue;
      const i = ((top + my) * img.width + left + mx) * 3;
      for (let c = 0; c < 3; c++) img.data[i + c] = Math.round(img.data[i + c] + ((colour[c] - img.data[i + c]) * a) / 255);
    }
  }
}
