/**
 * fast-check arbitraries for gradient tests, the ones tensorgrad's own property tests use:
 * shapes (size-1 axes favoured), broadcast-compatible shape pairs, element domains with
 * kinks and poles excluded by a margin, and float64 tensors built from them.
 */
import fc from 'fast-check';
import { tensor, type DType, type Tensor } from '../autograd/index.js';

/** A dimension 1–`max` (default 4), with 1 drawn often (broadcasting and reductions love size-1 axes). */
export function dimArb(max = 4): fc.Arbitrary<number> {
  return fc.oneof(fc.constant(1), fc.integer({ min: 1, max }));
}

/**
 * A shape of rank `minRank`..`maxRank` (default 0–4) with dims 1–`maxDim`; shrinks toward
 * fewer and smaller axes.
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { shapeArb } from 'tensorgrad/testing';
 * fc.sample(shapeArb(1, 2), 3); // e.g. [[3], [1, 4], [2, 2]]
 * ```
 */
export function shapeArb(minRank = 0, maxRank = 4, maxDim = 4): fc.Arbitrary<number[]> {
  return fc.array(dimArb(maxDim), { minLength: minRank, maxLength: maxRank });
}

/** A shape that broadcasts to `target`: some leading axes dropped, some axes set to 1. */
export function squashArb(target: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: target.length }), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }))
    .map(([drop, keep]) => target.slice(drop).map((d, i) => (keep[i + drop] ? d : 1)));
}

/**
 * Two shapes that broadcast together, either one the larger, or both squashed along
 * different axes ([3, 1] with [1, 4]).
 */
export function broadcastPairArb(minRank = 0, maxRank = 4): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(minRank, maxRank).chain((out) =>
    fc.oneof(
      squashArb(out).map((s): [number[], number[]] => [out, s]),
      squashArb(out).map((s): [number[], number[]] => [s, out]),
      fc.tuple(squashArb(out), squashArb(out)),
    ),
  );
}

/** A finite double in [min, max]. */
export function realArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** A double with min ≤ |x| ≤ max and either sign: away from a kink or pole at 0. */
export function awayFromZeroArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.tuple(realArb(min, max), fc.boolean()).map(([m, neg]) => (neg ? -m : m));
}

/** Element domains for the built-in ops, kinks and poles excluded by a margin. */
export const domains = {
  /** smooth ops */
  any: realArb(-3, 3),
  /** log, sqrt, pow's base: x > 0.1 */
  positive: realArb(0.1001, 3),
  /** a denominator: |x| > 0.3 */
  denominator: awayFromZeroArb(0.3001, 3),
  /** relu, abs (kink at 0): |x| > 1e-3 */
  nonzero: awayFromZeroArb(1.01e-3, 3),
  /** pow's tensor exponent */
  exponent: realArb(-2, 2),
  /** exp: kept moderate so finite differences stay accurate */
  exp: realArb(-3, 3),
} as const;

/** `size` values from `elem` as a Float64Array. */
export function valuesArb(size: number, elem: fc.Arbitrary<number> = domains.any): fc.Arbitrary<Float64Array> {
  return fc.array(elem, { minLength: size, maxLength: size }).map((v) => Float64Array.from(v));
}

/** A tensor of `shape` (float64 unless `dtype` says) with elements from `elem`. */
export function tensorArb(shape: readonly number[], elem: fc.Arbitrary<number> = domains.any, dtype: DType = 'float64'): fc.Arbitrary<Tensor> {
  return valuesArb(sizeOf(shape), elem).map((v) => tensor(v, { shape, dtype }));
}

/**
 * Two tensors of broadcast-compatible shapes (see `broadcastPairArb`), for checking a binary
 * function on every broadcasting case: pass it as `checkGradients`' `inputs`.
 * @example
 * ```ts
 * import { broadcastTensorsArb, checkGradients } from 'tensorgrad/testing';
 * checkGradients((a, b) => a.mul(b).tanh(), { inputs: broadcastTensorsArb() }).ok; // true
 * ```
 */
export function broadcastTensorsArb(elem: fc.Arbitrary<number> = domains.any, minRank = 0, maxRank = 3): fc.Arbitrary<Tensor[]> {
  return broadcastPairArb(minRank, maxRank).chain(([a, b]) => fc.tuple(tensorArb(a, elem), tensorArb(b, elem)));
}

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
