/** Matrix products with NumPy `matmul` semantics, and the transposed-operand variant backward uses. */
import { Tensor } from '../tensor.js';
import { promote } from '../dtype.js';
import { broadcastShapes, fmt, sizeOf, stridesOf } from '../shape.js';
import { allocateForOverwrite, matmul as matmulKernel } from '../backend/index.js';
import { record } from '../engine.js';

/**
 * NumPy's matmul: 1-D operands are promoted to a row (left) or a column (right) and the
 * promoted axis dropped from the result; leading batch axes broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(b instanceof Tensor)) throw new Error(`matmul: the right operand must be a Tensor`);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: ${fmt(a.shape)} @ ${fmt(b.shape)}: operands must have at least one axis (use mul for scalars)`);
  }
  const a2 = a.ndim === 1 ? a.reshape([1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b;
  const ka = a2.shape[a2.ndim - 1],
    kb = b2.shape[b2.ndim - 2];
  if (ka !== kb) {
    throw new Error(`matmul: ${fmt(a.shape)} @ ${fmt(b.shape)}: inner dimensions ${ka} and ${kb} differ`);
  }
  const out = matmulT(a2, b2, false, false);
  if (a.ndim > 1 && b.ndim > 1) return out;
  const shape = [...out.shape];
  if (b.ndim === 1) shape.splice(shape.length - 1, 1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return out.reshape(shape);
}

/**
 * op(A)·op(B) for operands of rank ≥ 2, where op transposes the last two axes when asked.
 * The kernel reads transposed operands in place, so backward never materialises a transpose.
 * Given `into` (a tensor of the product's shape and dtype, a rule's in-place target), a plain
 * 2-D product is added into it and `into` returned; otherwise the product is a new tensor.
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean, into: Tensor | null = null): Tensor {
  const ar = a.ndim,
    br = b.ndim;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb) {
    throw new Error(`matmul: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmt(b.shape)}${transB ? 'ᵀ' : ''}: inner dimensions ${k} and ${kb} differ`);
  }
  const dtype = promote(a.dtype, b.dtype);
  if (
    into !== null &&
    ar === 2 &&
    br === 2 &&
    a.dtype === b.dtype &&
    into.dtype === dtype &&
    into.ndim === 2 &&
    into.shape[0] === m &&
    into.shape[1] === n
  ) {
    matmulKernel(into.data, 0, a.data, 0, b.data, 0, m, k, n, transA, transB, true);
    return into;
  }
  const batchA = a.shape.slice(0, ar - 2),
    batchB = b.shape.slice(0, br - 2);
  const batch = broadcastShapes('matmul (batch axes)', batchA, batchB);
  const out = new Tensor(allocateForOverwrite(dtype, sizeOf(batch) * m * n), [...batch, m, n]);
  const A = a.dtype === dtype ? a.data : a.astype(dtype).data;
  const B = b.dtype === dtype ? b.data : b.astype(dtype).data;
  const count = sizeOf(batch);
  if (count === 1) {
    matmulKernel(out.data, 0, A, 0, B, 0, m, k, n, transA, transB);
  } else {
    const offA = batchOffsets(batch, batchA, m * k);
    const offB = batchOffsets(batch, batchB, k * n);
    for (let i = 0; i < count; i++) matmulKernel(out.data, i * m * n, A, offA[i], B, offB[i], m, k, n, transA, transB);
  }
  // C = op(A)·op(B): d op(A) = g·op(B)ᵀ and d op(B) = op(A)ᵀ·g; a transposed operand's gradient
  // is the transpose of that, the same product with its factors swapped. Each product costs as
  // much as the forward, so an operand that needs no gradient gets none.
  return record(out, 'matmul', [a, b], (g, ctx) => [
    !a.requiresGrad ? null : transA ? matmulT(b, g, transB, true, ctx.into(0)) : matmulT(g, b, false, !transB, ctx.into(0)),
    !b.requiresGrad ? null : transB ? matmulT(g, a, true, transA, ctx.into(1)) : matmulT(a, g, !transA, false, ctx.into(1)),
  ]);
}

/** The start of each operand matrix for every index of the broadcast batch shape. */
function batchOffsets(batch: readonly number[], own: readonly number[], matrixSize: number): Int32Array {
  const count = sizeOf(batch);
  const offsets = new Int32Array(count);
  const lead = batch.length - own.length;
  const ownStrides = stridesOf(own);
  const batchStrides = stridesOf(batch);
  for (let i = 0; i < count; i++) {
    let off = 0;
    for (let ax = lead; ax < batch.length; ax++) {
      const idx = Math.floor(i / batchStrides[ax]) % batch[ax];
      if (own[ax - lead] !== 1) off += idx * ownStrides[ax - lead];
    }
    offsets[i] = off * matrixSize;
  }
  return offsets;
}
