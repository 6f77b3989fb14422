/**
 * A few helpers to hand-assemble a one-function WebAssembly module, so that small SIMD kernels
 * (face matching, crop warping) need no wasm toolchain: a kernel's body is written opcode by
 * opcode, its text format alongside in comments.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** Signed LEB128. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

export const get = (i: number) => [0x20, i]; // local.get
export const set = (i: number) => [0x21, i]; // local.set
export const tee = (i: number) => [0x22, i]; // local.tee
export const i32 = (v: number) => [0x41, ...sleb(v)]; // i32.const
/** A SIMD instruction: the 0xfd prefix, its opcode as LEB128, then its immediates. */
export const simd = (op: number, ...immediates: number[]) => [0xfd, ...uleb(op), ...immediates];

/**
 * A module that imports `env.memory` and exports one function `name` taking `params` (value
 * types), returning nothing, with `locals` as [count, type] runs. Null where the runtime cannot
 * compile it (no wasm SIMD).
 */
export function oneFunctionModule(name: string, params: number[], locals: [number, number][], body: number[]): WebAssembly.Module | null {
  const code = [locals.length, ...locals.flat(), ...body];
  const text = (s: string) => [s.length, ...Buffer.from(s, 'ascii')];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const bytes = new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 0]),
    ...section(2, [1, ...text('env'), ...text('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...text(name), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
  try {
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}
