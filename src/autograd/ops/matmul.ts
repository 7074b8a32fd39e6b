/** Matrix products with NumPy `matmul` semantics, and the transposed-operand variant backward uses. */
import { Tensor } from '../tensor.js';
import { allocateForOverwrite, promote } from '../dtype.js';
import { broadcastShapes, fmt, sizeOf, stridesOf } from '../shape.js';
import { matmul as matmulKernel } from '../kernels/dispatch.js';
import { gradSink, record } from '../engine.js';

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
  const ka = a2.shape[a2.ndim - 1], kb = b2.shape[b2.ndim - 2];
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
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const ar = a.ndim, br = b.ndim;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb) {
    throw new Error(`matmul: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmt(b.shape)}${transB ? 'ᵀ' : ''}: inner dimensions ${k} and ${kb} differ`);
  }
  const batchA = a.shape.slice(0, ar - 2), batchB = b.shape.slice(0, br - 2);
  const batch = broadcastShapes('matmul (batch axes)', batchA, batchB);
  const dtype = promote(a.dtype, b.dtype);
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
  // Each product is as costly as the forward, so skip the one for an operand that needs no
  // gradient; a parameter that already has a .grad gets its product added straight into it.
  return record(out, 'matmul', [a, b], (g) => [
    !a.requiresGrad || sinkProduct(a, count, transA ? [b, g, transB, true] : [g, b, false, !transB])
      ? null : transA ? matmulT(b, g, transB, true) : matmulT(g, b, false, !transB),
    !b.requiresGrad || sinkProduct(b, count, transB ? [g, a, true, transA] : [a, g, !transA, false])
      ? null : transB ? matmulT(g, a, true, transA) : matmulT(a, g, !transA, false),
  ]);
}

/** The start of each operand matrix for every index of the broadcast batch shape. */
/**
 * Adds the product `x·y` (with its transpose flags), the gradient for `target`, straight into
 * target's .grad when the running backward() allows it (see `gradSink`) and the product is a
 * plain 2-D one of the target's dtype. Returns whether it did.
 */
function sinkProduct(target: Tensor, count: number, [x, y, tx, ty]: [Tensor, Tensor, boolean, boolean]): boolean {
  if (count !== 1 || target.ndim !== 2 || x.ndim !== 2 || y.ndim !== 2) return false;
  if (x.dtype !== target.dtype || y.dtype !== target.dtype) return false;
  const sink = gradSink(target);
  if (sink === null) return false;
  const m = tx ? x.shape[1] : x.shape[0], k = tx ? x.shape[0] : x.shape[1];
  const n = ty ? y.shape[0] : y.shape[1];
  matmulKernel(sink, 0, x.data, 0, y.data, 0, m, k, n, tx, ty, true);
  return true;
}

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
