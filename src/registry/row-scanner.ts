import { get, i32, I32, oneFunctionModule, set, simd, uleb, V128 } from '../wasm/assemble.js';

/**
 * Dot products of one probe with every row of a matrix: the inner loop of face matching. Rows
 * live in one contiguous Float32Array; where WebAssembly SIMD runs (Node 16.4+) that array is a
 * view on a wasm memory and four floats multiply at once, else a plain JS loop does the same.
 */
export interface RowScanner {
  readonly dims: number;
  /** capacity × dims floats; a new view after `grow`, so never hold on to it. */
  readonly rows: Float32Array;
  readonly capacity: number;
  /** Keeps the rows, makes room for `capacity`. */
  grow(capacity: number): void;
  /** Scores of `probe` against rows 0…count-1; valid until the next call. */
  scan(probe: Float32Array, count: number): Float32Array;
}

/** `simd: false` forces the JS loop (for comparison in tests and the benchmark). */
export function createRowScanner(dims: number, capacity: number, opts: { simd?: boolean } = {}): RowScanner {
  // Two SIMD accumulators take 8 floats a step: every face model's size is a multiple of 8.
  if (opts.simd !== false && dims % 8 === 0 && SIMD_MODULE) return new WasmRowScanner(dims, capacity, SIMD_MODULE);
  return new JsRowScanner(dims, capacity);
}

class JsRowScanner implements RowScanner {
  rows: Float32Array;
  private scores: Float32Array;

  constructor(
    readonly dims: number,
    public capacity: number,
  ) {
    this.rows = new Float32Array(capacity * dims);
    this.scores = new Float32Array(capacity);
  }

  grow(capacity: number): void {
    const rows = new Float32Array(capacity * this.dims);
    rows.set(this.rows);
    this.rows = rows;
    this.scores = new Float32Array(capacity);
    this.capacity = capacity;
  }

  scan(probe: Float32Array, count: number): Float32Array {
    const { dims, rows, scores } = this;
    for (let r = 0, base = 0; r < count; r++, base += dims) {
      // Four accumulators let the CPU overlap the additions: about twice as fast as one in V8.
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let i = 0;
      for (; i + 3 < dims; i += 4) {
        s0 += rows[base + i] * probe[i];
        s1 += rows[base + i + 1] * probe[i + 1];
        s2 += rows[base + i + 2] * probe[i + 2];
        s3 += rows[base + i + 3] * probe[i + 3];
      }
      for (; i < dims; i++) s0 += rows[base + i] * probe[i];
      scores[r] = s0 + s1 + s2 + s3;
    }
    return scores.subarray(0, count);
  }
}

const PAGE = 65536;

/** Memory layout: probe at 0, then the scores, then the rows (16-byte aligned). */
class WasmRowScanner implements RowScanner {
  rows!: Float32Array;
  capacity = 0;
  private memory!: WebAssembly.Memory;
  private scores!: Float32Array;
  private probe!: Float32Array;
  private rowsAt = 0;
  private scoresAt = 0;
  private scoresFn!: (rows: number, count: number, dims: number, probe: number, out: number) => void;

  constructor(
    readonly dims: number,
    capacity: number,
    private readonly module: WebAssembly.Module,
  ) {
    this.grow(capacity);
  }

  grow(capacity: number): void {
    const old = this.rows;
    const probeBytes = align16(this.dims * 4);
    const scoresBytes = align16(capacity * 4);
    const bytes = probeBytes + scoresBytes + capacity * this.dims * 4;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
    const instance = new WebAssembly.Instance(this.module, { env: { memory: this.memory } });
    this.scoresFn = instance.exports.scores as WasmRowScanner['scoresFn'];
    this.scoresAt = probeBytes;
    this.rowsAt = probeBytes + scoresBytes;
    const buffer = this.memory.buffer;
    this.probe = new Float32Array(buffer, 0, this.dims);
    this.scores = new Float32Array(buffer, this.scoresAt, capacity);
    this.rows = new Float32Array(buffer, this.rowsAt, capacity * this.dims);
    if (old) this.rows.set(old);
    this.capacity = capacity;
  }

  scan(probe: Float32Array, count: number): Float32Array {
    this.probe.set(probe);
    this.scoresFn(this.rowsAt, count, this.dims, 0, this.scoresAt);
    return this.scores.subarray(0, count);
  }
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * `scores(rows, count, dims, probe, out)`: out[r] = Σ rows[r·dims + i] · probe[i], two f32x4
 * accumulators, dims a multiple of 8; all pointers in bytes. Hand-assembled (the body below is
 * the text format, opcode by opcode) so no wasm toolchain is needed.
 */
function simdModule(): WebAssembly.Module | null {
  const ADD = 0x6a,
    MUL = 0x6c,
    GE_U = 0x4f;
  const load = (offset: number) => simd(0x00, 0x02, ...uleb(offset)); // v128.load align=4
  const F32X4_ADD = simd(0xe4, 0x01),
    F32X4_MUL = simd(0xe6, 0x01);
  const lane = (l: number) => simd(0x1f, l); // f32x4.extract_lane
  const F32_ADD = 0x92;
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  // params: 0 rows, 1 count, 2 dims, 3 probe, 4 out; locals: 5 r, 6 i, 7 row, 8 rowBytes, 9 acc0, 10 acc1
  const body = [
    ...get(2),
    ...i32(4),
    MUL,
    ...set(8), // rowBytes = dims · 4
    ...get(0),
    ...set(7), // row = rows
    ...i32(0),
    ...set(5), // r = 0
    0x02,
    0x40,
    0x03,
    0x40, // block loop
    ...get(5),
    ...get(1),
    GE_U,
    0x0d,
    1, // if r >= count: break
    ...zero,
    ...set(9),
    ...zero,
    ...set(10),
    ...i32(0),
    ...set(6),
    0x02,
    0x40,
    0x03,
    0x40, // block loop
    ...get(6),
    ...get(8),
    GE_U,
    0x0d,
    1, // if i >= rowBytes: break
    ...get(9),
    ...get(7),
    ...get(6),
    ADD,
    ...load(0),
    ...get(3),
    ...get(6),
    ADD,
    ...load(0),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(9),
    ...get(10),
    ...get(7),
    ...get(6),
    ADD,
    ...load(16),
    ...get(3),
    ...get(6),
    ADD,
    ...load(16),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(10),
    ...get(6),
    ...i32(32),
    ADD,
    ...set(6),
    0x0c,
    0,
    0x0b,
    0x0b, // br loop; end; end
    ...get(4),
    ...get(5),
    ...i32(4),
    MUL,
    ADD, // &out[r]
    ...get(9),
    ...get(10),
    ...F32X4_ADD,
    ...set(9),
    ...get(9),
    ...lane(0),
    ...get(9),
    ...lane(1),
    F32_ADD,
    ...get(9),
    ...lane(2),
    F32_ADD,
    ...get(9),
    ...lane(3),
    F32_ADD,
    0x38,
    0x02,
    0x00, // f32.store align=4
    ...get(7),
    ...get(8),
    ADD,
    ...set(7),
    ...get(5),
    ...i32(1),
    ADD,
    ...set(5),
    0x0c,
    0,
    0x0b,
    0x0b, // br loop; end; end
    0x0b, // end of function
  ];
  return oneFunctionModule(
    'scores',
    [I32, I32, I32, I32, I32],
    [
      [4, I32],
      [2, V128],
    ],
    body,
  );
}

/** Compiled once per process; null where the runtime has no wasm SIMD. */
const SIMD_MODULE = simdModule();

/** For tests and the benchmark: whether matching runs on wasm SIMD here. */
export const simdAvailable = SIMD_MODULE !== null;
