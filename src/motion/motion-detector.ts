import type { MotionConfig } from '../config/schema.js';

/** [x1, y1, x2, y2] in the frame's pixels, x2/y2 exclusive. */
export type Box = [number, number, number, number];

export interface MotionResult {
  motion: boolean;
  /** Regions that changed, largest first, in full-frame pixels. */
  boxes: Box[];
  /** Share of the small frame that changed (0–1), for the UI and tuning. */
  changed: number;
}

/** Side of the small grey frame's longer edge: enough to see a person, cheap to scan. */
const SMALL_EDGE = 160;
/** When most of the frame changes at once it is light (a lamp, IR switching), not an object. */
const LIGHTING_CHANGE = 0.6;

/**
 * Frame difference against a slowly updated background, on a small grey copy of the frame.
 * One per camera; costs well under a millisecond on a 640×360 frame.
 */
export class MotionDetector {
  private readonly factor: number;
  private readonly sw: number;
  private readonly sh: number;
  private readonly grey: Float32Array;
  private readonly background: Float32Array;
  private readonly mask: Uint8Array;
  private readonly labels: Int32Array;
  private primed = false;

  constructor(
    readonly width: number,
    readonly height: number,
    /** `still_interval` is the gate's, not the detector's. */
    private readonly config: Omit<MotionConfig, 'still_interval'>,
  ) {
    this.factor = Math.max(1, Math.ceil(Math.max(width, height) / SMALL_EDGE));
    this.sw = Math.floor(width / this.factor);
    this.sh = Math.floor(height / this.factor);
    const n = this.sw * this.sh;
    this.grey = new Float32Array(n);
    this.background = new Float32Array(n);
    this.mask = new Uint8Array(n);
    this.labels = new Int32Array(n);
  }

  /** `rgb` is packed RGB24 of width × height. */
  detect(rgb: Uint8Array): MotionResult {
    if (rgb.length !== this.width * this.height * 3) {
      throw new Error(`motion: frame is ${rgb.length} bytes, expected ${this.width * this.height * 3}`);
    }
    this.toSmallGrey(rgb);
    if (!this.primed) {
      this.background.set(this.grey);
      this.primed = true;
      return { motion: false, boxes: [], changed: 0 };
    }
    const changedPx = this.diff();
    const changed = changedPx / this.grey.length;
    const alpha = this.config.background_alpha;
    if (changed > LIGHTING_CHANGE) {
      this.background.set(this.grey);
      return { motion: false, boxes: [], changed };
    }
    for (let i = 0; i < this.grey.length; i++) this.background[i] += (this.grey[i] - this.background[i]) * alpha;
    const boxes = changedPx === 0 ? [] : this.regions();
    return { motion: boxes.length > 0, boxes, changed };
  }

  /** Box-average down by an integer factor and convert to grey (BT.601 luma). */
  private toSmallGrey(rgb: Uint8Array): void {
    const { factor: f, sw, sh, width } = this;
    const norm = 1 / (f * f);
    for (let sy = 0; sy < sh; sy++) {
      for (let sx = 0; sx < sw; sx++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) {
          let p = ((sy * f + dy) * width + sx * f) * 3;
          for (let dx = 0; dx < f; dx++, p += 3) sum += 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
        }
        this.grey[sy * sw + sx] = sum * norm;
      }
    }
  }

  private diff(): number {
    const t = this.config.threshold;
    let count = 0;
    for (let i = 0; i < this.grey.length; i++) {
      const on = Math.abs(this.grey[i] - this.background[i]) > t ? 1 : 0;
      this.mask[i] = on;
      count += on;
    }
    return count;
  }

  /** Connected changed regions (8-neighbour flood fill), filtered by min_area in full-frame pixels. */
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a flood fill over typed arrays on the hot path, kept in one loop without allocations
  private regions(): Box[] {
    const { sw, sh, mask, labels, factor: f } = this;
    labels.fill(0);
    const stack: number[] = [];
    const minSmallArea = this.config.min_area / (f * f);
    const found: Array<{ box: Box; area: number }> = [];
    let next = 0;
    for (let start = 0; start < mask.length; start++) {
      if (!mask[start] || labels[start]) continue;
      next++;
      labels[start] = next;
      stack.push(start);
      let area = 0;
      let x1 = sw,
        y1 = sh,
        x2 = 0,
        y2 = 0;
      while (stack.length) {
        const i = stack.pop()!;
        const x = i % sw;
        const y = (i - x) / sw;
        area++;
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
        for (let ny = Math.max(0, y - 1); ny <= Math.min(sh - 1, y + 1); ny++) {
          for (let nx = Math.max(0, x - 1); nx <= Math.min(sw - 1, x + 1); nx++) {
            const j = ny * sw + nx;
            if (mask[j] && !labels[j]) {
              labels[j] = next;
              stack.push(j);
            }
          }
        }
      }
      if (area >= minSmallArea) {
        found.push({
          box: [x1 * f, y1 * f, Math.min(this.width, (x2 + 1) * f), Math.min(this.height, (y2 + 1) * f)],
          area,
        });
      }
    }
    return found.sort((a, b) => b.area - a.area).map((r) => r.box);
  }
}
