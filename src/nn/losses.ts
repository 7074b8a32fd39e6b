import { Tensor } from '../autograd/tensor.js';
import { fmt, sameShape } from '../autograd/shape.js';
import { squaredErrorSum } from '../autograd/ops/squared-error.js';
import { oneHot, type Labels } from './metrics.js';

/** The losses by name, as the CLI's `--loss` and saved runs spell them (quadraticCost, mseLoss, crossEntropy). */
export const LOSS_NAMES = ['quadratic', 'mse', 'cross-entropy'] as const;
/** A loss the command line can train with (one of `LOSS_NAMES`). */
export type LossName = (typeof LOSS_NAMES)[number];

function checkSame(op: string, output: Tensor, target: Tensor): void {
  if (!(target instanceof Tensor)) throw new Error(`${op}: target must be a Tensor`);
  if (!sameShape(output.shape, target.shape)) {
    throw new Error(`${op}: output shape ${fmt(output.shape)} and target shape ${fmt(target.shape)} differ`);
  }
}

/**
 * The lecture's quadratic cost C = 1/(2n) · Σₓ ‖y(x) − a‖²: the squared error summed over
 * each example's outputs, averaged over the n examples (axis 0), and halved.
 *
 * Not the same number as PyTorch's `MSELoss` (= `mseLoss` here), which averages over every
 * element and does not halve: for outputs of width k, `quadraticCost = mseLoss · k / 2`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * const a = tensor([[0.5, 0.5]]), y = tensor([[1, 0]]);
 * nn.quadraticCost(a, y).item(); // 0.25 = (0.25 + 0.25) / 2
 * nn.mseLoss(a, y).item();       // 0.25 = (0.25 + 0.25) / 2 elements
 * ```
 */
export function quadraticCost(output: Tensor, target: Tensor): Tensor {
  checkSame('quadraticCost', output, target);
  const n = output.ndim >= 2 ? output.shape[0] : 1;
  return squaredErrorSum(output, target, 1 / (2 * n));
}

/** Options of `nn.mseLoss`. */
export interface MseOptions {
  /** `'mean'` over all elements (default, as PyTorch), `'sum'`, or `'none'` (elementwise). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Mean squared error with PyTorch's semantics: mean of (output − target)² over all elements.
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * nn.mseLoss(tensor([1, 2]), tensor([0, 0])).item();                       // 2.5
 * nn.mseLoss(tensor([1, 2]), tensor([0, 0]), { reduction: 'sum' }).item(); // 5
 * ```
 */
export function mseLoss(output: Tensor, target: Tensor, opts: MseOptions = {}): Tensor {
  checkSame('mseLoss', output, target);
  switch (opts.reduction ?? 'mean') {
    case 'mean':
      return squaredErrorSum(output, target, 1 / output.size);
    case 'sum':
      return squaredErrorSum(output, target, 1);
    case 'none':
      return output.sub(target).square();
    default:
      throw new Error(`mseLoss: unknown reduction '${String(opts.reduction)}'; expected 'mean', 'sum' or 'none'`);
  }
}

/**
 * Softmax cross-entropy of `logits` [n, classes], averaged over the n examples, computed
 * stably through logSoftmax. `labels` are integer classes (length n) or a tensor of target
 * probabilities (one-hot or soft) of the logits' shape.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * const logits = tensor([[2, 0, 0], [0, 0, 3]]);
 * nn.crossEntropy(logits, [0, 2]).item(); // ≈ 0.1672 = (log(1 + 2e⁻²) + log(1 + 2e⁻³)) / 2
 * ```
 */
export function crossEntropy(logits: Tensor, labels: Labels | Tensor): Tensor {
  if (logits.ndim !== 2) throw new Error(`crossEntropy: logits must have shape [n, classes], got ${fmt(logits.shape)}`);
  const [n, classes] = logits.shape;
  let target: Tensor;
  if (labels instanceof Tensor && labels.ndim === 2) {
    checkSame('crossEntropy', logits, labels);
    target = labels;
  } else {
    const count = labels instanceof Tensor ? labels.size : labels.length;
    if (count !== n) throw new Error(`crossEntropy: ${n} rows of logits but ${count} labels`);
    try {
      target = oneHot(labels, classes, logits.dtype);
    } catch (e) {
      throw new Error(`crossEntropy: ${(e as Error).message.replace(/^oneHot: /, '')} (logits have ${classes} classes)`);
    }
  }
  return logits
    .logSoftmax(-1)
    .mul(target)
    .sum()
    .mul(-1 / n);
}

/**
 * log(x) clamped at −100 (PyTorch's BCELoss). At x = 0 the value is −100 and the gradient 0:
 * `x.log().maximum(-100)` alone would back-propagate 0 · (1/0) = NaN there.
 */
function clampedLog(x: Tensor): Tensor {
  const zero = x.eq(0); // a constant mask, not recorded
  return x.add(zero).log().maximum(-100).mul(zero.neg().add(1)).add(zero.mul(-100));
}

/**
 * Binary cross-entropy of probabilities `p` against targets in [0, 1], averaged over all
 * elements; logs are clamped at −100 (as PyTorch) so p = 0 or 1 stays finite.
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * nn.binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])).item(); // ≈ 0.1643
 * ```
 */
export function binaryCrossEntropy(p: Tensor, target: Tensor): Tensor {
  checkSame('binaryCrossEntropy', p, target);
  const logP = clampedLog(p);
  const log1mP = clampedLog(p.neg().add(1));
  return target.mul(logP).add(target.neg().add(1).mul(log1mP)).mean().neg();
}
