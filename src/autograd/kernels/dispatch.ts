/**
 * Chooses between the WebAssembly SIMD kernels (float32 only) and their TypeScript twins,
 * which stay the float64 path, the fallback where WebAssembly is missing, and the reference.
 */
import type { FloatArray } from './types.js';
import { matmulInto } from './matmul.js';
import { UnaryOp, unaryMap } from './elementwise.js';
import { activationBackwardF32, activationF32, linearForwardF32, matmulF32, sgdUpdateF32, wasmAvailable, type WasmActivationCode } from './wasm/index.js';

let wasmWanted = !(typeof process !== 'undefined' && process.env?.TG_NO_WASM === '1');

/**
 * Turns the WebAssembly SIMD kernels on or off (they are on by default where WebAssembly is
 * available; `TG_NO_WASM=1` starts with them off). Returns whether they are now in use.
 * @example
 * ```ts
 * import { setWasmKernels } from 'tensorgrad';
 * setWasmKernels(false); // pure TypeScript kernels, e.g. to compare results or speed
 * ```
 */
export function setWasmKernels(enabled: boolean): boolean {
  wasmWanted = enabled;
  return useWasm();
}

/** Whether float32 work currently runs on the WebAssembly SIMD kernels. */
export function useWasm(): boolean {
  return wasmWanted && wasmAvailable();
}

// Below these sizes the copy into wasm memory and the call cost more than they save.
const WASM_MIN_MACS = 2048;
const WASM_MIN_ELEMENTS = 256;

function allF32(...arrays: FloatArray[]): boolean {
  for (const a of arrays) if (!(a instanceof Float32Array)) return false;
  return true;
}

/** A float32 matmul with the `matmulF32` contract, e.g. a multi-threaded one. */
export type ParallelMatmulF32 = (
  out: Float32Array, outOff: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number,
  m: number, k: number, n: number, transA: boolean, transB: boolean,
) => void;

let parallelMatmul: ParallelMatmulF32 | null = null;
/** m·k·n from which float32 matmuls go to the parallel hook (below it, waking threads costs more than it saves). */
let parallelMinMacs = 1 << 21;

/**
 * Installs (or, with `null`, removes) the kernel that float32 `matmul` calls with at least
 * `minMacs` multiply-adds go through while the wasm kernels are in use. Set by
 * `enableThreads()` in the Node-only `src/threads` module; the default is none.
 */
export function setParallelMatmul(fn: ParallelMatmulF32 | null, minMacs = 1 << 21): void {
  parallelMatmul = fn;
  parallelMinMacs = minMacs;
}

/** out[m×n] = op(A)·op(B); see `matmulInto` for the layout contract. */
export function matmul(
  out: FloatArray, outOff: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number,
  m: number, k: number, n: number, transA: boolean, transB: boolean,
): void {
  if (parallelMatmul !== null && m * k * n >= parallelMinMacs && allF32(out, a, b) && useWasm()) {
    parallelMatmul(out as Float32Array, outOff, a as Float32Array, aOff, b as Float32Array, bOff, m, k, n, transA, transB);
  } else if (m * k * n >= WASM_MIN_MACS && allF32(out, a, b) && useWasm()) {
    matmulF32(out as Float32Array, outOff, a as Float32Array, aOff, b as Float32Array, bOff, m, k, n, transA, transB);
  } else {
    matmulInto(out, outOff, a, aOff, b, bOff, m, k, n, transA, transB);
  }
}

/** The activations the fused kernels know, with their wasm codes. */
export type FusedActivation = 'identity' | 'sigmoid' | 'tanh' | 'relu';
const CODE: Record<FusedActivation, WasmActivationCode> = { identity: 0, sigmoid: 1, tanh: 2, relu: 3 };
const UNARY: Record<FusedActivation, UnaryOp | null> = { identity: null, sigmoid: UnaryOp.Sigmoid, tanh: UnaryOp.Tanh, relu: UnaryOp.Relu };

/** out[batch×outF] = act(x·W + bias). */
export function linearForward(
  out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null,
  batch: number, inF: number, outF: number, act: FusedActivation,
): void {
  if (batch * inF * outF >= WASM_MIN_MACS && allF32(out, x, w) && (bias === null || bias instanceof Float32Array) && useWasm()) {
    linearForwardF32(out as Float32Array, x as Float32Array, w as Float32Array, bias as Float32Array | null, batch, inF, outF, CODE[act]);
    return;
  }
  matmulInto(out, 0, x, 0, w, 0, batch, inF, outF, false, false);
  if (bias !== null) {
    for (let r = 0; r < batch; r++) {
      const o = r * outF;
      for (let j = 0; j < outF; j++) out[o + j] += bias[j];
    }
  }
  const op = UNARY[act];
  if (op !== null) unaryMap(op, out, out);
}

/** out = g · act'(pre-activation), computed from the activation's output y. */
export function activationBackward(out: FloatArray, g: FloatArray, y: FloatArray, act: FusedActivation): void {
  const n = out.length;
  if (n >= WASM_MIN_ELEMENTS && allF32(out, g, y) && useWasm()) {
    activationBackwardF32(out as Float32Array, g as Float32Array, y as Float32Array, CODE[act]);
    return;
  }
  switch (act) {
    case 'identity': for (let i = 0; i < n; i++) out[i] = g[i]; return;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = g[i] * y[i] * (1 - y[i]); return;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]); return;
    case 'relu': for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? g[i] : 0; return;
  }
}

/** out = act(x) for the activations with a SIMD kernel; false when the caller should use its own loop. */
export function activationMap(out: FloatArray, x: FloatArray, act: FusedActivation): boolean {
  if (x.length < WASM_MIN_ELEMENTS || !allF32(out, x) || !useWasm()) return false;
  activationF32(out as Float32Array, x as Float32Array, CODE[act]);
  return true;
}

/** p −= lr·g in place. */
export function sgdUpdate(p: FloatArray, g: FloatArray, lr: number): void {
  const n = p.length;
  if (n >= WASM_MIN_ELEMENTS && allF32(p, g) && useWasm()) {
    sgdUpdateF32(p as Float32Array, g as Float32Array, lr);
    return;
  }
  for (let i = 0; i < n; i++) p[i] -= lr * g[i];
}
