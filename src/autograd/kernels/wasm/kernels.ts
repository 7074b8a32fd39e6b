/**
 * The wasm SIMD float32 kernels as JavaScript functions: a blocked matmul, a fused dense-layer
 * forward pass, elementwise activations and their gradients, optimizer steps, axis sums and
 * broadcasting binary ops. Each wrapper checks its arguments (./checks.ts), opens an
 * {@link Arena} for the bytes it may need, places its operands (resident ones by address,
 * others copied in), calls the kernel and copies results out (./memory.ts). The per-call
 * JavaScript work is kept small because the training loop makes many small calls (batch
 * 10): no argument objects, no closures, no memory-size queries, and short operands are
 * copied by a loop instead of through a fresh subarray view.
 *
 * Every wrapper has the same contract as its TypeScript twin; when `wasmAvailable()` is false
 * (no WebAssembly, no SIMD, or a browser main thread that forbids synchronous compilation
 * of modules this size, see `initWasm`) the wrappers throw and callers should use the
 * TypeScript kernels.
 *
 * Isomorphic: no Node-only APIs.
 */
import {
  checkActivation,
  checkBinaryOp,
  checkDim,
  checkFinite,
  checkLinearArgs,
  checkMatmulArgs,
  checkSame,
  checkSpan,
  modeLength,
} from './checks.js';
import { NR, WasmOperandMode, type WasmActivationCode, type WasmBinaryOpCode, type WasmOperandModeCode } from './constants.js';
import { vecBytes } from './heap.js';
import { kernelsFor, openScratch, type Arena } from './memory.js';

/**
 * out[m×n] = op(A)·op(B) on float32 data with WebAssembly SIMD; the same contract as
 * `matmulInto`: A stored m×k (k×m if `transA`), B stored k×n (n×k if `transB`), both read
 * transposed inside the kernel, `out` overwritten, or added to when `accumulate`
 * (out += op(A)·op(B)). `out` may alias `a` or `b`. Resident operands (`residentF32`)
 * are used in place.
 */
export function matmulF32(
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
  accumulate = false,
): void {
  const fn = 'matmulF32';
  checkMatmulArgs(fn, out, outOff, a, aOff, b, bOff, m, k, n);
  if (m === 0 || n === 0) return;
  const packing = kernelsFor(fn).matmulScratchBytes(m, k, n);
  const s = openScratch(fn, vecBytes(m * k) + vecBytes(k * n) + vecBytes(m * n) + packing);
  const A = s.place(a, aOff, m * k);
  const B = s.place(b, bOff, k * n);
  // B may be read in place while c is written: never let them share memory.
  const C = s.placeApart(out, outOff, m * n, accumulate, A, B);
  s.x.matmul(C, A, B, m, k, n, transA ? 1 : 0, transB ? 1 : 0, s.slotBytes(packing), 0, 0, accumulate ? 1 : 0);
  s.give(C, out, outOff, m * n);
}

/**
 * A dense layer's forward pass in one call: out[batch×outF] = act(x·W + b), with x
 * [batch×inF], W [inF×outF] row-major (the layout `x.matmul(W)` uses) and b [outF] added to
 * every row (`null` for no bias). `activation`: 0 identity, 1 sigmoid, 2 tanh, 3 relu
 * (see `WasmActivation`); sigmoid and tanh use polynomial exp, ~1e-6 relative.
 * Resident x, W and b (`residentF32`) are read in place.
 */
export function linearForwardF32(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  inF: number,
  outF: number,
  activation: WasmActivationCode,
): void {
  const fn = 'linearForwardF32';
  checkLinearArgs(fn, out, x, w, bias, batch, inF, outF, activation);
  if (batch === 0 || outF === 0) return;
  // The kernel reads bias in NR-wide tiles; the lanes past outF only reach discarded columns.
  const biasLen = Math.ceil(outF / NR) * NR;
  const packing = kernelsFor(fn).matmulScratchBytes(batch, inF, outF);
  const s = openScratch(fn, vecBytes(batch * inF) + vecBytes(inF * outF) + vecBytes(biasLen) + vecBytes(batch * outF) + packing);
  const X = s.place(x, 0, batch * inF);
  const W = s.place(w, 0, inF * outF);
  const B = bias === null ? 0 : placeBias(s, bias, outF, biasLen);
  const C = s.slot(batch * outF);
  s.x.matmul(C, X, W, batch, inF, outF, 0, 0, s.slotBytes(packing), B, activation, 0);
  s.give(C, out, 0, batch * outF);
}

/**
 * The bias row's address: its own when resident (the block's tail covers the padding), else
 * the next slot, holding a copy zero-padded to `padded` floats.
 */
export function placeBias(s: Arena, bias: Float32Array, n: number, padded: number): number {
  const p = s.slot(padded);
  const r = s.resident(bias);
  if (r >= 0) return r;
  s.load(p, bias, 0, n);
  s.heap.fill(0, (p >>> 2) + n, (p >>> 2) + padded);
  return p;
}

/** out = act(x) elementwise (see `WasmActivation`). `out` may be `x`. Resident arrays are used in place. */
export function activationF32(out: Float32Array, x: Float32Array, activation: WasmActivationCode): void {
  const fn = 'activationF32';
  const n = checkSame(fn, 'out and x', out, x);
  checkActivation(fn, activation);
  if (n === 0) return;
  const s = openScratch(fn, 2 * vecBytes(n));
  const X = s.place(x, 0, n);
  const O = placeOutput(s, out, n, X);
  s.x.activation(O, X, n, activation);
  s.give(O, out, 0, n);
}

/**
 * Where an elementwise kernel writes `out` (`n` floats) computed from the operand placed at
 * `from`, which it may overwrite element by element: `out`'s own block when `out` is
 * resident; else `from` when that is a scratch copy; else the next slot. These kernels store
 * whole vectors, so a resident `out` is written in place only when `n` is a multiple of 4:
 * otherwise `out` might be a shorter view at the start of a block whose next elements belong
 * to someone else. The results are the same wherever they are computed.
 */
function placeOutput(s: Arena, out: Float32Array, n: number, from: number): number {
  const r = n % 4 === 0 ? s.resident(out) : -1;
  if (r >= 0) return r;
  return from >= s.base ? from : s.slot(n);
}

/** out = e^x elementwise (float32, ~1e-7 relative; x clamped to [-87, 88]). `out` may be `x`. */
export function expF32(out: Float32Array, x: Float32Array): void {
  const fn = 'expF32';
  const n = checkSame(fn, 'out and x', out, x);
  if (n === 0) return;
  const s = openScratch(fn, 2 * vecBytes(n));
  const X = s.place(x, 0, n);
  const O = placeOutput(s, out, n, X);
  s.x.expArray(O, X, n);
  s.give(O, out, 0, n);
}

/**
 * Gradient through an activation from its saved output y: out = g·y·(1−y) (sigmoid),
 * g·(1−y²) (tanh), g·[y > 0] (relu, so relu'(0) = 0), g (identity). `out` may be `g`.
 * Resident arrays are used in place.
 */
export function activationBackwardF32(out: Float32Array, g: Float32Array, y: Float32Array, activation: WasmActivationCode): void {
  const fn = 'activationBackwardF32';
  const n = checkSame(fn, 'out, g and y', out, g, y);
  checkActivation(fn, activation);
  if (n === 0) return;
  const s = openScratch(fn, 3 * vecBytes(n));
  const G = s.place(g, 0, n);
  const Y = s.place(y, 0, n);
  // The kernel reads g and y element by element before writing out: out may be g or y.
  const O = placeOutput(s, out, n, G);
  s.x.activationBackward(O, G, Y, n, activation);
  s.give(O, out, 0, n);
}

/** In-place SGD step p -= lr·g; resident p and g (`residentF32`) are updated in place. */
export function sgdUpdateF32(p: Float32Array, g: Float32Array, lr: number): void {
  const fn = 'sgdUpdateF32';
  const n = checkSame(fn, 'p and g', p, g);
  checkFinite(fn, 'lr', lr);
  if (n === 0) return;
  const s = openScratch(fn, 2 * vecBytes(n));
  const P = s.place(p, 0, n);
  s.x.sgdUpdate(P, s.place(g, 0, n), n, lr);
  s.give(P, p, 0, n);
}

/**
 * out[outer×inner] = Σ over the middle axis of x viewed as [outer, r, inner] (float32): for
 * inner > 1 the rows are added in order in float32, bit-identical to the TypeScript
 * `sumAxis`; for inner = 1 each sum is accumulated in double precision and rounded once
 * (it may differ from the TypeScript kernel's sequential double sum in a double's last bits).
 */
export function sumAxisF32(out: Float32Array, x: Float32Array, outer: number, r: number, inner: number): void {
  const fn = 'sumAxisF32';
  checkDim(fn, 'outer', outer);
  checkDim(fn, 'r', r);
  checkDim(fn, 'inner', inner);
  checkSpan(fn, 'x', x, 0, outer * r * inner);
  checkSpan(fn, 'out', out, 0, outer * inner);
  if (outer * inner === 0) return;
  const s = openScratch(fn, vecBytes(outer * r * inner) + vecBytes(outer * inner));
  const X = s.place(x, 0, outer * r * inner);
  const O = s.slot(outer * inner);
  if (inner === 1) s.x.sumRows(O, X, outer, r);
  else s.x.sumMiddle(O, X, outer, r, inner);
  s.give(O, out, 0, outer * inner);
}

/**
 * SGD with momentum in place (PyTorch's rule, in float32): d = g + wd·p;
 * v = first ? d : mu·v + d; p −= lr·(nesterov ? d + mu·v : v). Resident p, g and v
 * (`residentF32`) are used in place; others are copied in (and p, v back out).
 */
export function sgdMomentumF32(
  p: Float32Array,
  g: Float32Array,
  v: Float32Array,
  lr: number,
  mu: number,
  wd: number,
  nesterov: boolean,
  first: boolean,
): void {
  const fn = 'sgdMomentumF32';
  const n = checkSame(fn, 'p, g and v', p, g, v);
  checkFinite(fn, 'lr', lr);
  checkFinite(fn, 'momentum', mu);
  checkFinite(fn, 'weightDecay', wd);
  if (n === 0) return;
  const s = openScratch(fn, 3 * vecBytes(n));
  const P = s.place(p, 0, n),
    G = s.place(g, 0, n),
    V = s.place(v, 0, n);
  s.x.sgdMomentum(P, G, V, n, lr, mu, wd, nesterov ? 1 : 0, first ? 1 : 0);
  s.give(P, p, 0, n);
  s.give(V, v, 0, n);
}

/** Hyperparameters of one Adam/AdamW update (see {@link adamUpdateF32}). */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Weight decay added to the gradient (Adam's), or 0. */
  l2: number;
  /** 1 − lr·λ for AdamW's decoupled decay, or 1. */
  shrink: number;
  /** Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  c1: number;
  c2: number;
}

/**
 * Adam/AdamW in place, in float32 (PyTorch's rule): d = g + l2·p; m = β₁m + (1−β₁)d;
 * v = β₂v + (1−β₂)d²; p = p·shrink − lr·(m/c1) / (√(v/c2) + eps). Resident arrays are used
 * in place; others are copied in (and p, m, v back out).
 */
export function adamUpdateF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamStep): void {
  const fn = 'adamUpdateF32';
  const n = checkSame(fn, 'p, g and m', p, g, m);
  checkSame(fn, 'p and v', p, v);
  checkFinite(fn, 'lr', h.lr);
  checkFinite(fn, 'beta1', h.beta1);
  checkFinite(fn, 'beta2', h.beta2);
  checkFinite(fn, 'eps', h.eps);
  checkFinite(fn, 'l2', h.l2);
  checkFinite(fn, 'shrink', h.shrink);
  checkFinite(fn, 'c1', h.c1);
  checkFinite(fn, 'c2', h.c2);
  if (n === 0) return;
  const s = openScratch(fn, 4 * vecBytes(n));
  const P = s.place(p, 0, n),
    G = s.place(g, 0, n),
    M = s.place(m, 0, n),
    V = s.place(v, 0, n);
  s.x.adamUpdate(P, G, M, V, n, h.lr, h.beta1, h.beta2, h.eps, h.l2, h.shrink, h.c1, h.c2, 1 - h.beta1, 1 - h.beta2);
  s.give(P, p, 0, n);
  s.give(M, m, 0, n);
  s.give(V, v, 0, n);
}

/**
 * out[outer×inner] = a ∘ b elementwise in float32 (`op`: 0 add, 1 sub, 2 mul, 3 div; see
 * `WasmBinaryOp`), each operand laid out as its mode says (`WasmOperandMode`):
 * a and b must have exactly the mode's length, out exactly outer·inner. Results are
 * bit-identical to the TypeScript `broadcastBinary` (IEEE single ops are correctly rounded).
 * `out` may alias a or b.
 */
export function binaryF32(
  op: WasmBinaryOpCode,
  out: Float32Array,
  a: Float32Array,
  aMode: WasmOperandModeCode,
  b: Float32Array,
  bMode: WasmOperandModeCode,
  outer: number,
  inner: number,
): void {
  const fn = 'binaryF32';
  checkBinaryOp(fn, op);
  checkDim(fn, 'outer', outer);
  checkDim(fn, 'inner', inner);
  const n = outer * inner;
  const aLen = modeLength(fn, 'aMode', aMode, outer, inner);
  const bLen = modeLength(fn, 'bMode', bMode, outer, inner);
  if (!(out instanceof Float32Array) || !(a instanceof Float32Array) || !(b instanceof Float32Array)) {
    throw new TypeError(`${fn}: out, a and b must be Float32Arrays`);
  }
  if (out.length !== n) throw new RangeError(`${fn}: out must have ${n} elements, got ${out.length}`);
  if (a.length !== aLen) throw new RangeError(`${fn}: a must have ${aLen} elements for mode ${aMode}, got ${a.length}`);
  if (b.length !== bLen) throw new RangeError(`${fn}: b must have ${bLen} elements for mode ${bMode}, got ${b.length}`);
  if (n === 0) return;
  const full = WasmOperandMode.full;
  const s = openScratch(fn, vecBytes(aLen) + vecBytes(bLen) + vecBytes(n));
  const A = s.place(a, 0, aLen);
  const B = s.place(b, 0, bLen);
  // The kernel reads each element of a full operand before writing that element of out, so
  // out may share memory with a full operand, but not with a repeated one (a resident row
  // operand could be a view of out's first elements).
  const r = s.resident(out);
  const O =
    r >= 0 && (r !== A || aMode === full) && (r !== B || bMode === full)
      ? r
      : aMode === full && A >= s.base
        ? A
        : bMode === full && B >= s.base
          ? B
          : s.slot(n);
  s.x.binary(op, O, A, B, outer, inner, aMode, bMode);
  s.give(O, out, 0, n);
}
