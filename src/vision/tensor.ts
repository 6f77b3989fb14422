import type { RgbImage } from './image.js';

export type Layout = 'nhwc' | 'nchw';

export interface TensorOptions {
  layout: Layout;
  /** value = pixel · scale + offset (e.g. 1/127.5 and −1 for −1…1). */
  scale?: number;
  offset?: number;
  /** Feed channels as BGR (some user models are trained on OpenCV frames). */
  bgr?: boolean;
}

/** Packs RGB bytes into a float32 tensor body [1,H,W,3] or [1,3,H,W]. */
export function toFloatTensor(img: RgbImage, opts: TensorOptions, out?: Float32Array, batchIndex = 0): Float32Array {
  const { width: W, height: H, data } = img;
  const n = W * H;
  const scale = opts.scale ?? 1;
  const offset = opts.offset ?? 0;
  const t = out ?? new Float32Array(n * 3);
  const base = batchIndex * n * 3;
  const [c0, c2] = opts.bgr ? [2, 0] : [0, 2];
  if (opts.layout === 'nhwc' && !opts.bgr) {
    // the same order in and out: one flat loop (a third of the per-pixel loop's time)
    for (let i = 0; i < n * 3; i++) t[base + i] = data[i] * scale + offset;
  } else if (opts.layout === 'nhwc') {
    for (let i = 0; i < n; i++) {
      const s = i * 3;
      const d = base + s;
      t[d] = data[s + c0] * scale + offset;
      t[d + 1] = data[s + 1] * scale + offset;
      t[d + 2] = data[s + c2] * scale + offset;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const s = i * 3;
      t[base + i] = data[s + c0] * scale + offset;
      t[base + n + i] = data[s + 1] * scale + offset;
      t[base + 2 * n + i] = data[s + c2] * scale + offset;
    }
  }
  return t;
}

/** Packs RGB bytes into an int32 NHWC tensor body (MoveNet takes 0–255 as int32). */
export function toInt32Tensor(img: RgbImage): Int32Array {
  return Int32Array.from(img.data);
}
