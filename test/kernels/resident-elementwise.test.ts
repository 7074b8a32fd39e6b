/**
 * The elementwise wasm kernels (broadcasting add/sub/mul/div, activations, exp, activation
 * gradients) read resident operands in place and write a resident output in place instead of
 * copying them through scratch. Wherever they run, the bits must be those of the copying path:
 * the TypeScript `broadcastBinary` for the binary ops, the same kernel on ordinary arrays for
 * the others. Also the placements that must not be taken: an output sharing memory with a
 * repeated operand, and a shorter view at the start of a block that a whole-vector store
 * would overrun.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryOp, broadcastBinary } from '../../src/autograd/kernels/elementwise.js';
import { binaryBroadcast } from '../../src/autograd/backend/index.js';
import { activationBackwardF32, activationF32, binaryF32, expF32, residentF32, wasmAvailable } from '../../src/autograd/kernels/wasm/index.js';
import { randomF32 } from '../helpers/arrays.js';

const RUNS = Number(process.env.TG_PROPERTY_RUNS ?? 30);
const OPS = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div] as const;

/** `src` copied into a resident block, or an ordinary copy; `resident` says which. */
function place(src: Float32Array, resident: boolean): Float32Array {
  if (!resident || src.length === 0) return src.slice();
  const r = residentF32(src.length);
  if (r === null) throw new Error('residentF32 returned null');
  r.set(src);
  return r;
}

function firstMismatch(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return -2;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** A broadcast-compatible pair: the output shape, and each operand keeping or dropping (to 1) each axis. */
const broadcastCase = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 3 }).chain((out) =>
  fc.record({
    out: fc.constant(out),
    aKeep: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    bKeep: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    op: fc.constantFrom(...OPS),
    aRes: fc.boolean(),
    bRes: fc.boolean(),
    outRes: fc.boolean(),
    seed: fc.nat(),
  }),
);

describe.runIf(wasmAvailable() && residentF32(1) !== null)('elementwise kernels on resident arrays', () => {
  it('binaryBroadcast gives the TypeScript kernel’s bits with any operand or the output resident', () => {
    fc.assert(
      fc.property(broadcastCase, ({ out: outShape, aKeep, bKeep, op, aRes, bRes, outRes, seed }) => {
        const aShape = outShape.map((d, i) => (aKeep[i] ? d : 1));
        const bShape = outShape.map((d, i) => (bKeep[i] ? d : 1));
        const a0 = randomF32(size(aShape), seed, -4, 4);
        const b0 = randomF32(size(bShape), seed + 1, -4, 4);
        const want = new Float32Array(size(outShape));
        broadcastBinary(op, want, outShape, a0, aShape, b0, bShape);
        const a = place(a0, aRes),
          b = place(b0, bRes);
        const got = place(new Float32Array(want.length).fill(NaN), outRes);
        binaryBroadcast(op, got, outShape, a, aShape, b, bShape);
        expect(firstMismatch(got, want)).toBe(-1);
        // Operands are read, never written.
        expect(firstMismatch(a, a0)).toBe(-1);
        expect(firstMismatch(b, b0)).toBe(-1);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('binaryF32 writes into a resident full operand that is also the output', () => {
    const outer = 30,
      inner = 33;
    const a0 = randomF32(outer * inner, 1),
      b0 = randomF32(inner, 2),
      c0 = randomF32(outer * inner, 3);
    for (const op of OPS) {
      const want = new Float32Array(outer * inner);
      broadcastBinary(op, want, [outer, inner], a0, [outer, inner], b0, [1, inner]);
      const a = place(a0, true);
      binaryF32(op, a, a, 0, b0, 1, outer, inner); // out = a ∘ row
      expect(firstMismatch(a, want)).toBe(-1);
      const want2 = new Float32Array(outer * inner);
      broadcastBinary(op, want2, [outer, inner], c0, [outer, inner], a0, [outer, inner]);
      const b = place(a0, true);
      binaryF32(op, b, c0, 0, b, 0, outer, inner); // out = c ∘ out
      expect(firstMismatch(b, want2)).toBe(-1);
    }
  });

  it('binaryF32 never writes in place over a repeated operand viewing the output’s first elements', () => {
    const outer = 12,
      inner = 64;
    const out = place(randomF32(outer * inner, 4), true);
    const row = out.subarray(0, inner); // resident-looking: it starts at out's block
    const row0 = row.slice();
    const a0 = randomF32(outer * inner, 5);
    const want = new Float32Array(outer * inner);
    broadcastBinary(BinaryOp.Mul, want, [outer, inner], a0, [outer, inner], row0, [1, inner]);
    binaryF32(BinaryOp.Mul as 2, out, a0, 0, row, 1, outer, inner);
    expect(firstMismatch(out, want)).toBe(-1);
  });

  it('binaryF32 computes into a non-resident output whatever the operands are', () => {
    const outer = 20,
      inner = 40;
    const a = place(randomF32(outer * inner, 6), true),
      b = place(randomF32(outer, 7), true);
    const a0 = a.slice();
    const want = new Float32Array(outer * inner);
    broadcastBinary(BinaryOp.Sub, want, [outer, inner], a0, [outer, inner], b, [outer, 1]);
    const got = new Float32Array(outer * inner);
    binaryF32(BinaryOp.Sub as 1, got, a, 0, b, 2, outer, inner);
    expect(firstMismatch(got, want)).toBe(-1);
    expect(firstMismatch(a, a0)).toBe(-1); // a resident full operand is not the scratch
  });

  const unaries: [string, (out: Float32Array, x: Float32Array) => void][] = [
    ['sigmoid', (o, x) => activationF32(o, x, 1)],
    ['tanh', (o, x) => activationF32(o, x, 2)],
    ['relu', (o, x) => activationF32(o, x, 3)],
    ['identity', (o, x) => activationF32(o, x, 0)],
    ['exp', (o, x) => expF32(o, x)],
  ];

  for (const [name, f] of unaries) {
    it(`${name}: the same bits with x and out resident or not, and in place (out = x)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 700 }), fc.boolean(), fc.boolean(), fc.nat(), (n, xRes, outRes, seed) => {
          const x0 = randomF32(n, seed, -9, 9);
          const want = new Float32Array(n);
          f(want, x0.slice());
          const x = place(x0, xRes);
          const got = place(new Float32Array(n).fill(NaN), outRes);
          f(got, x);
          expect(firstMismatch(got, want)).toBe(-1);
          expect(firstMismatch(x, x0)).toBe(-1);
          const same = place(x0, xRes);
          f(same, same);
          expect(firstMismatch(same, want)).toBe(-1);
        }),
        { numRuns: RUNS },
      );
    });
  }

  for (const act of [1, 2, 3, 0] as const) {
    it(`activationBackwardF32 (activation ${act}): the same bits with g, y and out resident or not, out = g or y`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 700 }), fc.nat(7), fc.nat(), (n, mask, seed) => {
          const g0 = randomF32(n, seed, -3, 3),
            y0 = randomF32(n, seed + 1, 0, 1);
          const want = new Float32Array(n);
          activationBackwardF32(want, g0.slice(), y0.slice(), act);
          const g = place(g0, (mask & 1) !== 0),
            y = place(y0, (mask & 2) !== 0);
          const got = place(new Float32Array(n).fill(NaN), (mask & 4) !== 0);
          activationBackwardF32(got, g, y, act);
          expect(firstMismatch(got, want)).toBe(-1);
          expect(firstMismatch(g, g0)).toBe(-1);
          expect(firstMismatch(y, y0)).toBe(-1);
          activationBackwardF32(g, g, y, act);
          expect(firstMismatch(g, want)).toBe(-1);
          activationBackwardF32(y, g0, y, act);
          expect(firstMismatch(y, want)).toBe(-1);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('a shorter view at the start of a resident block is written without touching the elements after it', () => {
    for (const n of [997, 998, 999, 1000]) {
      const block = place(randomF32(1000, n), true);
      const after = block.slice(n);
      const view = block.subarray(0, n); // looks resident: it starts at the block
      const x = place(randomF32(n, n + 1, -5, 5), true);
      const want = new Float32Array(n);
      activationF32(want, x.slice(), 1);
      activationF32(view, x, 1);
      expect(firstMismatch(view, want)).toBe(-1);
      expect(firstMismatch(block.slice(n), after)).toBe(-1);
      const g = randomF32(n, n + 2);
      const wantG = new Float32Array(n);
      activationBackwardF32(wantG, g, x.slice(), 2);
      activationBackwardF32(view, g, x, 2);
      expect(firstMismatch(view, wantG)).toBe(-1);
      expect(firstMismatch(block.slice(n), after)).toBe(-1);
      expF32(view, x);
      expect(firstMismatch(block.slice(n), after)).toBe(-1);
    }
  });

  it('sigmoid, tanh and exp give each element the bits it gets alone, whatever loop (4, 2 or 1 vectors a step) takes it', () => {
    const one = new Float32Array(1),
      alone = new Float32Array(1);
    for (const n of [1, 3, 4, 5, 8, 9, 12, 15, 16, 17, 20, 31, 33, 47, 64, 65, 77, 1001]) {
      const x = randomF32(n, n, -30, 30);
      x[0] = NaN;
      if (n > 2) x[2] = -0;
      for (const [name, f] of unaries.filter(([u]) => u !== 'relu' && u !== 'identity')) {
        const all = new Float32Array(n);
        f(all, x);
        for (let i = 0; i < n; i++) {
          one[0] = x[i];
          f(alone, one);
          if (!Object.is(all[i], alone[0])) expect(`${name} n=${n} i=${i}: ${all[i]}`).toBe(`${alone[0]}`);
        }
      }
    }
  });
});
