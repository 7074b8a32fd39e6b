// The fused elementwise kernel (AssemblyScript): one call runs a short program of float32
// elementwise ops over an outer×inner grid, as src/autograd/compile fuses a chain of them.
//
// Why: run one op at a time and every intermediate is a full array, written to memory by one
// kernel and read back by the next (a 256×256 chain of four ops moves 1.5 MB instead of
// 0.5 MB, and pays four calls). Here the grid is walked in chunks of up to FUSED_TILE
// floats, and for each chunk every instruction runs in turn as a tight vector loop over the
// chunk, into registers: FUSED_TILE-float tiles of scratch that stay in L1. Only the store
// instruction writes to an operand. The op is dispatched once per instruction per chunk, not
// per element.
//
// Chunks: without row or col operands the grid is one long row. With them, a chunk is part
// of one row when rows are long (inner > FUSED_TILE/8), else as many whole rows as fit: the
// row operands are then read from a tile holding the row repeated that many times (built
// once per call) and the col operands from a tile holding each row's value repeated along
// its row (built per chunk), so a batch of 10 rows of 30 is one chunk, not ten.
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
//             A compute op may carry the flag FUSED_DIRECT (see constants.json): then the
//             next instruction stores its register, and the result goes straight there.
//   operands  nOperands (≤ FUSED_MAX_OPERANDS) pairs of i32: byte address and mode.
//   scratch   16-byte aligned: FUSED_MAX_OPERANDS views (where each operand's chunk starts,
//             and its step), as many splat vectors (a col or scalar operand's value in all
//             four lanes), then one tile of TILE_STRIDE bytes per operand (used by row and col
//             operands when chunks are whole rows), then the registers the program writes,
//             FUSED_TILE floats each.
// Reads of full and row operands are whole vectors, so they may read up to 3 floats past the
// operand's end (the caller keeps them readable); the lanes past a chunk's end are computed
// on garbage and never stored.

import {
  FUSED_ABS, FUSED_ADD, FUSED_DIRECT, FUSED_DIV, FUSED_EQ, FUSED_GE, FUSED_GT, FUSED_LE, FUSED_LT,
  FUSED_MAX, FUSED_MAX_OPERANDS, FUSED_MIN, FUSED_MUL, FUSED_NE, FUSED_NEG, FUSED_RELU,
  FUSED_RELUGRAD, FUSED_SIGMOID, FUSED_SIGMOIDGRAD, FUSED_SIGN, FUSED_SQRT, FUSED_SQUARE,
  FUSED_STORE, FUSED_SUB, FUSED_TANH, FUSED_TANHGRAD, FUSED_TILE,
  MODE_COL, MODE_FULL, MODE_ROW, MODE_SCALAR,
} from './constants';
import { ONE, reluv, sigmoidv, SIGN_BIT, tanhv, vc } from './vecmath';

/** Bytes of one register. */
const REG_BYTES: usize = <usize>FUSED_TILE * 4;
/** Bytes of one row or col tile: FUSED_TILE floats and the vector a fill may run past them. */
const TILE_STRIDE: usize = <usize>FUSED_TILE * 4 + 16;

/**
 * Runs the `count` instructions at `code` over the outer×inner grid (see the file comment for
 * the layout of code, operands and scratch). The caller has validated the program: known ops,
 * registers in range and written before read, operands in range, stores to full operands.
 */
export function elementwiseProgram(code: usize, count: i32, operands: usize, nOperands: i32, outer: i32, inner: i32, scratch: usize): void {
  if (outer <= 0 || inner <= 0) return;
  const views = (scratch + 15) & ~(<usize>15); // per operand: chunk address (u32), step (u32)
  const splats = views + <usize>FUSED_MAX_OPERANDS * 8;
  const tiles = splats + <usize>FUSED_MAX_OPERANDS * 16;
  const regs = tiles + <usize>nOperands * TILE_STRIDE;
  let rowwise = false;
  for (let k = 0; k < nOperands; k++) {
    const mode = load<i32>(operands + (<usize>k << 3), 4);
    if (mode == MODE_ROW || mode == MODE_COL) rowwise = true;
  }
  if (!rowwise) {
    // The rows are alike: one long row makes the chunks full.
    inner *= outer;
    outer = 1;
  }
  // Whole rows per chunk, or 0 when a chunk is part of a row: only for short rows, where the
  // dispatch per row dominates (4096×16: 71 → 12 µs a call); a col operand's tile costs a
  // pass over the chunk to fill, which longer rows do not repay.
  const rowsPer = rowwise && inner <= FUSED_TILE / 8 ? FUSED_TILE / inner : 0;
  // The operands the program reads (a col tile is filled only for those).
  let read: u32 = 0;
  for (let i = 0; i < count; i++) {
    const ins = code + (<usize>i << 4);
    const op = load<i32>(ins) & ~FUSED_DIRECT;
    const sa = load<i32>(ins, 8), sb = load<i32>(ins, 12);
    if (sa < 0) read |= 1 << (-sa - 1);
    if (sb < 0 && op != FUSED_STORE && (op < FUSED_NEG || op > FUSED_TANH)) read |= 1 << (-sb - 1);
  }
  for (let k = 0; k < nOperands; k++) {
    const at = operands + (<usize>k << 3);
    const p = <usize>load<u32>(at);
    const mode = load<i32>(at, 4);
    const view = views + (<usize>k << 3);
    const splat = splats + (<usize>k << 4);
    if (mode == MODE_SCALAR) {
      v128.store(splat, v128.load32_splat(p));
      setView(view, splat, 0);
    } else if (mode == MODE_ROW && rowsPer > 0) {
      const tile = tiles + <usize>k * TILE_STRIDE;
      if ((read & (1 << k)) != 0) fillRows(tile, p, <usize>inner << 2, <usize>(rowsPer * inner) << 2);
      setView(view, tile, 16);
    } else if (mode == MODE_COL && rowsPer > 0) {
      setView(view, tiles + <usize>k * TILE_STRIDE, 16);
    } else if (mode == MODE_COL) {
      setView(view, splat, 0);
    } else {
      setView(view, p, 16); // full, and row within a row: moved per chunk
    }
  }
  if (rowsPer > 0) {
    for (let r0 = 0; r0 < outer; r0 += rowsPer) {
      const rows = min(rowsPer, outer - r0);
      for (let k = 0; k < nOperands; k++) {
        const at = operands + (<usize>k << 3);
        const mode = load<i32>(at, 4);
        if (mode == MODE_COL && (read & (1 << k)) != 0) fillCol(tiles + <usize>k * TILE_STRIDE, <usize>load<u32>(at) + (<usize>r0 << 2), rows, inner);
        else if (mode == MODE_FULL) store<u32>(views + (<usize>k << 3), load<u32>(at) + ((<u32>r0 * <u32>inner) << 2));
      }
      chunk(code, count, views, regs, rows * inner);
    }
    return;
  }
  for (let r = 0; r < outer; r++) {
    for (let j0 = 0; j0 < inner; j0 += FUSED_TILE) {
      for (let k = 0; k < nOperands; k++) {
        const at = operands + (<usize>k << 3);
        const mode = load<i32>(at, 4);
        const p = <usize>load<u32>(at);
        const view = views + (<usize>k << 3);
        if (mode == MODE_FULL) store<u32>(view, p + ((<usize>r * <usize>inner + <usize>j0) << 2));
        else if (mode == MODE_ROW) store<u32>(view, p + (<usize>j0 << 2));
        else if (mode == MODE_COL && j0 == 0) v128.store(splats + (<usize>k << 4), v128.load32_splat(p + (<usize>r << 2)));
      }
      chunk(code, count, views, regs, min(FUSED_TILE, inner - j0));
    }
  }
}

@inline function setView(view: usize, p: usize, step: usize): void {
  store<u32>(view, p);
  store<u32>(view, step, 4);
}

/** Fills `total` bytes of a row operand's tile with its row (`rowBytes` at p) repeated, doubling the copy. */
function fillRows(tile: usize, p: usize, rowBytes: usize, total: usize): void {
  memory.copy(tile, p, rowBytes);
  for (let filled = rowBytes; filled < total; filled <<= 1) memory.copy(tile + filled, tile, min(filled, total - filled));
}

/**
 * Fills a col operand's tile for `rows` whole rows of `inner`: each row's value (from col,
 * one float per row) repeated along its row. Whole vectors: a row's last one runs up to 3
 * floats into the next row, which the next fill overwrites (the last into the tile's slack).
 */
function fillCol(tile: usize, col: usize, rows: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  for (let i = 0; i < rows; i++, tile += rowBytes, col += 4) {
    const v = v128.load32_splat(col);
    const end = tile + rowBytes;
    for (let p = tile; p < end; p += 16) v128.store(p, v);
  }
}

/** Runs every instruction over one chunk of `len` elements, whose operands `views` locates. */
function chunk(code: usize, count: i32, views: usize, regs: usize, len: i32): void {
  const vecBytes = <usize>((len + 3) & ~3) << 2;
  for (let i = 0; i < count; i++) {
    const ins = code + (<usize>i << 4);
    const word = load<i32>(ins);
    const op = word & ~FUSED_DIRECT;
    const dst = load<i32>(ins, 4);
    const sa = load<i32>(ins, 8);
    const sb = load<i32>(ins, 12);
    const pa = source(sa, views, regs);
    const as = step(sa, views);
    if (op == FUSED_STORE) {
      storeChunk(<usize>load<u32>(views + (<usize>dst << 3)), pa, as, len);
      continue;
    }
    const unary = op >= FUSED_NEG && op <= FUSED_TANH;
    const pb = unary ? 0 : source(sb, views, regs);
    const bs = unary ? 0 : step(sb, views);
    const d = regs + <usize>dst * REG_BYTES;
    if ((word & FUSED_DIRECT) == 0) {
      run(op, unary, d, d + vecBytes, pa, as, pb, bs);
      continue;
    }
    // Straight into the operand the next instruction stores to: its whole vectors there, the
    // last partial vector through the register, then only its real lanes copied (writing a
    // whole vector could clobber elements of the operand a later chunk still reads).
    const o = <usize>load<u32>(views + (<usize>load<i32>(ins, 20) << 3));
    const whole = <usize>(len & ~3) << 2;
    if (whole > 0) run(op, unary, o, o + whole, pa, as, pb, bs);
    if ((len & 3) != 0) {
      run(op, unary, d + whole, d + whole + 16, as != 0 ? pa + whole : pa, as, bs != 0 ? pb + whole : pb, bs);
      memory.copy(o + whole, d + whole, <usize>(len & 3) << 2);
    }
    i++; // the store is done
  }
}

@inline function run(op: i32, unary: bool, d: usize, end: usize, pa: usize, as: usize, pb: usize, bs: usize): void {
  if (unary) runUnary(op, d, end, pa, as);
  else runBinary(op, d, end, pa, as, pb, bs);
}

/** Where source `s`'s chunk starts: a register, or the operand's view. */
@inline function source(s: i32, views: usize, regs: usize): usize {
  if (s >= 0) return regs + <usize>s * REG_BYTES;
  return <usize>load<u32>(views + (<usize>(-s - 1) << 3));
}

/** Bytes between source `s`'s vectors: 16, or 0 for a splat. */
@inline function step(s: i32, views: usize): usize {
  if (s >= 0) return 16;
  return <usize>load<u32>(views + (<usize>(-s - 1) << 3), 4);
}

/** Writes exactly `len` floats of the source at a (a splat when `as` is 0) to o. */
function storeChunk(o: usize, a: usize, as: usize, len: i32): void {
  if (as != 0) {
    // A register or an operand's chunk: a memmove (it may be the same memory, stored back).
    memory.copy(o, a, <usize>len << 2);
    return;
  }
  const whole = o + (<usize>(len & ~3) << 2);
  const end = o + (<usize>len << 2);
  for (; o < whole; o += 16, a += as) v128.store(o, v128.load(a));
  // The tail lanes sit at a, a+4, a+8 whether a steps by 16 or is a splat (stride 0).
  for (let t: usize = 0; o < end; o += 4, t += 4) store<f32>(o, load<f32>(a + t));
}

// ---------------------------------------------------------------------------------------
// The ops. Each loop runs whole vectors from d to end (a multiple of 16 bytes). A source
// steps 16 bytes a vector, or 0 for a splat, whose one vector is loaded before the loop. Each
// op's function picks the loop for its sources' steps; in the loops `OP` and the steps `AS`,
// `BS` are literals, so their branches fold and the loads take immediate offsets.

/**
 * x ∘ y for the binary ops, with the TypeScript kernel's semantics
 * (src/autograd/kernels/elementwise.ts): IEEE add/sub/mul/div (correctly rounded, so
 * JavaScript's double-then-round gives the same bits); max as x >= y ? x : y and min as
 * x <= y ? x : y (not f32x4.max/min, whose NaN and ±0 rules differ: here a NaN y wins, a NaN
 * x loses, and ties keep x); comparisons 1 or 0. For the gradients, g·act′ from the saved
 * output y in the `activationBackward` kernel's order: sigmoid g·(y·(1 − y)), tanh
 * g·(1 − y·y), relu g where y > 0 else +0.
 */
@inline function two(OP: i32, x: v128, y: v128, one: v128): v128 {
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
  if (OP == FUSED_LE) return v128.and(f32x4.le(x, y), one);
  if (OP == FUSED_SIGMOIDGRAD) return f32x4.mul(x, f32x4.mul(y, f32x4.sub(one, y)));
  if (OP == FUSED_TANHGRAD) return f32x4.mul(x, f32x4.sub(one, f32x4.mul(y, y)));
  return v128.and(x, f32x4.gt(y, f32x4.splat(0))); // FUSED_RELUGRAD
}

/** Vector `OFF` (a literal) of a source stepping `S` bytes: a load, or the splat for S = 0. */
@inline function at(S: usize, p: usize, OFF: usize, splat: v128): v128 {
  if (S == 0) return splat;
  if (OFF == 0) return v128.load(p);
  if (OFF == 16) return v128.load(p, 16);
  if (OFF == 32) return v128.load(p, 32);
  return v128.load(p, 48);
}

/** A two-source op with steps AS, BS: four vectors per step (their latencies overlap), then one. */
@inline function loopTwo(OP: i32, AS: usize, BS: usize, d: usize, end: usize, a: usize, b: usize): void {
  const one = vc(ONE); // a load, not a v128.const rebuilt every iteration
  const sa = v128.load(a), sb = v128.load(b);
  for (; d + 48 < end; d += 64, a += AS << 2, b += BS << 2) {
    const x0 = two(OP, at(AS, a, 0, sa), at(BS, b, 0, sb), one);
    const x1 = two(OP, at(AS, a, 16, sa), at(BS, b, 16, sb), one);
    const x2 = two(OP, at(AS, a, 32, sa), at(BS, b, 32, sb), one);
    const x3 = two(OP, at(AS, a, 48, sa), at(BS, b, 48, sb), one);
    v128.store(d, x0);
    v128.store(d, x1, 16);
    v128.store(d, x2, 32);
    v128.store(d, x3, 48);
  }
  for (; d < end; d += 16, a += AS, b += BS) v128.store(d, two(OP, at(AS, a, 0, sa), at(BS, b, 0, sb), one));
}

@inline function runTwo(OP: i32, d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void {
  if (as != 0) {
    if (bs != 0) loopTwo(OP, 16, 16, d, end, a, b);
    else loopTwo(OP, 16, 0, d, end, a, b);
  } else if (bs != 0) {
    loopTwo(OP, 0, 16, d, end, a, b);
  } else {
    loopTwo(OP, 0, 0, d, end, a, b);
  }
}

// One function per op, each with the op a literal in its inlined loops (see binaryAdd in
// ./kernels.ts: copies inlined into one function were merged back into one loop testing the op).
function binAdd(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_ADD, d, end, a, as, b, bs); }
function binSub(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_SUB, d, end, a, as, b, bs); }
function binMul(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_MUL, d, end, a, as, b, bs); }
function binDiv(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_DIV, d, end, a, as, b, bs); }
function binMax(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_MAX, d, end, a, as, b, bs); }
function binMin(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_MIN, d, end, a, as, b, bs); }
function binEq(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_EQ, d, end, a, as, b, bs); }
function binNe(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_NE, d, end, a, as, b, bs); }
function binGt(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_GT, d, end, a, as, b, bs); }
function binGe(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_GE, d, end, a, as, b, bs); }
function binLt(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_LT, d, end, a, as, b, bs); }
function binLe(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_LE, d, end, a, as, b, bs); }
function gradSigmoid(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_SIGMOIDGRAD, d, end, a, as, b, bs); }
function gradTanh(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_TANHGRAD, d, end, a, as, b, bs); }
function gradRelu(d: usize, end: usize, a: usize, as: usize, b: usize, bs: usize): void { runTwo(FUSED_RELUGRAD, d, end, a, as, b, bs); }

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
    case FUSED_LE: binLe(d, end, a, as, b, bs); break;
    case FUSED_SIGMOIDGRAD: gradSigmoid(d, end, a, as, b, bs); break;
    case FUSED_TANHGRAD: gradTanh(d, end, a, as, b, bs); break;
    default: gradRelu(d, end, a, as, b, bs);
  }
}

/**
 * f(x) with the eager kernels' bits: neg, abs, sqrt (correctly rounded) and square (x·x) as
 * IEEE ops; relu x > 0 ? x : 0 and sign v > 0 ? 1 : v < 0 ? −1 : v === 0 ? 0 : NaN as the
 * TypeScript kernel has them (so −0 gives +0 for both); sigmoid and tanh as the wasm
 * `activation` kernel (the same sigmoidv/tanhv of ./vecmath.ts).
 */
@inline function one(OP: i32, x: v128, one: v128, minusOne: v128): v128 {
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
 * A one-source op: four vectors per step, then one (for sigmoid and tanh the overlap of their
 * long dependency chains is what the `activation` kernel measured); each lane is computed the
 * same way whichever loop takes it. A splat source is computed once.
 */
@inline function runOne(OP: i32, d: usize, end: usize, a: usize, as: usize): void {
  const c1 = vc(ONE);
  const m1 = v128.or(c1, vc(SIGN_BIT));
  if (as == 0) {
    const v = one(OP, v128.load(a), c1, m1);
    for (; d < end; d += 16) v128.store(d, v);
    return;
  }
  for (; d + 48 < end; d += 64, a += 64) {
    const x0 = one(OP, v128.load(a), c1, m1);
    const x1 = one(OP, v128.load(a, 16), c1, m1);
    const x2 = one(OP, v128.load(a, 32), c1, m1);
    const x3 = one(OP, v128.load(a, 48), c1, m1);
    v128.store(d, x0);
    v128.store(d, x1, 16);
    v128.store(d, x2, 32);
    v128.store(d, x3, 48);
  }
  for (; d < end; d += 16, a += 16) v128.store(d, one(OP, v128.load(a), c1, m1));
}

function unaNeg(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_NEG, d, end, a, as); }
function unaAbs(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_ABS, d, end, a, as); }
function unaSqrt(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_SQRT, d, end, a, as); }
function unaSquare(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_SQUARE, d, end, a, as); }
function unaRelu(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_RELU, d, end, a, as); }
function unaSign(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_SIGN, d, end, a, as); }
function unaSigmoid(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_SIGMOID, d, end, a, as); }
function unaTanh(d: usize, end: usize, a: usize, as: usize): void { runOne(FUSED_TANH, d, end, a, as); }

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
