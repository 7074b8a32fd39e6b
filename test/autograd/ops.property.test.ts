/**
 * One property per tensor op: random shapes (rank 0–4, dims 1–4, size-1 dims; broadcast
 * pairs in both directions for binary ops), random values in the op's domain with kinks
 * excluded by a margin, float64, and `gradcheck` (random upstream gradient for non-scalar
 * outputs, so a rule that forgets `× g` fails). Counterexamples found while writing these are
 * kept as `examples`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, tensor, type Tensor } from '../../src/index.js';
import {
  assertGradcheck,
  awayFromZeroArb,
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
  squashArb,
  tensorArb,
} from '../helpers/arbitraries.js';

const numRuns = propertyRuns(30);
const f64 = (data: Float64Array, shape: readonly number[]): Tensor => tensor(data, { shape, dtype: 'float64' });

/** A float64 tensor pair of broadcast-compatible shapes with elements from the two domains. */
function pairArb(da: fc.Arbitrary<number>, db: fc.Arbitrary<number>): fc.Arbitrary<[Tensor, Tensor]> {
  return broadcastPairArb().chain(([sa, sb]) => fc.tuple(tensorArb(sa, da), tensorArb(sb, db)));
}

/** Gradchecks `f` at `inputs` and checks the output shape when `shape` is given. */
function check(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], shape?: readonly number[]): void {
  if (shape !== undefined) expect(f(...inputs).shape).toEqual(shape);
  assertGradcheck(
    gradcheck(f, inputs),
    inputs.map((x) => ({ shape: x.shape, data: x.toArray() })),
  );
}

describe('binary ops (broadcast pairs, both directions)', () => {
  const cases: [string, (a: Tensor, b: Tensor) => Tensor, fc.Arbitrary<number>, fc.Arbitrary<number>][] = [
    ['add', (a, b) => a.add(b), domains.any, domains.any],
    ['sub', (a, b) => a.sub(b), domains.any, domains.any],
    ['mul', (a, b) => a.mul(b), domains.any, domains.any],
    ['div', (a, b) => a.div(b), domains.any, domains.denominator],
    ['pow (tensor exponent)', (a, b) => a.pow(b), domains.positive, domains.exponent],
  ];
  for (const [name, op, da, db] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(pairArb(da, db), ([a, b]) => check(op, [a, b], broadcastShape(a.shape, b.shape))),
        { numRuns },
      );
    });
  }

  it('maximum (operands separated by ≥ 0.08 wherever they meet)', () => {
    const arb = separatedPairArb();
    fc.assert(
      fc.property(arb, fc.boolean(), ([a, b], swap) => {
        const [x, y] = swap ? [b, a] : [a, b];
        check((p, q) => p.maximum(q), [x, y], broadcastShape(x.shape, y.shape));
      }),
      { numRuns },
    );
  });

  it('binary ops with a number operand keep the tensor shape', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => tensorArb(s, domains.nonzero)),
        awayFromZeroArb(0.5, 2),
        (x, c) => {
          check((t) => t.add(c).mul(c).sub(c).div(c).pow(2), [x], x.shape);
          // max(x, 0) with x away from 0: relu written as maximum
          check((t) => t.maximum(0), [x], x.shape);
        },
      ),
      { numRuns },
    );
  });
});

describe('pow with a number exponent', () => {
  it('base > 0.1, any exponent (integers, halves, negatives, 0, 1)', () => {
    const exponent = fc.oneof(fc.constantFrom(0, 1, 2, 3, 0.5, -1, -0.5, 1.5), realArb(-3, 3));
    fc.assert(
      fc.property(
        shapeArb().chain((s) => tensorArb(s, domains.positive)),
        exponent,
        (x, e) => check((t) => t.pow(e), [x], x.shape),
      ),
      { numRuns },
    );
  });

  it('integer exponents on any sign of base', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => tensorArb(s, domains.any)),
        fc.integer({ min: 0, max: 4 }),
        (x, e) => check((t) => t.pow(e), [x], x.shape),
      ),
      { numRuns },
    );
  });
});

describe('unary ops', () => {
  const cases: [string, (x: Tensor) => Tensor, fc.Arbitrary<number>][] = [
    ['neg', (x) => x.neg(), domains.any],
    ['exp', (x) => x.exp(), domains.exp],
    ['log', (x) => x.log(), domains.positive],
    ['sqrt', (x) => x.sqrt(), domains.positive],
    ['abs', (x) => x.abs(), domains.nonzero],
    ['tanh', (x) => x.tanh(), domains.any],
    ['sigmoid', (x) => x.sigmoid(), domains.any],
    ['sin', (x) => x.sin(), domains.any],
    ['cos', (x) => x.cos(), domains.any],
    ['relu', (x) => x.relu(), domains.nonzero],
    ['square', (x) => x.square(), domains.any],
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

  it('astype (float64 → float32 → float64; the gradient is cast back)', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => tensorArb(s, domains.any)),
        (x) => {
          const f = (t: Tensor): Tensor => t.astype('float32').astype('float64');
          expect(x.astype('float32').dtype).toBe('float32');
          // float32 rounding in the forward: a coarser step keeps the central difference accurate
          // (the function is the identity up to rounding, so the step adds no truncation error).
          assertGradcheck(gradcheck(f, [x], { eps: 1e-2 }), x.toArray());
          check((t) => t.astype('float64').mul(t), [x], x.shape);
        },
      ),
      { numRuns },
    );
  });
});

describe('softmax and logSoftmax', () => {
  for (const name of ['softmax', 'logSoftmax'] as const) {
    it(`${name} over a random axis (negative too; default last)`, () => {
      const arb = shapeArb(1, 4).chain((s) =>
        fc.tuple(tensorArb(s, domains.any), fc.option(fc.integer({ min: -s.length, max: s.length - 1 }), { nil: undefined })),
      );
      fc.assert(
        fc.property(arb, ([x, axis]) => check((t) => (axis === undefined ? t[name]() : t[name](axis)), [x], x.shape)),
        { numRuns },
      );
    });
  }
});

describe('matmul', () => {
  const mk = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }));

  it('2-D @ 2-D', () => {
    const arb = mk.chain(([m, k, n]) => fc.tuple(tensorArb([m, k]), tensorArb([k, n])));
    fc.assert(
      fc.property(arb, ([a, b]) => check((p, q) => p.matmul(q), [a, b], [a.shape[0], b.shape[1]])),
      { numRuns },
    );
  });

  it('1-D promotions: vector @ matrix, matrix @ vector, vector @ vector, vector @ batch', () => {
    const arb = fc.tuple(mk, shapeArb(0, 2)).chain(([[m, k, n], batch]) =>
      fc.oneof(
        fc.tuple(tensorArb([k]), tensorArb([k, n])).map((p) => ({ p, shape: [n] })),
        fc.tuple(tensorArb([m, k]), tensorArb([k])).map((p) => ({ p, shape: [m] })),
        fc.tuple(tensorArb([k]), tensorArb([k])).map((p) => ({ p, shape: [] as number[] })),
        fc.tuple(tensorArb([k]), tensorArb([...batch, k, n])).map((p) => ({ p, shape: [...batch, n] })),
        fc.tuple(tensorArb([...batch, m, k]), tensorArb([k])).map((p) => ({ p, shape: [...batch, m] })),
      ),
    );
    fc.assert(
      fc.property(arb, ({ p: [a, b], shape }) => check((x, y) => x.matmul(y), [a, b], shape)),
      { numRuns },
    );
  });

  it('batched, with broadcast batch axes (both directions)', () => {
    const arb = fc.tuple(mk, broadcastPairArb(0, 2)).chain(([[m, k, n], [ba, bb]]) => fc.tuple(tensorArb([...ba, m, k]), tensorArb([...bb, k, n])));
    fc.assert(
      fc.property(arb, ([a, b]) => {
        const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
        check((x, y) => x.matmul(y), [a, b], [...batch, a.shape[a.ndim - 2], b.shape[b.ndim - 1]]);
      }),
      { numRuns },
    );
  });
});

/** The expected shape of a reduction over `axes` (undefined = all). */
function reducedShape(shape: readonly number[], axes: number[] | undefined, keepDims: boolean): number[] {
  const r = shape.length;
  const set = new Set((axes ?? shape.map((_, i) => i)).map((a) => (a < 0 ? a + r : a)));
  return keepDims ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}

describe('reductions', () => {
  /** shape, axes (undefined = full reduction, or a single number), keepDims */
  const reductionArb = shapeArb().chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.oneof(
        fc.constant(undefined),
        axesArb(s.length),
        axesArb(s.length).map((a) => a.slice(0, 1)),
      ),
      fc.boolean(),
      fc.boolean(),
    ),
  );
  const call = (x: Tensor, op: 'sum' | 'mean' | 'max', axes: number[] | undefined, keepDims: boolean, single: boolean): Tensor =>
    axes === undefined
      ? keepDims
        ? x[op](undefined, true)
        : x[op]()
      : single && axes.length === 1
        ? x[op](axes[0], keepDims)
        : x[op](axes, keepDims);

  for (const op of ['sum', 'mean'] as const) {
    it(`${op} over random axes (negative too), keepDims true/false, full → shape []`, () => {
      fc.assert(
        fc.property(
          reductionArb.chain(([s, ...rest]) => fc.tuple(tensorArb(s), fc.constant(rest))),
          ([x, [axes, keepDims, single]]) => {
            const axesForShape = axes !== undefined && x.ndim === 0 ? undefined : axes;
            check((t) => call(t, op, axesForShape, keepDims, single), [x], reducedShape(x.shape, axesForShape, keepDims));
          },
        ),
        { numRuns },
      );
    });
  }

  it('max over random axes with distinct values (ties are pinned in kinks.test.ts)', () => {
    fc.assert(
      fc.property(
        reductionArb.chain(([s, ...rest]) =>
          fc.tuple(
            distinctValuesArb(sizeOf(s)).map((v) => f64(v, s)),
            fc.constant(rest),
          ),
        ),
        ([x, [axes, keepDims, single]]) => {
          const axesForShape = axes !== undefined && x.ndim === 0 ? undefined : axes;
          check((t) => call(t, 'max', axesForShape, keepDims, single), [x], reducedShape(x.shape, axesForShape, keepDims));
        },
      ),
      { numRuns },
    );
  });

  it('a full reduction is 0-d', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    expect(x.sum().shape).toEqual([]);
    expect(x.mean().shape).toEqual([]);
    expect(x.max().shape).toEqual([]);
    expect(x.sum([0, 1]).shape).toEqual([]);
    expect(x.sum(undefined, true).shape).toEqual([1, 1]);
  });
});

describe('movement ops', () => {
  it('reshape (sometimes with one -1)', () => {
    // The target: the input's dims shuffled, some neighbours merged, maybe one replaced by -1.
    const arb = shapeArb().chain((s) =>
      fc.tuple(
        tensorArb(s),
        fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length }),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(arb, ([x, dims, merges, free, addOne]) => {
        const target: number[] = [];
        for (const [i, d] of dims.entries()) {
          if (merges[i] && target.length > 0) target[target.length - 1] *= d;
          else target.push(d);
        }
        if (addOne) target.splice(target.length === 0 ? 0 : free === undefined ? 0 : free % target.length, 0, 1);
        const full = [...target];
        const spec = [...target];
        if (free !== undefined && spec.length > 0) spec[free % spec.length] = -1;
        check((t) => t.reshape(spec), [x], full);
      }),
      { numRuns },
    );
  });

  it('transpose (random permutation, negative axes, default reverses)', () => {
    const arb = shapeArb().chain((s) => {
      const axes = s.map((_, i) => i);
      return fc.tuple(
        tensorArb(s),
        fc.option(
          fc.tuple(
            fc.shuffledSubarray(axes, { minLength: s.length, maxLength: s.length }),
            fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
          ),
          { nil: undefined },
        ),
      );
    });
    fc.assert(
      fc.property(arb, ([x, p]) => {
        const perm = p === undefined ? undefined : p[0].map((a, i) => (p[1][i] ? a - x.ndim : a));
        const expected = perm === undefined ? [...x.shape].reverse() : perm.map((a) => x.shape[a < 0 ? a + x.ndim : a]);
        check((t) => t.transpose(perm), [x], expected);
      }),
      { numRuns },
    );
  });

  it('expand (broadcast to a bigger shape; the gradient sums back)', () => {
    const arb = shapeArb()
      .chain((target) => fc.tuple(fc.constant(target), squashArb(target)))
      .chain(([target, s]) => fc.tuple(tensorArb(s), fc.constant(target)));
    fc.assert(
      fc.property(arb, ([x, target]) => check((t) => t.expand(target), [x], target)),
      { numRuns },
    );
  });
});

describe('float32 tensors agree with float64 (forward and gradients stay float32)', () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add·mul', (a, b) => a.add(b).mul(b)],
    ['div', (a, b) => a.div(b.square().add(0.5))],
    ['pow', (a, b) => a.square().add(0.5).pow(b.tanh())],
    ['exp·log·sqrt', (a, b) => a.exp().add(b.square()).add(1).log().sqrt()],
    ['tanh·sigmoid', (a, b) => a.tanh().mul(b.sigmoid())],
    ['softmax·logSoftmax', (a, b) => (a.ndim === 0 ? a.mul(b) : a.softmax().add(a.add(b).logSoftmax()))],
    [
      'sum·mean',
      (a, b) =>
        a
          .mul(b)
          .sum(a.ndim === 0 ? undefined : 0, true)
          .add(a.mean()),
    ],
  ];
  for (const [name, op] of ops) {
    it(name, () => {
      fc.assert(
        fc.property(pairArb(domains.any, domains.any), ([a64, b64]) => {
          const run = (dtype: 'float32' | 'float64'): [Tensor, Tensor, Tensor] => {
            const a = tensor(a64.data, { shape: a64.shape, dtype, requiresGrad: true });
            const b = tensor(b64.data, { shape: b64.shape, dtype, requiresGrad: true });
            const out = op(a, b);
            out.sum().backward();
            return [out, a.grad!, b.grad!];
          };
          const r32 = run('float32'),
            r64 = run('float64');
          r32.forEach((t, i) => {
            expect(t.dtype).toBe('float32');
            const ref = r64[i].data;
            t.data.forEach((v, j) => {
              if (!(Math.abs(v - ref[j]) <= 1e-4 * (1 + Math.abs(ref[j]))))
                throw new Error(`${name} [${i}][${j}]: float32 ${v} vs float64 ${ref[j]}`);
            });
          });
        }),
        { numRuns },
      );
    });
  }

  it('matmul (batched) in float32', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), broadcastPairArb(0, 2))
      .chain(([m, k, n, [ba, bb]]) => fc.tuple(tensorArb([...ba, m, k]), tensorArb([...bb, k, n])));
    fc.assert(
      fc.property(arb, ([a64, b64]) => {
        const a = tensor(a64.data, { shape: a64.shape, dtype: 'float32', requiresGrad: true });
        const b = tensor(b64.data, { shape: b64.shape, dtype: 'float32', requiresGrad: true });
        const out = a.matmul(b);
        out.tanh().sum().backward();
        expect([out.dtype, a.grad!.dtype, b.grad!.dtype]).toEqual(['float32', 'float32', 'float32']);
        const ref = a64.matmul(b64).data;
        out.data.forEach((v, j) => expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref[j]))));
      }),
      { numRuns },
    );
  });
});
