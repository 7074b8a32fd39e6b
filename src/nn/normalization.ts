/**
 * Normalisation layers, PyTorch's: `LayerNorm` (over the trailing axes of each example) and
 * `BatchNorm1d` / `BatchNorm2d` (per channel over the batch, with running statistics kept as
 * buffers for evaluation). Written with the tensor ops (mean, sub, square, sqrt, div, mul),
 * so their gradients are those ops' gradients, checked against finite differences.
 */
import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { noGrad } from '../autograd/engine.js';
import { fmt, sameShape } from '../autograd/shape.js';
import { tensor } from '../autograd/creation.js';
import { Module } from './module.js';
import { constantTensor } from './init.js';

function checkEps(op: string, eps: number): number {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new Error(`${op}: eps must be a finite number >= 0, got ${eps}`);
  return eps;
}

/**
 * Layer normalisation: each example's last `normalizedShape.length` axes are shifted to mean
 * 0 and scaled to variance 1 (the biased variance, as PyTorch), then multiplied by `weight`
 * and shifted by `bias` when given: y = (x − E[x]) / √(Var[x] + ε) · w + b.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * nn.layerNorm(tensor([[1, 2, 3]]), [3], null, null).toArray(); // ≈ [[-1.2247, 0, 1.2247]]
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const k = normalizedShape.length;
  if (k === 0 || x.ndim < k || !sameShape(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new Error(`layerNorm: input of shape ${fmt(x.shape)} does not end in the normalized shape ${fmt(normalizedShape)}`);
  }
  checkEps('layerNorm', eps);
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centred = x.sub(x.mean(axes, true));
  let y = centred.div(centred.square().mean(axes, true).add(eps).sqrt());
  if (weight !== null) y = y.mul(weight);
  if (bias !== null) y = y.add(bias);
  return y;
}

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /** Normalise with the batch's statistics (and update the running ones) rather than the running ones. */
  training: boolean;
  /** Weight of the new batch in the running statistics (default 0.1, PyTorch's). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation of `x` `[N, C, ...]` per channel (axis 1), PyTorch's `F.batch_norm`:
 * in training (or without running statistics) with the batch's mean and biased variance
 * over every axis but 1, and the running statistics, when given, updated in place as
 * r ← (1 − momentum)·r + momentum·s with the unbiased variance (n/(n−1)); in evaluation with
 * the running statistics. Then y·w + b per channel when `weight` / `bias` are given.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * const mean = tensor([0]), variance = tensor([1]);
 * nn.batchNorm(tensor([[1], [3]]), mean, variance, null, null, { training: true }).toArray(); // ≈ [[-1], [1]]
 * mean.toArray(); // [0.2]: 0.9·0 + 0.1·2
 * ```
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  opts: BatchNormOptions,
): Tensor {
  if (x.ndim < 2) throw new Error(`batchNorm: input must have shape [N, C, ...], got ${fmt(x.shape)}`);
  const c = x.shape[1];
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t !== null && !sameShape(t.shape, [c]))
      throw new Error(`batchNorm: ${name} has shape ${fmt(t.shape)}, expected [${c}] for input ${fmt(x.shape)}`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new Error('batchNorm: give both running statistics or neither');
  const momentum = opts.momentum ?? 0.1;
  if (!(Number.isFinite(momentum) && momentum >= 0 && momentum <= 1)) throw new Error(`batchNorm: momentum must be in [0, 1], got ${momentum}`);
  const eps = checkEps('batchNorm', opts.eps ?? 1e-5);
  // Per-channel tensors broadcast against [N, C, d1, d2, …] as [C, 1, 1, …].
  const channelShape = [c, ...Array<number>(x.ndim - 2).fill(1)];
  let y: Tensor;
  if (opts.training || runningMean === null) {
    const n = x.size / Math.max(c, 1);
    if (opts.training && n <= 1) {
      throw new Error(`batchNorm: expected more than 1 value per channel when training, got input of shape ${fmt(x.shape)}`);
    }
    const axes = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
    const mean = x.mean(axes, true);
    const centred = x.sub(mean);
    const variance = centred.square().mean(axes, true);
    y = centred.div(variance.add(eps).sqrt());
    if (opts.training && runningMean !== null && runningVar !== null) {
      const rm = runningMean.data,
        rv = runningVar.data,
        m = mean.data,
        v = variance.data;
      const unbias = n / (n - 1);
      for (let i = 0; i < c; i++) {
        rm[i] = (1 - momentum) * rm[i] + momentum * m[i];
        rv[i] = (1 - momentum) * rv[i] + momentum * v[i] * unbias;
      }
    }
  } else {
    // Constants: the running statistics are not trained.
    const { shift, scale } = noGrad(() => ({
      shift: tensor(runningMean.data.slice(), { shape: channelShape, dtype: x.dtype }),
      scale: runningVar!.add(eps).sqrt().reshape(channelShape).astype(x.dtype),
    }));
    y = x.sub(shift).div(scale);
  }
  if (weight !== null) y = y.mul(weight.reshape(channelShape));
  if (bias !== null) y = y.add(bias.reshape(channelShape));
  return y;
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element weight (init 1) and bias (init 0) of the normalized shape (default true). */
  elementwiseAffine?: boolean;
  /** Learn the bias too (default true; only with `elementwiseAffine`). */
  bias?: boolean;
  dtype?: DType;
}

/**
 * Layer normalisation over the trailing `normalizedShape` axes of its input (PyTorch's
 * `nn.LayerNorm`): parameters `weight` (ones) and `bias` (zeros) of that shape.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const norm = new nn.LayerNorm(8);
 * norm.forward(randn([4, 8])).shape; // [4, 8], each row with mean 0 and variance ≈ 1
 * ```
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape;
    this.eps = checkEps('LayerNorm', opts.eps ?? 1e-5);
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight', constantTensor(shape, 1, dtype)) : null;
    this.bias = affine && opts.bias !== false ? this.registerParameter('bias', constantTensor(shape, 0, dtype)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/** Options of `BatchNorm1d` and `BatchNorm2d`. */
export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Learn a per-channel weight (init 1) and bias (init 0) (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them evaluation uses the batch's. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/** The shared body of `BatchNorm1d` and `BatchNorm2d`: they differ in the input ranks they accept. */
abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** Running mean per channel (buffer `running_mean`, init 0). */
  readonly runningMean: Tensor | null;
  /** Running unbiased variance per channel (buffer `running_var`, init 1). */
  readonly runningVar: Tensor | null;

  protected abstract readonly ranks: readonly number[];
  protected abstract readonly layout: string;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormLayerOptions,
  ) {
    super();
    const type = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`${type}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = checkEps(type, opts.eps ?? 1e-5);
    const momentum = opts.momentum ?? 0.1;
    if (!(Number.isFinite(momentum) && momentum >= 0 && momentum <= 1)) throw new Error(`${type}: momentum must be in [0, 1], got ${momentum}`);
    this.momentum = momentum;
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', constantTensor([numFeatures], 1, dtype)) : null;
    this.bias = affine ? this.registerParameter('bias', constantTensor([numFeatures], 0, dtype)) : null;
    const track = opts.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean', constantTensor([numFeatures], 0, dtype)) : null;
    this.runningVar = track ? this.registerBuffer('running_var', constantTensor([numFeatures], 1, dtype)) : null;
  }

  forward(x: Tensor): Tensor {
    const type = this.constructor.name;
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(`${type}(${this.numFeatures}): expected input ${this.layout} with C = ${this.numFeatures}, got ${fmt(x.shape)}`);
    }
    try {
      return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
        training: this.training,
        momentum: this.momentum,
        eps: this.eps,
      });
    } catch (e) {
      throw new Error(`${type}: ${(e as Error).message.replace(/^batchNorm: /, '')}`);
    }
  }
}

/**
 * Batch normalisation of `[N, C]` or `[N, C, L]` inputs per channel C (PyTorch's
 * `nn.BatchNorm1d`): in training mode with the batch's statistics, updating the running
 * mean and (unbiased) variance with momentum 0.1; after `eval()` with the running ones.
 * Parameters `weight` (ones) and `bias` (zeros); buffers `running_mean` (zeros) and
 * `running_var` (ones), saved in the state dict (PyTorch's `num_batches_tracked` is not kept:
 * it only matters for `momentum=None`, and `torch`'s `load_state_dict` fills it in).
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const bn = new nn.BatchNorm1d(3);
 * bn.forward(randn([8, 3])).shape;   // [8, 3]; running statistics updated
 * bn.eval().forward(randn([1, 3]));  // normalised with the running statistics
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
  protected readonly layout = '[N, C] or [N, C, L]';
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
}

/**
 * Batch normalisation of `[N, C, H, W]` images per channel C (PyTorch's `nn.BatchNorm2d`),
 * with the statistics over N, H and W; otherwise as `BatchNorm1d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const bn = new nn.BatchNorm2d(16);
 * bn.forward(randn([4, 16, 8, 8])).shape; // [4, 16, 8, 8]
 * [...bn.stateDict().keys()];             // ['weight', 'bias', 'running_mean', 'running_var']
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
  protected readonly layout = '[N, C, H, W]';
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
}
