import { get, I32, i32, F32, oneFunctionModule, set, simd, tee, V128 } from '../wasm/assemble.js';
import type { Affine } from './affine-matrix.js';
import type { RgbImage } from './image.js';

/**
 * Bilinear warps into a float tensor on WebAssembly SIMD: the crops of every frame (faces, bodies,
 * tiles) are the main thread's biggest job, and in JS each sample's twelve byte reads and their
 * weights cost ~25 ns; here one sample is a couple of 8-byte loads and integer vector maths,
 * about 5 ns (docs/inference.md). The source region a crop reads is copied into wasm memory
 * with a zero border, so the kernel needs no bounds tests; positions are fixed point and the
 * bilinear weights 8-bit (1/256 px; OpenCV's warpAffine uses 1/32), so values differ from the
 * float JS path by a few thousandths of a grey level on average, at most half a level on photos
 * and about one on pure noise (the worst case: neighbours differ by up to 255).
 */

/** How one warp writes its pixels (see PixelFormat in affine.ts). */
export interface SimdFormat {
  scale: number;
  offset: number;
  bgr: boolean;
}

const PAGE = 65536;
/** Swizzle masks (32 bytes each format) at the start of memory, then the output, then the source region. */
const MASKS = 0;
const OUT = 64;
/** A region larger than this (a crop of a huge, mostly empty area) goes to the JS path instead. */
const MAX_REGION_BYTES = 32 << 20;
const MAX_SIDE = 16000;
const Z = 0x80; // swizzle: a zero byte
/** Positions are fixed point with 17 fraction bits: steps accumulate along a row, and 17 bits keep a 512-px row within 0.002 px. */
const FRACTION_BITS = 17;
const ONE = 1 << FRACTION_BITS;
/** A sample comes out of the kernel as an integer: value · 256 · 256 (its two 8-bit weights). */
const VALUE_ONE = 65536;

export class SimdWarp {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly kernel: (
    src: number,
    rowBytes: number,
    out: number,
    outW: number,
    outH: number,
    masks: number,
    fx: number,
    fy: number,
    dxx: number,
    dyx: number,
    dxy: number,
    dyy: number,
    scale: number,
    offset: number,
  ) => void;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernel = instance.exports.warp as SimdWarp['kernel'];
    this.writeMasks();
  }

  /**
   * Samples `src` at inv·(x + ½, y + ½) − ½ for each output pixel (x, y), as warpToTensor's JS
   * loops do with a fill of 0; null when the region it reads is too large to copy.
   */
  warp(src: RgbImage, inv: Affine, outW: number, outH: number, format: SimdFormat, into?: Float32Array): Float32Array | null {
    // Sample positions of the output's corners bound all of them (the map is affine).
    const x0 = inv[0] * 0.5 + inv[1] * 0.5 + inv[2] - 0.5;
    const y0 = inv[3] * 0.5 + inv[4] * 0.5 + inv[5] - 0.5;
    const ex = [x0, x0 + inv[0] * (outW - 1), x0 + inv[1] * (outH - 1), x0 + inv[0] * (outW - 1) + inv[1] * (outH - 1)];
    const ey = [y0, y0 + inv[3] * (outW - 1), y0 + inv[4] * (outH - 1), y0 + inv[3] * (outW - 1) + inv[4] * (outH - 1)];
    // Two pixels of margin: the taps at floor + 1, and fixed-point rounding, stay inside.
    const left = Math.floor(Math.min(...ex)) - 2;
    const top = Math.floor(Math.min(...ey)) - 2;
    const width = Math.floor(Math.max(...ex)) + 4 - left;
    const height = Math.floor(Math.max(...ey)) + 4 - top;
    const rowBytes = width * 3;
    const regionBytes = rowBytes * height;
    // fixed-point positions must stay below 2³¹
    if (!(regionBytes <= MAX_REGION_BYTES) || width > MAX_SIDE || height > MAX_SIDE) return null;
    const outBytes = outW * outH * 12;
    const regionAt = OUT + outBytes + 16; // a vector store of the last pixel writes 4 bytes past it
    this.reserve(regionAt + regionBytes + 16); // an 8-byte load at the region's last pixel reads 2 past it
    this.copyRegion(src, left, top, width, height, regionAt);
    const q = (v: number) => Math.round(v * ONE);
    // + 1/512 px: the kernel truncates positions to 1/256 px for the weights, so this rounds them
    const start = (v: number) => q(v) + ONE / 512;
    this.kernel(
      regionAt,
      rowBytes,
      OUT,
      outW,
      outH,
      format.bgr ? MASKS + 32 : MASKS,
      start(x0 - left),
      start(y0 - top),
      q(inv[0]),
      q(inv[3]),
      q(inv[1]),
      q(inv[4]),
      format.scale / VALUE_ONE,
      format.offset,
    );
    const out = into ?? new Float32Array(outW * outH * 3);
    out.set(new Float32Array(this.memory.buffer, OUT, out.length)); // a memcpy; slice() on a wasm view is 5× slower
    return out;
  }

  /** Copies the image's part of the region, zeroing what lies outside the image. */
  private copyRegion(src: RgbImage, left: number, top: number, width: number, height: number, at: number): void {
    const { width: W, height: H, data } = src;
    const bytes = new Uint8Array(this.memory.buffer);
    const xa = Math.max(0, left),
      xb = Math.min(W, left + width);
    const ya = Math.max(0, top),
      yb = Math.min(H, top + height);
    const rowBytes = width * 3;
    if (xa > left || xb < left + width || ya > top || yb < top + height || xa >= xb || ya >= yb) bytes.fill(0, at, at + rowBytes * height + 16);
    if (xa >= xb || ya >= yb) return;
    for (let y = ya; y < yb; y++) bytes.set(data.subarray((y * W + xa) * 3, (y * W + xb) * 3), at + (y - top) * rowBytes + (xa - left) * 3);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /**
   * A sample's two 8-byte loads hold its four taps as R G B R' G' B' _ _ (top row) and the same
   * below; the masks pick each tap's channels into 16-bit lanes (a zero byte above each): the left
   * taps of both rows, then the right taps. BGR swaps the channel order in the masks.
   */
  private writeMasks(): void {
    const tap = (row: number, pixel: number, bgr: boolean) => {
      const base = row * 8 + pixel * 3;
      const channels = bgr ? [base + 2, base + 1, base] : [base, base + 1, base + 2];
      return [...channels.flatMap((c) => [c, Z]), Z, Z];
    };
    const masks = [false, true].flatMap((bgr) => [...tap(0, 0, bgr), ...tap(1, 0, bgr), ...tap(0, 1, bgr), ...tap(1, 1, bgr)]);
    new Uint8Array(this.memory.buffer).set(masks, MASKS);
  }
}

/**
 * `warp(src, rowBytes, out, outW, outH, masks, fx, fy, dxx, dyx, dxy, dyy, scale, offset)`:
 * for each output pixel, the sample position (fx, fy) in fixed point (FRACTION_BITS) relative to the
 * region (steps dxx, dyx along a row, dxy, dyy down the rows), its four taps' 8-bit weights,
 *   h = left·(256 − wx) + right·wx           (i16x8: both rows at once, at most 65280)
 *   v = h_top·(256 − wy) + h_bottom·wy        (i32x4, exact)
 * and out = v · scale + offset as f32x4 (the fourth lane spills into the next pixel, rewritten).
 */
function warpModule(): WebAssembly.Module | null {
  const ADD = 0x6a,
    MUL = 0x6c,
    AND = 0x71,
    SHR_S = 0x75,
    GE_S = 0x4e;
  const I16_SPLAT = simd(0x10),
    I16_ADD = simd(0x8e, 0x01),
    I16_SUB = simd(0x91, 0x01),
    I16_MUL = simd(0x95, 0x01);
  const EXTMUL_LOW_U = simd(0xbe, 0x01),
    EXTMUL_HIGH_U = simd(0xbf, 0x01),
    I32X4_ADD = simd(0xae, 0x01);
  const F32X4_CONVERT = simd(0xfa, 0x01),
    F32X4_MUL = simd(0xe6, 0x01),
    F32X4_ADD = simd(0xe4, 0x01),
    F32_SPLAT = simd(0x13);
  const LOAD = (offset: number) => simd(0x00, 0x00, offset); // v128.load
  const LOAD64_ZERO = simd(0x5d, 0x00, 0x00),
    LOAD64_LANE1 = simd(0x57, 0x00, 0x00, 1),
    STORE = simd(0x0b, 0x00, 0x00),
    SWIZZLE = simd(0x0e);
  // params
  const SRC = 0,
    ROW = 1,
    OUT_ = 2,
    OW = 3,
    OH = 4,
    MASK = 5,
    FX0 = 6,
    FY0 = 7,
    DXX = 8,
    DYX = 9,
    DXY = 10,
    DYY = 11,
    SCALE = 12,
    OFFSET = 13;
  // locals: i32 x, y, o, p, fx, fy; v128 left, right, v, k, off, c256, w
  const X = 14,
    Y = 15,
    O = 16,
    P = 17,
    FX = 18,
    FY = 19,
    LEFT = 20,
    RIGHT = 21,
    V = 22,
    K = 23,
    OFF = 24,
    C256 = 25,
    W = 26;
  // w = splat((pos >> (FRACTION_BITS − 8)) & 255): the position's fraction to 1/256
  const weight = (pos: number) => [...get(pos), ...i32(FRACTION_BITS - 8), SHR_S, ...i32(255), AND, ...I16_SPLAT, ...set(W)];
  const body = [
    ...get(MASK),
    ...LOAD(0),
    ...set(LEFT),
    ...get(MASK),
    ...LOAD(16),
    ...set(RIGHT),
    ...get(SCALE),
    ...F32_SPLAT,
    ...set(K),
    ...get(OFFSET),
    ...F32_SPLAT,
    ...set(OFF),
    ...i32(256),
    ...I16_SPLAT,
    ...set(C256),
    ...get(OUT_),
    ...set(O),
    ...i32(0),
    ...set(Y),
    0x02,
    0x40,
    0x03,
    0x40, // block loop (rows)
    ...get(Y),
    ...get(OH),
    GE_S,
    0x0d,
    1,
    ...get(FX0),
    ...get(Y),
    ...get(DXY),
    MUL,
    ADD,
    ...set(FX), // the row's first sample
    ...get(FY0),
    ...get(Y),
    ...get(DYY),
    MUL,
    ADD,
    ...set(FY),
    ...i32(0),
    ...set(X),
    0x02,
    0x40,
    0x03,
    0x40, // block loop (pixels)
    ...get(X),
    ...get(OW),
    GE_S,
    0x0d,
    1,
    // p = src + (fy >> FRACTION_BITS)·rowBytes + (fx >> FRACTION_BITS)·3; v = the top row's 8 bytes, then the bottom row's
    ...get(SRC),
    ...get(FY),
    ...i32(FRACTION_BITS),
    SHR_S,
    ...get(ROW),
    MUL,
    ADD,
    ...get(FX),
    ...i32(FRACTION_BITS),
    SHR_S,
    ...i32(3),
    MUL,
    ADD,
    ...tee(P),
    ...LOAD64_ZERO,
    ...set(V),
    ...get(P),
    ...get(ROW),
    ADD,
    ...get(V),
    ...LOAD64_LANE1,
    ...set(V),
    // h = left·(256 − wx) + right·wx
    ...weight(FX),
    ...get(V),
    ...get(LEFT),
    ...SWIZZLE,
    ...get(C256),
    ...get(W),
    ...I16_SUB,
    ...I16_MUL,
    ...get(V),
    ...get(RIGHT),
    ...SWIZZLE,
    ...get(W),
    ...I16_MUL,
    ...I16_ADD,
    ...set(V),
    // out[o] = (h_top·(256 − wy) + h_bottom·wy) · k + offset
    ...weight(FY),
    ...get(O),
    ...get(V),
    ...get(C256),
    ...get(W),
    ...I16_SUB,
    ...EXTMUL_LOW_U,
    ...get(V),
    ...get(W),
    ...EXTMUL_HIGH_U,
    ...I32X4_ADD,
    ...F32X4_CONVERT,
    ...get(K),
    ...F32X4_MUL,
    ...get(OFF),
    ...F32X4_ADD,
    ...STORE,
    ...get(O),
    ...i32(12),
    ADD,
    ...set(O),
    ...get(FX),
    ...get(DXX),
    ADD,
    ...set(FX),
    ...get(FY),
    ...get(DYX),
    ADD,
    ...set(FY),
    ...get(X),
    ...i32(1),
    ADD,
    ...set(X),
    0x0c,
    0,
    0x0b,
    0x0b, // br loop; end; end
    ...get(Y),
    ...i32(1),
    ADD,
    ...set(Y),
    0x0c,
    0,
    0x0b,
    0x0b,
    0x0b, // end of function
  ];
  const params = [...new Array<number>(12).fill(I32), F32, F32];
  return oneFunctionModule(
    'warp',
    params,
    [
      [6, I32],
      [7, V128],
    ],
    body,
  );
}

/** Compiled once per thread; null where the runtime has no wasm SIMD. */
const WARP_MODULE = warpModule();
let shared: SimdWarp | null | undefined;

/** This thread's SIMD warper (one wasm memory, reused by every warp), or null without wasm SIMD. */
export function simdWarp(): SimdWarp | null {
  if (shared === undefined) shared = WARP_MODULE ? new SimdWarp(WARP_MODULE) : null;
  return shared;
}
