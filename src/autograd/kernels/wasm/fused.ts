/**
 * The fused elementwise kernel (assembly/fused.ts, `elementwiseProgram`): one call runs a short
 * program of float32 elementwise ops over an outer×inner grid, chunk by chunk, with the
 * intermediates in L1-sized register tiles instead of full arrays. src/autograd/compile
 * turns a chain of elementwise ops of a traced step into such a program; this wrapper checks
 * it, places its operands and runs it. It is called on every replay of a compiled step, so
 * the checks are a few integer tests per instruction and operand, and nothing is allocated
 * per call (the tables below are reused).
 *
 * Isomorphic: no Node-only APIs.
 */
import { modeLength } from './checks.js';
import {
  FUSED_DIRECT,
  FUSED_MAX_INSTRUCTIONS,
  FUSED_MAX_OPERANDS,
  FUSED_MAX_REGISTERS,
  FUSED_TILE,
  WasmFusedOp,
  WasmOperandMode,
  type WasmOperandModeCode,
} from './constants.js';
import { openScratch } from './memory.js';

const FN = 'fusedElementwiseF32';

/** What an op code is: 0 unknown, else one of these. */
const BINARY = 1,
  UNARY = 2,
  GRAD = 3,
  STORE = 4;

/** Kind of each op code below 32 (the codes of {@link WasmFusedOp}), and its name for errors. */
const KIND = new Uint8Array(32);
const NAMES: string[] = [];
for (const [name, code] of Object.entries(WasmFusedOp)) {
  KIND[code] = code === WasmFusedOp.store ? STORE : code < 16 ? BINARY : code < 24 ? UNARY : GRAD;
  NAMES[code] = name;
}
const MODE_NAMES = ['full', 'row', 'col', 'scalar'];

// Module-level copies of the imported constants used per call: an imported binding may be a
// getter under some loaders (tsx's), and reading them in the per-call loops was a fifth of a
// call's time in a profile.
const FULL: number = WasmOperandMode.full,
  ROW: number = WasmOperandMode.row,
  COL: number = WasmOperandMode.col,
  SCALAR: number = WasmOperandMode.scalar;
const STORE_CODE: number = WasmFusedOp.store,
  DIRECT = FUSED_DIRECT;
const MAX_INSTRUCTIONS = FUSED_MAX_INSTRUCTIONS,
  MAX_OPERANDS = FUSED_MAX_OPERANDS,
  MAX_REGISTERS = FUSED_MAX_REGISTERS;
/**
 * Bytes of the operand table (address and mode per operand); of the kernel's scratch: its
 * per-operand views and splat vectors, one tile per operand (FUSED_TILE floats and a vector),
 * and one register (see assembly/fused.ts for the layout).
 */
const TABLE_BYTES = FUSED_MAX_OPERANDS * 8,
  VIEW_BYTES = FUSED_MAX_OPERANDS * 8 + FUSED_MAX_OPERANDS * 16,
  TILE_BYTES = FUSED_TILE * 4 + 16,
  REGISTER_BYTES = FUSED_TILE * 4;

/** Byte address of each operand in wasm memory for the call in progress. */
const addresses = new Float64Array(FUSED_MAX_OPERANDS);
/** An Int32Array view of the arena's memory for the code and operand tables (replaced when the memory is). */
let words: Int32Array | null = null;

/**
 * Runs `code`, a program of elementwise float32 ops, over an outer×inner grid in one call.
 *
 * `code` holds instructions of four ints, `[op, dst, a, b]`, with `op` a {@link WasmFusedOp}
 * code. A source `s` (`a`, and `b` for binary ops and gradients) is register `s` when
 * `s >= 0` (0 to `FUSED_MAX_REGISTERS − 1`), else operand `−s − 1`. Compute ops write
 * register `dst`: binary ops `a ∘ b` (add…le; comparisons give 1 or 0), unary ops `f(a)`
 * (neg…tanh; `b` ignored), gradients `a·act′` from the activation's saved output `b`
 * (sigmoidGrad, tanhGrad, reluGrad). `store` writes source `a` into operand `dst`, which must
 * have mode full (`b` ignored). At most `FUSED_MAX_INSTRUCTIONS` instructions and
 * `FUSED_MAX_OPERANDS` operands.
 *
 * `operands[k]` is laid out as `modes[k]` says ({@link WasmOperandMode}: full outer·inner
 * values row-major, row inner values repeated for every row, col outer values one per row,
 * scalar one value), with exactly that many elements (as `binaryF32` requires).
 *
 * The result is bit for bit what running each instruction in order over the whole grid into
 * full arrays gives with the engine's eager float32 kernels (NaN payloads aside): IEEE ops for
 * add/sub/mul/div/neg/abs/sqrt/square, the TypeScript kernels' max, min, comparisons, relu
 * and sign, the wasm `activation` kernel's sigmoid and tanh, and `activationBackward`'s
 * gradients. A stored operand may be the same array as (or an identical view of) a full
 * operand the program reads, also one read after the store; it must not share memory with a
 * row, col or scalar operand or another stored operand (checked: a RangeError).
 *
 * Resident operands (`residentF32`) are read and written in place; others are copied into
 * wasm memory and stored ones copied back. Throws a RangeError or TypeError naming
 * `fusedElementwiseF32` and the fault for an unknown op, a register out of range or read
 * before it is written, an operand index out of range, an operand of the wrong length for its
 * mode, a store to an operand that is not full, or too many instructions or operands.
 *
 * @example
 * import { WasmFusedOp, WasmOperandMode, fusedElementwiseF32 } from './src/autograd/kernels/wasm/index.js';
 *
 * // y = sigmoid(x·w + b) for x [2×3] with w a row and b a column, in one call:
 * const op = WasmFusedOp, mode = WasmOperandMode;
 * const x = new Float32Array([1, 2, 3, 4, 5, 6]), w = new Float32Array([1, 0, -1]);
 * const b = new Float32Array([0.5, -0.5]), y = new Float32Array(6);
 * const code = new Int32Array([op.mul, 0, -1, -2, op.add, 0, 0, -3, op.sigmoid, 0, 0, 0, op.store, 3, 0, 0]);
 * fusedElementwiseF32(code, [x, w, b, y], [mode.full, mode.row, mode.col, mode.full], 2, 3);
 */
export function fusedElementwiseF32(
  code: Int32Array,
  operands: readonly Float32Array[],
  modes: readonly WasmOperandModeCode[],
  outer: number,
  inner: number,
): void {
  if (!(code instanceof Int32Array)) throw new TypeError(`${FN}: code must be an Int32Array`);
  if (code.length % 4 !== 0) throw new RangeError(`${FN}: code must hold whole instructions of 4 ints, got ${code.length} ints`);
  const count = code.length >> 2;
  if (count > MAX_INSTRUCTIONS) {
    throw new RangeError(`${FN}: a program has at most ${MAX_INSTRUCTIONS} instructions, got ${count}`);
  }
  const nOps = operands.length;
  if (nOps > MAX_OPERANDS) throw new RangeError(`${FN}: a program has at most ${MAX_OPERANDS} operands, got ${nOps}`);
  if (modes.length !== nOps) throw new RangeError(`${FN}: ${nOps} operands but ${modes.length} modes`);
  if (!Number.isInteger(outer) || outer < 0) throw new RangeError(`${FN}: outer must be a non-negative integer, got ${outer}`);
  if (!Number.isInteger(inner) || inner < 0) throw new RangeError(`${FN}: inner must be a non-negative integer, got ${inner}`);
  const size = outer * inner;
  let bytes = 0;
  for (let k = 0; k < nOps; k++) {
    const arr = operands[k];
    if (!(arr instanceof Float32Array)) throw new TypeError(`${FN}: operand ${k} must be a Float32Array`);
    const mode = modes[k];
    const len = mode === FULL ? size : mode === ROW ? inner : mode === COL ? outer : mode === SCALAR ? 1 : -1;
    if (len < 0) modeLength(FN, `modes[${k}]`, mode, outer, inner); // throws, naming the codes
    if (arr.length !== len) {
      throw new RangeError(`${FN}: operand ${k} (mode ${MODE_NAMES[mode]}) must have ${len} elements, got ${arr.length}`);
    }
    bytes += ((len + 3) & ~3) * 4; // vecBytes: lengths here are below 2^31
  }
  checkProgram(code, count, modes);
  const written = program.written,
    read = program.read,
    stored = program.stored;
  const aliased = stored === 0 ? 0 : checkOverlaps(operands, modes, stored);
  if (size === 0 || count === 0) return;

  // Registers 0..regs−1 get a tile each; the code and operand tables go first.
  const regs = 32 - Math.clz32(written);
  const work = VIEW_BYTES + nOps * TILE_BYTES + regs * REGISTER_BYTES;
  // + 16: a full or row operand's last vector may read 3 floats past a scratch slot's end.
  const s = openScratch(FN, count * 16 + TABLE_BYTES + work + bytes + 16);
  const C = s.slotBytes(count * 16);
  const T = s.slotBytes(TABLE_BYTES);
  const S = s.slotBytes(work);
  for (let k = 0; k < nOps; k++) {
    const arr = operands[k];
    const r = s.resident(arr);
    if (r >= 0) {
      addresses[k] = r; // in place; identical resident operands get the same address
      continue;
    }
    const same = identicalBefore(operands, k);
    if (same >= 0) {
      // The same memory: one place, so a store is seen by the other name too.
      addresses[k] = addresses[same];
      continue;
    }
    const bit = 1 << k;
    // A stored operand the program never reads (under any name) need not be copied in.
    const load = (stored & bit) === 0 || ((read | aliased) & bit) !== 0;
    addresses[k] = s.place(arr, 0, arr.length, load);
  }
  if (words === null || words.buffer !== s.buffer) words = new Int32Array(s.buffer);
  const w = words;
  w.set(code, C >>> 2);
  markDirect(code, count, w, C >>> 2);
  const t = T >>> 2;
  for (let k = 0; k < nOps; k++) {
    w[t + 2 * k] = addresses[k];
    w[t + 2 * k + 1] = modes[k];
  }
  s.x.elementwiseProgram(C, count, T, nOps, outer, inner, S);
  for (let k = 0; k < nOps; k++) {
    if ((stored & (1 << k)) !== 0) s.give(addresses[k], operands[k], 0, operands[k].length);
  }
}

/**
 * Flags (FUSED_DIRECT, in the kernel's copy `w` of the code from word `at`) each compute op
 * whose next instruction stores its register when no later instruction reads that register
 * before writing it again: the kernel then writes the result straight into the stored operand
 * and skips the copy through the register (one pass less over the chunk).
 */
function markDirect(code: Int32Array, count: number, w: Int32Array, at: number): void {
  for (let i = 1; i < count; i++) {
    const r = code[4 * i + 2];
    if (code[4 * i] !== STORE_CODE || r < 0) continue;
    const prev = code[4 * (i - 1)];
    if (prev === STORE_CODE || code[4 * (i - 1) + 1] !== r || !deadAfter(code, count, i + 1, r)) continue;
    w[at + 4 * (i - 1)] = prev | DIRECT;
  }
}

/** Whether register r is written before it is read from instruction `from` on (or never read). */
function deadAfter(code: Int32Array, count: number, from: number, r: number): boolean {
  for (let j = from; j < count; j++) {
    const op = code[4 * j],
      kind = KIND[op];
    if (code[4 * j + 2] === r || ((kind === BINARY || kind === GRAD) && code[4 * j + 3] === r)) return false;
    if (kind !== STORE && code[4 * j + 1] === r) return true;
  }
  return true;
}

/** What the last {@link checkProgram} found, as bit masks (one object, reused: no allocation per call). */
const program = { written: 0, read: 0, stored: 0 };

/**
 * Checks every instruction of `code`, throwing naming the instruction and its fault, and
 * records in {@link program} the registers written, the operands read and those stored.
 */
function checkProgram(code: Int32Array, count: number, modes: readonly number[]): void {
  const nOps = modes.length;
  let written = 0,
    read = 0,
    stored = 0;
  for (let i = 0; i < count; i++) {
    const op = code[4 * i],
      dst = code[4 * i + 1],
      a = code[4 * i + 2],
      b = code[4 * i + 3];
    const kind = op >= 0 && op < 32 ? KIND[op] : 0;
    if (kind === 0) throw new RangeError(`${FN}: instruction ${i} has unknown op ${op}`);
    read |= checkSource(i, op, 'a', a, written, nOps);
    if (kind === BINARY || kind === GRAD) read |= checkSource(i, op, 'b', b, written, nOps);
    if (kind === STORE) {
      if (dst < 0 || dst >= nOps) {
        throw new RangeError(`${FN}: instruction ${i} (store) stores to operand ${dst}, out of range for ${nOps} operands`);
      }
      if (modes[dst] !== FULL) {
        throw new RangeError(`${FN}: instruction ${i} (store) stores to operand ${dst}, whose mode is ${MODE_NAMES[modes[dst]]}, not full`);
      }
      stored |= 1 << dst;
    } else {
      if (dst < 0 || dst >= MAX_REGISTERS) {
        throw new RangeError(`${FN}: instruction ${i} (${NAMES[op]}) writes register ${dst}, out of range 0..${FUSED_MAX_REGISTERS - 1}`);
      }
      written |= 1 << dst;
    }
  }
  program.written = written;
  program.read = read;
  program.stored = stored;
}

/** Checks source `s` (named `name`) of instruction `i`; returns the bit of the operand it reads (0 for a register). */
function checkSource(i: number, op: number, name: string, s: number, written: number, nOps: number): number {
  if (s >= 0) {
    if (s >= MAX_REGISTERS) {
      throw new RangeError(`${FN}: instruction ${i} (${NAMES[op]}) reads register ${s} as ${name}, out of range 0..${FUSED_MAX_REGISTERS - 1}`);
    }
    if ((written & (1 << s)) === 0) {
      throw new RangeError(`${FN}: instruction ${i} (${NAMES[op]}) reads register ${s} as ${name} before any instruction writes it`);
    }
    return 0;
  }
  const k = -s - 1;
  if (k >= nOps) {
    throw new RangeError(`${FN}: instruction ${i} (${NAMES[op]}) reads operand ${k} (source ${s}) as ${name}, out of range for ${nOps} operands`);
  }
  return 1 << k;
}

/** Whether operands j and k view exactly the same elements. */
function identical(x: Float32Array, y: Float32Array): boolean {
  // The cheap tests first: byteOffset and length usually tell views apart.
  return x === y || (x.byteOffset === y.byteOffset && x.length === y.length && x.buffer === y.buffer);
}

/** The first operand before k that views exactly operand k's elements, or −1. */
function identicalBefore(operands: readonly Float32Array[], k: number): number {
  for (let j = 0; j < k; j++) if (identical(operands[j], operands[k])) return j;
  return -1;
}

/**
 * Checks that no stored operand shares memory with another operand, except an identical full
 * one (which then names the same elements: allowed). Returns the operands in such pairs.
 */
function checkOverlaps(operands: readonly Float32Array[], modes: readonly number[], stored: number): number {
  let aliased = 0;
  for (let s = 0; stored >>> s !== 0; s++) {
    if ((stored & (1 << s)) === 0) continue;
    const x = operands[s];
    const x0 = x.byteOffset,
      x1 = x0 + x.byteLength;
    for (let k = 0; k < operands.length; k++) {
      const y = operands[k];
      const y0 = y.byteOffset;
      // Disjoint byte ranges first (cheap), then whether they are ranges of one buffer.
      if (k === s || !(x0 < y0 + y.byteLength && y0 < x1) || y.buffer !== x.buffer) continue;
      if ((stored & (1 << k)) !== 0) throw new RangeError(`${FN}: stored operands ${s} and ${k} share memory`);
      if (modes[k] !== FULL || !identical(x, y)) {
        throw new RangeError(
          `${FN}: stored operand ${s} shares memory with operand ${k} (mode ${MODE_NAMES[modes[k]]}); only an identical full operand may`,
        );
      }
      aliased |= (1 << s) | (1 << k);
    }
  }
  return aliased;
}
