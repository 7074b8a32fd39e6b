/**
 * Cases for the zero-skipping matmul (src/autograd/kernels/wasm/sparse.ts), shared by
 * sparse-wasm.test.ts and the relaxed-SIMD child it starts (sparse-relaxed-check.ts): operands
 * with a chosen fraction of exact zeros (some of them −0), tiny values whose products underflow
 * (a fused multiply-add then leaves −0 sums), and the comparison that matters: the zero-skipping
 * result has the dense kernel's bits.
 */
import { Rng } from '../../src/autograd/random.js';
import {
  linearForwardF32,
  linearForwardSkipZerosF32,
  matmulF32,
  matmulSkipZerosF32,
  type WasmActivationCode,
} from '../../src/autograd/kernels/wasm/index.js';

export interface SparseCase {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  /** Fraction of A's elements that are exact zeros (half of them −0). */
  zeros: number;
  /** Fraction of B's (and c's) elements that are exact zeros. */
  bZeros: number;
  /** Fraction of nonzero values drawn tiny (|x| < 1e-30, some subnormal), so products underflow. */
  tiny: number;
  seed: number;
}

/** `len` floats: a `zeros` fraction ±0, a `tiny` fraction of the rest tiny, the others in [-2, 2). */
export function sparseValues(len: number, zeros: number, tiny: number, rng: Rng): Float32Array {
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const u = rng.uniform();
    const sign = rng.uniform() < 0.5 ? -1 : 1;
    if (u < zeros) out[i] = sign * 0;
    else if (rng.uniform() < tiny) out[i] = sign * 10 ** (-30 - 15 * rng.uniform());
    else out[i] = 4 * rng.uniform() - 2;
  }
  return out;
}

/** Index of the first element whose bits differ, or -1. */
export function firstBitDifference(x: Float32Array, y: Float32Array): number {
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : a.length;
}

/** Runs both kernels on `c` (zero skipping forced: minZeros 0); a message on any difference, else null. */
export function checkMatmulCase(c: SparseCase): string | null {
  const rng = new Rng(c.seed);
  const a = sparseValues(c.m * c.k, c.zeros, c.tiny, rng);
  const b = sparseValues(c.k * c.n, c.bZeros, c.tiny, rng);
  const c0 = sparseValues(c.m * c.n, c.bZeros, 0, rng);
  const dense = c0.slice(),
    sparse = c0.slice();
  matmulF32(dense, 0, a, 0, b, 0, c.m, c.k, c.n, c.transA, c.transB, c.accumulate);
  const skipped = matmulSkipZerosF32(sparse, 0, a, 0, b, 0, c.m, c.k, c.n, c.transA, c.transB, c.accumulate, 0);
  const at = firstBitDifference(sparse, dense);
  if (!skipped) return `${JSON.stringify(c)}: zero skipping declined finite operands`;
  if (at >= 0) return `${JSON.stringify(c)}: out[${at}] = ${sparse[at]}, dense ${dense[at]}`;
  return null;
}

/** The fused layer act(x·W + b) both ways; a message on any difference, else null. */
export function checkLinearCase(c: SparseCase, act: WasmActivationCode, withBias: boolean): string | null {
  const rng = new Rng(c.seed);
  const x = sparseValues(c.m * c.k, c.zeros, c.tiny, rng);
  const w = sparseValues(c.k * c.n, c.bZeros, c.tiny, rng);
  const bias = withBias ? sparseValues(c.n, c.bZeros, c.tiny, rng) : null;
  const dense = new Float32Array(c.m * c.n),
    sparse = new Float32Array(c.m * c.n);
  linearForwardF32(dense, x, w, bias, c.m, c.k, c.n, act);
  const skipped = linearForwardSkipZerosF32(sparse, x, w, bias, c.m, c.k, c.n, act, 0);
  const at = firstBitDifference(sparse, dense);
  if (!skipped) return `${JSON.stringify(c)} act ${act}: zero skipping declined finite operands`;
  if (at >= 0) return `${JSON.stringify(c)} act ${act} bias ${withBias}: out[${at}] = ${sparse[at]}, dense ${dense[at]}`;
  return null;
}

/**
 * Under fused multiply-add, x·w of −1e-30·1e-20 underflows to a −0 sum; the skipped 0·w term
 * after it makes the dense sum +0. Returns the zero-skipping result's bits and the dense one's,
 * for A stored as is (sparseRow) and transposed (sparseOuter).
 */
export function negativeZeroSum(): [number, number, number, number] {
  const a = new Float32Array([-1e-30, 0]);
  const b = new Float32Array([1e-20, 1]);
  const bits: number[] = [];
  for (const transA of [false, true]) {
    // 1×2 · 2×1; transposed, A is stored 2×1, the same two numbers.
    const dense = new Float32Array(1),
      sparse = new Float32Array(1);
    matmulF32(dense, 0, a, 0, b, 0, 1, 2, 1, transA, false);
    matmulSkipZerosF32(sparse, 0, a, 0, b, 0, 1, 2, 1, transA, false, false, 0);
    bits.push(new Uint32Array(sparse.buffer)[0], new Uint32Array(dense.buffer)[0]);
  }
  return bits as [number, number, number, number];
}
