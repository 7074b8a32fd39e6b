/**
 * Forward values against plain-number arithmetic written independently of the kernels:
 * broadcasting via explicit nested loops, matmul via a naive triple loop, reductions,
 * transpose, softmax rows summing to 1, and stability at ±1000 and ±1e30.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../src/index.js';
import { axesArb, broadcastPairArb, broadcastShape, expectClose, flat, propertyRuns, shapeArb, sizeOf, tensorArb } from '../helpers/arbitraries.js';

const numRuns = propertyRuns(30);

/** Row-major strides. */
function strides(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The element of `x` (padded to `rank`) read at broadcast index `idx`: the naive definition. */
function at(x: Tensor, idx: readonly number[]): number {
  const lead = idx.length - x.ndim;
  const st = strides(x.shape);
  let off = 0;
  for (let i = 0; i < x.ndim; i++) off += (x.shape[i] === 1 ? 0 : idx[lead + i]) * st[i];
  return x.data[off];
}

/** Every multi-index of `shape`, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = sizeOf(shape);
  for (let flatIndex = 0; flatIndex < n; flatIndex++) {
    const idx: number[] = new Array(shape.length);
    let r = flatIndex;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx[i] = r % shape[i];
      r = Math.floor(r / shape[i]);
    }
    yield idx;
  }
}

describe('broadcasting binary ops vs explicit loops', () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ['add', (a, b) => a.add(b), (x, y) => x + y],
    ['sub', (a, b) => a.sub(b), (x, y) => x - y],
    ['mul', (a, b) => a.mul(b), (x, y) => x * y],
    ['div', (a, b) => a.div(b), (x, y) => x / y],
    ['maximum', (a, b) => a.maximum(b), (x, y) => Math.max(x, y)],
    ['pow', (a, b) => a.abs().pow(b), (x, y) => Math.abs(x) ** y],
  ];
  for (const [name, op, ref] of ops) {
    it(name, () => {
      const arb = broadcastPairArb().chain(([sa, sb]) => fc.tuple(tensorArb(sa), tensorArb(sb)));
      fc.assert(
        fc.property(arb, ([a, b]) => {
          const out = op(a, b);
          const shape = broadcastShape(a.shape, b.shape);
          expect(out.shape).toEqual(shape);
          const expected = [...indices(shape)].map((idx) => ref(at(a, idx), at(b, idx)));
          expect(Array.from(out.data)).toEqual(expected);
        }),
        { numRuns },
      );
    });
  }

  it('a number operand broadcasts as a scalar', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .mul(10)
        .toArray(),
    ).toEqual([
      [10, 20],
      [30, 40],
    ]);
    expect(tensor([1, 2]).sub(1).toArray()).toEqual([0, 1]);
  });

  it('[3,1] + [1,4] and [2,1,3] * [4,1] by hand', () => {
    const a = tensor([[1], [2], [3]]);
    const b = tensor([[10, 20, 30, 40]]);
    expect(a.add(b).toArray()).toEqual([
      [11, 21, 31, 41],
      [12, 22, 32, 42],
      [13, 23, 33, 43],
    ]);
    const c = tensor([[[1, 2, 3]], [[4, 5, 6]]]);
    const d = tensor([[1], [2], [3], [4]]);
    const out = c.mul(d);
    expect(out.shape).toEqual([2, 4, 3]);
    expect(out.toArray()).toEqual([
      [
        [1, 2, 3],
        [2, 4, 6],
        [3, 6, 9],
        [4, 8, 12],
      ],
      [
        [4, 5, 6],
        [8, 10, 12],
        [12, 15, 18],
        [16, 20, 24],
      ],
    ]);
  });
});

describe('unary ops vs Math', () => {
  it('elementwise', () => {
    const xs = [-2.5, -1, -0.25, 0.25, 1, 3];
    const x = tensor(xs, { dtype: 'float64' });
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    expectClose(
      x.neg().data,
      xs.map((v) => -v),
    );
    expectClose(x.exp().data, xs.map(Math.exp));
    expectClose(
      x.abs().log().data,
      xs.map((v) => Math.log(Math.abs(v))),
    );
    expectClose(
      x.abs().sqrt().data,
      xs.map((v) => Math.sqrt(Math.abs(v))),
    );
    expectClose(x.tanh().data, xs.map(Math.tanh));
    expectClose(x.sigmoid().data, xs.map(sig));
    expectClose(
      x.relu().data,
      xs.map((v) => Math.max(v, 0)),
    );
    expectClose(
      x.square().data,
      xs.map((v) => v * v),
    );
    expectClose(
      x.pow(3).data,
      xs.map((v) => v ** 3),
    );
  });
});

describe('matmul vs a naive triple loop', () => {
  const naive = (a: number[][], b: number[][]): number[][] => a.map((row) => b[0].map((_, j) => row.reduce((s, v, p) => s + v * b[p][j], 0)));

  it('2-D', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
      .chain(([m, k, n]) => fc.tuple(tensorArb([m, k]), tensorArb([k, n])));
    fc.assert(
      fc.property(arb, ([a, b]) => {
        const expected = naive(a.toArray() as number[][], b.toArray() as number[][]);
        expectClose(flat(a.matmul(b).toArray()), flat(expected), 1e-12, 1e-12, 'matmul');
      }),
      { numRuns },
    );
  });

  it('batched with broadcast batch axes, and transposed operands (the kernel reads them in place)', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), broadcastPairArb(0, 2))
      .chain(([m, k, n, [ba, bb]]) => fc.tuple(tensorArb([...ba, m, k]), tensorArb([...bb, n, k])));
    fc.assert(
      fc.property(arb, ([a, bt]) => {
        // b given as [..., n, k]: a @ bᵀ, with the transpose materialised by us
        const rank = bt.ndim;
        const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
        const b = bt.transpose(perm);
        const out = a.matmul(b);
        const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
        const [m, k] = a.shape.slice(-2),
          n = b.shape[b.ndim - 1];
        expect(out.shape).toEqual([...batch, m, n]);
        for (const idx of indices(batch)) {
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += at(a, [...idx, i, p]) * at(b, [...idx, p, j]);
              const o = at(out, [...idx, i, j]);
              expect(Math.abs(o - s)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(s)));
            }
        }
      }),
      { numRuns },
    );
  });

  it('1-D promotions by hand', () => {
    const v = tensor([1, 2]);
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(v.matmul(m).toArray()).toEqual([9, 12, 15]);
    expect(m.transpose().matmul(v).toArray()).toEqual([9, 12, 15]);
    expect(v.matmul(v).toArray()).toBe(5);
    expect(v.matmul(v).shape).toEqual([]);
  });
});

describe('reductions and transpose vs loops', () => {
  it('sum / mean / max over random axes', () => {
    const arb = shapeArb(1, 4).chain((s) => fc.tuple(tensorArb(s), axesArb(s.length), fc.boolean()));
    fc.assert(
      fc.property(arb, ([x, axes, keepDims]) => {
        const r = x.ndim;
        const set = new Set(axes.map((a) => (a < 0 ? a + r : a)));
        const kept = x.shape.map((d, i) => (set.has(i) ? 1 : d));
        const sums = new Float64Array(sizeOf(kept));
        const maxs = new Float64Array(sizeOf(kept)).fill(-Infinity);
        const ks = strides(kept);
        for (const idx of indices(x.shape)) {
          const o = idx.reduce((acc, v, i) => acc + (set.has(i) ? 0 : v * ks[i]), 0);
          const v = at(x, idx);
          sums[o] += v;
          maxs[o] = Math.max(maxs[o], v);
        }
        const count = sizeOf(x.shape) / sizeOf(kept);
        const shape = keepDims ? kept : x.shape.filter((_, i) => !set.has(i));
        for (const [out, ref] of [
          [x.sum(axes, keepDims), sums],
          [x.mean(axes, keepDims), sums.map((v) => v / count)],
          [x.max(axes, keepDims), maxs],
        ] as const) {
          expect(out.shape).toEqual(shape);
          expectClose(out.data, ref, 1e-12, 1e-12);
        }
      }),
      { numRuns },
    );
  });

  it('transpose moves element idx to idx permuted', () => {
    const arb = shapeArb(0, 4).chain((s) => fc.tuple(tensorArb(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length })));
    fc.assert(
      fc.property(arb, ([x, perm]) => {
        const y = x.transpose(perm);
        for (const idx of indices(x.shape))
          expect(
            at(
              y,
              perm.map((p) => idx[p]),
            ),
          ).toBe(at(x, idx));
      }),
      { numRuns },
    );
  });
});

describe('softmax and logSoftmax', () => {
  it('softmax rows sum to 1, logSoftmax = log(softmax)', () => {
    const arb = shapeArb(1, 4).chain((s) => fc.tuple(tensorArb(s), fc.integer({ min: -s.length, max: s.length - 1 })));
    fc.assert(
      fc.property(arb, ([x, axis]) => {
        const s = x.softmax(axis);
        const sums = s.sum(axis);
        expectClose(sums.data, new Float64Array(sums.size).fill(1), 1e-12, 0);
        expect(s.data.every((v) => v > 0 && v <= 1)).toBe(true);
        expectClose(x.logSoftmax(axis).data, s.log().data, 1e-12, 1e-9);
      }),
      { numRuns },
    );
  });

  it('sigmoid, softmax, logSoftmax are finite at ±1000 and ±1e30 (float32 and float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const big = tensor(
        [
          [1000, -1000, 0],
          [1e30, -1e30, 1],
          [-1e30, -1e30, -1e30],
        ],
        { dtype },
      );
      const sig = big.sigmoid();
      expectClose(sig.data, [1, 0, 0.5, 1, 0, 1 / (1 + Math.exp(-1)), 0, 0, 0], 0, dtype === 'float32' ? 1e-7 : 1e-15);
      const sm = big.softmax();
      expect(sm.data.every(Number.isFinite)).toBe(true);
      expectClose(Array.from(sm.data).slice(0, 6), [1, 0, 0, 1, 0, 0], 1e-6, 0);
      expectClose(Array.from(sm.data).slice(6), [1 / 3, 1 / 3, 1 / 3], 1e-6, 0);
      const ls = big.logSoftmax();
      expect(ls.data.every(Number.isFinite)).toBe(true);
      expect(ls.data[0]).toBe(0);
      expect(ls.data[1]).toBe(-2000);
      expect(ls.data[3]).toBe(0);
      expect(ls.data[4]).toBe(dtype === 'float64' ? -2e30 : Math.fround(-2e30));
    }
  });

  it('gradients stay finite at large inputs', () => {
    const x = tensor(
      [
        [1000, -1000, 3],
        [1e30, -1e30, 0],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    x.softmax()
      .mul(tensor([1, 2, 3], { dtype: 'float64' }))
      .sum()
      .add(x.logSoftmax().sum())
      .add(x.sigmoid().sum())
      .backward();
    expect(x.grad!.data.every(Number.isFinite)).toBe(true);
  });
});
