import type { FloatArray } from './types.js';

/** Binary operations the broadcasting kernel knows. */
export enum BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Eq,
  Gt,
  Max,
  Min,
  Lt,
  Le,
  Ge,
  Ne,
}

/** Unary operations the map kernel knows. */
export enum UnaryOp {
  Neg,
  Exp,
  Log,
  Sqrt,
  Abs,
  Tanh,
  Sigmoid,
  Relu,
  Sign,
  Square,
  Sin,
  Cos,
}

/**
 * out = a ∘ b over `n` elements, stepping a by `as` and b by `bs` (0 for a broadcast operand).
 * The switch sits outside the loops so each loop stays monomorphic and closure-free.
 */
function binaryRun(
  op: BinaryOp,
  out: FloatArray,
  o: number,
  a: FloatArray,
  ai: number,
  as: number,
  b: FloatArray,
  bi: number,
  bs: number,
  n: number,
): void {
  switch (op) {
    case BinaryOp.Add:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] + b[bi + j * bs];
      return;
    case BinaryOp.Sub:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] - b[bi + j * bs];
      return;
    case BinaryOp.Mul:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * b[bi + j * bs];
      return;
    case BinaryOp.Div:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] / b[bi + j * bs];
      return;
    case BinaryOp.Pow:
      for (let j = 0; j < n; j++) out[o + j] = Math.pow(a[ai + j * as], b[bi + j * bs]);
      return;
    case BinaryOp.Eq:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] === b[bi + j * bs] ? 1 : 0;
      return;
    case BinaryOp.Gt:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] > b[bi + j * bs] ? 1 : 0;
      return;
    case BinaryOp.Max:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as],
          y = b[bi + j * bs];
        out[o + j] = x >= y ? x : y;
      }
      return;
    case BinaryOp.Min:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as],
          y = b[bi + j * bs];
        out[o + j] = x <= y ? x : y;
      }
      return;
    case BinaryOp.Lt:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] < b[bi + j * bs] ? 1 : 0;
      return;
    case BinaryOp.Le:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] <= b[bi + j * bs] ? 1 : 0;
      return;
    case BinaryOp.Ge:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] >= b[bi + j * bs] ? 1 : 0;
      return;
    case BinaryOp.Ne:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] !== b[bi + j * bs] ? 1 : 0;
      return;
  }
}

/**
 * Broadcasting binary kernel. Shapes are already padded to the output's rank; the last axis
 * is the contiguous inner run and the outer axes advance by an odometer, so no per-element
 * index arithmetic is done.
 */
export function broadcastBinary(
  op: BinaryOp,
  out: FloatArray,
  outShape: readonly number[],
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
): void {
  const size = out.length;
  if (size === 0) return;
  // Same shapes, or one scalar operand: one run over everything.
  const stepA = a.length === size ? 1 : a.length === 1 ? 0 : -1;
  const stepB = b.length === size ? 1 : b.length === 1 ? 0 : -1;
  if (stepA >= 0 && stepB >= 0) {
    binaryRun(op, out, 0, a, 0, stepA, b, 0, stepB, size);
    return;
  }

  // Merge adjacent axes that broadcast the same way for both operands, to lengthen the inner run.
  const dims: number[] = [],
    sa: number[] = [],
    sb: number[] = [];
  const rank = outShape.length;
  for (let i = 0; i < rank; i++) {
    const d = outShape[i];
    if (d === 1) continue;
    const ab = aShape[i] === 1,
      bb = bShape[i] === 1;
    const last = dims.length - 1;
    if (last >= 0 && (sa[last] === 0) === ab && (sb[last] === 0) === bb) {
      dims[last] *= d;
    } else {
      dims.push(d);
      sa.push(ab ? 0 : 1);
      sb.push(bb ? 0 : 1);
    }
  }
  // Strides of each merged axis, in elements of a and b.
  const k = dims.length;
  const strideA = new Array<number>(k),
    strideB = new Array<number>(k);
  let accA = 1,
    accB = 1;
  for (let i = k - 1; i >= 0; i--) {
    strideA[i] = sa[i] ? accA : 0;
    if (sa[i]) accA *= dims[i];
    strideB[i] = sb[i] ? accB : 0;
    if (sb[i]) accB *= dims[i];
  }
  const inner = dims[k - 1];
  const ia = sa[k - 1],
    ib = sb[k - 1];
  const idx = new Array<number>(k).fill(0);
  let offA = 0,
    offB = 0;
  for (let o = 0; o < size; o += inner) {
    binaryRun(op, out, o, a, offA, ia, b, offB, ib, inner);
    for (let ax = k - 2; ax >= 0; ax--) {
      idx[ax]++;
      offA += strideA[ax];
      offB += strideB[ax];
      if (idx[ax] < dims[ax]) break;
      offA -= strideA[ax] * dims[ax];
      offB -= strideB[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
}

/** out = f(x) elementwise; out may be x itself. */
export function unaryMap(op: UnaryOp, out: FloatArray, x: FloatArray): void {
  const n = x.length;
  switch (op) {
    case UnaryOp.Neg:
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case UnaryOp.Exp:
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case UnaryOp.Log:
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case UnaryOp.Sqrt:
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case UnaryOp.Abs:
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case UnaryOp.Tanh:
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case UnaryOp.Sigmoid:
      // Two branches so exp never overflows: finite for inputs of any magnitude.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      return;
    case UnaryOp.Relu:
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
      return;
    case UnaryOp.Sign:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN;
      }
      return;
    case UnaryOp.Square:
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      return;
    case UnaryOp.Sin:
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
      return;
    case UnaryOp.Cos:
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
      return;
  }
}

/** Copies `x` (shape `inShape`, padded to the rank of `outShape`) broadcast into `out`. */
export function broadcastTo(out: FloatArray, outShape: readonly number[], x: FloatArray, inShape: readonly number[]): void {
  if (x.length === out.length) {
    out.set(x);
    return;
  }
  if (x.length === 1) {
    out.fill(x[0]);
    return;
  }
  // A broadcast copy is x + 0 with a zero-stride second operand.
  const zero = x instanceof Float64Array ? new Float64Array(1) : new Float32Array(1);
  broadcastBinary(
    BinaryOp.Add,
    out,
    outShape,
    x,
    inShape,
    zero,
    outShape.map(() => 1),
  );
}
