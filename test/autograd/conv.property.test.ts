/**
 * conv2d, maxPool2d, avgPool2d and dropout (issue 12): forward values against direct loops
 * written here from the definitions, gradcheck over random small geometries (stride, padding,
 * dilation, groups, bias), ties and errors pinned, and float32 (the wasm matmul path) agreeing
 * with float64.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, dropout, gradcheck, maxPool2d, tensor, type Tensor } from '../../src/index.js';
import { assertGradcheck, distinctValuesArb, propertyRuns, sizeOf, valuesArb } from '../helpers/arbitraries.js';

const numRuns = propertyRuns(20);
const f64 = (values: ArrayLike<number>, shape: readonly number[]): Tensor => tensor(Float64Array.from(values), { shape, dtype: 'float64' });

interface Geo {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  g: number;
  kh: number;
  kw: number;
  s: [number, number];
  p: [number, number];
  d: [number, number];
}

/** Output size per axis, or ≤ 0 when the dilated kernel does not fit the padded input. */
const outSize = (i: number, k: number, s: number, p: number, d: number): number => Math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1;

/** Direct convolution from the definition (PyTorch's cross-correlation). */
function convRef(x: Tensor, w: Tensor, b: Tensor | null, q: Geo): number[] {
  const oh = outSize(q.h, q.kh, q.s[0], q.p[0], q.d[0]),
    ow = outSize(q.w, q.kw, q.s[1], q.p[1], q.d[1]);
  const cg = q.c / q.g,
    og = q.o / q.g;
  const out: number[] = [];
  for (let n = 0; n < q.n; n++)
    for (let o = 0; o < q.o; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = b === null ? 0 : b.data[o];
          const group = Math.floor(o / og);
          for (let c = 0; c < cg; c++)
            for (let a = 0; a < q.kh; a++)
              for (let e = 0; e < q.kw; e++) {
                const y = i * q.s[0] - q.p[0] + a * q.d[0],
                  xx = j * q.s[1] - q.p[1] + e * q.d[1];
                if (y < 0 || y >= q.h || xx < 0 || xx >= q.w) continue;
                acc += x.data[((n * q.c + group * cg + c) * q.h + y) * q.w + xx] * w.data[((o * cg + c) * q.kh + a) * q.kw + e];
              }
          out.push(acc);
        }
  return out;
}

const pairArb = (min: number, max: number): fc.Arbitrary<[number, number]> => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

/** Small convolution geometries: every option on, kernels sometimes too large (then an error is expected). */
const geoArb: fc.Arbitrary<Geo> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    cg: fc.integer({ min: 1, max: 2 }),
    og: fc.integer({ min: 1, max: 2 }),
    g: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 5 }),
    w: fc.integer({ min: 1, max: 5 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    s: pairArb(1, 2),
    p: pairArb(0, 2),
    d: pairArb(1, 2),
  })
  .map(({ n, cg, og, g, ...r }) => ({ n, c: cg * g, o: og * g, g, ...r }));

const opts = (q: Geo): { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number } => ({
  stride: q.s,
  padding: q.p,
  dilation: q.d,
  groups: q.g,
});

function fits(q: Geo): boolean {
  return outSize(q.h, q.kh, q.s[0], q.p[0], q.d[0]) >= 1 && outSize(q.w, q.kw, q.s[1], q.p[1], q.d[1]) >= 1;
}

describe('conv2d', () => {
  it('forward matches the definition and gradcheck holds for x, w and b over random geometries', () => {
    const arb = geoArb.chain((q) =>
      fc.tuple(fc.constant(q), valuesArb(q.n * q.c * q.h * q.w), valuesArb(q.o * (q.c / q.g) * q.kh * q.kw), valuesArb(q.o), fc.boolean()),
    );
    fc.assert(
      fc.property(arb, ([q, xv, wv, bv, withBias]) => {
        const x = f64(xv, [q.n, q.c, q.h, q.w]),
          w = f64(wv, [q.o, q.c / q.g, q.kh, q.kw]),
          b = withBias ? f64(bv, [q.o]) : null;
        if (!fits(q)) {
          expect(() => conv2d(x, w, b, opts(q))).toThrow(/conv2d: the kernel \d+×\d+.* is larger than the padded input \d+×\d+ \(input \[/);
          return;
        }
        const y = conv2d(x, w, b, opts(q));
        expect(y.shape).toEqual([q.n, q.o, outSize(q.h, q.kh, q.s[0], q.p[0], q.d[0]), outSize(q.w, q.kw, q.s[1], q.p[1], q.d[1])]);
        const ref = convRef(x, w, b, q);
        y.data.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(1e-12));
        const inputs = b === null ? [x, w] : [x, w, b];
        assertGradcheck(
          gradcheck((...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, opts(q)), inputs),
          q,
        );
      }),
      { numRuns },
    );
  });

  it('float32 (wasm matmul for large enough products) agrees with float64, forward and gradients', () => {
    const q: Geo = { n: 3, c: 4, h: 9, w: 8, o: 6, g: 2, kh: 3, kw: 3, s: [1, 2], p: [1, 1], d: [1, 1] };
    const xv = Float64Array.from({ length: q.n * q.c * q.h * q.w }, (_, i) => Math.sin(i * 0.7));
    const wv = Float64Array.from({ length: q.o * 2 * 9 }, (_, i) => Math.cos(i * 1.3));
    const run = (dtype: 'float32' | 'float64'): Tensor[] => {
      const x = tensor(xv, { shape: [q.n, q.c, q.h, q.w], dtype, requiresGrad: true });
      const w = tensor(wv, { shape: [q.o, 2, 3, 3], dtype, requiresGrad: true });
      const b = tensor([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], { dtype, requiresGrad: true });
      const y = conv2d(x, w, b, opts(q));
      y.square().sum().backward();
      return [y, x.grad!, w.grad!, b.grad!];
    };
    const r32 = run('float32'),
      r64 = run('float64');
    r32.forEach((t, k) => {
      expect(t.dtype).toBe('float32');
      t.data.forEach((v, i) => expect(Math.abs(v - r64[k].data[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(r64[k].data[i]))));
    });
  });

  it('errors name conv2d, the argument and the shapes', () => {
    const x = f64(new Array(2 * 4 * 5 * 5).fill(0), [2, 4, 5, 5]);
    const w = f64(new Array(6 * 2 * 3 * 3).fill(0), [6, 2, 3, 3]);
    expect(() => conv2d(x, w)).toThrow(/conv2d: weight \[6,2,3,3\] expects 2 input channels with groups 1, but the input \[2,4,5,5\] has 4/);
    expect(() => conv2d(x, w, null, { groups: 3 })).toThrow(
      /conv2d: groups 3 must divide the input channels \(4, input \[2,4,5,5\]\) and the output channels \(6, weight \[6,2,3,3\]\)/,
    );
    expect(() => conv2d(x, w, f64([1], [1]), { groups: 2 })).toThrow(/conv2d: the bias must have shape \[6\] for weight \[6,2,3,3\], got \[1\]/);
    expect(() => conv2d(x, w, null, { groups: 2, dilation: 3 })).toThrow(
      /conv2d: the kernel 3×3 \(dilated to 7×7\) is larger than the padded input 5×5 \(input \[2,4,5,5\], padding \[0,0\]\)/,
    );
    expect(() => conv2d(x, w, null, { groups: 2, stride: 0 })).toThrow(/conv2d: stride must be an integer ≥ 1 or a pair \[h, w\] of them, got 0/);
    expect(() => conv2d(x, w, null, { groups: 2, padding: [1, -1] })).toThrow(/conv2d: padding must be an integer ≥ 0/);
    expect(() => conv2d(x.reshape([8, 5, 5]), w)).toThrow(/conv2d: the input must have shape \[N, C, H, W\], got \[8,5,5\]/);
  });
});

/** Pool windows from the definition: the max (−∞ padding) or the sum / (kh·kw) (zero padding). */
function poolRef(x: Tensor, k: [number, number], s: [number, number], p: [number, number], max: boolean): number[] {
  const [n, c, h, w] = x.shape;
  const oh = outSize(h, k[0], s[0], p[0], 1),
    ow = outSize(w, k[1], s[1], p[1], 1);
  const out: number[] = [];
  for (let pl = 0; pl < n * c; pl++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let acc = max ? -Infinity : 0;
        for (let a = 0; a < k[0]; a++)
          for (let e = 0; e < k[1]; e++) {
            const y = i * s[0] - p[0] + a,
              xx = j * s[1] - p[1] + e;
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
            const v = x.data[(pl * h + y) * w + xx];
            acc = max ? Math.max(acc, v) : acc + v;
          }
        out.push(max ? acc : acc / (k[0] * k[1]));
      }
  return out;
}

describe('maxPool2d and avgPool2d', () => {
  const poolArb = fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      k: pairArb(1, 3),
      s: fc.option(pairArb(1, 3), { nil: undefined }),
      pad: pairArb(0, 1),
    })
    .map((r) => ({ ...r, p: [Math.min(r.pad[0], r.k[0] >> 1), Math.min(r.pad[1], r.k[1] >> 1)] as [number, number] }))
    .filter((r) => r.k[0] <= r.h + 2 * r.p[0] && r.k[1] <= r.w + 2 * r.p[1])
    .chain((r) => fc.tuple(fc.constant(r), distinctValuesArb(r.n * r.c * r.h * r.w)));

  it('maxPool2d: values as the definition, gradcheck with distinct values', () => {
    fc.assert(
      fc.property(poolArb, ([r, v]) => {
        const x = f64(v, [r.n, r.c, r.h, r.w]);
        const o = { stride: r.s, padding: r.p };
        const ref = poolRef(x, r.k, r.s ?? r.k, r.p, true);
        expect(Array.from(maxPool2d(x, r.k, o).data)).toEqual(ref);
        check((t) => maxPool2d(t, r.k, o), x);
      }),
      { numRuns },
    );
  });

  it('avgPool2d: values as the definition (padded zeros counted), gradcheck', () => {
    fc.assert(
      fc.property(poolArb, ([r, v]) => {
        const x = f64(v, [r.n, r.c, r.h, r.w]);
        const o = { stride: r.s, padding: r.p };
        const ref = poolRef(x, r.k, r.s ?? r.k, r.p, false);
        avgPool2d(x, r.k, o).data.forEach((y, i) => expect(Math.abs(y - ref[i])).toBeLessThanOrEqual(1e-14));
        check((t) => avgPool2d(t, r.k, o), x);
      }),
      { numRuns },
    );
  });

  it('ties: the gradient goes to the first maximum of the window (PyTorch); NaN propagates; 3-D input', () => {
    const x = tensor(
      [
        [
          [
            [1, 3],
            [3, 2],
          ],
        ],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    maxPool2d(x, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [
        [
          [0, 1],
          [0, 0],
        ],
      ],
    ]);
    expect(maxPool2d(f64([1, NaN, 3, 2], [1, 1, 2, 2]), 2).item()).toBeNaN();
    expect(maxPool2d(f64([1, 2, 3, 4], [1, 2, 2]), 2).toArray()).toEqual([[[4]]]);
    // padded zeros count in the average: each 2×2 window over one element 4 and three padded zeros → 1
    expect(avgPool2d(f64([4], [1, 1, 1, 1]), 2, { padding: 1, stride: 1 }).toArray()).toEqual([
      [
        [
          [1, 1],
          [1, 1],
        ],
      ],
    ]);
    expect(avgPool2d(f64([4], [1, 1, 1, 1]), 2, { padding: 1 }).toArray()).toEqual([[[[1]]]]);
  });

  it('errors name the op, the argument and the shapes', () => {
    const x = f64(new Array(16).fill(0), [1, 1, 4, 4]);
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(/maxPool2d: padding \[2,2\] must be at most half the kernel \[2,2\] \(input \[1,1,4,4\]\)/);
    expect(() => avgPool2d(x, 5)).toThrow(/avgPool2d: the kernel 5×5 is larger than the padded input 4×4 \(input \[1,1,4,4\]/);
    expect(() => maxPool2d(x.reshape([16]), 2)).toThrow(/maxPool2d: the input must have shape \[N, C, H, W\] or \[C, H, W\], got \[16\]/);
    expect(() => avgPool2d(x, [2, 0])).toThrow(/avgPool2d: kernel must be an integer ≥ 1/);
  });
});

function check(f: (x: Tensor) => Tensor, x: Tensor): void {
  assertGradcheck(gradcheck(f, [x]), { shape: x.shape, data: x.toArray() });
}

describe('dropout', () => {
  it('seeded: the same mask for the same seed; kept elements scaled by 1/(1−p); the gradient is the mask', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.nat(), (n, p, seed) => {
        const x = tensor(
          Float64Array.from({ length: n }, (_, i) => i + 1),
          { dtype: 'float64', requiresGrad: true },
        );
        const y = dropout(x, p, { seed });
        expect(Array.from(dropout(x, p, { seed }).data)).toEqual(Array.from(y.data));
        y.data.forEach((v, i) => expect(v === 0 || Math.abs(v - (i + 1) / (1 - p)) <= 1e-12 * v).toBe(true));
        y.sum().backward();
        x.grad!.data.forEach((g, i) => expect(g).toBe(y.data[i] === 0 ? 0 : 1 / (1 - p)));
      }),
      { numRuns },
    );
  });

  it('drops about p of the elements; identity when not training or p = 0; zeros when p = 1', () => {
    const x = tensor(new Float64Array(20000).fill(1), { dtype: 'float64' });
    const kept = Array.from(dropout(x, 0.3, { seed: 7 }).data).filter((v) => v !== 0).length;
    expect(Math.abs(kept / 20000 - 0.7)).toBeLessThan(0.02);
    expect(dropout(x, 0.3, { training: false })).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(dropout(x, 1).data.every((v) => v === 0)).toBe(true);
    expect(() => dropout(x, 1.5)).toThrow(/dropout: p must be a probability in \[0, 1\], got 1.5/);
    expect(sizeOf([2, 3])).toBe(6);
  });
});
