/**
 * CenterNet's training targets: per class, a Gaussian peak of 1 at each box's centre cell, its
 * radius the one at which a box shifted that far still overlaps the true box by `minOverlap`
 * (Zhou et al., "Objects as Points"; the `gaussian_radius` of the reference code).
 */

export interface CellBox {
  cls: number;
  /** In feature cells (input pixels / stride). */
  cx: number;
  cy: number;
  w: number;
  h: number;
}

export function gaussianRadius(h: number, w: number, minOverlap = 0.7): number {
  const b1 = h + w;
  const c1 = (w * h * (1 - minOverlap)) / (1 + minOverlap);
  const r1 = (b1 + Math.sqrt(b1 * b1 - 4 * c1)) / 2;
  const b2 = 2 * (h + w);
  const c2 = (1 - minOverlap) * w * h;
  const r2 = (b2 + Math.sqrt(b2 * b2 - 16 * c2)) / 2;
  const a3 = 4 * minOverlap;
  const b3 = -2 * minOverlap * (h + w);
  const c3 = (minOverlap - 1) * w * h;
  const r3 = (b3 + Math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
  return Math.max(0, Math.floor(Math.min(r1, r2, r3)));
}

/** Heatmap targets [classes][rows × cols], row-major. */
export function heatmapTargets(boxes: CellBox[], classes: number, cols: number, rows = cols): Float32Array[] {
  const maps = Array.from({ length: classes }, () => new Float32Array(cols * rows));
  for (const b of boxes) {
    const r = gaussianRadius(b.h, b.w);
    const sigma = (2 * r + 1) / 6;
    const px = Math.min(cols - 1, Math.max(0, Math.floor(b.cx)));
    const py = Math.min(rows - 1, Math.max(0, Math.floor(b.cy)));
    const map = maps[b.cls];
    for (let y = Math.max(0, py - r); y <= Math.min(rows - 1, py + r); y++) {
      for (let x = Math.max(0, px - r); x <= Math.min(cols - 1, px + r); x++) {
        const d2 = (x - px) ** 2 + (y - py) ** 2;
        const v = Math.exp(-d2 / (2 * sigma * sigma));
        if (v < 1e-4) continue;
        const i = y * cols + x;
        if (v > map[i]) map[i] = v;
      }
    }
    map[py * cols + px] = 1;
  }
  return maps;
}
