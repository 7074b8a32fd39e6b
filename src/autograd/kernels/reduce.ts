import type { FloatArray } from './types.js';

/**
 * Reduces the middle axis of x viewed as [outer, r, inner] into out [outer, inner].
 * Sums accumulate in a double whatever the storage dtype.
 */
export function sumAxis(out: FloatArray, x: FloatArray, outer: number, r: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * r;
      for (let k = 0; k < r; k++) s += x[base + k];
      out[o] = s;
    }
    return;
  }
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    for (let k = 0; k < r; k++) {
      const xb = (o * r + k) * inner;
      for (let i = 0; i < inner; i++) out[ob + i] += x[xb + i];
    }
  }
}

/** Max over the middle axis of [outer, r, inner]; NaN propagates (as NumPy's max). */
export function maxAxis(out: FloatArray, x: FloatArray, outer: number, r: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < r; k++) {
        const v = x[(o * r + k) * inner + i];
        if (v > m || Number.isNaN(v)) m = v;
        if (Number.isNaN(m)) break;
      }
      out[o * inner + i] = m;
    }
  }
}

/** Softmax (or log-softmax) over the middle axis of [outer, r, inner], shifted by the max so it never overflows. */
export function softmaxAxis(out: FloatArray, x: FloatArray, outer: number, r: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let m = -Infinity;
      for (let k = 0; k < r; k++) {
        const v = x[base + k * inner];
        if (v > m) m = v;
      }
      if (m === -Infinity || m === Infinity) m = 0;
      let s = 0;
      for (let k = 0; k < r; k++) s += Math.exp(x[base + k * inner] - m);
      if (log) {
        const ls = Math.log(s) + m;
        for (let k = 0; k < r; k++) out[base + k * inner] = x[base + k * inner] - ls;
      } else {
        const inv = 1 / s;
        for (let k = 0; k < r; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - m) * inv;
      }
    }
  }
}
