/**
 * Indexing and joining ops (issue 12): gradcheck on random shapes, axes (negative too),
 * index lists (repeats, empty) and broadcast triples, plus forward values against small
 * reference implementations written here on nested arrays, and Python's slice results pinned.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, gather, gradcheck, indexSelect, split, stack, tensor, where, type Tensor } from '../../src/index.js';
import { assertGradcheck, broadcastShape, domains, propertyRuns, shapeArb, sizeOf, squashArb, tensorArb } from '../helpers/arbitraries.js';

const numRuns = propertyRuns(25);
const f64 = (values: number[], shape: readonly number[]): Tensor => tensor(Float64Array.from(values), { shape, dtype: 'float64' });

function check(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], shape?: readonly number[]): void {
  if (shape !== undefined) expect(f(...inputs).shape).toEqual(shape);
  // gradcheck reports inputs without elements as "nothing checked"; their shapes are checked above.
  if (inputs.every((x) => x.size === 0)) return;
  assertGradcheck(
    gradcheck(f, inputs),
    inputs.map((x) => ({ shape: x.shape, data: x.toArray() })),
  );
}

/** A shape of rank ≥ 1 with an axis of it, the axis written negative half the time. */
const shapeAxisArb = shapeArb(1, 4).chain((s) =>
  fc
    .tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.boolean())
    .map(([sh, a, neg]) => ({ shape: sh, axis: neg ? a - sh.length : a, pos: a })),
);

/** Python's range(n)[start:end:step], written from the definition (not the library's clamping). */
function pyIndices(n: number, start: number | undefined, end: number | undefined, step: number): number[] {
  const out: number[] = [];
  const norm = (v: number): number => (v < 0 ? v + n : v);
  if (step > 0) {
    const s = start === undefined ? 0 : Math.min(Math.max(norm(start), 0), n);
    const e = end === undefined ? n : Math.min(Math.max(norm(end), 0), n);
    for (let i = s; i < e; i += step) out.push(i);
  } else {
    const s = start === undefined ? n - 1 : Math.min(Math.max(norm(start), -1), n - 1);
    const e = end === undefined ? -1 : Math.min(Math.max(norm(end), -1), n - 1);
    for (let i = s; i > e; i += step) out.push(i);
  }
  return out;
}

describe('slice (Python semantics on one axis)', () => {
  it('pinned against Python: negative indices, clamping, steps, empty results', () => {
    const x = f64([0, 1, 2, 3, 4], [5]);
    const cases: [number | undefined, number | undefined, number, number[]][] = [
      [1, -1, 1, [1, 2, 3]],
      [-2, undefined, 1, [3, 4]],
      [undefined, undefined, 2, [0, 2, 4]],
      [undefined, undefined, -1, [4, 3, 2, 1, 0]],
      [10, 0, -1, [4, 3, 2, 1]],
      [-100, 100, 1, [0, 1, 2, 3, 4]],
      [3, 1, 1, []],
      [4, -6, -2, [4, 2, 0]],
      [1, 100, 3, [1, 4]],
      [-1, -3, -1, [4, 3]],
    ];
    for (const [s, e, st, want] of cases) {
      expect(x.slice(0, s, e, st).toArray()).toEqual(want);
      expect(pyIndices(5, s, e, st)).toEqual(want);
    }
  });

  it('gradcheck on random shapes, axes, bounds and steps; values match the definition', () => {
    const bound = fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined });
    const stepArb = fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0);
    fc.assert(
      fc.property(
        shapeAxisArb.chain((sa) => fc.tuple(fc.constant(sa), tensorArb(sa.shape), bound, bound, stepArb)),
        ([{ shape, axis, pos }, x, s, e, step]) => {
          const picks = pyIndices(shape[pos], s, e, step);
          const want = [...shape];
          want[pos] = picks.length;
          const y = x.slice(axis, s, e, step);
          expect(y.shape).toEqual(want);
          // values: element-by-element against the picks
          const inner = sizeOf(shape.slice(pos + 1)),
            outer = sizeOf(shape.slice(0, pos));
          let p = 0;
          for (let o = 0; o < outer; o++)
            for (const j of picks) for (let i = 0; i < inner; i++) expect(y.data[p++]).toBe(x.data[(o * shape[pos] + j) * inner + i]);
          check((t) => t.slice(axis, s, e, step), [x]);
        },
      ),
      { numRuns },
    );
  });

  it('errors name slice, the argument and the shape', () => {
    const x = f64([1, 2, 3], [3]);
    expect(() => x.slice(0, 0, 3, 0)).toThrow(/slice: step must not be 0 \(axis 0 of shape \[3\]\)/);
    expect(() => x.slice(0, 0.5)).toThrow(/slice: start must be an integer, got 0.5 \(tensor of shape \[3\]\)/);
    expect(() => x.slice(1, 0)).toThrow(/slice: axis 1 is out of range for a tensor of rank 1/);
    expect(() => f64([1], []).slice(0, 0)).toThrow(/slice: needs at least one axis, got a 0-d tensor/);
  });
});

describe('indexSelect', () => {
  it('random index lists (repeats, empty, Int32Array) along random axes; repeated indices add gradients', () => {
    fc.assert(
      fc.property(
        shapeAxisArb.chain((sa) =>
          fc.tuple(fc.constant(sa), tensorArb(sa.shape), fc.array(fc.nat({ max: sa.shape[sa.pos] - 1 }), { maxLength: 6 }), fc.boolean()),
        ),
        ([{ shape, axis, pos }, x, idx, typed]) => {
          const indices = typed ? Int32Array.from(idx) : idx;
          const want = [...shape];
          want[pos] = idx.length;
          check((t) => t.indexSelect(axis, indices), [x], want);
          // the gradient of Σ out counts how often each entry was picked
          const leaf = tensor(x.data, { shape, dtype: 'float64', requiresGrad: true });
          indexSelect(leaf, axis, indices).sum().backward();
          const inner = sizeOf(shape.slice(pos + 1));
          leaf.grad!.data.forEach((g, k) => expect(g).toBe(idx.filter((i) => i === Math.floor(k / inner) % shape[pos]).length));
        },
      ),
      { numRuns },
    );
  });

  it('an out-of-range or fractional index is an error naming the op, the index and the shape', () => {
    const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(() => x.indexSelect(1, [0, 3])).toThrow(/indexSelect: index 3 \(position 1\) is out of range for axis 1 of size 3 \(shape \[2,3\]\)/);
    expect(() => x.indexSelect(0, [-1])).toThrow(/indexSelect: index -1/);
    expect(() => x.indexSelect(0, [0.5])).toThrow(/indexSelect: index 0.5/);
    expect(() => x.indexSelect(2, [0])).toThrow(/indexSelect: axis 2 is out of range/);
  });
});

describe('gather (PyTorch semantics)', () => {
  it('random index tensors no larger than the input on the other axes; values as the definition', () => {
    const arb = shapeAxisArb.chain(({ shape, axis, pos }) =>
      fc
        .tuple(
          fc.constant({ shape, axis, pos }),
          tensorArb(shape),
          fc.tuple(...shape.map((d, i) => (i === pos ? fc.integer({ min: 0, max: 4 }) : fc.integer({ min: 1, max: d })))),
        )
        .chain(([sa, x, ishape]) =>
          fc.tuple(
            fc.constant(sa),
            fc.constant(x),
            fc.array(fc.nat({ max: sa.shape[sa.pos] - 1 }), { minLength: sizeOf(ishape), maxLength: sizeOf(ishape) }).map((v) => f64(v, ishape)),
          ),
        ),
    );
    fc.assert(
      fc.property(arb, ([{ shape, axis, pos }, x, index]) => {
        const y = gather(x, axis, index);
        expect(y.shape).toEqual(index.shape);
        const xs = shape,
          is = index.shape;
        for (let p = 0; p < index.size; p++) {
          // coordinates of p in index, with the axis coordinate replaced by the index value
          let rest = p,
            off = 0;
          const coords = is.map((_, d) => {
            const st = sizeOf(is.slice(d + 1));
            const c = Math.floor(rest / st);
            rest -= c * st;
            return c;
          });
          coords[pos] = index.data[p];
          coords.forEach((c, d) => (off += c * sizeOf(xs.slice(d + 1))));
          expect(y.data[p]).toBe(x.data[off]);
        }
        check((t) => t.gather(axis, index), [x]);
      }),
      { numRuns },
    );
  });

  it('picks one score per row (the cross-entropy use) and scatters the gradient back', () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const picked = gather(logits, 1, tensor([[2], [0]]));
    expect(picked.toArray()).toEqual([[3], [4]]);
    picked.sum().backward();
    expect(logits.grad!.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });

  it('errors name the op, the value and the shapes', () => {
    const x = f64([1, 2, 3, 4], [2, 2]);
    expect(() => gather(x, 1, f64([2], [1, 1]))).toThrow(
      /gather: index value 2 at flat position 0 is out of range for axis 1 of size 2 \(input \[2,2\]\)/,
    );
    expect(() => gather(x, 1, f64([0.5], [1, 1]))).toThrow(/gather: index value 0.5/);
    expect(() => gather(x, 1, f64([0], [1]))).toThrow(/gather: index of shape \[1\] must have the rank of the input \[2,2\]/);
    expect(() => gather(x, 1, f64([0, 0, 0], [3, 1]))).toThrow(/gather: index of shape \[3,1\] is larger than the input \[2,2\] on axis 0/);
  });
});

describe('concat, stack, split', () => {
  /** 1–3 tensors sharing a shape except on one axis. */
  const joinArb = shapeAxisArb.chain(({ shape, axis, pos }) =>
    fc
      .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })
      .chain((sizes) =>
        fc.tuple(fc.constant({ axis, pos, shape }), fc.tuple(...sizes.map((d) => tensorArb(shape.map((s, i) => (i === pos ? d : s)))))),
      ),
  );

  it('concat: gradcheck, values in order, any axis', () => {
    fc.assert(
      fc.property(joinArb, ([{ axis, pos, shape }, ts]) => {
        const want = [...shape];
        want[pos] = ts.reduce((s, t) => s + t.shape[pos], 0);
        check((...xs) => concat(xs, axis), ts, want);
        // splitting the result back gives the pieces
        const back = split(
          concat(ts, axis),
          ts.map((t) => t.shape[pos]),
          axis,
        );
        back.forEach((b, i) => expect(Array.from(b.data)).toEqual(Array.from(ts[i].data)));
      }),
      { numRuns },
    );
  });

  it('stack: a new axis at any position (0-d tensors too); gradcheck', () => {
    const arb = shapeArb(0, 3).chain((s) =>
      fc.tuple(fc.array(tensorArb(s), { minLength: 1, maxLength: 3 }), fc.integer({ min: -(s.length + 1), max: s.length })),
    );
    fc.assert(
      fc.property(arb, ([ts, axis]) => {
        const r = ts[0].ndim + 1,
          a = axis < 0 ? axis + r : axis;
        const want = [...ts[0].shape];
        want.splice(a, 0, ts.length);
        check((...xs) => stack(xs, axis), ts, want);
        // element k of the stack along `a` is ts[k]
        ts.forEach((t, k) => expect(Array.from(stack(ts, axis).slice(a, k, k + 1).data)).toEqual(Array.from(t.data)));
      }),
      { numRuns },
    );
  });

  it('split by a size and by sizes; gradcheck through every piece', () => {
    fc.assert(
      fc.property(
        shapeAxisArb.chain((sa) => fc.tuple(fc.constant(sa), tensorArb(sa.shape), fc.integer({ min: 1, max: 3 }))),
        ([{ shape, axis, pos }, x, size]) => {
          const pieces = x.split(size, axis);
          expect(pieces.map((p) => p.shape[pos])).toEqual(
            Array.from({ length: Math.ceil(shape[pos] / size) }, (_, i) => Math.min(size, shape[pos] - i * size)),
          );
          const weights = pieces.map((_, i) => i + 1);
          check(
            (t) =>
              t
                .split(size, axis)
                .map((p, i) => p.mul(weights[i]).sum())
                .reduce((a, b) => a.add(b)),
            [x],
            [],
          );
        },
      ),
      { numRuns },
    );
  });

  it('errors name the op and the shapes', () => {
    const a = f64([1, 2], [1, 2]),
      b = f64([1, 2, 3], [1, 3]);
    expect(() => concat([a, b], 0)).toThrow(/concat: tensor 1 has shape \[1,3\] but tensor 0 has shape \[1,2\]; only axis 0 may differ/);
    expect(() => concat([], 0)).toThrow(/concat: needs a non-empty array/);
    expect(() => concat([f64([1], [])])).toThrow(/concat: 0-d tensors/);
    expect(() => stack([a, b])).toThrow(/stack: tensor 1 has shape \[1,3\] but tensor 0 has shape \[1,2\]/);
    expect(() => stack([a], 4)).toThrow(/stack: axis 4 is out of range/);
    expect(() => b.split([1, 1], 1)).toThrow(/split: sizes \[1,1\] must be non-negative integers adding up to 3, the size of axis 1 of \[1,3\]/);
    expect(() => b.split(0, 1)).toThrow(/split: the piece size must be a positive integer, got 0/);
  });
});

describe('where (broadcast triples)', () => {
  it('gradcheck with cond, a and b broadcast together in any arrangement; values as the definition', () => {
    const arb = shapeArb(0, 3)
      .chain((out) => fc.tuple(squashArb(out), squashArb(out), squashArb(out), fc.constant(out)))
      .chain(([sc, sa, sb]) =>
        fc.tuple(
          fc.array(fc.constantFrom(0, 1, -2, 0.5, Number.NaN), { minLength: sizeOf(sc), maxLength: sizeOf(sc) }).map((v) => f64(v, sc)),
          tensorArb(sa),
          tensorArb(sb),
        ),
      );
    fc.assert(
      fc.property(arb, ([c, a, b]) => {
        const shape = broadcastShape(broadcastShape(c.shape, a.shape), b.shape);
        const y = where(c, a, b);
        expect(y.shape).toEqual(shape);
        const ce = c.expand(shape).data,
          ae = a.expand(shape).data,
          be = b.expand(shape).data;
        y.data.forEach((v, i) => expect(v).toBe(ce[i] !== 0 ? ae[i] : be[i]));
        check((p, q) => where(c, p, q), [a, b], shape);
      }),
      { numRuns },
    );
  });

  it('numbers as either branch; an Infinity in the branch not taken does not leak NaN into the gradient', () => {
    const x = tensor([-1, 2, -3], { dtype: 'float64', requiresGrad: true });
    const y = where(x.gt(0), x.log(), 0); // log(-1) = NaN is computed but not picked
    expect(y.toArray()).toEqual([0, Math.log(2), 0]);
    y.sum().backward();
    expect(Array.from(x.grad!.data, (v) => v + 0)).toEqual([0, 0.5, 0]); // -0 from log′(−1)·0 counts as 0
    expect(where(tensor([1, 0]), 7, tensor([1, 2])).toArray()).toEqual([7, 2]);
    expect(() => where(tensor([1, 0, 1]), tensor([1, 2]), 0)).toThrow(/where: shapes \[3\] and \[2\] cannot be broadcast/);
  });
});

describe('squeeze, unsqueeze, flatten (reshape views)', () => {
  it('gradcheck and shapes; 0-d tensors unsqueeze and squeeze to 0-d', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(tensorArb(s, domains.any), fc.nat(), fc.nat(), fc.nat())),
        ([x, i, j, k]) => {
          const r = x.ndim;
          const ua = (i % (2 * r + 2)) - (r + 1);
          const expectU = [...x.shape];
          expectU.splice(ua < 0 ? ua + r + 1 : ua, 0, 1);
          check((t) => t.unsqueeze(ua), [x], expectU);
          check(
            (t) => t.squeeze(),
            [x],
            x.shape.filter((d) => d !== 1),
          );
          const ones = x.shape.map((d, a) => (d === 1 ? a : -1)).filter((a) => a >= 0);
          if (ones.length > 0) {
            const a = ones[j % ones.length];
            check(
              (t) => t.squeeze(a - (k % 2) * r),
              [x],
              x.shape.filter((_, b) => b !== a),
            );
          }
          if (r === 0) {
            expect(x.flatten().shape).toEqual([1]);
            expect(x.unsqueeze(0).squeeze().shape).toEqual([]);
          } else {
            const s = j % r,
              e = s + (k % (r - s));
            check((t) => t.flatten(s, e - r), [x], [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
          }
        },
      ),
      { numRuns },
    );
  });

  it('errors name the op, the axis and the shape', () => {
    const x = f64([1, 2, 3], [1, 3]);
    expect(() => x.squeeze(1)).toThrow(/squeeze: axis 1 of shape \[1,3\] has size 3, not 1/);
    expect(() => x.unsqueeze(3)).toThrow(/unsqueeze: axis 3 is out of range for a tensor of shape \[1,3\] \(expected -3..2\)/);
    expect(() => x.flatten(1, 0)).toThrow(/flatten: start axis 1 comes after end axis 0 for shape \[1,3\]/);
  });
});
