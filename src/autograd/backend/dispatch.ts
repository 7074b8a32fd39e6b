/**
 * The one place that picks a kernel: the WebAssembly SIMD kernels (float32 only; relaxed
 * SIMD where the engine validates it; the two-thread matmul when `tensorgrad/threads`
 * installed it) or their TypeScript twins, which stay the float64 path, the fallback where
 * WebAssembly is missing, and the reference. Every function here has one contract whatever
 * kernel runs it.
 */
import type { FloatArray } from '../kernels/types.js';
import { matmulInto } from '../kernels/matmul.js';
import { BinaryOp, UnaryOp, broadcastBinary, unaryMap as unaryMapTs } from '../kernels/elementwise.js';
import { sumAxis as sumAxisTs } from '../kernels/reduce.js';
import {
  activationBackwardF32,
  activationF32,
  binaryF32,
  linearForwardF32,
  linearForwardSkipZerosF32,
  matmulF32,
  matmulSkipZerosF32,
  adamUpdateF32,
  sgdMomentumF32,
  sgdUpdateF32,
  sumAxisF32,
  wasmAvailable,
  wasmBuild,
  type AdamStep,
  WasmActivation,
  type WasmBinaryOpCode,
  WasmOperandMode,
  type WasmOperandModeCode,
} from '../kernels/wasm/index.js';

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

export { wasmBuild };

/** Whether float32 work currently runs on the WebAssembly SIMD kernels. */
export function useWasm(): boolean {
  return wasmWanted && wasmAvailable();
}

// Below these sizes the copy into wasm memory and the call cost more than they save.
const WASM_MIN_MACS = 2048;
const WASM_MIN_ELEMENTS = 256;

/**
 * Whether an elementwise activation (forward or backward) of `n` float32 elements runs on the
 * wasm kernel, whose bits differ from the TypeScript loop's: `compile` fuses only those.
 */
export function activationOnWasm(n: number): boolean {
  return n >= WASM_MIN_ELEMENTS && useWasm();
}

/**
 * The zero-skipping wasm matmul (`matmulSkipZerosF32`): from SPARSE_MIN_MACS multiply-adds,
 * products whose left operand op(A) is at least SPARSE_MIN_ZERO_FRACTION exact zeros (MNIST
 * pixels are ~80% zeros, relu outputs often half) leave those terms out. The kernel counts
 * A's zeros in a SIMD pass each call (a data-dependent choice, so a compiled step makes it
 * afresh at every replay) and runs the dense kernel below the threshold or where A or B is
 * not finite; both give the same bits, so the threshold is a matter of speed only.
 * Measured on the MNIST layer shapes (10×784·784×30 forward + sigmoid, 784×10·10×30 weight
 * gradient; Node 20, plain SIMD, per call, dense → zero-skipping): with MNIST pixels (80%
 * zeros, in clusters) 22.3 → 12.3 µs and 29.4 → 14.2 µs; with randomly placed zeros the
 * forward breaks even at 50% and the weight gradient at 40% (30%: 20.9 → 25.1 and
 * 26.5 → 28.5, 50%: 21.2 → 20.9 and 26.2 → 23.8, 60%: 20.8 → 18.7 and 26.2 → 21.0, 80%:
 * 20.9 → 12.6 and 25.9 → 17.6); the threshold keeps a margin above the forward's.
 * Declining costs part of one counting pass over A (0.3 µs of a 29 µs 64×64×64 product).
 */
const SPARSE_MIN_MACS = 1 << 15;
const SPARSE_MIN_ZERO_FRACTION = 0.6;

/** The fewest zeros of an A of `n` elements for which skipping them pays. */
function sparseMinZeros(n: number): number {
  return Math.ceil(n * SPARSE_MIN_ZERO_FRACTION);
}

// Fixed arity, not a rest parameter: this runs on every kernel call of a compiled replay,
// where a rest array would be an allocation per call.
function allF32(a: FloatArray, b: FloatArray, c: FloatArray = a, d: FloatArray = a): boolean {
  return a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array && d instanceof Float32Array;
}

/** A float32 matmul with the `matmulF32` contract (accumulate included), e.g. a multi-threaded one. */
export type ParallelMatmulF32 = (
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
) => void;

/** A dense layer's float32 forward pass with the `linearForwardF32` contract, e.g. a multi-threaded one. */
export type ParallelLinearF32 = (
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  inF: number,
  outF: number,
  activation: (typeof WasmActivation)[FusedActivation],
) => void;

let parallelMatmul: ParallelMatmulF32 | null = null;
let parallelLinear: ParallelLinearF32 | null = null;
/** m·k·n from which float32 matmuls go to the parallel hook (below it, waking threads costs more than it saves). */
let parallelMinMacs = 1 << 21;

/**
 * Installs (or, with `null`, removes) the kernels that float32 `matmul` calls (and, with
 * `linear`, `linearForward` calls) of at least `minMacs` multiply-adds go through while the
 * wasm kernels are in use. Set by `enableThreads()` in the Node-only `src/threads` module;
 * the default is none.
 */
export function setParallelMatmul(fn: ParallelMatmulF32 | null, minMacs = 1 << 21, linear: ParallelLinearF32 | null = null): void {
  parallelMatmul = fn;
  parallelLinear = fn === null ? null : linear;
  // Never below the wasm kernels' own threshold: the parallel kernel replaces the wasm kernel
  // only, so threads on or off never changes which arithmetic (wasm or TypeScript) runs.
  parallelMinMacs = Math.max(minMacs, WASM_MIN_MACS);
}

/**
 * out[m×n] = op(A)·op(B), or out += op(A)·op(B) when `accumulate`; see `matmulInto` for the
 * layout contract.
 */
export function matmul(
  out: FloatArray,
  outOff: number,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  accumulate = false,
): void {
  if (parallelMatmul !== null && m * k * n >= parallelMinMacs && allF32(out, a, b) && useWasm()) {
    parallelMatmul(out as Float32Array, outOff, a as Float32Array, aOff, b as Float32Array, bOff, m, k, n, transA, transB, accumulate);
  } else if (m * k * n >= SPARSE_MIN_MACS && allF32(out, a, b) && useWasm()) {
    matmulSkipZerosF32(
      out as Float32Array,
      outOff,
      a as Float32Array,
      aOff,
      b as Float32Array,
      bOff,
      m,
      k,
      n,
      transA,
      transB,
      accumulate,
      sparseMinZeros(m * k),
    );
  } else if (m * k * n >= WASM_MIN_MACS && allF32(out, a, b) && useWasm()) {
    matmulF32(out as Float32Array, outOff, a as Float32Array, aOff, b as Float32Array, bOff, m, k, n, transA, transB, accumulate);
  } else if (!accumulate) {
    matmulInto(out, outOff, a, aOff, b, bOff, m, k, n, transA, transB);
  } else {
    const sum = out instanceof Float64Array ? new Float64Array(m * n) : new Float32Array(m * n);
    matmulInto(sum, 0, a, aOff, b, bOff, m, k, n, transA, transB);
    for (let i = 0; i < m * n; i++) out[outOff + i] += sum[i];
  }
}

/** The activations the fused kernels know. */
export type FusedActivation = 'identity' | 'sigmoid' | 'tanh' | 'relu';
// Their codes come from assembly/constants.json; `satisfies` keeps the two name lists equal.
const CODE = WasmActivation satisfies Record<FusedActivation, number>;
/** The fused activations' names, in the order of their codes. */
export const FUSED_ACTIVATIONS = Object.keys(CODE) as readonly FusedActivation[];
const UNARY: Record<FusedActivation, UnaryOp | null> = { identity: null, sigmoid: UnaryOp.Sigmoid, tanh: UnaryOp.Tanh, relu: UnaryOp.Relu };

/** out[batch×outF] = act(x·W + bias). */
export function linearForward(
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  batch: number,
  inF: number,
  outF: number,
  act: FusedActivation,
): void {
  const macs = batch * inF * outF;
  if (macs >= WASM_MIN_MACS && allF32(out, x, w) && (bias === null || bias instanceof Float32Array) && useWasm()) {
    if (parallelLinear !== null && macs >= parallelMinMacs) {
      parallelLinear(out as Float32Array, x as Float32Array, w as Float32Array, bias as Float32Array | null, batch, inF, outF, CODE[act]);
      return;
    }
    if (macs >= SPARSE_MIN_MACS) {
      const minZeros = sparseMinZeros(batch * inF);
      linearForwardSkipZerosF32(
        out as Float32Array,
        x as Float32Array,
        w as Float32Array,
        bias as Float32Array | null,
        batch,
        inF,
        outF,
        CODE[act],
        minZeros,
      );
      return;
    }
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
  if (op !== null) unaryMapTs(op, out, out);
}

/** out = g · act'(pre-activation), computed from the activation's output y. */
export function activationBackward(out: FloatArray, g: FloatArray, y: FloatArray, act: FusedActivation): void {
  const n = out.length;
  if (activationOnWasm(n) && allF32(out, g, y)) {
    activationBackwardF32(out as Float32Array, g as Float32Array, y as Float32Array, CODE[act]);
    return;
  }
  switch (act) {
    case 'identity':
      for (let i = 0; i < n; i++) out[i] = g[i];
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = g[i] * y[i] * (1 - y[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]);
      return;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? g[i] : 0;
      return;
  }
}

/** out = op(x) elementwise; sigmoid and tanh of float32 arrays run on the SIMD kernels. */
export function unaryMap(op: UnaryOp, out: FloatArray, x: FloatArray): void {
  const act = op === UnaryOp.Sigmoid ? 'sigmoid' : op === UnaryOp.Tanh ? 'tanh' : null;
  if (act !== null && activationOnWasm(x.length) && allF32(out, x)) {
    activationF32(out as Float32Array, x as Float32Array, CODE[act]);
    return;
  }
  unaryMapTs(op, out, x);
}

/**
 * Elements from which float32 sums go to the wasm kernel: below it, copying x into wasm
 * memory costs about what the vectorised sum saves over the TypeScript loop.
 */
const WASM_MIN_SUM = 4096;

/** Sums the middle axis of x viewed as [outer, r, inner] into out [outer, inner]. */
export function sumAxis(out: FloatArray, x: FloatArray, outer: number, r: number, inner: number): void {
  if (x.length >= WASM_MIN_SUM && allF32(out, x) && useWasm()) {
    sumAxisF32(out as Float32Array, x as Float32Array, outer, r, inner);
    return;
  }
  sumAxisTs(out, x, outer, r, inner);
}

/**
 * out[j] += Σ_r x[r, j] for x [rows, cols]: a bias gradient added into its `.grad`. The sums
 * come from `sumAxis`, the kernel of `g.sum(0)`, so a step gives the same bits whether the
 * gradient is added in place or returned and added by the engine.
 */
export function addColumnSums(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
  const sums = columnScratch(out instanceof Float64Array, cols);
  sumAxis(sums, x, 1, rows, cols);
  for (let j = 0; j < cols; j++) out[j] += sums[j];
}

// addColumnSums runs once per bias per training step: a fresh array each time was an
// off-heap allocation per call (and per replay of a compiled step). One scratch per width.
const columnScratch32 = new Map<number, Float32Array>();
const columnScratch64 = new Map<number, Float64Array>();

/** A scratch array of `cols` elements, kept between calls. */
function columnScratch(f64: boolean, cols: number): FloatArray {
  const kept = f64 ? columnScratch64 : columnScratch32;
  let sums = kept.get(cols);
  if (sums === undefined) {
    if (kept.size >= 64) kept.clear();
    sums = f64 ? new Float64Array(cols) : new Float32Array(cols);
    (kept as Map<number, FloatArray>).set(cols, sums);
  }
  return sums;
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

/**
 * SGD with momentum in place (PyTorch's rule): d = g + wd·p; v = first ? d : mu·v + d;
 * p −= lr·(nesterov ? d + mu·v : v). Float32 arrays run on the wasm kernel (in float32);
 * otherwise each element is computed in double precision and stored in the arrays' dtype.
 */
export function sgdMomentum(
  p: FloatArray,
  g: FloatArray,
  v: FloatArray,
  lr: number,
  mu: number,
  wd: number,
  nesterov: boolean,
  first: boolean,
): void {
  const n = p.length;
  if (n >= WASM_MIN_ELEMENTS && allF32(p, g, v) && useWasm()) {
    sgdMomentumF32(p as Float32Array, g as Float32Array, v as Float32Array, lr, mu, wd, nesterov, first);
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i] + wd * p[i];
    const vi = first ? gi : mu * v[i] + gi;
    v[i] = vi;
    p[i] -= lr * (nesterov ? gi + mu * vi : vi);
  }
}

export type { AdamStep };

/**
 * Adam/AdamW in place (PyTorch's rule, see `adamUpdateF32`). Float32 arrays run on the wasm
 * kernel (in float32); otherwise each element is computed in double precision.
 */
export function adamUpdate(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, h: AdamStep): void {
  const n = p.length;
  if (n >= WASM_MIN_ELEMENTS && allF32(p, g, m, v) && useWasm()) {
    adamUpdateF32(p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, h);
    return;
  }
  const { lr, beta1: b1, beta2: b2, eps, l2, shrink, c1, c2 } = h;
  for (let i = 0; i < n; i++) {
    const gi = g[i] + l2 * p[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * shrink - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

/**
 * Output size from which float32 add/sub/mul/div go to the wasm kernel. Measured (Node 20,
 * copies included): the kernel breaks even with the TypeScript loop at ~32–64 elements and
 * is 3–6× faster from 256 on; the margin keeps tiny ops off the copy-in/copy-out path.
 */
const WASM_MIN_BINARY = 256;

// Operand layouts; -1: not one the kernel knows.
const { full: FULL, row: ROW, col: COL, scalar: SCALAR } = WasmOperandMode;

/**
 * How operand x (shape `xs`, padded to the rank of `outShape`, `len` elements) sits in the
 * output: full, scalar, a row (1 on leading axes, the output's extents on trailing ones:
 * repeated every `len` elements), a column (the output's extents on leading axes, 1 on
 * trailing ones: one value per run of size/len elements), or -1.
 */
function operandMode(xs: readonly number[], len: number, outShape: readonly number[], size: number): number {
  if (len === size) return FULL;
  if (len === 1) return SCALAR;
  const rank = outShape.length;
  // Row: once an axis matches a non-1 output extent, every later axis must match too.
  let row = true,
    seen = false;
  for (let i = 0; i < rank; i++) {
    const d = outShape[i];
    if (d === 1) continue;
    if (xs[i] === d) seen = true;
    else if (seen) {
      row = false;
      break;
    }
  }
  if (row) return ROW;
  // Column: once an axis is 1 against a non-1 output extent, every later axis must be too.
  let col = true,
    broadcasting = false;
  for (let i = 0; i < rank; i++) {
    const d = outShape[i];
    if (d === 1) continue;
    if (xs[i] !== d) broadcasting = true;
    else if (broadcasting) {
      col = false;
      break;
    }
  }
  return col ? COL : -1;
}

/**
 * How operand x (padded shape `xs`, `len` elements) of a broadcast into `outShape` (`size`
 * elements) fits an outer×inner layout: [mode, the row length it implies (0: any)], or null.
 */
export function wasmOperandLayout(
  xs: readonly number[],
  len: number,
  outShape: readonly number[],
  size: number,
): [WasmOperandModeCode, number] | null {
  const m = operandMode(xs, len, outShape, size);
  if (m < 0) return null;
  return [m as WasmOperandModeCode, m === ROW ? len : m === COL ? size / len : 0];
}

/**
 * How the wasm kernel would run a broadcast of operands of lengths `la`/`lb` and padded
 * shapes `aShape`/`bShape` into `outShape` (`size` elements): [outer, inner, aMode, bMode],
 * or null when the operands do not fit one outer×inner layout (the TypeScript kernel's job).
 * Exported for tests.
 */
export function wasmBinaryPlan(
  outShape: readonly number[],
  size: number,
  aShape: readonly number[],
  la: number,
  bShape: readonly number[],
  lb: number,
): [number, number, WasmOperandModeCode, WasmOperandModeCode] | null {
  const am = operandMode(aShape, la, outShape, size);
  const bm = operandMode(bShape, lb, outShape, size);
  if (am < 0 || bm < 0) return null;
  // The run length each row/column operand implies; full and scalar fit any.
  const ia = am === ROW ? la : am === COL ? size / la : 0;
  const ib = bm === ROW ? lb : bm === COL ? size / lb : 0;
  if (ia !== 0 && ib !== 0 && ia !== ib) return null;
  const inner = ia || ib || size;
  return [size / inner, inner, am as WasmOperandModeCode, bm as WasmOperandModeCode];
}

/**
 * out = a ∘ b with NumPy broadcasting; shapes padded to the output's rank, as for
 * `broadcastBinary`. Float32 add/sub/mul/div of at least WASM_MIN_BINARY elements whose
 * operands are each full, scalar, a row repeated along leading axes, or a column repeated
 * along trailing axes (and agree on one row length) run on the wasm SIMD kernel, with
 * bit-identical results; the rest, and everything while the wasm kernels are off, on the
 * TypeScript kernel.
 */
export function binaryBroadcast(
  op: BinaryOp,
  out: FloatArray,
  outShape: readonly number[],
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
): void {
  const size = out.length;
  if (size >= WASM_MIN_BINARY && op <= BinaryOp.Div && allF32(out, a, b) && useWasm()) {
    const plan = wasmBinaryPlan(outShape, size, aShape, a.length, bShape, b.length);
    if (plan !== null) {
      binaryF32(op as number as WasmBinaryOpCode, out as Float32Array, a as Float32Array, plan[2], b as Float32Array, plan[3], plan[0], plan[1]);
      return;
    }
  }
  broadcastBinary(op, out, outShape, a, aShape, b, bShape);
}
