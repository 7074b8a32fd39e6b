/**
 * Small kernels for writes that used to happen in the engine or an op as a JavaScript loop on
 * a tensor's data: behind the door, a compiled program (`compile`) records them like every
 * other kernel, so no numeric write escapes its replay.
 */
import type { FloatArray } from '../kernels/types.js';
import { squaredErrorSum, scaledDifference } from '../kernels/squared-error.js';

/** dst = src elementwise (converted to dst's dtype, as `TypedArray.set`). */
export function copyInto(dst: FloatArray, src: FloatArray): void {
  dst.set(src);
}

/** dst += src elementwise (a gradient added into a kept `.grad`). */
export function addInto(dst: FloatArray, src: FloatArray): void {
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}

/** out[0] = scale · Σ (o − t)²: the squared-error loss into its 0-d output. */
export function squaredErrorInto(out: FloatArray, o: FloatArray, t: FloatArray, scale: number): void {
  out[0] = scale * squaredErrorSum(o, t);
}

/** out = (k · g[0]) · (o − t): the squared error's gradient for the upstream gradient g (one element). */
export function scaledDifferenceBy(out: FloatArray, o: FloatArray, t: FloatArray, k: number, g: FloatArray): void {
  scaledDifference(out, o, t, k * g[0]);
}
