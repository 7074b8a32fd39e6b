/**
 * The free-function forms of tensor ops that also exist as methods, as the public API exports
 * them: `concat([a, b], 1)`, `where(mask, a, b)`, `gelu(x)`. Each one documents and checks its
 * arguments where the op is defined; these are the entry points with examples.
 */
import type { Tensor, TensorLike } from '../tensor.js';
import * as indexing from './indexing.js';
import * as joining from './joining.js';
import * as movement from './movement.js';
import * as binary from './binary.js';
import * as unary from './unary.js';
import * as activation from './activation.js';
import * as statistics from './statistics.js';

/**
 * Joins tensors along an existing axis (all other sizes equal).
 * @example
 * ```ts
 * import { concat, tensor } from 'tensorgrad';
 * concat([tensor([[1, 2]]), tensor([[3, 4]])], 0).shape; // [2, 2]
 * ```
 */
export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  return joining.concat(ts, axis);
}

/**
 * Stacks tensors of one shape along a new axis.
 * @example
 * ```ts
 * import { stack, tensor } from 'tensorgrad';
 * stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(); // [[1, 3], [2, 4]]
 * ```
 */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  return joining.stack(ts, axis);
}

/**
 * Splits along `axis` into pieces of `size`, or of the given sizes.
 * @example
 * ```ts
 * import { split, tensor } from 'tensorgrad';
 * split(tensor([1, 2, 3, 4, 5]), 2).map((t) => t.toArray()); // [[1, 2], [3, 4], [5]]
 * ```
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  return joining.split(x, sizes, axis);
}

/**
 * Python's slice of one axis (`x[start:end:step]` on `axis`).
 * @example
 * ```ts
 * import { slice, tensor } from 'tensorgrad';
 * slice(tensor([0, 1, 2, 3, 4]), 0, -2).toArray();               // [3, 4]
 * slice(tensor([0, 1, 2, 3, 4]), 0, undefined, undefined, -2).toArray(); // [4, 2, 0]
 * ```
 */
export function slice(x: Tensor, axis: number, start?: number, end?: number, step = 1): Tensor {
  return indexing.slice(x, axis, start, end, step);
}

/**
 * Rows (or entries along any axis) by index: an embedding lookup. Repeated indices add gradients.
 * @example
 * ```ts
 * import { indexSelect, randn } from 'tensorgrad';
 * const table = randn([10, 4], { requiresGrad: true });
 * const rows = indexSelect(table, 0, Int32Array.from([3, 3, 7])); // [3, 4]
 * ```
 */
export function indexSelect(x: Tensor, axis: number, indices: ArrayLike<number>): Tensor {
  return indexing.indexSelect(x, axis, indices);
}

/**
 * PyTorch's gather: out[i][j] = x[i][index[i][j]] for axis 1. Picks one score per row without one-hot masks.
 * @example
 * ```ts
 * import { gather, tensor } from 'tensorgrad';
 * const logits = tensor([[1, 2, 3], [4, 5, 6]]);
 * gather(logits, 1, tensor([[2], [0]])).toArray(); // [[3], [4]]
 * ```
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  return indexing.gather(x, axis, index);
}

/**
 * a where cond ≠ 0, b elsewhere; the three broadcast together; numbers allowed for a and b.
 * @example
 * ```ts
 * import { where, tensor } from 'tensorgrad';
 * const x = tensor([-1, 2, -3]);
 * where(x.gt(0), x, 0).toArray(); // [0, 2, 0]
 * ```
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return indexing.where(cond, a, b);
}

/**
 * Drops a size-1 axis, or all of them.
 * @example
 * ```ts
 * import { squeeze, zeros } from 'tensorgrad';
 * squeeze(zeros([1, 3, 1])).shape; // [3]
 * ```
 */
export function squeeze(x: Tensor, axis?: number): Tensor {
  return movement.squeeze(x, axis);
}

/**
 * Inserts a size-1 axis.
 * @example
 * ```ts
 * import { unsqueeze, zeros } from 'tensorgrad';
 * unsqueeze(zeros([3]), 0).shape; // [1, 3]
 * ```
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  return movement.unsqueeze(x, axis);
}

/**
 * Merges a run of axes into one.
 * @example
 * ```ts
 * import { flatten, zeros } from 'tensorgrad';
 * flatten(zeros([2, 3, 4]), 1).shape; // [2, 12]
 * ```
 */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  return movement.flatten(x, startAxis, endAxis);
}

/**
 * Elementwise minimum; ties split the gradient evenly.
 * @example
 * ```ts
 * import { minimum, tensor } from 'tensorgrad';
 * minimum(tensor([1, 5]), 3).toArray(); // [1, 3]
 * ```
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary.minimum(a, b);
}

/**
 * Limits to [min, max]; gradient 1 on the closed interval.
 * @example
 * ```ts
 * import { clamp, tensor } from 'tensorgrad';
 * clamp(tensor([-2, 0.5, 2]), -1, 1).toArray(); // [-1, 0.5, 1]
 * ```
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  return activation.clamp(x, min, max);
}

/**
 * sin(x) elementwise.
 * @example
 * ```ts
 * import { sin, tensor } from 'tensorgrad';
 * sin(tensor([0])).item(); // 0
 * ```
 */
export function sin(x: Tensor): Tensor {
  return unary.sin(x);
}

/**
 * cos(x) elementwise.
 * @example
 * ```ts
 * import { cos, tensor } from 'tensorgrad';
 * cos(tensor([0])).item(); // 1
 * ```
 */
export function cos(x: Tensor): Tensor {
  return unary.cos(x);
}

/**
 * log(1 + eˣ) without overflow.
 * @example
 * ```ts
 * import { softplus, tensor } from 'tensorgrad';
 * softplus(tensor([1000])).item(); // 1000
 * ```
 */
export function softplus(x: Tensor): Tensor {
  return activation.softplus(x);
}

/**
 * x for x > 0, slope·x otherwise.
 * @example
 * ```ts
 * import { leakyRelu, tensor } from 'tensorgrad';
 * leakyRelu(tensor([-1, 2]), 0.1).toArray(); // [-0.1, 2]
 * ```
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return activation.leakyRelu(x, slope);
}

/**
 * x for x > 0, alpha·(eˣ − 1) otherwise.
 * @example
 * ```ts
 * import { elu, tensor } from 'tensorgrad';
 * elu(tensor([1, -1000])).toArray(); // [1, -1]
 * ```
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activation.elu(x, alpha);
}

/**
 * x·Φ(x), with the exact erf.
 * @example
 * ```ts
 * import { gelu, tensor } from 'tensorgrad';
 * gelu(tensor([1], { dtype: 'float64' })).item(); // 0.8413447460685429
 * ```
 */
export function gelu(x: Tensor): Tensor {
  return activation.gelu(x);
}

/**
 * log Σ exp(x) over `axis`, stable for any magnitude.
 * @example
 * ```ts
 * import { logsumexp, tensor } from 'tensorgrad';
 * logsumexp(tensor([1000, 1000])).item(); // 1000.6931…
 * ```
 */
export function logsumexp(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return statistics.logsumexp(x, axis, keepDims);
}

/**
 * 1 where a < b (no gradient).
 * @example
 * ```ts
 * import { lt, tensor } from 'tensorgrad';
 * lt(tensor([1, 3]), 2).toArray(); // [1, 0]
 * ```
 */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return binary.lt(a, b);
}

/**
 * 1 where a ≤ b (no gradient).
 * @example
 * ```ts
 * import { le, tensor } from 'tensorgrad';
 * le(tensor([1, 2, 3]), 2).toArray(); // [1, 1, 0]
 * ```
 */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return binary.le(a, b);
}

/**
 * 1 where a ≥ b (no gradient).
 * @example
 * ```ts
 * import { ge, tensor } from 'tensorgrad';
 * ge(tensor([1, 2, 3]), 2).toArray(); // [0, 1, 1]
 * ```
 */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return binary.ge(a, b);
}

/**
 * 1 where a ≠ b (no gradient).
 * @example
 * ```ts
 * import { ne, tensor } from 'tensorgrad';
 * ne(tensor([1, 2]), 2).toArray(); // [1, 0]
 * ```
 */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return binary.ne(a, b);
}
