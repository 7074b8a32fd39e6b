import type { FloatArray } from './types.js';

/** Σ (o − t)² over all elements, accumulated in a double. */
export function squaredErrorSum(o: FloatArray, t: FloatArray): number {
  let sum = 0;
  for (let i = 0; i < o.length; i++) {
    const d = o[i] - t[i];
    sum += d * d;
  }
  return sum;
}

/** out = k·(o − t) elementwise: the squared error's gradient with respect to o for k = 2·scale·g. */
export function scaledDifference(out: FloatArray, o: FloatArray, t: FloatArray, k: number): void {
  for (let i = 0; i < out.length; i++) out[i] = k * (o[i] - t[i]);
}
