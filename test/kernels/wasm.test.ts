/**
 * The WebAssembly SIMD kernels against their TypeScript twins: matmulF32 against matmulInto
 * on random shapes (all transpose flags, offsets, ragged tiles, k-blocking), the fused dense
 * layer against a plain float64 loop, and the polynomial exp / sigmoid / tanh against Math.
 * Operand values come from a seeded generator driven by a fast-check seed, so counterexamples
 * shrink over shapes and flags while the data stays cheap to produce.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulInto } from '../../src/autograd/kernels/matmul.js';
import { Rng } from '../../src/autograd/random.js';
import { randomF32 } from '../helpers/arrays.js';
import {
  activationBackwardF32,
  activationF32,
  decodeBase64,
  expF32,
  linearForwardF32,
  matmulF32,
  sgdUpdateF32,
  wasmAvailable,
  wasmMemoryBytes,
  type WasmActivationCode,
} from '../../src/autograd/kernels/wasm/index.js';

const SENTINEL = 12345.5;

interface MatmulCase {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  offs: [number, number, number];
  seed: number;
}

/** Runs both kernels on one case; `out` gets sentinels around the written window. */
function runBoth(c: MatmulCase): { wasm: Float32Array; ts: Float32Array; tol: number } {
  const {
    m,
    k,
    n,
    transA,
    transB,
    offs: [oo, ao, bo],
    seed,
  } = c;
  const a = randomF32(ao + m * k + 3, seed);
  const b = randomF32(bo + k * n + 3, seed + 1);
  const wasm = new Float32Array(oo + m * n + 3).fill(SENTINEL);
  const ts = new Float32Array(oo + m * n + 3).fill(SENTINEL);
  matmulF32(wasm, oo, a, ao, b, bo, m, k, n, transA, transB);
  matmulInto(ts, oo, a, ao, b, bo, m, k, n, transA, transB);
  // |entries| ≤ 1, so each output is a sum of k terms of size ≤ 1: float32 rounding of
  // either summation order stays well inside 1e-5·k.
  return { wasm, ts, tol: 1e-5 * Math.max(k, 1) };
}

/** Both kernels agree on case `c`, and the wasm one wrote nothing outside [outOff, outOff + m·n). */
function expectMatch(c: MatmulCase): void {
  const { wasm, ts, tol } = runBoth(c);
  expectClose(wasm, ts, tol, `m=${c.m} k=${c.k} n=${c.n} tA=${c.transA} tB=${c.transB}`);
  for (let i = 0; i < c.offs[0]; i++) expect(wasm[i]).toBe(SENTINEL);
  for (let i = c.offs[0] + c.m * c.n; i < wasm.length; i++) expect(wasm[i]).toBe(SENTINEL);
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0,
    at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (!(worst <= tol)) {
    throw new Error(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (|diff| ${worst} > ${tol})`);
  }
}

const dim = (max: number) => fc.integer({ min: 1, max });
const matmulCaseArb = (maxM: number, maxK: number, maxN: number, minK = 1): fc.Arbitrary<MatmulCase> =>
  fc.record({
    m: dim(maxM),
    k: fc.integer({ min: minK, max: maxK }),
    n: dim(maxN),
    transA: fc.boolean(),
    transB: fc.boolean(),
    offs: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
    seed: fc.nat(),
  });

describe.skipIf(!wasmAvailable())('wasm SIMD kernels', () => {
  describe('loader', () => {
    it('decodes base64 with and without padding', () => {
      expect([...decodeBase64('')]).toEqual([]);
      expect([...decodeBase64('AA==')]).toEqual([0]);
      expect([...decodeBase64('AAE=')]).toEqual([0, 1]);
      expect([...decodeBase64('/+7d')]).toEqual([255, 238, 221]);
      expect([...decodeBase64('aGVsbG8')]).toEqual([...'hello'].map((ch) => ch.charCodeAt(0)));
      expect(() => decodeBase64('ab$c')).toThrow(/invalid character/);
    });
  });

  describe('matmulF32', () => {
    it('computes a 2×3 · 3×2 product exactly, in all four storage layouts', () => {
      // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]; A·B = [[58,64],[139,154]].
      const A = [1, 2, 3, 4, 5, 6],
        At = [1, 4, 2, 5, 3, 6];
      const B = [7, 8, 9, 10, 11, 12],
        Bt = [7, 9, 11, 8, 10, 12];
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const out = new Float32Array(4);
          matmulF32(out, 0, Float32Array.from(transA ? At : A), 0, Float32Array.from(transB ? Bt : B), 0, 2, 3, 2, transA, transB);
          expect([...out]).toEqual([58, 64, 139, 154]);
        }
      }
    });

    it('handles 1×1×1, k = 0 and empty outputs', () => {
      const out = new Float32Array([9, 9]);
      matmulF32(out, 1, new Float32Array([3]), 0, new Float32Array([-2]), 0, 1, 1, 1, false, false);
      expect([...out]).toEqual([9, -6]);
      const z = new Float32Array(6).fill(7);
      matmulF32(z, 0, new Float32Array(0), 0, new Float32Array(0), 0, 2, 0, 3, false, true);
      expect([...z]).toEqual([0, 0, 0, 0, 0, 0]);
      const untouched = new Float32Array([5]);
      matmulF32(untouched, 0, new Float32Array(0), 0, new Float32Array(4), 0, 0, 2, 2, false, false);
      expect([...untouched]).toEqual([5]);
    });

    it('agrees exactly with matmulInto on small-integer matrices of ragged shapes', () => {
      // Integer products and sums below 2^24 are exact in float32 in any order.
      for (const [m, k, n] of [
        [5, 7, 9],
        [4, 8, 8],
        [9, 3, 17],
        [1, 13, 1],
        [13, 1, 6],
      ]) {
        const rng = new Rng(m * 100 + k * 10 + n);
        const a = Float32Array.from({ length: m * k }, () => rng.int(7) - 3);
        const b = Float32Array.from({ length: k * n }, () => rng.int(7) - 3);
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const w = new Float32Array(m * n),
              t = new Float32Array(m * n);
            matmulF32(w, 0, a, 0, b, 0, m, k, n, transA, transB);
            matmulInto(t, 0, a, 0, b, 0, m, k, n, transA, transB);
            expect([...w]).toEqual([...t]);
          }
        }
      }
    });

    it('agrees with matmulInto on random shapes, flags and offsets', () => {
      fc.assert(
        fc.property(matmulCaseArb(70, 70, 70), (c) => {
          expectMatch(c);
        }),
        { numRuns: 100 },
      );
    });

    it('agrees with matmulInto when k spans several cache blocks and m several row blocks', () => {
      fc.assert(
        fc.property(matmulCaseArb(150, 700, 20, 250), (c) => {
          const { wasm, ts, tol } = runBoth(c);
          expectClose(wasm, ts, tol, `m=${c.m} k=${c.k} n=${c.n} tA=${c.transA} tB=${c.transB}`);
        }),
        { numRuns: 15 },
      );
    });

    it('agrees with matmulInto on the MNIST training shapes, in all four storage layouts', () => {
      // The 784-30-10 MLP at batch 10: forward x·W1 (10,784,30), dW1 = xᵀ·d (784,10,30),
      // dW2 = hᵀ·d2 (30,10,10), dX2 = d2·W2ᵀ (10,10,30), plus the forward of layer 2.
      // m and n are not multiples of the 4×8 tile, so every call has ragged rows and columns.
      const shapes: [number, number, number][] = [
        [10, 784, 30],
        [784, 10, 30],
        [30, 10, 10],
        [10, 10, 30],
        [10, 30, 10],
      ];
      let seed = 0;
      for (const [m, k, n] of shapes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const c = { m, k, n, transA, transB, offs: [3, 1, 2] as [number, number, number], seed: seed++ };
            const { wasm, ts, tol } = runBoth(c);
            expectClose(wasm, ts, tol, `m=${m} k=${k} n=${n} tA=${transA} tB=${transB}`);
            for (let i = 0; i < 3; i++) expect(wasm[i]).toBe(SENTINEL);
            for (let i = 3 + m * n; i < wasm.length; i++) expect(wasm[i]).toBe(SENTINEL);
          }
        }
      }
    });

    it('gets every ragged-edge tile variant right (1–3 spare rows, 1–7 spare columns, small k)', () => {
      // m = 1..13 and n = 1..17 reach each row remainder with both the 4- and 8-wide column
      // panels; k = 0..12 covers the transA k = 10 backward shape and the empty sum.
      fc.assert(
        fc.property(
          fc.record({
            m: dim(13),
            k: fc.integer({ min: 0, max: 12 }),
            n: dim(17),
            transA: fc.boolean(),
            transB: fc.boolean(),
            offs: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
            seed: fc.nat(),
          }),
          (c) => {
            expectMatch(c);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('is exact on small integers for every row and column remainder', () => {
      for (let m = 1; m <= 9; m++) {
        for (let n = 1; n <= 17; n++) {
          const k = 10;
          const rng = new Rng(m * 31 + n);
          const a = Float32Array.from({ length: m * k }, () => rng.int(7) - 3);
          const b = Float32Array.from({ length: k * n }, () => rng.int(7) - 3);
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              const w = new Float32Array(m * n),
                t = new Float32Array(m * n);
              matmulF32(w, 0, a, 0, b, 0, m, k, n, transA, transB);
              matmulInto(t, 0, a, 0, b, 0, m, k, n, transA, transB);
              expect([...w], `m=${m} n=${n} tA=${transA} tB=${transB}`).toEqual([...t]);
            }
          }
        }
      }
    });

    it('reads its inputs before writing when out aliases an operand', () => {
      const m = 6,
        k = 6,
        n = 6;
      const a = randomF32(m * k, 1),
        b = randomF32(k * n, 2);
      const expected = new Float32Array(m * n);
      matmulInto(expected, 0, a, 0, b, 0, m, k, n, false, false);
      matmulF32(a, 0, a, 0, b, 0, m, k, n, false, false);
      expectClose(a, expected, 1e-5 * k, 'aliased');
    });

    it('stays correct as the arena grows and is reused (big, small, bigger)', () => {
      const shapes: [number, number, number][] = [
        [200, 150, 180],
        [3, 5, 2],
        [260, 300, 240],
        [7, 9, 11],
      ];
      let before = wasmMemoryBytes();
      for (const [i, [m, k, n]] of shapes.entries()) {
        const { wasm, ts, tol } = runBoth({ m, k, n, transA: i % 2 === 1, transB: i >= 2, offs: [1, 2, 3], seed: i });
        expectClose(wasm, ts, tol, `call ${i} (${m}×${k}×${n})`);
        const after = wasmMemoryBytes();
        expect(after).toBeGreaterThanOrEqual(before);
        before = after;
      }
      expect(before).toBeGreaterThanOrEqual(4 * (260 * 300 + 300 * 240 + 260 * 240));
    });

    it('rejects operands too short for the shape, naming the operand', () => {
      const x = new Float32Array(6);
      expect(() => matmulF32(x, 0, x, 1, x, 0, 2, 3, 2, false, false)).toThrow(/matmulF32: a needs 6 elements from offset 1/);
      expect(() => matmulF32(x, 0, x, 0, x, 0, 2, 3, 2.5, false, false)).toThrow(/n must be a non-negative integer/);
    });
  });

  describe('linearForwardF32', () => {
    const act64 = [(v: number) => v, (v: number) => 1 / (1 + Math.exp(-v)), Math.tanh, (v: number) => Math.max(v, 0)];

    function reference(
      x: Float32Array,
      w: Float32Array,
      bias: Float32Array | null,
      batch: number,
      inF: number,
      outF: number,
      act: number,
    ): Float64Array {
      const out = new Float64Array(batch * outF);
      for (let i = 0; i < batch; i++) {
        for (let j = 0; j < outF; j++) {
          let s = bias ? bias[j] : 0;
          for (let p = 0; p < inF; p++) s += x[i * inF + p] * w[p * outF + j];
          out[i * outF + j] = act64[act](s);
        }
      }
      return out;
    }

    it('computes act(x·W + b) exactly on a tiny identity/relu case', () => {
      const x = Float32Array.from([1, 2, -1, 0]); // 2×2
      const w = Float32Array.from([1, -1, 3, 2, 0, 1]); // 2×3
      const b = Float32Array.from([0.5, 0, -10]);
      const out = new Float32Array(6);
      linearForwardF32(out, x, w, b, 2, 2, 3, 0);
      expect([...out]).toEqual([5.5, -1, -5, -0.5, 1, -13]);
      linearForwardF32(out, x, w, b, 2, 2, 3, 3);
      expect([...out]).toEqual([5.5, 0, 0, 0, 1, 0]);
      linearForwardF32(out, x, w, null, 2, 2, 3, 0);
      expect([...out]).toEqual([5, -1, 5, -1, 1, -3]);
      // No inputs: every row is act(b).
      linearForwardF32(out, new Float32Array(0), new Float32Array(0), b, 2, 0, 3, 3);
      expect([...out]).toEqual([0.5, 0, 0, 0.5, 0, 0]);
    });

    it('agrees with a plain loop on random shapes, activations and with/without bias', () => {
      fc.assert(
        fc.property(
          dim(70),
          fc.oneof(dim(70), fc.integer({ min: 250, max: 800 }), fc.constantFrom(256, 257, 512, 513)),
          dim(70),
          fc.constantFrom<WasmActivationCode>(0, 1, 2, 3),
          fc.boolean(),
          fc.nat(),
          (batch, inF, outF, act, withBias, seed) => {
            const x = randomF32(batch * inF, seed);
            const w = randomF32(inF * outF, seed + 1);
            const bias = withBias ? randomF32(outF, seed + 2) : null;
            const out = new Float32Array(batch * outF);
            linearForwardF32(out, x, w, bias, batch, inF, outF, act);
            // Pre-activation error ≤ 1e-5·inF; every activation here is 1-Lipschitz. The k values
            // around multiples of the kernel's 256-deep k-blocks pin the epilogue to the last block.
            expectClose(
              out,
              reference(x, w, bias, batch, inF, outF, act),
              1e-5 * (inF + 1),
              `batch=${batch} in=${inF} out=${outF} act=${act} bias=${withBias}`,
            );
          },
        ),
        { numRuns: 60 },
      );
    });

    it('is the lecture layer shape: batch 10, 784 → 30, sigmoid', () => {
      const x = randomF32(10 * 784, 7, 0, 1),
        w = randomF32(784 * 30, 8),
        b = randomF32(30, 9);
      const out = new Float32Array(300);
      linearForwardF32(out, x, w, b, 10, 784, 30, 1);
      expectClose(out, reference(x, w, b, 10, 784, 30, 1), 1e-4, '10×784→30');
    });

    it('applies bias and activation on ragged edge tiles and writes nothing past the output', () => {
      // batch 1..13 × outF 1..17 puts the epilogue on every row/column remainder; inF 0 is
      // act(b) alone, inF 10 one k block, inF 300 two (the epilogue runs on the last only).
      for (const inF of [0, 10, 300]) {
        for (const batch of [1, 2, 3, 5, 10, 13]) {
          for (const outF of [1, 3, 4, 5, 6, 8, 9, 13, 17, 30]) {
            for (const act of [0, 1, 2, 3] as WasmActivationCode[]) {
              const seed = inF * 1000 + batch * 50 + outF + act;
              const x = randomF32(batch * inF, seed, -2, 2),
                w = randomF32(inF * outF, seed + 1);
              const bias = act === 2 ? null : randomF32(outF, seed + 2, -3, 3);
              const out = new Float32Array(batch * outF + 5).fill(SENTINEL);
              linearForwardF32(out, x, w, bias, batch, inF, outF, act);
              const want = reference(x, w, bias, batch, inF, outF, act);
              expectClose(out.subarray(0, batch * outF), want, 2e-5 * (2 * inF + 4), `batch=${batch} in=${inF} out=${outF} act=${act}`);
              for (let i = batch * outF; i < out.length; i++) expect(out[i]).toBe(SENTINEL);
            }
          }
        }
      }
    });

    it('rejects an unknown activation code and a short bias', () => {
      const z = new Float32Array(4);
      expect(() => linearForwardF32(z, z, z, null, 2, 2, 2, 7 as WasmActivationCode)).toThrow(/activation must be/);
      expect(() => linearForwardF32(z, z, z, new Float32Array(1), 2, 2, 2, 0)).toThrow(/bias needs 2 elements/);
    });
  });

  describe('vector math', () => {
    /** Max relative error of f32 results against float64 references (atol for tiny values). */
    function maxRelError(got: Float32Array, want: (i: number) => number, atol = 0): number {
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        const w = want(i);
        const e = Math.abs(got[i] - w) / Math.max(Math.abs(w), atol);
        if (!(e <= worst)) worst = e;
      }
      return worst;
    }

    const sweep = (lo: number, hi: number, count: number): Float32Array =>
      Float32Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));

    it('exp is within 1e-6 relative on [-87, 88]', () => {
      const x = sweep(-87, 88, 200_003);
      const y = new Float32Array(x.length);
      expF32(y, x);
      expect(maxRelError(y, (i) => Math.exp(x[i]))).toBeLessThan(1e-6);
      const edge = Float32Array.from([0, -0, 1, -1, 1e-30, -1e-30]);
      expF32(edge, edge);
      expect([...edge].slice(0, 2)).toEqual([1, 1]);
      expect(edge[2]).toBeCloseTo(Math.E, 6);
    });

    it('sigmoid is within 1e-6 relative over [-87, 87] and saturates cleanly beyond', () => {
      const x = sweep(-87, 87, 100_001);
      const y = new Float32Array(x.length);
      activationF32(y, x, 1);
      expect(maxRelError(y, (i) => 1 / (1 + Math.exp(-x[i])))).toBeLessThan(1e-6);
      const big = Float32Array.from([1e4, -1e4, Infinity, -Infinity, 0, NaN]);
      activationF32(big, big, 1);
      expect(big[0]).toBe(1);
      expect(big[1]).toBeGreaterThanOrEqual(0);
      expect(big[1]).toBeLessThan(1e-37);
      expect(big[2]).toBe(1);
      expect(big[3]).toBeLessThan(1e-37);
      expect(big[4]).toBe(0.5);
      expect(big[5]).toBeNaN();
    });

    it('tanh is within 1e-6 relative, including tiny arguments and the 0.625 branch seam', () => {
      const x = new Float32Array([
        ...sweep(-20, 20, 100_001),
        ...sweep(-0.7, 0.7, 10_001),
        1e-30,
        -1e-30,
        1e-6,
        -3e-4,
        0.625,
        -0.625,
        Math.fround(0.625 - 1e-7),
      ]);
      const y = new Float32Array(x.length);
      activationF32(y, x, 2);
      expect(maxRelError(y, (i) => Math.tanh(x[i]), 1e-38)).toBeLessThan(1e-6);
      const edge = Float32Array.from([0, -0, 1e4, -1e4, Infinity, -Infinity, NaN]);
      activationF32(edge, edge, 2);
      expect(Object.is(edge[0], 0)).toBe(true);
      expect(Object.is(edge[1], -0)).toBe(true);
      expect([...edge].slice(2, 6)).toEqual([1, -1, 1, -1]);
      expect(edge[6]).toBeNaN();
    });

    it('relu and identity are exact; relu is x > 0 ? x : 0 like the TypeScript kernel', () => {
      const x = Float32Array.from([-2, -0.5, 0, 0.25, 3, -1e-30, 7, -0, NaN]);
      const r = new Float32Array(x.length),
        id = new Float32Array(x.length);
      activationF32(r, x, 3);
      activationF32(id, x, 0);
      expect([...r]).toEqual([0, 0, 0, 0.25, 3, 0, 7, 0, 0]);
      expect(Object.is(r[7], 0)).toBe(true);
      expect([...id.subarray(0, 8)]).toEqual([...x.subarray(0, 8)]);
      expect(id[8]).toBeNaN();
    });

    it('activation backward matches g·y(1−y), g(1−y²), g·[y>0] and g for every length', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), (n, seed) => {
          const g = randomF32(n, seed),
            y01 = randomF32(n, seed + 1, 0, 1),
            ypm = randomF32(n, seed + 2);
          const relY = Float32Array.from(ypm, (v, i) => (i % 3 === 0 ? 0 : v)); // relu'(0) = 0
          const cases: [WasmActivationCode, Float32Array, (gi: number, yi: number) => number][] = [
            [1, y01, (gi, yi) => gi * yi * (1 - yi)],
            [2, ypm, (gi, yi) => gi * (1 - yi * yi)],
            [3, relY, (gi, yi) => (yi > 0 ? gi : 0)],
            [0, ypm, (gi) => gi],
          ];
          for (const [act, y, f] of cases) {
            const out = new Float32Array(n);
            activationBackwardF32(out, g, y, act);
            expectClose(
              out,
              Float64Array.from(g, (gi, i) => f(gi, y[i])),
              1e-6,
              `act=${act} n=${n}`,
            );
          }
        }),
        { numRuns: 50 },
      );
    });

    it('sgdUpdate is p -= lr·g in place', () => {
      for (const n of [1, 3, 4, 5, 17, 1000]) {
        const p = randomF32(n, n),
          g = randomF32(n, n + 1);
        const expected = Float64Array.from(p, (pi, i) => pi - 0.1 * g[i]);
        sgdUpdateF32(p, g, 0.1);
        expectClose(p, expected, 1e-6, `n=${n}`);
      }
      expect(() => sgdUpdateF32(new Float32Array(2), new Float32Array(3), 0.1)).toThrow(/equal lengths/);
    });
  });
});
