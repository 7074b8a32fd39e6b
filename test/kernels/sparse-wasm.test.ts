/**
 * The zero-skipping matmul (matmulSkipZerosF32, linearForwardSkipZerosF32) against the dense
 * wasm kernel: the same bits for every shape, flag, zero fraction, signed zero and fused
 * activation; a decline (dense kernel, same bits) when fewer than minZeros of A are zeros or an
 * operand holds an inf or NaN (0·inf is NaN, so those terms may not be skipped); the relaxed-SIMD
 * build in a child process; and the dispatcher's choice giving the dense kernel's bits.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmul as dispatchMatmul, linearForward as dispatchLinear } from '../../src/autograd/backend/dispatch.js';
import { Rng } from '../../src/autograd/random.js';
import {
  linearForwardF32,
  linearForwardSkipZerosF32,
  matmulF32,
  matmulSkipZerosF32,
  wasmAvailable,
  type WasmActivationCode,
} from '../../src/autograd/kernels/wasm/index.js';
import { propertyRuns } from '../helpers/arbitraries.js';
import { checkLinearCase, checkMatmulCase, firstBitDifference, negativeZeroSum, sparseValues, type SparseCase } from './sparse-cases.js';

// k around the KC = 256 block boundaries, where the partial sums are added into c.
const kArb = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(255, 256, 257, 511, 512, 513), fc.integer({ min: 200, max: 600 }));

const caseArb: fc.Arbitrary<SparseCase> = fc.record({
  m: fc.integer({ min: 1, max: 12 }),
  k: kArb,
  n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 60, max: 70 })),
  transA: fc.boolean(),
  transB: fc.boolean(),
  accumulate: fc.boolean(),
  zeros: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  bZeros: fc.double({ min: 0, max: 0.5, noNaN: true }),
  tiny: fc.constantFrom(0, 0.3),
  seed: fc.integer({ min: 0, max: 1 << 30 }),
});

describe.runIf(wasmAvailable())('zero-skipping matmul', () => {
  it('gives the dense kernel’s bits: shapes, k across 256/512, zero fractions 0–100%, −0, flags, accumulate', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(checkMatmulCase(c)).toBeNull();
      }),
      { numRuns: propertyRuns(60) },
    );
  });

  it('gives the fused layer’s bits with and without bias, for every activation', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom<WasmActivationCode>(0, 1, 2, 3), fc.boolean(), (c, act, bias) => {
        expect(checkLinearCase(c, act, bias)).toBeNull();
      }),
      { numRuns: propertyRuns(40) },
    );
  });

  it('adds a −0 in c as the dense kernel does (+0 + −0 = +0) when every A element is zero', () => {
    const a = new Float32Array([0, -0, -0, 0]);
    const b = new Float32Array([-1, 2, 3, -4]);
    for (const accumulate of [true, false]) {
      const dense = new Float32Array([-0, -0, 5, -0]),
        sparse = dense.slice();
      matmulF32(dense, 0, a, 0, b, 0, 2, 2, 2, false, false, accumulate);
      expect(matmulSkipZerosF32(sparse, 0, a, 0, b, 0, 2, 2, 2, false, false, accumulate, 0)).toBe(true);
      expect(firstBitDifference(sparse, dense)).toBe(-1);
      expect(Object.is(sparse[0], 0)).toBe(true);
    }
    // Without fused multiply-add a sum never becomes −0: this build agrees with the dense one.
    const [got, want, gotT, wantT] = negativeZeroSum();
    expect(got).toBe(want);
    expect(gotT).toBe(wantT);
  });

  it('a weight gradient with runs of all-zero pixels adds +0 into c as the dense kernel does (−0 → +0, NaN kept)', () => {
    // xᵀ·δ with x stored k×m: pixels 4..15 are 0 in every image (rows 8..15 a whole group of
    // eight output rows, 4..7 beside nonzero ones), pixel 18 too (in the short last group); c
    // holds −0, +0 and a NaN where those rows land.
    const rng = new Rng(21);
    for (const [m, k, n] of [
      [22, 10, 30],
      [22, 40, 30],
      [22, 300, 30],
      [22, 10, 40],
    ]) {
      const x = sparseValues(k * m, 0.5, 0, rng);
      for (let i = 0; i < k; i++) {
        for (let p = 4; p < 16; p++) x[i * m + p] = i % 2 === 0 ? 0 : -0;
        x[i * m + 18] = 0;
      }
      const delta = sparseValues(k * n, 0.1, 0, rng);
      const c0 = sparseValues(m * n, 0.6, 0, rng);
      c0[9 * n + 3] = Number.NaN;
      c0[5 * n + 1] = -0;
      c0[18 * n] = -0;
      for (const accumulate of [true, false]) {
        const dense = c0.slice(),
          sparse = c0.slice();
        matmulF32(dense, 0, x, 0, delta, 0, m, k, n, true, false, accumulate);
        expect(matmulSkipZerosF32(sparse, 0, x, 0, delta, 0, m, k, n, true, false, accumulate, 0)).toBe(true);
        expect(firstBitDifference(sparse, dense)).toBe(-1);
        if (accumulate) {
          expect(Object.is(sparse[5 * n + 1], 0)).toBe(true);
          expect(Object.is(sparse[18 * n], 0)).toBe(true);
          expect(sparse[9 * n + 3]).toBeNaN();
        }
      }
    }
  });

  it('declines below minZeros and on a non-finite operand, and then still gives the dense bits', () => {
    const rng = new Rng(3);
    const [m, k, n] = [5, 300, 9];
    const a = sparseValues(m * k, 0.7, 0, rng);
    const b = sparseValues(k * n, 0, 0, rng);
    const zeros = a.filter((v) => v === 0).length;
    const run = (aa: Float32Array, bb: Float32Array, minZeros: number): [boolean, number] => {
      const dense = new Float32Array(m * n),
        sparse = new Float32Array(m * n);
      matmulF32(dense, 0, aa, 0, bb, 0, m, k, n, false, false);
      const skipped = matmulSkipZerosF32(sparse, 0, aa, 0, bb, 0, m, k, n, false, false, false, minZeros);
      return [skipped, firstBitDifference(sparse, dense)];
    };
    expect(run(a, b, zeros)).toEqual([true, -1]);
    expect(run(a, b, zeros + 1)).toEqual([false, -1]);
    // A B row that only zero A elements meet: the dense sum has 0·inf = NaN there.
    const zeroColumn = Array.from({ length: k }, (_, kk) => kk).find((kk) => a[kk] === 0)!;
    for (const bad of [Infinity, -Infinity, NaN]) {
      const b2 = b.slice();
      b2[zeroColumn * n + 2] = bad;
      const [skipped, at] = run(a, b2, 0);
      expect(skipped).toBe(false);
      expect(at).toBe(-1);
      const a2 = a.slice();
      a2[7] = bad;
      expect(run(a2, b, 0)[0]).toBe(false);
    }
    const x = sparseValues(4 * 50, 0.9, 0, rng);
    const w = sparseValues(50 * 6, 0, 0, rng);
    w[6 * 10] = NaN;
    const out = new Float32Array(24);
    expect(linearForwardSkipZerosF32(out, x, w, null, 4, 50, 6, 1, 0)).toBe(false);
    const dense = new Float32Array(24);
    linearForwardF32(dense, x, w, null, 4, 50, 6, 1);
    expect(Array.from(out)).toEqual(Array.from(dense));
  });

  it('the dispatcher’s choice (sparse input, dense input) gives the dense kernel’s bits', () => {
    const rng = new Rng(9);
    for (const zeros of [0.8, 0.1]) {
      const [m, k, n] = [10, 784, 30];
      const x = sparseValues(m * k, zeros, 0, rng);
      const w = sparseValues(k * n, 0, 0, rng);
      const bias = sparseValues(n, 0, 0, rng);
      const want = new Float32Array(m * n),
        got = new Float32Array(m * n);
      linearForwardF32(want, x, w, bias, m, k, n, 1);
      dispatchLinear(got, x, w, bias, m, k, n, 'sigmoid');
      expect(firstBitDifference(got, want)).toBe(-1);
      const delta = sparseValues(m * n, 0, 0, rng);
      const gWant = sparseValues(k * n, 0, 0, rng),
        gGot = gWant.slice();
      matmulF32(gWant, 0, x, 0, delta, 0, k, m, n, true, false, true);
      dispatchMatmul(gGot, 0, x, 0, delta, 0, k, m, n, true, false, true);
      expect(firstBitDifference(gGot, gWant)).toBe(-1);
    }
  });

  it('argument errors name the wrapper', () => {
    const z = new Float32Array(4);
    expect(() => matmulSkipZerosF32(z, 0, z, 0, z, 0, 2, 2, 2, false, false, false, -1)).toThrow(/matmulSkipZerosF32: minZeros/);
    expect(() => linearForwardSkipZerosF32(z, z, z, null, 2, 2, 3, 0, 0)).toThrow(/linearForwardSkipZerosF32: w needs 6/);
  });

  it('the relaxed-SIMD build (fused multiply-add) gives its dense kernel’s bits, −0 sums included', () => {
    const script = fileURLToPath(new URL('./sparse-relaxed-check.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], {
      encoding: 'utf8',
      env: { ...process.env },
      timeout: 120_000,
    });
    if (child.status !== 0) throw new Error(`sparse-relaxed-check exited ${child.status}: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { build: string; failures: string[]; negativeZero: number[] };
    expect(result.build).toBe('relaxed-simd');
    expect(result.failures).toEqual([]);
    // −1e-30·1e-20 underflows to −0; the skipped 0·1 term makes the dense sum +0: so must this.
    expect(result.negativeZero).toEqual([0, 0, 0, 0]);
  });
});
