/** float16 storage for cached features: half the memory of float32, precision far beyond a head's needs. */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >>> (1 - exp);
    return sign | ((m + 0x1000) >>> 13);
  }
  if (exp >= 31) return sign | 0x7c00; // overflow (and NaN, which features never are) → ±inf
  return sign | ((exp << 10) + ((mant + 0x1000) >>> 13));
}

/** Every half value as a float, indexed by its bits. */
export const HALF_TABLE: Float32Array = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = sign * 2 ** -14 * (mant / 1024);
    else if (exp === 31) t[h] = mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else t[h] = sign * 2 ** (exp - 15) * (1 + mant / 1024);
  }
  return t;
})();
