/**
 * fast-check arbitraries shared by the autograd tests: shapes (rank 0–4, dims 1–4, size-1
 * dims favoured), broadcast-compatible pairs, per-op value domains with kinks excluded by a
 * margin, and the helpers that turn a gradcheck report into a readable failure.
 */
import fc from 'fast-check';
import { tensor, type GradcheckReport, type Tensor } from '../../src/index.js';

/** Runs per property: ~30 by default; `TG_PROPERTY_RUNS=500 npx vitest run test/autograd` to dig deeper. */
export function propertyRuns(defaultRuns = 30): number {
  const env = process.env.TG_PROPERTY_RUNS;
  const n = env === undefined || env === '' ? NaN : Number(env);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : defaultRuns;
}

/** A dimension 1–4, with 1 drawn often (broadcasting and reductions love size-1 axes). */
export const dimArb: fc.Arbitrary<number> = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 }));

/** A shape of rank `minRank`..`maxRank` (default 0–4) with dims 1–4. */
export function shapeArb(minRank = 0, maxRank = 4): fc.Arbitrary<number[]> {
  return fc.array(dimArb, { minLength: minRank, maxLength: maxRank });
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A shape that broadcasts to `target`: some leading axes dropped, some axes set to 1.
 * `keep[i]` decides axis i is kept at full size; `drop` leading axes are removed.
 */
export function squashArb(target: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: target.length }), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }))
    .map(([drop, keep]) => target.slice(drop).map((d, i) => (keep[i + drop] ? d : 1)));
}

/**
 * Two shapes that broadcast together: both derived from one output shape by dropping leading
 * axes and squashing axes to 1, so either operand may be the "bigger" one (both directions),
 * and both may broadcast along different axes at once ([3,1] with [1,4]).
 */
export function broadcastPairArb(minRank = 0, maxRank = 4): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(minRank, maxRank).chain((out) =>
    fc.oneof(
      // one side full, the other squashed, in either order
      squashArb(out).map((s): [number[], number[]] => [out, s]),
      squashArb(out).map((s): [number[], number[]] => [s, out]),
      // both squashed
      fc.tuple(squashArb(out), squashArb(out)),
    ),
  );
}

/** The broadcast shape of two shapes, computed independently of the library. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) throw new Error(`not broadcastable: ${a} ${b}`);
    out.push(Math.max(da, db));
  }
  return out;
}

// ---- value domains (float64) ----

/** A finite double in [min, max]. */
export function realArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** A double with min ≤ |x| ≤ max and a random sign: away from a kink or pole at 0. */
export function awayFromZeroArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.tuple(realArb(min, max), fc.boolean()).map(([m, neg]) => (neg ? -m : m));
}

/** Per-op element domains: kinks and poles excluded by a margin (see the brief). */
export const domains = {
  /** general smooth ops */
  any: realArb(-3, 3),
  /** log, sqrt, pow base: x > 0.1 */
  positive: realArb(0.1001, 3),
  /** div denominator: |b| > 0.3 */
  denominator: awayFromZeroArb(0.3001, 3),
  /** relu, abs: |x| > 1e-3 */
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

/** A float64 tensor of `shape` with elements from `elem`. */
export function tensorArb(shape: readonly number[], elem: fc.Arbitrary<number> = domains.any): fc.Arbitrary<Tensor> {
  return valuesArb(sizeOf(shape), elem).map((v) => tensor(v, { shape, dtype: 'float64' }));
}

/**
 * `size` values pairwise at least ~0.04 apart (a shuffled grid plus jitter): for `max`, whose
 * gradient is a kink wherever two candidates tie.
 */
export function distinctValuesArb(size: number): fc.Arbitrary<Float64Array> {
  const ids = Array.from({ length: size }, (_, i) => i);
  return fc
    .tuple(
      fc.shuffledSubarray(ids, { minLength: size, maxLength: size }),
      fc.array(realArb(0, 0.01), { minLength: size, maxLength: size }),
      realArb(-1, 1),
    )
    .map(([perm, jitter, shift]) => Float64Array.from(perm, (p, i) => shift + (p - size / 2) * 0.05 + jitter[i]));
}

/**
 * Values for the two operands of `maximum`: `a` on the even tenths, `b` on the odd ones
 * (plus jitter < 0.02), so |a − b| ≥ 0.08 wherever they meet after broadcasting.
 */
export function separatedValuesArb(size: number, odd: boolean): fc.Arbitrary<Float64Array> {
  return fc
    .array(fc.tuple(fc.integer({ min: -10, max: 10 }), realArb(0, 0.02)), { minLength: size, maxLength: size })
    .map((v) => Float64Array.from(v, ([k, j]) => 0.2 * k + (odd ? 0.1 : 0) + j));
}

/** `axes` of a rank-`rank` tensor: a random non-empty subset, each axis possibly written negative. */
export function axesArb(rank: number): fc.Arbitrary<number[]> {
  if (rank === 0) return fc.constant([]);
  const all = Array.from({ length: rank }, (_, i) => i);
  return fc
    .tuple(fc.subarray(all, { minLength: 1 }), fc.array(fc.boolean(), { minLength: rank, maxLength: rank }))
    .map(([axes, negs]) => axes.map((a) => (negs[a] ? a - rank : a)));
}

// ---- reporting ----

/** Throws (so fast-check shows the counterexample) with the whole report when a gradcheck failed. */
export function assertGradcheck(report: GradcheckReport, context: unknown = ''): void {
  if (!report.ok) {
    throw new Error(`gradcheck failed ${describeContext(context)}\n${JSON.stringify(report, null, 2)}`);
  }
}

function describeContext(context: unknown): string {
  if (typeof context === 'string') return context;
  return JSON.stringify(context, (_, v: unknown) => (v instanceof Float64Array || v instanceof Float32Array ? Array.from(v) : v));
}

/** A tensor's shape and elements as text (for readable counterexamples). */
export function show(t: Tensor): string {
  return `${JSON.stringify(t.shape)} ${JSON.stringify(t.toArray())}`;
}

/** Asserts two number arrays agree to |a−b| ≤ atol + rtol·|b|; NaN/Infinity never agree with anything. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-12, rtol = 1e-9, what = ''): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} vs expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i],
      e = expected[i];
    const ok = Number.isFinite(a) && Number.isFinite(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) throw new Error(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
  }
}

/** Flattens nested arrays (or a number) into a plain list. */
export function flat(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (Array.isArray(x)) return x.flatMap((y) => flat(y));
  throw new Error(`flat: not a number or array: ${String(x)}`);
}
