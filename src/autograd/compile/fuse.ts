/**
 * Elementwise fusion for a recorded program: a run of consecutive float32 elementwise kernel
 * calls over the same number of elements (broadcast binary ops, unary maps, activations and
 * their gradients) becomes one call of the fused wasm kernel, which runs the run's ops tile by
 * tile in registers. An intermediate that nothing outside the run reads is never written to
 * memory at all; the planner then gives it no buffer.
 *
 * Only ops whose fused form gives the eager kernel's bits are taken: add, sub, mul, div, max,
 * min, the comparisons, neg, abs, sqrt, square, relu, sign, and sigmoid, tanh and their
 * gradients where the eager step ran on the wasm kernel too (see `activationOnWasm`).
 */
import type { FloatArray } from '../kernels/types.js';
import { BinaryOp, UnaryOp, broadcastTo } from '../kernels/elementwise.js';
import { activationBackward, activationOnWasm, binaryBroadcast, unaryMap, useWasm, wasmOperandLayout } from '../backend/dispatch.js';
import {
  FUSED_MAX_INSTRUCTIONS,
  FUSED_MAX_OPERANDS,
  FUSED_MAX_REGISTERS,
  WasmFusedOp,
  WasmOperandMode,
  type WasmOperandModeCode,
  fusedElementwiseF32,
} from '../kernels/wasm/index.js';
import type { Step } from './trace.js';
import { forEachArg, overlaps, overlapsAny } from './ranges.js';

/** An input of an elementwise op: its array, its layout, and the row length that layout implies (0: any). */
interface Input {
  readonly arr: Float32Array;
  readonly mode: WasmOperandModeCode;
  readonly inner: number;
}

/** One eager kernel call read as a fused instruction. */
interface ElementwiseOp {
  readonly op: number;
  readonly out: Float32Array;
  readonly inputs: readonly Input[];
}

const BINARY: ReadonlyMap<BinaryOp, number> = new Map([
  [BinaryOp.Add, WasmFusedOp.add],
  [BinaryOp.Sub, WasmFusedOp.sub],
  [BinaryOp.Mul, WasmFusedOp.mul],
  [BinaryOp.Div, WasmFusedOp.div],
  [BinaryOp.Max, WasmFusedOp.max],
  [BinaryOp.Min, WasmFusedOp.min],
  [BinaryOp.Eq, WasmFusedOp.eq],
  [BinaryOp.Ne, WasmFusedOp.ne],
  [BinaryOp.Gt, WasmFusedOp.gt],
  [BinaryOp.Ge, WasmFusedOp.ge],
  [BinaryOp.Lt, WasmFusedOp.lt],
  [BinaryOp.Le, WasmFusedOp.le],
]);

/** Unary maps whose TypeScript loop the fused kernel reproduces exactly at any size. */
const UNARY: ReadonlyMap<UnaryOp, number> = new Map([
  [UnaryOp.Neg, WasmFusedOp.neg],
  [UnaryOp.Abs, WasmFusedOp.abs],
  [UnaryOp.Sqrt, WasmFusedOp.sqrt],
  [UnaryOp.Square, WasmFusedOp.square],
  [UnaryOp.Relu, WasmFusedOp.relu],
  [UnaryOp.Sign, WasmFusedOp.sign],
]);

/** Maps that match only the wasm activation kernel's bits. */
const UNARY_WASM: ReadonlyMap<UnaryOp, number> = new Map([
  [UnaryOp.Sigmoid, WasmFusedOp.sigmoid],
  [UnaryOp.Tanh, WasmFusedOp.tanh],
]);

const GRADIENT: ReadonlyMap<string, number> = new Map([
  ['sigmoid', WasmFusedOp.sigmoidGrad],
  ['tanh', WasmFusedOp.tanhGrad],
  ['relu', WasmFusedOp.reluGrad],
]);

/** The constant 1 (a broadcast copy is fused as x·1, which is x exactly). */
const ONE = new Float32Array([1]);

function full(arr: Float32Array): Input {
  return { arr, mode: WasmOperandMode.full, inner: 0 };
}

function laidOut(arr: FloatArray, shape: readonly number[], outShape: readonly number[], size: number): Input | null {
  if (!(arr instanceof Float32Array)) return null;
  const layout = wasmOperandLayout(shape, arr.length, outShape, size);
  return layout === null ? null : { arr, mode: layout[0], inner: layout[1] };
}

/** `step` as a fused instruction, or null when it is not one the fused kernel reproduces bit for bit. */
function asElementwise(step: Step): ElementwiseOp | null {
  const a = step.args;
  if (step.fn === binaryBroadcast) {
    const op = BINARY.get(a[0] as BinaryOp);
    const out = a[1] as FloatArray,
      outShape = a[2] as number[];
    if (op === undefined || !(out instanceof Float32Array)) return null;
    const x = laidOut(a[3] as FloatArray, a[4] as number[], outShape, out.length);
    const y = laidOut(a[5] as FloatArray, a[6] as number[], outShape, out.length);
    return x === null || y === null ? null : { op, out, inputs: [x, y] };
  }
  if (step.fn === unaryMap) {
    const out = a[1] as FloatArray,
      x = a[2] as FloatArray;
    if (!(out instanceof Float32Array) || !(x instanceof Float32Array)) return null;
    const op = UNARY.get(a[0] as UnaryOp) ?? (activationOnWasm(x.length) ? UNARY_WASM.get(a[0] as UnaryOp) : undefined);
    return op === undefined ? null : { op, out, inputs: [full(x)] };
  }
  if (step.fn === activationBackward) {
    const [out, g, y] = a as [FloatArray, FloatArray, FloatArray];
    const op = GRADIENT.get(a[3] as string);
    if (op === undefined || !(out instanceof Float32Array) || !(g instanceof Float32Array) || !(y instanceof Float32Array)) return null;
    return activationOnWasm(out.length) ? { op, out, inputs: [full(g), full(y)] } : null;
  }
  if (step.fn === broadcastTo) {
    const out = a[0] as FloatArray;
    if (!(out instanceof Float32Array)) return null;
    const x = laidOut(a[2] as FloatArray, a[3] as number[], a[1] as number[], out.length);
    return x === null ? null : { op: WasmFusedOp.mul, out, inputs: [x, { arr: ONE, mode: WasmOperandMode.scalar, inner: 0 }] };
  }
  return null;
}

/** Where each array of the program is used: step indices by ArrayBuffer, with the exact view. */
class Uses {
  private readonly byBuffer = new Map<ArrayBufferLike, { arr: FloatArray; step: number }[]>();

  constructor(steps: readonly Step[]) {
    steps.forEach((s, i) => forEachArg(s.args, (x) => this.add(x, i)));
  }

  private add(x: unknown, step: number): void {
    if (!(x instanceof Float32Array || x instanceof Float64Array)) return;
    let list = this.byBuffer.get(x.buffer);
    if (list === undefined) {
      list = [];
      this.byBuffer.set(x.buffer, list);
    }
    list.push({ arr: x, step });
  }

  /** Whether memory of `arr` is touched by a step outside [from, to]. */
  usedOutside(arr: FloatArray, from: number, to: number): boolean {
    for (const u of this.byBuffer.get(arr.buffer) ?? []) if ((u.step < from || u.step > to) && overlaps(u.arr, arr)) return true;
    return false;
  }
}

/** A run of elementwise ops being assembled into one fused call. */
class Chain {
  readonly ops: ElementwiseOp[] = [];
  /** Arrays the run writes; arrays it reads repeated (row, col, scalar); arrays it reads full. */
  private readonly written: Float32Array[] = [];
  private readonly readRepeated: Float32Array[] = [];
  private readonly readFull: Float32Array[] = [];
  /** The row length the repeated operands so far imply (0: none yet). */
  private inner = 0;

  constructor(readonly n: number) {}

  /** Adds `e` if it can run tile by tile with the ops before it (same size, one layout, no hazard). */
  tryAdd(e: ElementwiseOp): boolean {
    if (e.out.length !== this.n || this.ops.length >= FUSED_MAX_INSTRUCTIONS / 2) return false;
    let inner = this.inner;
    for (const x of e.inputs) {
      if (x.inner !== 0) {
        if (inner !== 0 && inner !== x.inner) return false;
        inner = x.inner;
      }
      // A value the run wrote is read from its register: only where it is, element for element.
      for (const w of this.written) {
        if (!overlaps(w, x.arr)) continue;
        if (w !== x.arr || x.mode !== WasmOperandMode.full) return false;
      }
    }
    // A write must not reach memory that a tile read elsewhere (a repeated operand) or a
    // different view of it.
    for (const r of this.readRepeated) if (overlaps(r, e.out)) return false;
    for (const r of [...this.readFull, ...this.written]) if (overlaps(r, e.out) && r !== e.out) return false;
    for (const x of e.inputs) if (x.mode !== WasmOperandMode.full && overlaps(x.arr, e.out)) return false;

    this.inner = inner;
    this.ops.push(e);
    for (const x of e.inputs) {
      if (x.mode === WasmOperandMode.full) this.readFull.push(x.arr);
      else this.readRepeated.push(x.arr);
    }
    this.written.push(e.out);
    return true;
  }
}

/** Whether `step` is a fused elementwise call. */
export function isFusedStep(step: Step): boolean {
  return step.fn === (fusedElementwiseF32 as Step['fn']);
}

/** A fused call's arguments, as the step that runs it. */
function fusedStep(code: Int32Array, operands: Float32Array[], modes: WasmOperandModeCode[], outer: number, inner: number): Step {
  return { fn: fusedElementwiseF32 as Step['fn'], args: [code, operands, modes, outer, inner] };
}

/**
 * The chain's ops as one fused step, or null when they need more registers or operands than
 * the kernel has. `mustStore(arr)`: whether a value written to `arr` is read outside the chain.
 */
function assemble(chain: Chain, mustStore: (arr: Float32Array) => boolean): Step | null {
  const ops = chain.ops;
  // The row length the chain's repeated operands agree on (tryAdd checked), or one row.
  let inner = chain.n;
  for (const e of ops) for (const x of e.inputs) if (x.inner !== 0) inner = x.inner;
  const outer = chain.n / inner;
  const operands: Float32Array[] = [];
  const modes: WasmOperandModeCode[] = [];
  const operand = (arr: Float32Array, mode: WasmOperandModeCode): number => {
    for (let k = 0; k < operands.length; k++) if (operands[k] === arr && modes[k] === mode) return k;
    operands.push(arr);
    modes.push(mode);
    return operands.length - 1;
  };
  // The last instruction reading each value (an op's output, by op index).
  const producer = new Map<Float32Array, number>();
  const lastRead: number[] = ops.map(() => -1);
  const sources: number[][] = []; // per op: its inputs as op indices (>= 0) or -1 (an operand)
  ops.forEach((e, i) => {
    sources.push(
      e.inputs.map((x) => {
        const p = producer.get(x.arr);
        if (p === undefined) return -1;
        lastRead[p] = i;
        return p;
      }),
    );
    producer.set(e.out, i);
  });

  const code: number[] = [];
  const registerOf: number[] = ops.map(() => -1);
  const free: number[] = [];
  for (let r = FUSED_MAX_REGISTERS - 1; r >= 0; r--) free.push(r);
  for (let i = 0; i < ops.length; i++) {
    const e = ops[i];
    const src = e.inputs.map((x, j) => (sources[i][j] >= 0 ? registerOf[sources[i][j]] : -1 - operand(x.arr, x.mode)));
    const dst = free.pop();
    if (dst === undefined) return null;
    registerOf[i] = dst;
    code.push(e.op, dst, src[0], src.length > 1 ? src[1] : 0);
    if (mustStore(e.out)) code.push(WasmFusedOp.store, operand(e.out, WasmOperandMode.full), dst, 0);
    // Registers whose value nothing later in the chain reads are free again.
    for (const p of new Set(sources[i])) if (p >= 0 && lastRead[p] === i) free.push(registerOf[p]);
    if (lastRead[i] < 0) free.push(dst);
  }
  if (operands.length > FUSED_MAX_OPERANDS || code.length / 4 > FUSED_MAX_INSTRUCTIONS) return null;
  return fusedStep(Int32Array.from(code), operands, modes, outer, inner);
}

/**
 * `steps` with each run of at least two consecutive fusable elementwise ops replaced by one
 * fused call. `allocated` are the trace's own intermediate buffers; of those, one that no step
 * outside its run touches and that is not in `keep` (returned) is never stored.
 */
export function fuseElementwise(steps: readonly Step[], allocated: readonly FloatArray[], keep: ReadonlySet<FloatArray>): Step[] {
  if (!useWasm()) return steps.slice();
  const own = new Set(allocated);
  const uses = new Uses(steps);
  const out: Step[] = [];
  let i = 0;
  while (i < steps.length) {
    const first = asElementwise(steps[i]);
    if (first === null) {
      out.push(steps[i++]);
      continue;
    }
    const chain = new Chain(first.out.length);
    chain.tryAdd(first);
    let j = i + 1;
    for (; j < steps.length; j++) {
      const e = asElementwise(steps[j]);
      if (e === null || !chain.tryAdd(e)) break;
    }
    // Shrink the run until its values fit the kernel's registers and operand slots.
    let fused: Step | null = null;
    for (; j - i >= 2; j--) {
      const from = i,
        to = j - 1;
      const mustStore = (arr: Float32Array): boolean => !own.has(arr) || overlapsAny(arr, keep) || uses.usedOutside(arr, from, to);
      fused = assemble(chain, mustStore);
      if (fused !== null) break;
      chain.ops.pop();
    }
    if (fused === null) {
      out.push(steps[i++]);
      continue;
    }
    out.push(fused);
    i = j;
  }
  return out;
}
