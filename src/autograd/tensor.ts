import type { FloatArray } from './kernels/types.js';
import { dtypeOf, type DType } from './dtype.js';
import { fmt, sameShape, sizeOf } from './shape.js';
import { runBackward, type BackwardOptions, type GradNode } from './engine.js';
import * as binary from './ops/binary.js';
import * as unary from './ops/unary.js';
import * as reduce from './ops/reduce.js';
import * as movement from './ops/movement.js';
import * as softmax from './ops/softmax.js';
import { matmul } from './ops/matmul.js';
import * as indexing from './ops/indexing.js';
import * as joining from './ops/joining.js';
import * as activation from './ops/activation.js';
import * as statistics from './ops/statistics.js';
import { tensor } from './creation.js';
import { engineState } from './state.js';

/** A nested array of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** Operand of a binary op: a tensor, or a number broadcast as a 0-d tensor of the partner's dtype. */
export type TensorLike = Tensor | number;

/**
 * An n-dimensional array of float32 or float64 numbers in one contiguous, row-major typed
 * array, recording the ops applied to it so that `backward()` can compute gradients.
 *
 * Make tensors with `tensor`, `zeros`, `ones`, `rand`, `randn`. Binary ops broadcast as NumPy
 * does. Memory is garbage-collected: nothing needs disposing.
 *
 * @example
 * ```ts
 * import { tensor } from 'tensorgrad';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();      // Σ x²
 * y.backward();
 * x.grad?.toArray();             // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  /** The size of each axis; `[]` for a 0-d (scalar) tensor. */
  readonly shape: readonly number[];
  /** The element type: `'float32'` or `'float64'`. */
  readonly dtype: DType;
  /** The number of elements. */
  readonly size: number;
  /** The elements, row-major. Shared, not copied, by `reshape` and `detach`. */
  readonly data: FloatArray;
  /** The accumulated gradient after `backward()`; `null` until a gradient reaches this tensor. */
  grad: Tensor | null = null;
  /** Whether gradients flow to this tensor. Set it on parameters (leaves) you want `.grad` for. */
  requiresGrad: boolean;
  /** An optional name, shown by `toString()`. */
  label?: string;
  /** @internal The op that produced this tensor, if it was recorded. */
  _node: GradNode | null = null;
  /** @internal The number of the last backward() walk that reached this tensor. */
  _visit = 0;

  /** @internal Use `tensor()`, `zeros()`, … to make tensors. */
  constructor(data: FloatArray, shape: readonly number[], requiresGrad = false) {
    const size = sizeOf(shape);
    if (size !== data.length) {
      throw new Error(`Tensor: shape ${fmt(shape)} holds ${size} elements but the data has ${data.length}`);
    }
    this.data = data;
    // A private copy; not frozen: Object.freeze costs ~100 ns, a fifth of a one-element op.
    this.shape = shape.slice();
    this.size = size;
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
    // A compiled trace hands out buffers it must take back from every tensor made meanwhile.
    if (engineState.tracer !== null) engineState.tracer.made(this);
  }

  /** The number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  // ---- elementwise binary ops (NumPy broadcasting) ----
  /** this + other, broadcasting. */
  add(other: TensorLike): Tensor {
    return binary.add(this, other);
  }
  /** this − other, broadcasting. */
  sub(other: TensorLike): Tensor {
    return binary.sub(this, other);
  }
  /** this · other elementwise, broadcasting. */
  mul(other: TensorLike): Tensor {
    return binary.mul(this, other);
  }
  /** this / other elementwise, broadcasting. */
  div(other: TensorLike): Tensor {
    return binary.div(this, other);
  }
  /** this ** exponent elementwise; a tensor exponent broadcasts and gets a gradient too. */
  pow(exponent: TensorLike): Tensor {
    return binary.pow(this, exponent);
  }
  /** Elementwise maximum of two tensors (gradient to the larger; split evenly on ties). */
  maximum(other: TensorLike): Tensor {
    return binary.maximum(this, other);
  }
  /** 1 where this === other, else 0 (no gradient). */
  eq(other: TensorLike): Tensor {
    return binary.eq(this, other);
  }
  /** 1 where this > other, else 0 (no gradient). */
  gt(other: TensorLike): Tensor {
    return binary.gt(this, other);
  }

  // ---- elementwise unary ops ----
  /** −this. */
  neg(): Tensor {
    return unary.neg(this);
  }
  /** eˣ. */
  exp(): Tensor {
    return unary.exp(this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return unary.log(this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return unary.sqrt(this);
  }
  /** |x|, with derivative 0 at 0 (PyTorch's convention). */
  abs(): Tensor {
    return unary.abs(this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return unary.tanh(this);
  }
  /** sin(x) elementwise (radians). */
  sin(): Tensor {
    return unary.sin(this);
  }
  /** cos(x) elementwise (radians). */
  cos(): Tensor {
    return unary.cos(this);
  }
  /** Logistic sigmoid 1/(1+e⁻ˣ), finite for inputs of any magnitude. */
  sigmoid(): Tensor {
    return unary.sigmoid(this);
  }
  /** max(x, 0), with derivative 0 at 0 (PyTorch's convention). */
  relu(): Tensor {
    return unary.relu(this);
  }
  /** x². */
  square(): Tensor {
    return unary.square(this);
  }
  /** Casts to another dtype (the gradient is cast back). */
  astype(dtype: DType): Tensor {
    return unary.astype(this, dtype);
  }

  // ---- reductions ----
  /** Sum over `axis` (all axes when omitted); a full reduction gives a 0-d tensor. */
  sum(axis?: number | number[], keepDims = false): Tensor {
    return reduce.sum(this, axis, keepDims);
  }
  /** Mean over `axis` (all axes when omitted). */
  mean(axis?: number | number[], keepDims = false): Tensor {
    return reduce.mean(this, axis, keepDims);
  }
  /** Maximum over `axis` (all axes when omitted); tied maxima share the gradient evenly. */
  max(axis?: number | number[], keepDims = false): Tensor {
    return reduce.max(this, axis, keepDims);
  }
  /** Sums a broadcast tensor back down to `shape` (the inverse of broadcasting). */
  sumTo(shape: readonly number[]): Tensor {
    return reduce.sumTo(this, shape);
  }

  // ---- softmax ----
  /** softmax along `axis` (default last), shifted by the max so it never overflows. */
  softmax(axis = -1): Tensor {
    return softmax.softmax(this, axis);
  }
  /** log(softmax(x)) along `axis` (default last), computed stably. */
  logSoftmax(axis = -1): Tensor {
    return softmax.logSoftmax(this, axis);
  }

  // ---- linear algebra and shape ----
  /** Matrix product with NumPy's `matmul` rules (1-D operands promoted, batch dims broadcast). */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  /** The same elements in a new shape; one entry may be −1. Shares the data. */
  reshape(shape: readonly number[]): Tensor {
    return movement.reshape(this, shape);
  }
  /** Permutes the axes; reverses them when `perm` is omitted (NumPy). */
  transpose(perm?: readonly number[]): Tensor {
    return movement.transpose(this, perm);
  }
  /** Broadcasts to `shape` (a copy). */
  expand(shape: readonly number[]): Tensor {
    return movement.expand(this, shape);
  }

  // ---- indexing, joining, more math (issue 12) ----
  /**
   * Python's slice of one axis: `x.slice(0, 1, -1)` is `x[1:-1]`, `x.slice(1, 0, undefined, 2)`
   * is `x[:, ::2]`; negative start/end count from the end, out-of-range ones are clamped, a
   * negative step walks backwards. A copy.
   */
  slice(axis: number, start?: number, end?: number, step = 1): Tensor {
    return indexing.slice(this, axis, start, end, step);
  }
  /** The entries `indices` (integers in [0, size), repeats allowed, e.g. an Int32Array) along `axis`; repeated indices add their gradients. */
  indexSelect(axis: number, indices: ArrayLike<number>): Tensor {
    return indexing.indexSelect(this, axis, indices);
  }
  /** PyTorch's gather along `axis` with an integral index tensor of the same rank (see `gather`). */
  gather(axis: number, index: Tensor): Tensor {
    return indexing.gather(this, axis, index);
  }
  /** Pieces along `axis` of `size` elements (the last may be smaller) or of the given sizes. */
  split(sizes: number | readonly number[], axis = 0): Tensor[] {
    return joining.split(this, sizes, axis);
  }
  /** Drops a size-1 axis (every size-1 axis when omitted); shares the data. */
  squeeze(axis?: number): Tensor {
    return movement.squeeze(this, axis);
  }
  /** Inserts a size-1 axis at `axis` (negative counts from the end of the result); shares the data. */
  unsqueeze(axis: number): Tensor {
    return movement.unsqueeze(this, axis);
  }
  /** Merges axes `startAxis`..`endAxis` (inclusive) into one; shares the data. */
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return movement.flatten(this, startAxis, endAxis);
  }
  /** Elementwise minimum (gradient to the smaller; split evenly on ties). */
  minimum(other: TensorLike): Tensor {
    return binary.minimum(this, other);
  }
  /** Minimum over `axis` (all axes when omitted); tied minima share the gradient evenly. */
  min(axis?: number | number[], keepDims = false): Tensor {
    return reduce.min(this, axis, keepDims);
  }
  /** Limits to [min, max] (either may be omitted); gradient 1 on the closed interval, 0 outside (PyTorch). */
  clamp(min?: number, max?: number): Tensor {
    return activation.clamp(this, min, max);
  }
  /** log(1 + eˣ), finite for inputs of any magnitude. */
  softplus(): Tensor {
    return activation.softplus(this);
  }
  /** x for x > 0, slope·x otherwise (derivative slope at 0). */
  leakyRelu(slope = 0.01): Tensor {
    return activation.leakyRelu(this, slope);
  }
  /** x for x > 0, alpha·(eˣ − 1) otherwise. */
  elu(alpha = 1): Tensor {
    return activation.elu(this, alpha);
  }
  /** x·Φ(x) with the exact erf (PyTorch's default gelu). */
  gelu(): Tensor {
    return activation.gelu(this);
  }
  /** log Σ exp over `axis` (all axes when omitted), stable for inputs of any magnitude. */
  logsumexp(axis?: number | number[], keepDims = false): Tensor {
    return statistics.logsumexp(this, axis, keepDims);
  }
  /** Variance over `axis` (all when omitted), dividing by N − correction (default 1: unbiased, PyTorch). */
  var(axis?: number | number[], keepDims = false, correction = 1): Tensor {
    return statistics.variance(this, axis, keepDims, correction);
  }
  /** Standard deviation: √var with the same arguments. */
  std(axis?: number | number[], keepDims = false, correction = 1): Tensor {
    return statistics.std(this, axis, keepDims, correction);
  }
  /** 1 where this < other, else 0 (no gradient). */
  lt(other: TensorLike): Tensor {
    return binary.lt(this, other);
  }
  /** 1 where this ≤ other, else 0 (no gradient). */
  le(other: TensorLike): Tensor {
    return binary.le(this, other);
  }
  /** 1 where this ≥ other, else 0 (no gradient). */
  ge(other: TensorLike): Tensor {
    return binary.ge(this, other);
  }
  /** 1 where this ≠ other, else 0 (no gradient). */
  ne(other: TensorLike): Tensor {
    return binary.ne(this, other);
  }

  // ---- autograd ----
  /**
   * Back-propagates from this tensor, adding d(this)/d(leaf) into `.grad` of every leaf that
   * requires grad. Gradients accumulate across calls (as PyTorch): call `zeroGrad()` or an
   * optimizer's `zeroGrad()` between steps. A tensor of more than one element needs an
   * explicit `grad` seed of its shape. The graph is freed unless `retainGraph` is set.
   */
  backward(grad?: Tensor | NestedArray, opts: BackwardOptions = {}): void {
    runBackward(this, seedFor(this, grad), true, opts);
  }

  /** A tensor sharing this one's data, cut off from the graph (no gradient flows through it). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** Resets `.grad` to null. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** A copy with its own data (recorded: gradients flow through it). */
  clone(): Tensor {
    return unary.clone(this);
  }

  /** The elements as nested arrays of numbers (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const data = this.data;
    const shape = this.shape;
    if (shape.length === 0) return data[0];
    let pos = 0;
    const build = (axis: number): NestedArray[] => {
      const out: NestedArray[] = new Array(shape[axis]);
      for (let i = 0; i < shape[axis]; i++) out[i] = axis === shape.length - 1 ? data[pos++] : build(axis + 1);
      return out;
    };
    return build(0);
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements; item() needs exactly one`);
    return this.data[0];
  }

  /** `Tensor label([2, 3], float32) [[…]]`: shape, dtype and (up to 100) values. */
  toString(): string {
    const name = this.label ? ` ${this.label}` : '';
    const body = this.size <= 100 ? JSON.stringify(this.toArray()) : `${this.size} elements`;
    return `Tensor${name}(${fmt(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''}) ${body}`;
  }
}

function seedFor(t: Tensor, grad: Tensor | NestedArray | undefined): Tensor {
  if (grad === undefined) {
    if (t.size !== 1) {
      throw new Error(
        `backward: the output has shape ${fmt(t.shape)}; without an explicit gradient, backward() needs a one-element output. ` +
          `Pass a seed of shape ${fmt(t.shape)}, e.g. out.backward(ones(out.shape)), or reduce first (out.sum().backward())`,
      );
    }
    const seed = t.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
    seed[0] = 1;
    return new Tensor(seed, t.shape);
  }
  const seed = grad instanceof Tensor ? grad : tensor(grad, { dtype: t.dtype });
  // Same shape, or one element for a one-element output ([1] for []): a reshaped seed of the
  // right size but the wrong layout would silently scramble the gradient.
  if (!sameShape(seed.shape, t.shape) && !(seed.size === 1 && t.size === 1)) {
    throw new Error(`backward: the gradient seed has shape ${fmt(seed.shape)} but the output has shape ${fmt(t.shape)}`);
  }
  return sameShape(seed.shape, t.shape) ? seed : seed.reshape(t.shape);
}
