import type { Affine } from './affine-matrix.js';
import type { RgbImage } from './image.js';
import type { Box } from './iou.js';
import { simdWarp } from './warp-simd.js';

export type Point = [number, number];

export type { Affine };

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
  let mx = 0,
    my = 0,
    mu = 0,
    mv = 0;
  for (let i = 0; i < n; i++) {
    mx += src[i][0];
    my += src[i][1];
    mu += dst[i][0];
    mv += dst[i][1];
  }
  mx /= n;
  my /= n;
  mu /= n;
  mv /= n;
  let sxx = 0,
    num1 = 0,
    num2 = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i][0] - mx,
      y = src[i][1] - my;
    const u = dst[i][0] - mu,
      v = dst[i][1] - mv;
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
 * Halvings of an image (2×2 box average), made once per image and reused by every warp of it:
 * a frame is cropped many times (face tiles, each face, each body), and sampling a shrunken
 * level is far cheaper than supersampling the full-size image. Weakly held: gone with the image.
 */
const pyramids = new WeakMap<Uint8Array, RgbImage[]>();

function halve(img: RgbImage): RgbImage {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const src = img.data;
  const out = new Uint8Array(w * h * 3);
  const row = img.width * 3;
  for (let y = 0; y < h; y++) {
    let i = 2 * y * row;
    let o = y * w * 3;
    for (let x = 0; x < w; x++, i += 6, o += 3) {
      out[o] = (src[i] + src[i + 3] + src[i + row] + src[i + row + 3] + 2) >> 2;
      out[o + 1] = (src[i + 1] + src[i + 4] + src[i + row + 1] + src[i + row + 4] + 2) >> 2;
      out[o + 2] = (src[i + 2] + src[i + 5] + src[i + row + 2] + src[i + row + 5] + 2) >> 2;
    }
  }
  return { width: w, height: h, data: out };
}

/** Level `level` of the image's pyramid (0 is the image itself). */
function pyramidLevel(img: RgbImage, level: number): RgbImage {
  if (level === 0) return img;
  let levels = pyramids.get(img.data);
  if (!levels) {
    levels = [img];
    pyramids.set(img.data, levels);
  }
  while (levels.length <= level) levels.push(halve(levels[levels.length - 1]));
  return levels[level];
}

/** Index of pixel (x, y) in a W × H RGB buffer, or −1 outside it. */
function tapIndex(W: number, H: number, x: number, y: number): number {
  return x >= 0 && y >= 0 && x < W && y < H ? (y * W + x) * 3 : -1;
}

/**
 * The four bilinear taps at (x0, y0) where some fall outside `img`: those read as `fill`. Sums into
 * `acc`. Only the one-pixel seam of a crop that reaches past the frame comes here, but such crops
 * are common (person squares, tiles), so no closures or loops (a closure here once made a full
 * frame's analysis twice as slow).
 */
function borderTaps(img: RgbImage, x0: number, y0: number, w00: number, w10: number, w01: number, w11: number, fill: number, acc: Float64Array): void {
  const { width: W, height: H, data } = img;
  const t00 = tapIndex(W, H, x0, y0);
  const t10 = tapIndex(W, H, x0 + 1, y0);
  const t01 = tapIndex(W, H, x0, y0 + 1);
  const t11 = tapIndex(W, H, x0 + 1, y0 + 1);
  acc[0] = (t00 < 0 ? fill : data[t00]) * w00 + (t10 < 0 ? fill : data[t10]) * w10 + (t01 < 0 ? fill : data[t01]) * w01 + (t11 < 0 ? fill : data[t11]) * w11;
  acc[1] = (t00 < 0 ? fill : data[t00 + 1]) * w00 + (t10 < 0 ? fill : data[t10 + 1]) * w10 + (t01 < 0 ? fill : data[t01 + 1]) * w01 + (t11 < 0 ? fill : data[t11 + 1]) * w11;
  acc[2] = (t00 < 0 ? fill : data[t00 + 2]) * w00 + (t10 < 0 ? fill : data[t10 + 2]) * w10 + (t01 < 0 ? fill : data[t01 + 2]) * w01 + (t11 < 0 ? fill : data[t11 + 2]) * w11;
}

/** How warped pixels are written: value = pixel · scale + offset, channels in RGB or BGR order. */
export interface PixelFormat {
  scale?: number;
  offset?: number;
  bgr?: boolean;
}

/**
 * Resamples `img` through the source→destination transform `m` straight into a float32 NHWC
 * tensor body of outW × outH pixels, each written as pixel · scale + offset: a model's input in
 * one pass, with no byte image in between. Bilinear; when shrinking, it samples the pyramid
 * level nearest above the output's scale (at most 2× more shrink left), so small crops of large
 * photos do not alias. One sample a pixel: 2×2 supersampling there cost four times the taps and
 * changed no measured result (face ROC, tests). Pixels that fall outside the source are `fill`.
 * Runs on wasm SIMD where it can (warp-simd.ts: 8-bit weights, within half a grey level of this
 * file's float loops on photos, which remain for other fills and runtimes without SIMD).
 * `out`, when given (a recycled input: SessionPool.float32), is written whole and returned.
 */
export function warpToTensor(img: RgbImage, m: Affine, outW: number, outH: number, format: PixelFormat = {}, fill = 0, out?: Float32Array): Float32Array {
  if (out && out.length !== outW * outH * 3) throw new Error(`a ${outW}×${outH} crop needs ${outW * outH * 3} values, not ${out.length}`);
  const { src, inv } = sampling(img, m);
  const simd = fill === 0 ? simdWarp() : null;
  const fast = simd?.warp(src, inv, outW, outH, { scale: format.scale ?? 1, offset: format.offset ?? 0, bgr: format.bgr ?? false }, out);
  return fast ?? warpInJs(src, inv, outW, outH, format, fill, out);
}

/** warpToTensor on its float JS loops only: the reference the SIMD path is tested against. */
export function warpToTensorJs(img: RgbImage, m: Affine, outW: number, outH: number, format: PixelFormat = {}, fill = 0): Float32Array {
  const { src, inv } = sampling(img, m);
  return warpInJs(src, inv, outW, outH, format, fill);
}

/** The pyramid level a warp samples, and the map from output pixels to that level's pixels. */
function sampling(img: RgbImage, m: Affine): { src: RgbImage; inv: Affine } {
  const fullScale = Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
  // Each level halves the image; stop while the remaining shrink is at most 2× (and the level is not tiny).
  let level = 0;
  while (fullScale * (1 << (level + 1)) <= 1 && img.width >> (level + 1) >= 8 && img.height >> (level + 1) >= 8) level++;
  const f = 1 << level;
  // Level pixel p covers full-size pixels [f·p, f·(p+1)): source → level coordinates scale by 1/f.
  return { src: pyramidLevel(img, level), inv: invertAffine([m[0] * f, m[1] * f, m[2], m[3] * f, m[4] * f, m[5]]) };
}

function warpInJs(src: RgbImage, inv: Affine, outW: number, outH: number, format: PixelFormat, fill: number, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(outW * outH * 3);
  warpBilinear(src, inv, out, outW, outH, format, fill);
  return out;
}

/** warpToTensor as an RGB byte image (rounded), for crops that are looked at rather than inferred on. */
export function warpAffine(img: RgbImage, m: Affine, outW: number, outH: number, fill = 0): RgbImage {
  const values = warpToTensor(img, m, outW, outH, {}, fill);
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.round(values[i]);
  return { width: outW, height: outH, data };
}

/**
 * Bilinear resampling, any rotation; `inv` maps output to level pixels. The taps are inlined on
 * purpose: one shared per-sample function writing to an array was measured 30-80 % slower on
 * 224-256 px crops (2.3 -> 3.3-4.2 ms). Crops normally take the SIMD path; this is its reference
 * and fallback.
 */
function warpBilinear(src: RgbImage, inv: Affine, out: Float32Array, outW: number, outH: number, format: PixelFormat, fill: number): void {
  const { width: W, height: H, data } = src;
  const scale = format.scale ?? 1;
  const offset = format.offset ?? 0;
  const c0 = format.bgr ? 2 : 0;
  const c2 = 2 - c0;
  const acc = new Float64Array(3);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    const dy = y + 0.5;
    for (let x = 0; x < outW; x++, o += 3) {
      const dx = x + 0.5;
      // continuous source position, shifted so integer coordinates are pixel centres
      const fx = inv[0] * dx + inv[1] * dy + inv[2] - 0.5;
      const fy = inv[3] * dx + inv[4] * dy + inv[5] - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      const w00 = (1 - ax) * (1 - ay),
        w10 = ax * (1 - ay),
        w01 = (1 - ax) * ay,
        w11 = ax * ay;
      let r: number, g: number, b: number;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const i00 = (y0 * W + x0) * 3;
        const i01 = i00 + W * 3;
        r = data[i00] * w00 + data[i00 + 3] * w10 + data[i01] * w01 + data[i01 + 3] * w11;
        g = data[i00 + 1] * w00 + data[i00 + 4] * w10 + data[i01 + 1] * w01 + data[i01 + 4] * w11;
        b = data[i00 + 2] * w00 + data[i00 + 5] * w10 + data[i01 + 2] * w01 + data[i01 + 5] * w11;
      } else if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) {
        // wholly outside (a square reaching past the frame): all four taps are `fill`, weights sum to 1
        r = g = b = fill;
      } else {
        // on the border: each tap outside the image reads as `fill`
        borderTaps(src, x0, y0, w00, w10, w01, w11, fill, acc);
        r = acc[0];
        g = acc[1];
        b = acc[2];
      }
      out[o + c0] = r * scale + offset;
      out[o + 1] = g * scale + offset;
      out[o + c2] = b * scale + offset;
    }
  }
}
