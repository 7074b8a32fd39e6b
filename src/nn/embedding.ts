import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { Rng } from '../autograd/random.js';
import { fmt } from '../autograd/shape.js';
import { indexSelect } from '../autograd/ops/indexing.js';
import { Module } from './module.js';
import { normalTensor } from './init.js';

/**
 * A lookup table, PyTorch's `nn.Embedding(count, dim)`: row i of the weight [count, dim] is the
 * vector of index i. Initialised as PyTorch does, N(0, 1), seeded. The gradient of a row is the
 * sum of the gradients of every place it was looked up.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * const emb = new nn.Embedding(10, 3, { seed: 1 });
 * emb.forward(tensor([[1, 2], [2, 9]])).shape; // [2, 2, 3]
 * emb.lookup([4, 4, 0]).shape;                 // [3, 3]
 * ```
 */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(
    readonly count: number,
    readonly dim: number,
    opts: { dtype?: DType; seed?: number; rng?: Rng } = {},
  ) {
    super();
    for (const [name, v] of [
      ['count', count],
      ['dim', dim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    const rng = opts.rng ?? new Rng(opts.seed ?? 0);
    this.weight = this.registerParameter('weight', normalTensor([count, dim], 1, rng, opts.dtype ?? 'float32'));
  }

  /** The rows of a tensor of indices (integers in [0, count)), shaped [...indices.shape, dim]. */
  forward(indices: Tensor): Tensor {
    return this.lookup(indices.data, indices.shape);
  }

  /** The rows `indices` (integers in [0, count)), shaped [...shape, dim] (shape defaults to [indices.length]). */
  lookup(indices: ArrayLike<number>, shape: readonly number[] = [indices.length]): Tensor {
    let size = 1;
    for (const d of shape) size *= d;
    if (size !== indices.length) throw new Error(`Embedding.lookup: ${indices.length} indices do not fill the shape ${fmt(shape)}`);
    for (let j = 0; j < indices.length; j++) {
      const v = indices[j];
      if (!Number.isInteger(v) || v < 0 || v >= this.count) {
        throw new Error(`Embedding(${this.count}, ${this.dim}): index ${v} (position ${j}) is not an integer in [0, ${this.count})`);
      }
    }
    return indexSelect(this.weight, 0, indices).reshape([...shape, this.dim]);
  }
}
