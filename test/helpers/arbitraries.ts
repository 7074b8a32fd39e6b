/**
 * fast-check arbitraries shared by the autograd tests: shapes (rank 0–4, dims 1–4, size-1
 * dims favoured), broadcast-compatible pairs, per-op value domains with kinks excluded by a
 * margin, and the helpers that turn a gradcheck report into a readable failure.
 */
import fc from 'fast-check';
import { type GradcheckReport, type Tensor, tensor } from '../../src/index.js';
import { broadcastPairArb, realArb, sizeOf } from '../../src/testing/arbitraries.js';

// The arbitraries users get from tensorgrad/testing, and the ones only these tests need below.
export {
  awayFromZeroArb,
  broadcastPairArb,
  domains,
  realArb,
  shapeArb,
  sizeOf,
  squashArb,
  tensorArb,
  valuesArb,
} from '../../src/testing/arbitraries.js';

/** Runs per property: ~30 by default; `TG_PROPERTY_RUNS=500 npx vitest run test/autograd` to dig deeper. */
export function propertyRuns(defaultRuns = 30): number {
  const env = process.env.TG_PROPERTY_RUNS;
  const n = env === undefined || env === '' ? NaN : Number(env);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : defaultRuns;
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

/**
 * Two float64 tensors of broadcast-compatible shapes whose values are ≥ ~0.04 apart wherever
 * they meet (one on the even grid, one on the odd): for maximum and minimum, whose gradient
 * has a kink at every tie.
 */
export function separatedPairArb(): fc.Arbitrary<[Tensor, Tensor]> {
  const f64 = (v: Float64Array, shape: number[]): Tensor => tensor(v, { shape, dtype: 'float64' });
  return broadcastPairArb().chain(([sa, sb]) =>
    fc.tuple(
      separatedValuesArb(sizeOf(sa), false).map((v) => f64(v, sa)),
      separatedValuesArb(sizeOf(sb), true).map((v) => f64(v, sb)),
    ),
  );
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
