/**
 * The second wave of math ops (issue 12): minimum, min, clamp, softplus, leakyRelu, elu, gelu,
 * logsumexp, var/std and the comparisons. Gradcheck properties on random shapes away from the
 * kinks, forward values against formulas written here, and the kinks and ties pinned exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clamp, elu, ge, gelu, gradcheck, le, leakyRelu, logsumexp, lt, minimum, ne, softplus, tensor, type Tensor } from '../../src/index.js';
import { erf, erfc } from '../../src/autograd/backend/index.js';
import {
  assertGradcheck,
  axesArb,
  broadcastPairArb,
  broadcastShape,
  distinctValuesArb,
  domains,
  propertyRuns,
  realArb,
  separatedPairArb,
  shapeArb,
  sizeOf,
  tensorArb,
} from '../helpers/arbitraries.js';

const numRuns = propertyRuns(25);
const f64 = (values: ArrayLike<number>, shape: readonly number[]): Tensor => tensor(Float64Array.from(values), { shape, dtype: 'float64' });

function check(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], shape?: readonly number[]): void {
  if (shape !== undefined) expect(f(...inputs).shape).toEqual(shape);
  assertGradcheck(
    gradcheck(f, inputs),
    inputs.map((x) => ({ shape: x.shape, data: x.toArray() })),
  );
}

/** d/dx of f at each element of x (x a leaf copy), by backward of Σ f. */
function gradOf(f: (x: Tensor) => Tensor, values: number[]): number[] {
  const x = tensor(Float64Array.from(values), { dtype: 'float64', requiresGrad: true });
  f(x).sum().backward();
  return Array.from(x.grad!.data, (v) => v + 0);
}

describe('erf (double precision, for gelu)', () => {
  it('matches reference values to a few ulps, in both tails', () => {
    // erf and erfc at points computed with mpmath at 30 digits (shown to 20).
    const table: [number, number, number][] = [
      [1e-10, 1.128379167095512615e-10, 0.99999999988716208329],
      [0.3, 0.32862675945912741618, 0.67137324054087258382],
      [0.84375, 0.76722566123234163346, 0.23277433876765836654],
      [1, 0.84270079294971486934, 0.15729920705028513066],
      [2.5, 0.99959304798255504106, 4.0695201744495893956e-4],
      [4, 0.99999998458274209972, 1.5417257900280018852e-8],
      [10, 1, 2.088487583762544757e-45],
    ];
    for (const [x, e, c] of table) {
      expect(Math.abs(erf(x) - e)).toBeLessThanOrEqual(4e-16 * Math.abs(e));
      expect(Math.abs(erf(-x) + e)).toBeLessThanOrEqual(4e-16 * Math.abs(e));
      expect(Math.abs(erfc(x) - c)).toBeLessThanOrEqual(4e-15 * c);
      expect(Math.abs(erfc(-x) - (2 - c))).toBeLessThanOrEqual(4e-16 * 2);
    }
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
});

describe('activations: gradcheck away from the kinks', () => {
  const cases: [string, (x: Tensor) => Tensor, fc.Arbitrary<number>][] = [
    ['softplus', (x) => x.softplus(), realArb(-6, 6)],
    ['leakyRelu (default slope)', (x) => x.leakyRelu(), domains.nonzero],
    ['leakyRelu (slope 0.2)', (x) => leakyRelu(x, 0.2), domains.nonzero],
    ['elu (alpha 1)', (x) => x.elu(), domains.nonzero],
    ['elu (alpha 0.5)', (x) => elu(x, 0.5), domains.nonzero],
    ['gelu', (x) => x.gelu(), realArb(-6, 6)],
    ['clamp(-1, 1) away from the bounds', (x) => x.clamp(-1, 1), fc.oneof(realArb(-3, -1.01), realArb(-0.99, 0.99), realArb(1.01, 3))],
    ['clamp(min only)', (x) => x.clamp(0.5), fc.oneof(realArb(-3, 0.49), realArb(0.51, 3))],
    ['clamp(max only)', (x) => clamp(x, undefined, -0.5), fc.oneof(realArb(-3, -0.51), realArb(-0.49, 3))],
  ];
  for (const [name, op, domain] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(
          shapeArb().chain((s) => tensorArb(s, domain)),
          (x) => check(op, [x], x.shape),
        ),
        { numRuns },
      );
    });
  }

  it('forward values against the formulas, float64', () => {
    fc.assert(
      fc.property(fc.array(realArb(-30, 30), { minLength: 1, maxLength: 8 }), (v) => {
        const x = f64(v, [v.length]);
        const close = (a: ArrayLike<number>, b: number[], tol: number): void =>
          b.forEach((e, i) => expect(Math.abs(a[i] - e)).toBeLessThanOrEqual(tol * (1 + Math.abs(e))));
        close(
          softplus(x).data,
          v.map((t) => (t > 20 ? t + Math.exp(-t) : Math.log(1 + Math.exp(t)))),
          1e-14,
        );
        close(
          leakyRelu(x, 0.1).data,
          v.map((t) => (t > 0 ? t : 0.1 * t)),
          0,
        );
        close(
          elu(x, 2).data,
          v.map((t) => (t > 0 ? t : 2 * (Math.exp(t) - 1))),
          1e-15,
        );
        close(
          gelu(x).data,
          v.map((t) => 0.5 * t * erfc(-t / Math.SQRT2)),
          1e-15,
        );
        close(
          x.clamp(-2, 3).data,
          v.map((t) => Math.min(Math.max(t, -2), 3)),
          0,
        );
      }),
      { numRuns },
    );
  });

  it('softplus and gelu stay finite and exact at extreme inputs', () => {
    const x = f64([-1000, -40, 40, 1000], [4]);
    expect(Array.from(softplus(x).data)).toEqual([0, Math.exp(-40), 40 + Math.exp(-40), 1000]);
    expect(Array.from(gelu(x).data, (v) => v + 0)).toEqual([0, 0, 40, 1000]);
    // far in the left tail gelu is tiny but not 0: x·Φ(x) with Φ from erfc (1 + erf would give 0)
    const g = gelu(f64([-10], [1])).item();
    expect(Math.abs(g - -7.619853024160526e-23)).toBeLessThanOrEqual(1e-36);
  });

  it('kinks pinned (PyTorch): leakyRelu′(0) = slope, elu′(0) = alpha, clamp′ = 1 at both bounds, 0 outside', () => {
    expect(gradOf((x) => x.leakyRelu(0.2), [0, -1, 1])).toEqual([0.2, 0.2, 1]);
    expect(gradOf((x) => x.elu(0.5), [0, 1])).toEqual([0.5, 1]);
    expect(gradOf((x) => x.clamp(-1, 1), [-1, 1, -1.5, 1.5, 0])).toEqual([1, 1, 0, 0, 1]);
    expect(gradOf((x) => x.clamp(2, 1), [0, 1.5, 3])).toEqual([0, 0, 0]); // min > max: all max, no gradient
    expect(clamp(f64([0, 1.5, 3], [3]), 2, 1).toArray()).toEqual([1, 1, 1]);
    expect(clamp(f64([NaN, -5], [2]), -1, 1).toArray()).toEqual([NaN, -1]); // NaN propagates (PyTorch)
    expect(gradOf((x) => x.gelu(), [0])).toEqual([0.5]);
    expect(gradOf((x) => x.softplus(), [0])).toEqual([0.5]);
  });

  it('bad parameters are errors naming the op', () => {
    const x = f64([1], [1]);
    expect(() => x.clamp()).toThrow(/clamp: give min, max or both \(got neither\) for shape \[1\]/);
    expect(() => x.clamp(Number.NaN)).toThrow(/clamp: min must be a number/);
    expect(() => x.leakyRelu(Number.POSITIVE_INFINITY)).toThrow(/leakyRelu: slope must be a finite number/);
    expect(() => x.elu(Number.NaN)).toThrow(/elu: alpha must be a finite number/);
  });
});

describe('minimum (broadcast pairs) and min (reduction)', () => {
  it('minimum: gradcheck with operands separated wherever they meet, both directions', () => {
    const arb = separatedPairArb();
    fc.assert(
      fc.property(arb, fc.boolean(), ([a, b], swap) => {
        const [x, y] = swap ? [b, a] : [a, b];
        check((p, q) => p.minimum(q), [x, y], broadcastShape(x.shape, y.shape));
      }),
      { numRuns },
    );
  });

  it('minimum ties split the gradient evenly (as maximum); numbers as either operand', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1, 1, 4], { dtype: 'float64', requiresGrad: true });
    minimum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5, 0, 1]);
    expect(b.grad!.toArray()).toEqual([0.5, 1, 0]);
    expect(minimum(2, tensor([1, 3])).toArray()).toEqual([1, 2]);
  });

  it('min over random axes with distinct values; ties share the gradient evenly', () => {
    const arb = shapeArb(1, 4).chain((s) =>
      fc.tuple(
        distinctValuesArb(sizeOf(s)).map((v) => f64(v, s)),
        axesArb(s.length),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(arb, ([x, axes, keep]) => {
        const r = x.ndim,
          set = new Set(axes.map((a) => (a < 0 ? a + r : a)));
        check((t) => t.min(axes, keep), [x], keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i)));
        expect(Array.from(x.min(axes, keep).data)).toEqual(Array.from(x.neg().max(axes, keep).neg().data));
      }),
      { numRuns },
    );
    expect(gradOf((x) => x.min(), [2, 1, 1, 3])).toEqual([0, 0.5, 0.5, 0]);
    expect(f64([3, 1, 2], [3]).min().item()).toBe(1);
    expect(() => f64([], [0]).min(0)).toThrow(/min: cannot reduce over axis 0 of size 0/);
  });
});

describe('logsumexp', () => {
  it('gradcheck over random axes and keepDims; equals log Σ exp where that is finite', () => {
    const arb = shapeArb(0, 4).chain((s) => fc.tuple(tensorArb(s, realArb(-5, 5)), fc.option(axesArb(s.length), { nil: undefined }), fc.boolean()));
    fc.assert(
      fc.property(arb, ([x, axes, keep]) => {
        const ax = x.ndim === 0 ? undefined : axes;
        check((t) => t.logsumexp(ax, keep), [x]);
        const naive = x.exp().sum(ax, keep).log();
        expect(x.logsumexp(ax, keep).shape).toEqual(naive.shape);
        x.logsumexp(ax, keep).data.forEach((v, i) => expect(Math.abs(v - naive.data[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
      }),
      { numRuns },
    );
  });

  it('is stable for inputs of any magnitude, and handles ±Infinity', () => {
    expect(logsumexp(f64([1000, 1000], [2])).item()).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logsumexp(f64([-1000, -1000], [2])).item()).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logsumexp(f64([-Infinity, -Infinity], [2])).item()).toBe(-Infinity);
    expect(logsumexp(f64([Infinity, 1], [2])).item()).toBe(Infinity);
    expect(gradOf((x) => x.logsumexp(), [1000, 1000])).toEqual([0.5, 0.5]);
  });
});

describe('var and std (PyTorch correction)', () => {
  it('gradcheck over random axes, keepDims and corrections; values as the definition', () => {
    // distinct values: std has a kink where the reduced values are all equal
    const arb = shapeArb(1, 4).chain((s) =>
      fc.tuple(
        distinctValuesArb(sizeOf(s)).map((v) => f64(v, s)),
        fc.option(axesArb(s.length), { nil: undefined }),
        fc.boolean(),
        fc.constantFrom(0, 1, 2),
      ),
    );
    fc.assert(
      fc.property(arb, ([x, axes, keep, correction]) => {
        const r = x.ndim,
          set = new Set((axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + r : a)));
        const count = x.shape.reduce((p, d, i) => (set.has(i) ? p * d : p), 1);
        if (count - correction <= 0) return; // the divisor is 0 or negative: ∞/NaN, as PyTorch (pinned below)
        check((t) => t.var(axes, keep, correction), [x]);
        // a single reduced value is the kink itself
        if (count > 1) check((t) => t.std(axes, keep, correction), [x]);
        if (axes === undefined) {
          const v = Array.from(x.data),
            mean = v.reduce((a, b) => a + b, 0) / v.length;
          const want = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - correction);
          expect(Math.abs(x.var(undefined, false, correction).item() - want)).toBeLessThanOrEqual(1e-12 * (1 + want));
        }
      }),
      { numRuns },
    );
  });

  it('pinned values: unbiased by default, population with correction 0, one element → NaN', () => {
    const x = f64([1, 2, 3, 4], [2, 2]);
    expect(x.var().item()).toBeCloseTo(5 / 3, 15);
    expect(x.var(undefined, false, 0).item()).toBe(1.25);
    expect(x.std(1).toArray()).toEqual([Math.SQRT1_2, Math.SQRT1_2]);
    expect(x.var(0, true).toArray()).toEqual([[2, 2]]);
    expect(f64([5], [1]).var().item()).toBeNaN();
    expect(() => x.var(undefined, false, -1)).toThrow(/var: correction must be a finite number ≥ 0, got -1/);
  });
});

describe('comparisons lt le ge ne (not differentiable)', () => {
  it('values on broadcast pairs, ties and NaN; never recorded', () => {
    fc.assert(
      fc.property(
        broadcastPairArb(0, 3).chain(([sa, sb]) =>
          fc.tuple(tensorArb(sa, fc.constantFrom(-1, 0, 1, Number.NaN)), tensorArb(sb, fc.constantFrom(-1, 0, 1))),
        ),
        ([a, b]) => {
          const shape = broadcastShape(a.shape, b.shape);
          const ae = a.expand(shape).data,
            be = b.expand(shape).data;
          const ops: [(p: Tensor, q: Tensor) => Tensor, (p: number, q: number) => boolean][] = [
            [lt, (p, q) => p < q],
            [le, (p, q) => p <= q],
            [ge, (p, q) => p >= q],
            [ne, (p, q) => p !== q],
          ];
          for (const [op, ref] of ops) {
            const out = op(a, b);
            expect(out.shape).toEqual(shape);
            out.data.forEach((v, i) => expect(v).toBe(ref(ae[i], be[i]) ? 1 : 0));
          }
        },
      ),
      { numRuns },
    );
    const x = tensor([1, 2], { requiresGrad: true });
    for (const out of [x.lt(2), x.le(2), x.ge(2), x.ne(2), lt(1, x), ge(x, x)]) expect(out.requiresGrad).toBe(false);
    expect(lt(1, tensor([0, 2])).toArray()).toEqual([0, 1]);
  });
});
