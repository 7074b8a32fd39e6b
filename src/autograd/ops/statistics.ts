/**
 * Reductions built from the primitive ones: logsumexp (shifted by the maximum, so it is finite
 * for inputs of any magnitude), var and std with PyTorch's `correction`. Their gradients come
 * from the ops they are written with.
 */
import type { Tensor } from '../tensor.js';
import { normalizeAxes } from '../shape.js';
import { where } from './indexing.js';
import { ne } from './binary.js';

/**
 * log Σ exp(x) over `axis` (all axes when omitted): m + log Σ exp(x − m) with m the maximum,
 * held constant (the result does not depend on it), replaced by 0 where it is ±∞.
 */
export function logsumexp(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normalizeAxes('logsumexp', axis, x.ndim);
  const m = x.detach().max(axes, true);
  const shift = where(ne(m.abs(), Infinity), m, 0);
  const out = x.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepDims ? out : out.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * Variance over `axis` (all axes when omitted): Σ (x − mean)² / (N − correction), N the count
 * of reduced elements. correction = 1 (the default) is the unbiased estimate, 0 the
 * population variance; N ≤ correction gives ∞ or NaN, as in PyTorch.
 */
export function variance(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean, correction: number, op = 'var'): Tensor {
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new Error(`${op}: correction must be a finite number ≥ 0, got ${String(correction)}`);
  }
  const axes = normalizeAxes(op, axis, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  const d = x.sub(x.mean(axes, true));
  return d
    .square()
    .sum(axes, keepDims)
    .div(Math.max(0, count - correction));
}

/** Standard deviation: the square root of `variance` (same arguments). */
export function std(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean, correction: number): Tensor {
  return variance(x, axis, keepDims, correction, 'std').sqrt();
}
