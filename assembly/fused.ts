// The fused elementwise kernel (AssemblyScript): one call runs a short program of float32
// elementwise ops over an outer×inner grid, as src/autograd/compile fuses a chain of them.
//
// Why: run one op at a time and every intermediate is a full array, written to memory by one
// kernel and read back by the next (a 256×256 chain of four ops moves 1.5 MB instead of
// 0.5 MB, and pays four calls). Here the grid is walked row by row in chunks of up to
// FUSED_TILE floats, and for each chunk every instruction runs in turn as a tight vector loop
// over the chunk, into registers: FUSED_TILE-float tiles of scratch that stay in L1. Only
// the store instruction writes to an operand. The op is dispatched once per instruction per
// chunk, not per element.
//
// Semantics: the same bits as running each instruction over the whole grid into full arrays,
// with the eager kernels' arithmetic (see each op below). Every op is positionwise, so a
// chunk's values do not depend on the chunking, and a stored operand may be a full operand
// the program reads (its element at a position is read, by earlier instructions, before the
// store writes it, and read back by later ones, exactly as over whole arrays).
//
// Memory (the caller, src/autograd/kernels/wasm/fused.ts, lays it out):
//   code      count instructions of four i32: op, dst, a, b. A source s ≥ 0 is register s,
//             s < 0 operand −s − 1. Compute ops write register dst; FUSED_STORE writes
//             source a into operand dst (a full operand), exactly the chunk's elements.
//   operands  FUSED_MAX_OPERANDS pairs of i32: the operand's byte address and its mode.
//   scratch   16-byte aligned: FUSED_MAX_OPERANDS splat vectors (a col or scalar operand's
//             value for the current row, in all four lanes) then the registers, FUSED_TILE
//             floats each.
// Reads of full and row operands are whole vectors, so they may read up to 3 floats past the
// operand's end (the caller keeps them readable); the lanes past a chunk's end are computed
// on garbage and never stored.

import {
  FUSED_ABS, FUSED_ADD, FUSED_DIV, FUSED_EQ, FUSED_GE, FUSED_GT, FUSED_LE, FUSED_LT,
  FUSED_MAX, FUSED_MAX_OPERANDS, FUSED_MIN, FUSED_MUL, FUSED_NE, FUSED_NEG, FUSED_RELU,
  FUSED_RELUGRAD, FUSED_SIGMOID, FUSED_SIGMOIDGRAD, FUSED_SIGN, FUSED_SQRT, FUSED_SQUARE,
  FUSED_STORE, FUSED_SUB, FUSED_TANH, FUSED_TANHGRAD, FUSED_TILE,
  MODE_COL, MODE_FULL, MODE_ROW, MODE_SCALAR,
} from './constants';
import { ONE, reluv, sigmoidv, SIGN_BIT, tanhv, vc } from './vecmath';

/** Bytes of one register. */
const REG_BYTES: usize = <usize>FUSED_TILE * 4;

/**
 * Runs the `count` instructions at `code` over the outer×inner grid (see the file comment for
 * the layout of code, operands and scratch). The caller has validated the program: known ops,
 * registers in range and written before read, operands in range, stores to full operands.
 */
export function elementwiseProgram(code: usize, count: i32, operands: usize, nOperands: i32, outer: i32, inner: i32, scratch: usize): void {
  if (outer <= 0 || inner <= 0) return;
  const splats = (scratch + 15) & ~(<usize>15);
  const regs = splats + <usize>FUSED_MAX_OPERANDS * 16;
  // Without row or col operands the rows are alike: one long row makes the chunks full.
  let rowwise = false;
  for (let k = 0; k < nOperands; k++) {
    const mode = load<i32>(operands + (<usize>k << 3), 4);
    if (mode == MODE_ROW || mode == MODE_COL) rowwise = true;
    if (mode == MODE_SCALAR) v128.store(splats + (<usize>k << 4), v128.load32_splat(load<u32>(operands + (<usize>k << 3))));
  }
  if (!rowwise) {
    inner *= outer;
    outer = 1;
  }
  const rowBytes = <usize>inner << 2;
  for (let r = 0; r < outer; r++) {
    if (rowwise) {
      for (let k = 0; k < nOperands; k++) {
        const at = operands + (<usize>k << 3);
        if (load<i32>(at, 4) == MODE_COL) {
          v128.store(splats + (<usize>k << 4), v128.load32_splat(<usize>load<u32>(at) + (<usize>r << 2)));
        }
      }
    }
    const rowStart = <usize>r * rowBytes;
    for (let j0 = 0; j0 < inner; j0 += FUSED_TILE) {
      const len = min(FUSED_TILE, inner - j0);
      const fullOff = rowStart + (<usize>j0 << 2);
      const rowOff = <usize>j0 << 2;
      const vecBytes = <usize>((len + 3) & ~3) << 2;
      for (let i = 0; i < count; i++) {
        const ins = code + (<usize>i << 4);
        const op = load<i32>(ins);
        const dst = load<i32>(ins, 4);
        const sa = load<i32>(ins, 8);
        const pa = source(sa, operands, splats, regs, fullOff, rowOff);
        const as = step(sa, operands);
        if (op == FUSED_STORE) {
          storeChunk(<usize>load<u32>(operands + (<usize>dst << 3)) + fullOff, pa, as, len);
          continue;
        }
        const d = regs + <usize>dst * REG_BYTES;
        const end = d + vecBytes;
        if (op < 16) {
          const sb = load<i32>(ins, 12);
          runBinary(op, d, end, pa, as, source(sb, operands, splats, regs, fullOff, rowOff), step(sb, operands));
        } else if (op < 24) {
          runUnary(op, d, end, pa, as);
        } else {
          const sb = load<i32>(ins, 12);
          runGrad(op, d, end, pa, as, source(sb, operands, splats, regs, fullOff, rowOff), step(sb, operands));
        }
      }
    }
  }
}

/** Where source `s`'s chunk starts: a register, a full operand's chunk, a row operand's chunk, or a splat. */
@inline function source(s: i32, operands: usize, splats: usize, regs: usize, fullOff: usize, rowOff: usize): usize {
  if (s >= 0) return regs + <usize>s * REG_BYTES;
  const k = -s - 1;
  const at = operands + (<usize>k << 3);
  const mode = load<i32>(at, 4);
  if (mode == MODE_FULL) return <usize>load<u32>(at) + fullOff;
  if (mode == MODE_ROW) return <usize>load<u32>(at) + rowOff;
  return splats + (<usize>k << 4);
}

/** Bytes between source `s`'s vectors: 16, or 0 for a splat (col and scalar operands). */
@inline function step(s: i32, operands: usize): usize {
  if (s >= 0) return 16;
  const mode = load<i32>(operands + (<usize>(-s - 1) << 3), 4);
  return mode == MODE_FULL || mode == MODE_ROW ? 16 : 0;
}

/** Writes exactly `len` floats of the source at a (whole vectors, then single lanes) to o. */
function storeChunk(o: usize, a: usize, as: usize, len: i32): void {
  const whole = o + (<usize>(len & ~3) << 2);
  const end = o + (<usize>len << 2);
  for (; o < whole; o += 16, a += as) v128.store(o, v128.load(a));
  // The tail lanes sit at a, a+4, a+8 whether a steps by 16 or is a splat (stride 0).
  for (let t: usize = 0; o < end; o += 4, t += 4) store<f32>(o, load<f32>(a + t));
}

// ---------------------------------------------------------------------------------------
// The ops. Each loop runs whole vectors from d to end (a multiple of 16 bytes), reading its
// sources with their steps. `OP` is a literal in each inlined copy, so its branches fold.

/**
 * x ∘ y with the TypeScript kernel's semantics (src/autograd/kernels/elementwise.ts): IEEE
 * add/sub/mul/div (correctly rounded, so JavaScript's double-then-round gives the same bits);
 * max as x >= y ? x : y and min as x <= y ? x : y (not f32x4.max/min, whose NaN and ±0
 * rules differ: here a NaN y wins, a NaN x loses, and ties keep x); comparisons 1 or 0.
 */
@inline function bin(OP: i32, x: v128, y: v128, one: v128): v128 {
  if (OP == FUSED_ADD) return f32x4.add(x, y);
  if (OP == FUSED_SUB) return f32x4.sub(x, y);
  if (OP == FUSED_MUL) return f32x4.mul(x, y);
  if (OP == FUSED_DIV) return f32x4.div(x, y);
  if (OP == FUSED_MAX) return v128.bitselect(x, y, f32x4.ge(x, y));
  if (OP == FUSED_MIN) return v128.bitselect(x, y, f32x4.le(x, y));
  if (OP == FUSED_EQ) return v128.and(f32x4.eq(x, y), one);
  if (OP == FUSED_NE) return v128.and(f32x4.ne(x, y), one);
  if (OP == FUSED_GT) return v128.and(f32x4.gt(x, y), one);
  if (OP == FUSED_GE) return v128.and(f32x4.ge(x, y), one);
  if (OP == FUSED_LT) return v128.and(f32x4.lt(x, y), one);
  return v128.and(f32x4.le(x, y), one);
}

/** Two vectors per step (independent, so their latencies overlap). */
@inline function loopBin(OP: i32, d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void {
  const one = vc(ONE); // a load, not a v128.const rebuilt every iteration
  for (; d + 16 < end; d += 32, a += as << 1, b += bs << 1) {
    const x = bin(OP, v128.load(a), v128.load(b), one);
    const y = bin(OP, v128.load(a + as), v128.load(b + bs), one);
    v128.store(d, x);
    v128.store(d, y, 16);
  }
  if (d < end) v128.store(d, bin(OP, v128.load(a), v128.load(b), one));
}

// One function per op, each with the op a literal in its inlined loop (see binaryAdd in
// ./kernels.ts: copies inlined into one function were merged back into one loop testing the op).
function binAdd(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_ADD, d, end, a, as, b, bs); }
function binSub(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_SUB, d, end, a, as, b, bs); }
function binMul(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_MUL, d, end, a, as, b, bs); }
function binDiv(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_DIV, d, end, a, as, b, bs); }
function binMax(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_MAX, d, end, a, as, b, bs); }
function binMin(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_MIN, d, end, a, as, b, bs); }
function binEq(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_EQ, d, end, a, as, b, bs); }
function binNe(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_NE, d, end, a, as, b, bs); }
function binGt(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_GT, d, end, a, as, b, bs); }
function binGe(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_GE, d, end, a, as, b, bs); }
function binLt(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_LT, d, end, a, as, b, bs); }
function binLe(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopBin(FUSED_LE, d, end, a, as, b, bs); }

function runBinary(op: i32, d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void {
  switch (op) {
    case FUSED_ADD: binAdd(d, end, a, as, b, bs); break;
    case FUSED_SUB: binSub(d, end, a, as, b, bs); break;
    case FUSED_MUL: binMul(d, end, a, as, b, bs); break;
    case FUSED_DIV: binDiv(d, end, a, as, b, bs); break;
    case FUSED_MAX: binMax(d, end, a, as, b, bs); break;
    case FUSED_MIN: binMin(d, end, a, as, b, bs); break;
    case FUSED_EQ: binEq(d, end, a, as, b, bs); break;
    case FUSED_NE: binNe(d, end, a, as, b, bs); break;
    case FUSED_GT: binGt(d, end, a, as, b, bs); break;
    case FUSED_GE: binGe(d, end, a, as, b, bs); break;
    case FUSED_LT: binLt(d, end, a, as, b, bs); break;
    default: binLe(d, end, a, as, b, bs);
  }
}

/**
 * f(x) with the eager kernels' bits: neg, abs, sqrt (correctly rounded) and square (x·x) as
 * IEEE ops; relu x > 0 ? x : 0 and sign v > 0 ? 1 : v < 0 ? −1 : v === 0 ? 0 : NaN as the
 * TypeScript kernel has them (so −0 gives +0 for both); sigmoid and tanh as the wasm
 * `activation` kernel (the same sigmoidv/tanhv of ./vecmath.ts).
 */
@inline function una(OP: i32, x: v128, one: v128, minusOne: v128): v128 {
  if (OP == FUSED_NEG) return f32x4.neg(x);
  if (OP == FUSED_ABS) return f32x4.abs(x);
  if (OP == FUSED_SQRT) return f32x4.sqrt(x);
  if (OP == FUSED_SQUARE) return f32x4.mul(x, x);
  if (OP == FUSED_RELU) return reluv(x);
  if (OP == FUSED_SIGN) {
    const zero = f32x4.splat(0);
    const s = v128.or(v128.and(f32x4.gt(x, zero), one), v128.and(f32x4.lt(x, zero), minusOne));
    return v128.bitselect(x, s, f32x4.ne(x, x)); // NaN stays NaN
  }
  if (OP == FUSED_SIGMOID) return sigmoidv(x);
  return tanhv(x);
}

/**
 * Four vectors per step, then one: sigmoid's and tanh's long dependency chains (exp's
 * polynomial, a division) overlap, as in the `activation` kernel; each lane is computed the
 * same way whichever loop takes it.
 */
@inline function loopUna(OP: i32, d: usize, end: usize, a: usize, as: usize): void {
  const one = vc(ONE);
  const minusOne = v128.or(one, vc(SIGN_BIT));
  const as2 = as << 1, as3 = as2 + as;
  for (; d + 48 < end; d += 64, a += as << 2) {
    const x0 = una(OP, v128.load(a), one, minusOne);
    const x1 = una(OP, v128.load(a + as), one, minusOne);
    const x2 = una(OP, v128.load(a + as2), one, minusOne);
    const x3 = una(OP, v128.load(a + as3), one, minusOne);
    v128.store(d, x0);
    v128.store(d, x1, 16);
    v128.store(d, x2, 32);
    v128.store(d, x3, 48);
  }
  for (; d < end; d += 16, a += as) v128.store(d, una(OP, v128.load(a), one, minusOne));
}

function unaNeg(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_NEG, d, end, a, as); }
function unaAbs(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_ABS, d, end, a, as); }
function unaSqrt(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_SQRT, d, end, a, as); }
function unaSquare(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_SQUARE, d, end, a, as); }
function unaRelu(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_RELU, d, end, a, as); }
function unaSign(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_SIGN, d, end, a, as); }
function unaSigmoid(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_SIGMOID, d, end, a, as); }
function unaTanh(d: usize, end: usize, a: usize, as: usize): void { loopUna(FUSED_TANH, d, end, a, as); }

function runUnary(op: i32, d: usize, end: usize, a: usize, as: usize): void {
  switch (op) {
    case FUSED_NEG: unaNeg(d, end, a, as); break;
    case FUSED_ABS: unaAbs(d, end, a, as); break;
    case FUSED_SQRT: unaSqrt(d, end, a, as); break;
    case FUSED_SQUARE: unaSquare(d, end, a, as); break;
    case FUSED_RELU: unaRelu(d, end, a, as); break;
    case FUSED_SIGN: unaSign(d, end, a, as); break;
    case FUSED_SIGMOID: unaSigmoid(d, end, a, as); break;
    default: unaTanh(d, end, a, as);
  }
}

/**
 * g·act′ from the saved output y, in the `activationBackward` kernel's order: sigmoid
 * g·(y·(1 − y)), tanh g·(1 − y·y), relu g where y > 0 else +0.
 */
@inline function grad(OP: i32, g: v128, y: v128, one: v128): v128 {
  if (OP == FUSED_SIGMOIDGRAD) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(one, y)));
  if (OP == FUSED_TANHGRAD) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
  return v128.and(g, f32x4.gt(y, f32x4.splat(0)));
}

@inline function loopGrad(OP: i32, d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void {
  const one = vc(ONE);
  for (; d + 16 < end; d += 32, a += as << 1, b += bs << 1) {
    const x = grad(OP, v128.load(a), v128.load(b), one);
    const y = grad(OP, v128.load(a + as), v128.load(b + bs), one);
    v128.store(d, x);
    v128.store(d, y, 16);
  }
  if (d < end) v128.store(d, grad(OP, v128.load(a), v128.load(b), one));
}

function gradSigmoid(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopGrad(FUSED_SIGMOIDGRAD, d, end, a, as, b, bs); }
function gradTanh(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopGrad(FUSED_TANHGRAD, d, end, a, as, b, bs); }
function gradRelu(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { loopGrad(FUSED_RELUGRAD, d, end, a, as, b, bs); }

function runGrad(op: i32, d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void {
  if (op == FUSED_SIGMOIDGRAD) gradSigmoid(d, end, a, as, b, bs);
  else if (op == FUSED_TANHGRAD) gradTanh(d, end, a, as, b, bs);
  else gradRelu(d, end, a, as, b, bs);
}
