import type { FloatArray } from './types.js';

/**
 * out[i] = x[index[i]]: the one gather kernel behind slice, indexSelect, gather, the
 * backward of concat and the forward of maxPool2d. The ops turn their arguments into flat
 * source offsets once (an Int32Array), so the loop here is a single indexed read.
 */
export function gatherFlat(out: FloatArray, x: FloatArray, index: Int32Array): void {
  const n = index.length;
  for (let i = 0; i < n; i++) out[i] = x[index[i]];
}

/**
 * out[index[i]] += g[i]: the adjoint of `gatherFlat` (repeated offsets add up). `out` is not
 * cleared first: pass zeroed storage for a plain scatter.
 */
export function scatterAddFlat(out: FloatArray, g: FloatArray, index: Int32Array): void {
  const n = index.length;
  for (let i = 0; i < n; i++) out[index[i]] += g[i];
}

/**
 * Copies `len` elements per row for `rows` rows: out[r·outStride + outOff + j] =
 * x[r·xStride + xOff + j]. Joining along an axis is this copy once per input.
 */
export function copyRows(
  out: FloatArray,
  outStride: number,
  outOff: number,
  x: FloatArray,
  xStride: number,
  xOff: number,
  rows: number,
  len: number,
): void {
  if (len === 0) return;
  for (let r = 0; r < rows; r++) {
    const o = r * outStride + outOff,
      s = r * xStride + xOff;
    if (len >= 64) out.set(x.subarray(s, s + len), o);
    else for (let j = 0; j < len; j++) out[o + j] = x[s + j];
  }
}

/** out[i] = cond[i] !== 0 ? a[i] : b[i] over equal-length arrays (NaN counts as non-zero). */
export function select(out: FloatArray, cond: FloatArray, a: FloatArray, b: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
}
