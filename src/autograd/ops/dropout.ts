/** Dropout: a seeded random mask, scaled so the expected value is unchanged. */
import type { Tensor } from '../tensor.js';
import { rand } from '../creation.js';
import { ge } from './binary.js';

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Drop elements only when true (default true); otherwise dropout is the identity. */
  training?: boolean;
  /** Seed of the mask; without it, the shared generator that `manualSeed` sets is used. */
  seed?: number;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p) (inverted dropout,
 * as PyTorch), so no rescaling is needed at evaluation; the identity when not training or
 * p = 0. The gradient passes through the kept elements with the same scale.
 *
 * @example
 * ```ts
 * import { dropout, ones } from 'tensorgrad';
 * dropout(ones([4]), 0.5, { seed: 1 }).toArray(); // each element 0 or 2
 * ```
 */
export function dropout(x: Tensor, p: number, opts: DropoutOptions = {}): Tensor {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new Error(`dropout: p must be a probability in [0, 1], got ${String(p)} (input ${JSON.stringify(x.shape)})`);
  if (!(opts.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const u = rand(x.shape, { dtype: x.dtype, seed: opts.seed });
  return x.mul(ge(u, p).mul(1 / (1 - p)));
}
