/**
 * Argument checks of the wasm kernel wrappers (and src/threads): each throws naming the
 * function and the argument that was wrong, before anything touches wasm memory.
 */
import { WasmActivation, WasmBinaryOp, WasmOperandMode } from './constants.js';

/** Throws a RangeError naming `fn` unless `v` is a non-negative integer. */
export function checkDim(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
}

/** Throws naming `fn` unless `arr` is a Float32Array holding `len` elements from `off`. */
export function checkSpan(fn: string, name: string, arr: Float32Array, off: number, len: number): void {
  if (!(arr instanceof Float32Array)) throw new TypeError(`${fn}: ${name} must be a Float32Array`);
  if (!Number.isInteger(off) || off < 0 || off + len > arr.length) {
    throw new RangeError(`${fn}: ${name} needs ${len} elements from offset ${off} but has length ${arr.length}`);
  }
}

/** Throws naming `fn` unless m, k, n are sizes and a, b, out hold their m×k, k×n, m×n floats. */
export function checkMatmulArgs(
  fn: string,
  out: Float32Array,
  outOff: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  m: number,
  k: number,
  n: number,
): void {
  checkDim(fn, 'm', m);
  checkDim(fn, 'k', k);
  checkDim(fn, 'n', n);
  checkSpan(fn, 'a', a, aOff, m * k);
  checkSpan(fn, 'b', b, bOff, k * n);
  checkSpan(fn, 'out', out, outOff, m * n);
}

/** Checks that x and y (and z, if given) are Float32Arrays of one length; returns it. */
export function checkSame(fn: string, names: string, x: Float32Array, y: Float32Array, z?: Float32Array): number {
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || (z !== undefined && !(z instanceof Float32Array))) {
    throw new TypeError(`${fn}: ${names} must be Float32Arrays`);
  }
  const n = x.length;
  if (y.length !== n || (z !== undefined && z.length !== n)) {
    const lengths = z === undefined ? [n, y.length] : [n, y.length, z.length];
    throw new RangeError(`${fn}: ${names} must have equal lengths, got ${lengths.join(' vs ')}`);
  }
  return n;
}

/** Throws a RangeError naming `fn` and `name` unless `v` is finite. */
export function checkFinite(fn: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name} must be finite, got ${v}`);
}

/** A code group's names indexed by code, and its codes spelled out for an error message. */
function codeTable(group: Readonly<Record<string, number>>): { names: string[]; choices: string } {
  const names: string[] = [];
  for (const [name, code] of Object.entries(group)) names[code] = name;
  const spelled = names.map((name, code) => `${code} (${name})`);
  return { names, choices: `${spelled.slice(0, -1).join(', ')} or ${spelled[spelled.length - 1]}` };
}

const ACTIVATIONS = codeTable(WasmActivation);
const BINARY_OPS = codeTable(WasmBinaryOp);
const MODES = codeTable(WasmOperandMode);

/** Throws naming `fn` unless `code` is one of `table`'s codes. */
function checkCode(fn: string, name: string, code: number, table: { names: string[]; choices: string }): void {
  if (table.names[code] === undefined) throw new RangeError(`${fn}: ${name} must be ${table.choices}, got ${code}`);
}

/** The arguments of a fused dense-layer forward out[batch, outF] = act(x[batch, inF]·w[inF, outF] + bias). */
export function checkLinearArgs(
  fn: string,
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  inF: number,
  outF: number,
  activation: number,
): void {
  checkDim(fn, 'batch', batch);
  checkDim(fn, 'inF', inF);
  checkDim(fn, 'outF', outF);
  checkSpan(fn, 'x', x, 0, batch * inF);
  checkSpan(fn, 'w', w, 0, inF * outF);
  checkSpan(fn, 'out', out, 0, batch * outF);
  if (bias !== null) checkSpan(fn, 'bias', bias, 0, outF);
  checkActivation(fn, activation);
}

/** Throws naming `fn` unless `act` is a {@link WasmActivation} code. */
export function checkActivation(fn: string, act: number): void {
  checkCode(fn, 'activation', act, ACTIVATIONS);
}

/** Throws naming `fn` unless `op` is a {@link WasmBinaryOp} code. */
export function checkBinaryOp(fn: string, op: number): void {
  checkCode(fn, 'op', op, BINARY_OPS);
}

/**
 * The length an operand in layout `mode` ({@link WasmOperandMode}) has for an outer×inner
 * result; throws naming `fn` and `name` for an unknown mode.
 */
export function modeLength(fn: string, name: string, mode: number, outer: number, inner: number): number {
  switch (mode) {
    case WasmOperandMode.full:
      return outer * inner;
    case WasmOperandMode.row:
      return inner;
    case WasmOperandMode.col:
      return outer;
    case WasmOperandMode.scalar:
      return 1;
    default:
      checkCode(fn, name, mode, MODES);
      throw new RangeError(`${fn}: ${name} ${mode} has no length rule`); // a mode added to constants.json but not here
  }
}
