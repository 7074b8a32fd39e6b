import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { Rng } from '../autograd/random.js';
import { fmt } from '../autograd/shape.js';
import { linear, type FusedActivation } from '../autograd/ops/linear.js';
import { Module } from './module.js';
import { initStd, normalTensor, uniformTensor, type InitName } from './init.js';

/** Options of `nn.Linear`. */
export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Initialiser (default `'normal'`, the lecture's N(0,1); `'pytorch'` for `torch.nn.Linear`'s U(±1/√in)). */
  init?: InitName;
  /** `'float32'` (default) or `'float64'`. */
  dtype?: DType;
  /** Seed for the initial values (default 0). Ignored when `rng` is given. */
  seed?: number;
  /** A generator to draw from (lets an MLP seed all its layers from one seed). */
  rng?: Rng;
}

/**
 * A fully connected layer: y = x·W + b, with W of shape [inFeatures, outFeatures] (so a batch
 * [n, in] multiplies without a transpose) and b of shape [outFeatures]. In PyTorch's layout
 * (`stateDict({ layout: 'pytorch' })`, `nn.save`) the weight is written transposed, `[out, in]`,
 * as `torch.nn.Linear` holds it.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const layer = new nn.Linear(784, 30, { seed: 1 });
 * layer.forward(randn([10, 784])).shape; // [10, 30]
 * ```
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const rng = opts.rng ?? new Rng(opts.seed ?? 0);
    const dtype = opts.dtype ?? 'float32';
    const init = opts.init ?? 'normal';
    if (init === 'pytorch') {
      const bound = 1 / Math.sqrt(inFeatures);
      this.weight = this.registerParameter('weight', uniformTensor([inFeatures, outFeatures], bound, rng, dtype));
      this.bias = opts.bias === false ? null : this.registerParameter('bias', uniformTensor([outFeatures], bound, rng, dtype));
      return;
    }
    const std = initStd(init, inFeatures, outFeatures);
    this.weight = this.registerParameter('weight', normalTensor([inFeatures, outFeatures], std.weight, rng, dtype));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', normalTensor([outFeatures], std.bias, rng, dtype));
  }

  /** act(x·W + b) for x of shape [..., inFeatures]; the activation is fused into the layer's kernel. */
  forward(x: Tensor, activation: FusedActivation = 'identity'): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures}→${this.outFeatures}): input of shape ${fmt(x.shape)} has ${x.ndim === 0 ? 'no feature axis' : `${x.shape[x.ndim - 1]} features`}, expected ${this.inFeatures}`,
      );
    }
    return linear(x, this.weight, this.bias, activation);
  }

  /** PyTorch's `nn.Linear` keeps its weight as `[out, in]`: the transpose of ours. */
  protected override pytorchPermutation(name: string): readonly number[] | null {
    return name === 'weight' ? [1, 0] : null;
  }
}
