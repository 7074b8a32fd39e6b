import type { FloatArray } from './types.js';

/** out = x with its axes permuted: out axis i is x axis perm[i]. */
export function permute(out: FloatArray, x: FloatArray, shape: readonly number[], perm: readonly number[]): void {
  const rank = shape.length;
  const size = x.length;
  if (size === 0) return;
  if (rank === 2 && perm[0] === 1) {
    const rows = shape[0],
      cols = shape[1];
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
    return;
  }
  if (perm[rank - 1] === rank - 1 && shape[rank - 1] > 1) {
    permuteRuns(out, x, shape, perm);
    return;
  }
  const inStrides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= shape[i];
  }
  const dims = perm.map((p) => shape[p]);
  const steps = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < size; o++) {
    out[o] = x[off];
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += steps[ax];
      if (idx[ax] < dims[ax]) break;
      off -= steps[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
}

/**
 * A permutation that keeps the last axis in place moves whole rows: the odometer steps once
 * per row and each row is one contiguous copy (e.g. [O, N, L] → [N, O, L] in conv2d).
 */
function permuteRuns(out: FloatArray, x: FloatArray, shape: readonly number[], perm: readonly number[]): void {
  const rank = shape.length;
  const run = shape[rank - 1];
  const inStrides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= shape[i];
  }
  const outer = rank - 1;
  const dims = perm.slice(0, outer).map((p) => shape[p]);
  const steps = perm.slice(0, outer).map((p) => inStrides[p]);
  const idx = new Array<number>(outer).fill(0);
  let off = 0;
  for (let o = 0; o < x.length; o += run) {
    if (run >= 32) out.set(x.subarray(off, off + run), o);
    else for (let j = 0; j < run; j++) out[o + j] = x[off + j];
    for (let ax = outer - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += steps[ax];
      if (idx[ax] < dims[ax]) break;
      off -= steps[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
}
