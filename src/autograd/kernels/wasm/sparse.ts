/**
 * The zero-skipping matmul (assembly/kernels.ts, `sparseMatmul`): the terms whose left-operand
 * element is an exact zero are left out, the way sparse inference engines (XNNPACK) run
 * layers on sparse activations, but as an exact choice: the result is bit for bit what the
 * dense kernel (`matmulF32`, `linearForwardF32`) gives for the same inputs, so a caller may
 * pick either by speed alone. The kernel counts A's zeros itself (a SIMD pass over A, plus a
 * finiteness pass over B, since 0·inf is NaN) and, below the caller's `minZeros` or where A or
 * B holds an inf or a NaN, runs the dense kernel on the operands it has already placed.
 *
 * Isomorphic: no Node-only APIs.
 */
import { checkDim, checkLinearArgs, checkMatmulArgs } from './checks.js';
import { NR, type WasmActivationCode } from './constants.js';
import { vecBytes } from './heap.js';
import { placeBias } from './kernels.js';
import { kernelsFor, openScratch } from './memory.js';

/**
 * `matmulF32` (out = op(A)·op(B), or out += when `accumulate`), skipping the zero elements of
 * op(A) when A has at least `minZeros` of them and A and B are finite; otherwise the dense
 * kernel. Either way the same bits. Returns whether zeros were skipped.
 */
export function matmulSkipZerosF32(
  out: Float32Array,
  outOff: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
  minZeros: number,
): boolean {
  const fn = 'matmulSkipZerosF32';
  checkMatmulArgs(fn, out, outOff, a, aOff, b, bOff, m, k, n);
  checkDim(fn, 'minZeros', minZeros);
  if (m === 0 || n === 0) return false;
  const x = kernelsFor(fn);
  const dense = x.matmulScratchBytes(m, k, n);
  const scratch = Math.max(dense, x.sparseMatmulScratchBytes(m, k, n, transA ? 1 : 0, transB ? 1 : 0));
  const s = openScratch(fn, vecBytes(m * k) + vecBytes(k * n) + vecBytes(m * n) + scratch);
  const A = s.place(a, aOff, m * k);
  const B = s.place(b, bOff, k * n);
  // Both kernels read B while writing c: never let them share memory.
  const C = s.placeApart(out, outOff, m * n, accumulate, A, B);
  const S = s.slotBytes(scratch);
  const tA = transA ? 1 : 0,
    tB = transB ? 1 : 0,
    acc = accumulate ? 1 : 0;
  const sparse = s.x.sparseMatmul(C, A, B, m, k, n, tA, tB, S, 0, 0, acc, minZeros) === 1;
  if (!sparse) s.x.matmul(C, A, B, m, k, n, tA, tB, S, 0, 0, acc);
  s.give(C, out, outOff, m * n);
  return sparse;
}

/**
 * `linearForwardF32` (out = act(x·W + b)), skipping the zero elements of x when it has at
 * least `minZeros` of them and x and W are finite; otherwise the dense kernel. Either way
 * the same bits. Returns whether zeros were skipped.
 */
export function linearForwardSkipZerosF32(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  inF: number,
  outF: number,
  activation: WasmActivationCode,
  minZeros: number,
): boolean {
  const fn = 'linearForwardSkipZerosF32';
  checkLinearArgs(fn, out, x, w, bias, batch, inF, outF, activation);
  checkDim(fn, 'minZeros', minZeros);
  if (batch === 0 || outF === 0) return false;
  // Both kernels read bias in whole vectors (the dense one NR-wide tiles); lanes past outF
  // only reach discarded columns.
  const biasLen = Math.ceil(outF / NR) * NR;
  const k = kernelsFor(fn);
  const scratch = Math.max(k.matmulScratchBytes(batch, inF, outF), k.sparseMatmulScratchBytes(batch, inF, outF, 0, 0));
  const s = openScratch(fn, vecBytes(batch * inF) + vecBytes(inF * outF) + vecBytes(biasLen) + vecBytes(batch * outF) + scratch);
  const X = s.place(x, 0, batch * inF);
  const W = s.place(w, 0, inF * outF);
  const B = bias === null ? 0 : placeBias(s, bias, outF, biasLen);
  const C = s.slot(batch * outF);
  const S = s.slotBytes(scratch);
  const sparse = s.x.sparseMatmul(C, X, W, batch, inF, outF, 0, 0, S, B, activation, 0, minZeros) === 1;
  if (!sparse) s.x.matmul(C, X, W, batch, inF, outF, 0, 0, S, B, activation, 0);
  s.give(C, out, 0, batch * outF);
  return sparse;
}
