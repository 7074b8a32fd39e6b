/**
 * The WebAssembly SIMD binary kernel (float32 add/sub/mul/div with row/column/scalar
 * broadcasting) against the TypeScript `broadcastBinary`: results must be bit-identical,
 * NaN, ±Infinity, ±0 and subnormals included, because IEEE single add/sub/mul/div are
 * correctly rounded either way. Shapes are random and broadcast-compatible, covering every
 * layout the dispatcher recognises and the ones it leaves to TypeScript, at sizes on both
 * sides of its threshold.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BinaryOp, broadcastBinary } from '../../src/autograd/kernels/elementwise.js';
import { binaryBroadcast, wasmBinaryPlan } from '../../src/autograd/backend/index.js';
import { binaryF32, wasmAvailable } from '../../src/autograd/kernels/wasm/index.js';
import { Rng } from '../../src/autograd/random.js';
import { Tensor, setWasmKernels } from '../../src/index.js';

const OPS = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div] as const;
const OP_NAMES = ['add', 'sub', 'mul', 'div'] as const;
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];

/** Float32 data: mostly ordinary values, some exact specials (division by ±0, overflow, NaN). */
function data(len: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const u = rng.uniform();
    if (u < 0.08) out[i] = SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)];
    else if (u < 0.12) out[i] = (rng.uniform() - 0.5) * 1e38;
    else out[i] = (rng.uniform() - 0.5) * 8;
  }
  return out;
}

function firstMismatch(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return -2;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

type Layout = 'full' | 'scalar' | 'row' | 'col' | 'middle' | 'random';

/** An operand shape of the given layout against `out` (all padded to out's rank or shorter). */
function operandShape(out: number[], layout: Layout, cut: number, mask: boolean[]): number[] {
  const r = out.length;
  const c = Math.min(cut, r);
  switch (layout) {
    case 'full':
      return [...out];
    case 'scalar':
      return cut % 2 === 0 ? [] : out.map(() => 1);
    case 'row':
      return out.slice(c); // trailing axes (unpadded: leading 1s are implicit)
    case 'col':
      return out.map((d, i) => (i < c ? d : 1));
    case 'middle':
      return out.map((d, i) => (i > 0 && i < r - 1 ? d : 1)); // neither row nor column
    case 'random':
      return out.map((d, i) => (mask[i] ? d : 1));
  }
}

function pad(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

const layoutArb = fc.constantFrom<Layout>('full', 'scalar', 'row', 'col', 'middle', 'random');
const caseArb = fc.record({
  out: fc.oneof(
    fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 2 }),
    fc.array(fc.integer({ min: 1, max: 14 }), { minLength: 3, maxLength: 4 }),
  ),
  la: layoutArb,
  lb: layoutArb,
  ca: fc.nat(4),
  cb: fc.nat(4),
  ma: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  mb: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  op: fc.integer({ min: 0, max: 3 }),
  seed: fc.nat(),
});

describe.runIf(wasmAvailable())('wasm binary kernel', () => {
  afterEach(() => {
    setWasmKernels(true);
  });

  it('dispatched float32 broadcasts equal the TypeScript kernel bit for bit', () => {
    let viaWasm = 0,
      fallback = 0,
      big = 0,
      small = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const aShape = operandShape(c.out, c.la, c.ca, c.ma);
        const bShape = operandShape(c.out, c.lb, c.cb, c.mb);
        const rank = c.out.length;
        const real = c.out.map((_, i) => Math.max(pad(aShape, rank)[i], pad(bShape, rank)[i]));
        const n = size(real);
        const a = data(size(aShape), c.seed),
          b = data(size(bShape), c.seed + 1);
        const op = OPS[c.op];
        const pa = pad(aShape, rank),
          pb = pad(bShape, rank);
        const got = new Float32Array(n),
          want = new Float32Array(n);
        binaryBroadcast(op, got, real, a, pa, b, pb);
        broadcastBinary(op, want, real, a, pa, b, pb);
        const at = firstMismatch(got, want);
        if (at !== -1) {
          throw new Error(`${OP_NAMES[c.op]} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)} at ${at}: ${got[at]} vs ${want[at]}`);
        }
        if (wasmBinaryPlan(real, n, pa, a.length, pb, b.length) !== null) viaWasm++;
        else fallback++;
        if (n >= 256) big++;
        else small++;
      }),
      { numRuns: 500 },
    );
    // The generator must exercise both paths and both sides of the threshold (typically
    // ~460 / ~35 / ~135 / ~365; the fallback is also covered by the next test).
    expect(viaWasm).toBeGreaterThan(100);
    expect(fallback).toBeGreaterThan(0);
    expect(big).toBeGreaterThan(50);
    expect(small).toBeGreaterThan(50);
  });

  it('layouts the kernel does not know fall back to TypeScript, with identical results', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        (d0, d1, d2, kind, swap, opIndex, seed) => {
          const out = [d0, d1, d2];
          // A middle axis only; an inner axis skipped; a row of d1·d2 against columns of d2.
          const [x, y] = [
            [out, [1, d1, 1]],
            [out, [d0, 1, d2]],
            [
              [d1, d2],
              [d0, d1, 1],
            ],
          ][kind];
          const [aShape, bShape] = swap ? [y, x] : [x, y];
          const pa = pad(aShape, 3),
            pb = pad(bShape, 3);
          const a = data(size(aShape), seed),
            b = data(size(bShape), seed + 1);
          expect(wasmBinaryPlan(out, size(out), pa, a.length, pb, b.length)).toBeNull();
          const got = new Float32Array(size(out)),
            want = new Float32Array(size(out));
          binaryBroadcast(OPS[opIndex], got, out, a, pa, b, pb);
          broadcastBinary(OPS[opIndex], want, out, a, pa, b, pb);
          expect(firstMismatch(got, want)).toBe(-1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('recognises full, scalar, row, column and row-against-column layouts, and only those', () => {
    const plan = (out: number[], a: number[], b: number[]) =>
      wasmBinaryPlan(out, size(out), pad(a, out.length), size(a), pad(b, out.length), size(b));
    expect(plan([256, 256], [256, 256], [256, 256])).toEqual([1, 65536, 0, 0]);
    expect(plan([256, 256], [256, 256], [])).toEqual([1, 65536, 0, 3]);
    expect(plan([256, 256], [1], [256, 256])).toEqual([1, 65536, 3, 0]);
    expect(plan([256, 256], [256, 256], [256])).toEqual([256, 256, 0, 1]);
    expect(plan([4, 5, 6], [5, 6], [4, 5, 6])).toEqual([4, 30, 1, 0]);
    expect(plan([4, 5, 6], [4, 5, 6], [1, 1, 6])).toEqual([20, 6, 0, 1]);
    expect(plan([256, 256], [256, 256], [256, 1])).toEqual([256, 256, 0, 2]);
    expect(plan([4, 5, 6], [4, 5, 6], [4, 1, 1])).toEqual([4, 30, 0, 2]);
    expect(plan([7, 9], [7, 1], [9])).toEqual([7, 9, 2, 1]);
    expect(plan([4, 5, 6], [4, 5, 6], [1, 5, 1])).toBeNull(); // middle axis only
    expect(plan([4, 5, 6], [5, 6], [4, 5, 1])).toBeNull(); // row of 30 against columns of 6
    expect(plan([4, 5, 6], [4, 1, 6], [4, 5, 6])).toBeNull();
  });

  it('binaryF32 matches plain float32 arithmetic for every mode pair and ragged rows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 37 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        (outer, inner, op, am, bm, seed) => {
          const len = (m: number) => [outer * inner, inner, outer, 1][m];
          const a = data(len(am), seed),
            b = data(len(bm), seed + 7);
          const at = (m: number, x: Float32Array, r: number, j: number) => [x[r * inner + j], x[j], x[r], x[0]][m];
          const want = new Float32Array(outer * inner);
          for (let r = 0; r < outer; r++) {
            for (let j = 0; j < inner; j++) {
              const x = at(am, a, r, j),
                y = at(bm, b, r, j);
              want[r * inner + j] = op === 0 ? x + y : op === 1 ? x - y : op === 2 ? x * y : x / y;
            }
          }
          const got = new Float32Array(outer * inner);
          binaryF32(op as 0 | 1 | 2 | 3, got, a, am as 0 | 1 | 2 | 3, b, bm as 0 | 1 | 2 | 3, outer, inner);
          expect(firstMismatch(got, want)).toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('binaryF32 rejects lengths that do not fit the modes', () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => binaryF32(0, f(12), f(12), 0, f(4), 1, 3, 4)).not.toThrow();
    expect(() => binaryF32(0, f(12), f(12), 0, f(3), 1, 3, 4)).toThrow(RangeError);
    expect(() => binaryF32(0, f(11), f(12), 0, f(3), 2, 3, 4)).toThrow(RangeError);
    expect(() => binaryF32(4 as 0, f(12), f(12), 0, f(1), 3, 3, 4)).toThrow(RangeError);
    expect(() => binaryF32(0, f(12), f(12), 5 as 0, f(1), 3, 3, 4)).toThrow(RangeError);
  });

  it('tensor ops give identical values with the wasm kernels on and off, at the benchmark shapes', () => {
    const t = (shape: number[], seed: number) => new Tensor(data(size(shape), seed), shape);
    const x = t([256, 256], 1),
      y = t([256], 2),
      z = t([256, 1], 3),
      s = t([], 4);
    const run = () => [x.mul(y), x.add(z), x.sub(s), z.div(x), y.div(z), x.div(x)].map((r) => r.data as Float32Array);
    const on = run();
    setWasmKernels(false);
    const off = run();
    for (let i = 0; i < on.length; i++) expect(firstMismatch(on[i], off[i])).toBe(-1);
  });
});
