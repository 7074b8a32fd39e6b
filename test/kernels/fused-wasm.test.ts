/**
 * The fused elementwise kernel (`fusedElementwiseF32`) against the engine's own kernels run
 * one instruction at a time over full arrays: `binaryF32` (add…div) and the TypeScript
 * `broadcastBinary` (max, min, comparisons), `unaryMap` (neg, abs, sqrt, square, relu, sign),
 * `activationF32` (sigmoid, tanh) and `activationBackwardF32` (the gradients). The results
 * must agree bit for bit (NaNs compared as NaN, the sign of zero included) for random
 * programs over random operand layouts and grid shapes, with ±0, ±inf, NaN, subnormal and
 * huge values, resident and ordinary operands, and stores into operands the program reads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryOp, UnaryOp, broadcastBinary, unaryMap } from '../../src/autograd/kernels/elementwise.js';
import {
  FUSED_MAX_INSTRUCTIONS,
  FUSED_MAX_OPERANDS,
  FUSED_MAX_REGISTERS,
  FUSED_TILE,
  WasmActivation,
  WasmFusedOp as Op,
  WasmOperandMode as Mode,
  type WasmOperandModeCode,
  activationBackwardF32,
  activationF32,
  binaryF32,
  fusedElementwiseF32,
  residentF32,
  wasmAvailable,
} from '../../src/autograd/kernels/wasm/index.js';
import { Rng } from '../../src/autograd/random.js';
import { propertyRuns } from '../helpers/arbitraries.js';

const BINARY: Record<number, BinaryOp> = {
  [Op.add]: BinaryOp.Add,
  [Op.sub]: BinaryOp.Sub,
  [Op.mul]: BinaryOp.Mul,
  [Op.div]: BinaryOp.Div,
  [Op.max]: BinaryOp.Max,
  [Op.min]: BinaryOp.Min,
  [Op.eq]: BinaryOp.Eq,
  [Op.ne]: BinaryOp.Ne,
  [Op.gt]: BinaryOp.Gt,
  [Op.ge]: BinaryOp.Ge,
  [Op.lt]: BinaryOp.Lt,
  [Op.le]: BinaryOp.Le,
};
const UNARY: Record<number, UnaryOp> = {
  [Op.neg]: UnaryOp.Neg,
  [Op.abs]: UnaryOp.Abs,
  [Op.sqrt]: UnaryOp.Sqrt,
  [Op.square]: UnaryOp.Square,
  [Op.relu]: UnaryOp.Relu,
  [Op.sign]: UnaryOp.Sign,
};
const ACTIVATIONS: Record<number, 1 | 2 | 3> = {
  [Op.sigmoid]: WasmActivation.sigmoid,
  [Op.tanh]: WasmActivation.tanh,
  [Op.sigmoidGrad]: WasmActivation.sigmoid,
  [Op.tanhGrad]: WasmActivation.tanh,
  [Op.reluGrad]: WasmActivation.relu,
};
const COMPUTE_OPS = Object.values(Op).filter((op) => op !== Op.store);
const TWO_SOURCES = new Set<number>([...Object.keys(BINARY).map(Number), Op.sigmoidGrad, Op.tanhGrad, Op.reluGrad]);
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-40, 3.4e38, -3.4e38, 1, -1, 0.5];

/** Float32 values: ordinary ones, exact specials, huge and tiny ones, and repeats (for ties). */
function data(len: number, rng: Rng): Float32Array {
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const u = rng.uniform();
    if (u < 0.12) out[i] = SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)];
    else if (u < 0.16) out[i] = (rng.uniform() - 0.5) * 1e38;
    else if (u < 0.2) out[i] = (rng.uniform() - 0.5) * 1e-38;
    else if (u < 0.25 && i > 0) out[i] = out[i - 1];
    else out[i] = (rng.uniform() - 0.5) * 8;
  }
  return out;
}

function modeLen(mode: number, outer: number, inner: number): number {
  return mode === Mode.full ? outer * inner : mode === Mode.row ? inner : mode === Mode.col ? outer : 1;
}

/** Shape of an operand for broadcastBinary against [outer, inner]. */
function shapeOf(mode: number, outer: number, inner: number): number[] {
  return mode === Mode.full ? [outer, inner] : mode === Mode.row ? [1, inner] : mode === Mode.col ? [outer, 1] : [1, 1];
}

/** The operand expanded to the full grid, copying values exactly (−0 stays −0). */
function expand(x: Float32Array, mode: number, outer: number, inner: number): Float32Array {
  const out = new Float32Array(outer * inner);
  for (let r = 0; r < outer; r++) {
    for (let j = 0; j < inner; j++) {
      out[r * inner + j] = mode === Mode.full ? x[r * inner + j] : mode === Mode.row ? x[j] : mode === Mode.col ? x[r] : x[0];
    }
  }
  return out;
}

/**
 * The program run one instruction at a time over full arrays with the engine's kernels,
 * updating `operands` (copies) in place as the stores say.
 */
function reference(code: Int32Array, operands: Float32Array[], modes: number[], outer: number, inner: number): void {
  const n = outer * inner;
  const regs: Float32Array[] = [];
  const full = (s: number): Float32Array => (s >= 0 ? regs[s] : expand(operands[-s - 1], modes[-s - 1], outer, inner));
  for (let i = 0; i < code.length; i += 4) {
    const [op, dst, a, b] = code.subarray(i, i + 4);
    if (op === Op.store) {
      operands[dst].set(full(a));
      continue;
    }
    const out = new Float32Array(n);
    if (op in BINARY) {
      const [x, xm] = a >= 0 ? [regs[a], Mode.full] : [operands[-a - 1], modes[-a - 1]];
      const [y, ym] = b >= 0 ? [regs[b], Mode.full] : [operands[-b - 1], modes[-b - 1]];
      if (op <= Op.div) binaryF32(op as 0, out, x, xm as WasmOperandModeCode, y, ym as WasmOperandModeCode, outer, inner);
      else broadcastBinary(BINARY[op], out, [outer, inner], x, shapeOf(xm, outer, inner), y, shapeOf(ym, outer, inner));
    } else if (op in UNARY) {
      unaryMap(UNARY[op], out, full(a));
    } else if (op === Op.sigmoid || op === Op.tanh) {
      activationF32(out, full(a), ACTIVATIONS[op]);
    } else {
      activationBackwardF32(out, full(a), full(b), ACTIVATIONS[op]);
    }
    regs[dst] = out;
  }
}

/** Index of the first element whose bits differ (NaNs count as equal), or -1. */
function firstMismatch(got: Float32Array, want: Float32Array): number {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < got.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) return i;
  }
  return -1;
}

/** A random valid program over `modes` (the last operand is the full output). */
function randomProgram(rng: Rng, modes: number[], length: number): Int32Array {
  const fullOps = modes.flatMap((m, k) => (m === Mode.full ? [k] : []));
  const out: number[] = [];
  const written: number[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)];
  const source = (): number => (written.length > 0 && rng.uniform() < 0.6 ? pick(written) : -1 - Math.floor(rng.uniform() * modes.length));
  for (let i = 0; i < length; i++) {
    if (written.length > 0 && rng.uniform() < 0.2) {
      out.push(Op.store, pick(fullOps), pick(written), 0);
      continue;
    }
    const op = pick(COMPUTE_OPS);
    const a = source();
    const b = TWO_SOURCES.has(op) ? source() : 0;
    const dst = Math.floor(rng.uniform() * FUSED_MAX_REGISTERS);
    out.push(op, dst, a, b);
    if (!written.includes(dst)) written.push(dst);
  }
  if (written.length > 0) out.push(Op.store, modes.length - 1, pick(written), 0);
  return Int32Array.from(out);
}

function residentCopy(x: Float32Array): Float32Array {
  const r = residentF32(x.length);
  if (r === null) return x.slice();
  r.set(x);
  return r;
}

// Small grids; many short rows (several chunks of whole rows, the last one partial); rows
// around one and two tiles long (chunks within a row); one long row.
const shapeArb = fc.oneof(
  fc.record({ outer: fc.integer({ min: 1, max: 6 }), inner: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ outer: fc.integer({ min: 10, max: 120 }), inner: fc.integer({ min: 1, max: FUSED_TILE / 8 + 3 }) }),
  fc.record({ outer: fc.integer({ min: 1, max: 3 }), inner: fc.integer({ min: FUSED_TILE - 5, max: 2 * FUSED_TILE + 7 }) }),
  fc.record({ outer: fc.constant(1), inner: fc.integer({ min: 1, max: 3 * FUSED_TILE + 3 }) }),
);
const caseArb = fc.record({
  shape: shapeArb,
  modes: fc.array(fc.constantFrom(Mode.full, Mode.row, Mode.col, Mode.scalar), { minLength: 1, maxLength: 6 }),
  length: fc.integer({ min: 1, max: 12 }),
  resident: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  seed: fc.nat(),
});

describe.runIf(wasmAvailable())('fusedElementwiseF32', () => {
  it('random programs give the bits of the eager kernels run op by op', () => {
    const seen = new Set<number>();
    fc.assert(
      fc.property(caseArb, ({ shape: { outer, inner }, modes: inModes, length, resident, seed }) => {
        const rng = new Rng(seed);
        const modes: number[] = [...inModes, Mode.full];
        const inputs = modes.map((m) => data(modeLen(m, outer, inner), rng));
        const code = randomProgram(rng, modes, length);
        const got = inputs.map((x, k) => (resident[k] ? residentCopy(x) : x.slice()));
        const want = inputs.map((x) => x.slice());
        fusedElementwiseF32(code, got, modes as WasmOperandModeCode[], outer, inner);
        reference(code, want, modes, outer, inner);
        for (let i = 0; i < code.length; i += 4) seen.add(code[i]);
        for (let k = 0; k < modes.length; k++) {
          const at = firstMismatch(got[k], want[k]);
          if (at >= 0) {
            throw new Error(`operand ${k} [${at}]: ${got[k][at]} vs ${want[k][at]} (outer ${outer}, inner ${inner}, modes ${modes}, code ${code})`);
          }
        }
      }),
      { numRuns: propertyRuns(60) },
    );
    // Every op was tried (with 60 runs of ~7 instructions each, all 24 codes turn up).
    expect([...seen].sort((x, y) => x - y)).toEqual(Object.values(Op).sort((x, y) => x - y));
  });

  it('a store may take an operand as its source: a broadcast copy', () => {
    const col = new Float32Array([1, -0, NaN]),
      out = new Float32Array(3 * 5);
    fusedElementwiseF32(new Int32Array([Op.store, 1, -1, 0]), [col, out], [Mode.col, Mode.full], 3, 5);
    expect(Array.from(out)).toEqual([...new Array(5).fill(1), ...new Array(5).fill(-0), ...new Array(5).fill(NaN)]);
  });

  describe('stores into an operand the program reads', () => {
    // x ← x·x, then out ← x + 1 reads the stored x back; x is also read as a row by nothing.
    const code = new Int32Array([Op.mul, 0, -1, -1, Op.store, 0, 0, 0, Op.add, 1, -1, -2, Op.store, 2, 1, 0]);
    const outer = 3,
      inner = 7;
    const x0 = Float32Array.from({ length: outer * inner }, (_, i) => i - 10.5);
    const one = new Float32Array([1]);
    const expected = (): [Float32Array, Float32Array] => {
      const x = x0.map((v) => Math.fround(v * v));
      return [x, x.map((v) => Math.fround(v + 1))];
    };

    it.each([
      ['ordinary arrays', false],
      ['resident arrays', true],
    ])('%s: the store is seen by later instructions and the array is updated', (_, res) => {
      const x = res ? residentCopy(x0) : x0.slice();
      const out = res ? residentCopy(new Float32Array(outer * inner)) : new Float32Array(outer * inner);
      fusedElementwiseF32(code, [x, one, out], [Mode.full, Mode.scalar, Mode.full], outer, inner);
      const [wx, wout] = expected();
      expect(Array.from(x)).toEqual(Array.from(wx));
      expect(Array.from(out)).toEqual(Array.from(wout));
    });

    it.each([
      ['the same array', false, (x: Float32Array) => x],
      ['an identical view', false, (x: Float32Array) => new Float32Array(x.buffer, x.byteOffset, x.length)],
      ['the same resident array', true, (x: Float32Array) => x],
    ])('under two operand indices (%s): the store through one is read through the other', (_, res, alias) => {
      // Operand 0 is read, operand 3 (the same memory) stored, then operand 0 read again.
      const aliasCode = new Int32Array([Op.mul, 0, -1, -1, Op.store, 3, 0, 0, Op.add, 1, -1, -2, Op.store, 2, 1, 0]);
      const x = res ? residentCopy(x0) : x0.slice();
      const out = new Float32Array(outer * inner);
      fusedElementwiseF32(aliasCode, [x, one, out, alias(x)], [Mode.full, Mode.scalar, Mode.full, Mode.full], outer, inner);
      const [wx, wout] = expected();
      expect(Array.from(x)).toEqual(Array.from(wx));
      expect(Array.from(out)).toEqual(Array.from(wout));
    });

    it('writes exactly the grid: neighbours of a non-resident output view stay untouched', () => {
      const backing = new Float32Array(outer * inner + 2).fill(7);
      const out = backing.subarray(1, 1 + outer * inner);
      const c = new Int32Array([Op.neg, 0, -1, 0, Op.store, 1, 0, 0]);
      fusedElementwiseF32(c, [x0, out], [Mode.full, Mode.full], outer, inner);
      expect([backing[0], backing[backing.length - 1]]).toEqual([7, 7]);
      expect(Array.from(out)).toEqual(Array.from(x0, (v) => -v));
    });
  });

  describe('argument errors name the function and the fault', () => {
    const n = 6;
    const x = new Float32Array(n),
      row = new Float32Array(3),
      out = new Float32Array(n);
    const run =
      (code: number[], ops: Float32Array[] = [x, row, out], modes: number[] = [Mode.full, Mode.row, Mode.full]) =>
      () =>
        fusedElementwiseF32(Int32Array.from(code), ops, modes as WasmOperandModeCode[], 2, 3);

    it.each([
      ['an unknown op', [12, 0, -1, -1], /fusedElementwiseF32: instruction 0 has unknown op 12/],
      ['a negative op', [-1, 0, -1, -1], /instruction 0 has unknown op -1/],
      ['a register out of range (dst)', [Op.neg, FUSED_MAX_REGISTERS, -1, 0], /instruction 0 \(neg\) writes register 8, out of range 0..7/],
      ['a register out of range (source)', [Op.neg, 0, -1, 0, Op.add, 1, 0, 9], /instruction 1 \(add\) reads register 9 as b, out of range/],
      [
        'a register read before written',
        [Op.neg, 0, -1, 0, Op.mul, 1, 0, 2],
        /instruction 1 \(mul\) reads register 2 as b before any instruction writes it/,
      ],
      ['a register read by the instruction that first writes it', [Op.add, 0, 0, -1], /instruction 0 \(add\) reads register 0 as a before/],
      [
        'an operand index out of range',
        [Op.sqrt, 0, -4, 0],
        /instruction 0 \(sqrt\) reads operand 3 \(source -4\) as a, out of range for 3 operands/,
      ],
      ['a store to an operand out of range', [Op.neg, 0, -1, 0, Op.store, 3, 0, 0], /instruction 1 \(store\) stores to operand 3, out of range/],
      [
        'a store to a non-full operand',
        [Op.neg, 0, -1, 0, Op.store, 1, 0, 0],
        /instruction 1 \(store\) stores to operand 1, whose mode is row, not full/,
      ],
      ['code not whole instructions', [Op.neg, 0, -1], /code must hold whole instructions of 4 ints, got 3/],
    ])('%s', (_, code, message) => {
      expect(run(code)).toThrow(message);
    });

    it('a length that does not match its mode', () => {
      expect(run([Op.neg, 0, -1, 0], [x, new Float32Array(4), out])).toThrow(
        /fusedElementwiseF32: operand 1 \(mode row\) must have 3 elements, got 4/,
      );
      expect(run([Op.neg, 0, -1, 0], [x, row, out], [Mode.full, Mode.col, Mode.full])).toThrow(/operand 1 \(mode col\) must have 2 elements, got 3/);
      expect(run([Op.neg, 0, -1, 0], [x, row, out], [Mode.full, 7, Mode.full])).toThrow(/modes\[1\] must be 0 \(full\)/);
    });

    it('operands that are not Float32Arrays, too many instructions or operands, modes missing', () => {
      expect(run([Op.neg, 0, -1, 0], [x, new Float64Array(3) as unknown as Float32Array, out])).toThrow(/operand 1 must be a Float32Array/);
      expect(run(Array.from({ length: 4 * (FUSED_MAX_INSTRUCTIONS + 1) }, (_, i) => (i % 4 === 2 ? -1 : 0)))).toThrow(
        /at most 64 instructions, got 65/,
      );
      const many = Array.from({ length: FUSED_MAX_OPERANDS + 1 }, () => new Float32Array(1));
      expect(
        run(
          [],
          many,
          many.map(() => Mode.scalar),
        ),
      ).toThrow(/at most 16 operands, got 17/);
      expect(run([], [x, row, out], [Mode.full, Mode.row])).toThrow(/3 operands but 2 modes/);
      expect(() => fusedElementwiseF32([0, 0, -1, -1] as unknown as Int32Array, [x], [Mode.full], 2, 3)).toThrow(/code must be an Int32Array/);
    });

    it('a stored operand sharing memory with a repeated operand or another stored one', () => {
      const base = new Float32Array(n);
      const head = base.subarray(0, 3);
      // A row operand viewing the output's first elements.
      expect(run([Op.neg, 0, -2, 0, Op.store, 0, 0, 0], [base, head, out])).toThrow(
        /stored operand 0 shares memory with operand 1 \(mode row\); only an identical full operand may/,
      );
      // Two stored operands that are the same array.
      expect(run([Op.neg, 0, -1, 0, Op.store, 0, 0, 0, Op.store, 2, 0, 0], [x, row, x])).toThrow(/stored operands 0 and 2 share memory/);
      // A full operand overlapping but not identical.
      const shifted = new Float32Array(n + 1);
      expect(run([Op.neg, 0, -1, 0, Op.store, 2, 0, 0], [shifted.subarray(1), row, shifted.subarray(0, n)])).toThrow(
        /stored operand 2 shares memory with operand 0 \(mode full\)/,
      );
    });

    it('nothing is written when a check fails', () => {
      const o = new Float32Array(n).fill(5);
      expect(run([Op.neg, 0, -1, 0, Op.store, 2, 0, 0, 99, 0, 0, 0], [x, row, o])).toThrow(/unknown op 99/);
      expect(Array.from(o)).toEqual(new Array(n).fill(5));
    });
  });
});
