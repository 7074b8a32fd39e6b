import { Tensor, type TensorLike } from '../tensor.js';
import { promote, type DType } from '../dtype.js';

/** A number becomes a 0-d tensor of its partner's dtype, so `x.mul(2)` stays float32. */
export function lift(x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`expected a Tensor or a number, got ${typeof x}`);
  // A constant, not an op output: not from the door's allocator, so a compiled trace keeps it.
  const data = dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
  data[0] = x;
  return new Tensor(data, []);
}

/** The two operands of a binary op as tensors, and the dtype of the result. */
export function operands(a: TensorLike, b: TensorLike): [Tensor, Tensor, DType] {
  const dtype = a instanceof Tensor ? (b instanceof Tensor ? promote(a.dtype, b.dtype) : a.dtype) : b instanceof Tensor ? b.dtype : 'float32';
  return [lift(a, dtype), lift(b, dtype), dtype];
}

/** `shape` left-padded with ones to `rank` axes. */
export function padShape(shape: readonly number[], rank: number): number[] {
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < shape.length; i++) out[rank - shape.length + i] = shape[i];
  return out;
}
