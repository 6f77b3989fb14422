import type { RgbImage } from './image.js';
import type { Box } from './iou.js';

export type Point = [number, number];

/** 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = [number, number, number, number, number, number];

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (det === 0) throw new Error('affine transform is singular');
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/**
 * Least-squares similarity (rotation, uniform scale, translation; no reflection) that maps
 * `src` points onto `dst` points (Umeyama's closed form). Used to align a face onto a template.
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error('similarityTransform needs two or more matching points');
  let mx = 0, my = 0, mu = 0, mv = 0;
  for (let i = 0; i < n; i++) {
    mx += src[i][0]; my += src[i][1]; mu += dst[i][0]; mv += dst[i][1];
  }
  mx /= n; my /= n; mu /= n; mv /= n;
  let sxx = 0, num1 = 0, num2 = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i][0] - mx, y = src[i][1] - my;
    const u = dst[i][0] - mu, v = dst[i][1] - mv;
    sxx += x * x + y * y;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
  }
  if (sxx === 0) throw new Error('similarityTransform: source points coincide');
  const p = num1 / sxx; // s·cosθ
  const q = num2 / sxx; // s·sinθ
  return [p, -q, mu - (p * mx - q * my), q, p, mv - (q * mx + p * my)];
}

/** Maps an axis-aligned box onto an outW × outH image (stretching). */
export function boxToRect(box: Box, outW: number, outH: number): Affine {
  const sx = outW / (box[2] - box[0]);
  const sy = outH / (box[3] - box[1]);
  return [sx, 0, -box[0] * sx, 0, sy, -box[1] * sy];
}

/**
 * Maps a rotated square region (centre, side, rotation in radians, clockwise in image
 * coordinates) onto an out × out image, the region's "up" becoming the output's up.
 */
export function rotatedSquareToRect(cx: number, cy: number, side: number, rotation: number, out: number): Affine {
  const s = out / side;
  const cos = Math.cos(rotation) * s;
  const sin = Math.sin(rotation) * s;
  // dst = S·R(−θ)·(p − c) + out/2
  return [cos, sin, out / 2 - (cos * cx + sin * cy), -sin, cos, out / 2 - (-sin * cx + cos * cy)];
}

/**
 * Resamples `img` through the source→destination transform `m` into an outW × outH image.
 * Bilinear, with k×k supersampling when shrinking so small crops of large photos do not alias;
 * pixels that fall outside the source are `fill`.
 */
export function warpAffine(img: RgbImage, m: Affine, outW: number, outH: number, fill = 0): RgbImage {
  const inv = invertAffine(m);
  const scale = Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
  const k = Math.min(4, Math.max(1, Math.ceil(1 / scale - 1e-6)));
  const out = new Uint8Array(outW * outH * 3);
  const { width: W, height: H, data } = img;
  const acc = [0, 0, 0];
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const dx = x + (sx + 0.5) / k;
          const dy = y + (sy + 0.5) / k;
          // pixel centres: sample at continuous coordinates, then shift to index space
          const fx = inv[0] * dx + inv[1] * dy + inv[2] - 0.5;
          const fy = inv[3] * dx + inv[4] * dy + inv[5] - 0.5;
          sampleBilinear(data, W, H, fx, fy, fill, acc);
        }
      }
      const o = (y * outW + x) * 3;
      const n = k * k;
      out[o] = Math.round(acc[0] / n);
      out[o + 1] = Math.round(acc[1] / n);
      out[o + 2] = Math.round(acc[2] / n);
    }
  }
  return { width: outW, height: outH, data: out };
}

function sampleBilinear(data: Uint8Array, W: number, H: number, fx: number, fy: number, fill: number, acc: number[]): void {
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  for (let c = 0; c < 3; c++) {
    const p00 = pixel(data, W, H, x0, y0, c, fill);
    const p10 = pixel(data, W, H, x0 + 1, y0, c, fill);
    const p01 = pixel(data, W, H, x0, y0 + 1, c, fill);
    const p11 = pixel(data, W, H, x0 + 1, y0 + 1, c, fill);
    acc[c] += (p00 * (1 - ax) + p10 * ax) * (1 - ay) + (p01 * (1 - ax) + p11 * ax) * ay;
  }
}

function pixel(data: Uint8Array, W: number, H: number, x: number, y: number, c: number, fill: number): number {
  if (x < 0 || y < 0 || x >= W || y >= H) return fill;
  return data[(y * W + x) * 3 + c];
}
