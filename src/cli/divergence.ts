/**
 * Noticing a run that has gone wrong: a loss or a parameter that is NaN or infinite, or a run
 * stuck at chance accuracy with a flat cost (what too large a learning rate does to a sigmoid
 * network: every output saturates and stays there). Each ends the run with advice that names the
 * likely causes, instead of training on silently or saving a broken model as the result.
 */
import type { Tensor } from '../autograd/index.js';
import type { TrainConfig } from './args.js';
import type { EpochMetrics } from './train.js';

/** A run that diverged: the message says where and what to try. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    message: string,
    readonly epoch: number,
  ) {
    super(message);
  }
}

/** What to try, most likely cause first, from the flags the run used. */
export function divergenceAdvice(config: Pick<TrainConfig, 'lr' | 'weightDecay' | 'momentum' | 'optimizer'>): string {
  const tips = [`lower the learning rate (--lr ${config.lr} → try ${config.lr / 10})`];
  if (config.weightDecay > 0) tips.push(`lower the weight decay (--weight-decay ${config.weightDecay})`);
  if (config.momentum > 0) tips.push(`lower the momentum (--momentum ${config.momentum})`);
  tips.push('check the input scale (the pixels should lie in [0, 1])');
  return `Likely causes: ${tips.join('; ')}.`;
}

/** Throws a DivergenceError when a mini-batch's loss is NaN or infinite. */
export function checkLoss(value: number, config: TrainConfig, epoch: number, batch: number): void {
  if (Number.isFinite(value)) return;
  throw new DivergenceError(
    `the loss became ${value} in epoch ${epoch + 1}, mini-batch ${batch}: the run diverged. ${divergenceAdvice(config)}`,
    epoch + 1,
  );
}

/**
 * Throws a DivergenceError when a parameter holds a NaN or an infinity (one pass over the
 * values: cheap next to an epoch's training). A loss can stay finite for a while after a weight
 * overflowed, e.g. behind a saturated sigmoid.
 */
export function checkParameters(params: readonly [string, Tensor][], config: TrainConfig, epoch: number): void {
  for (const [name, p] of params) {
    const d = p.data;
    let sum = 0;
    for (let i = 0; i < d.length; i++) sum += d[i] * 0; // NaN · 0 and ∞ · 0 are NaN; finite · 0 is 0
    if (sum === 0) continue;
    let at = 0;
    while (at < d.length && Number.isFinite(d[at])) at++;
    throw new DivergenceError(
      `parameter ${name} holds ${d[at]} (element ${at}) after epoch ${epoch + 1}: the run diverged. ${divergenceAdvice(config)}`,
      epoch + 1,
    );
  }
}

/**
 * Throws a DivergenceError when the last two epochs are both at chance accuracy (at most 1.2 /
 * classes on the validation set, or the test set without one) and the cost did not fall by 1%
 * between them: the network is not learning, and more epochs will not change that.
 */
export function checkLearning(history: readonly EpochMetrics[], classes: number, config: TrainConfig): void {
  if (history.length < 2 || classes < 2) return;
  const [a, b] = history.slice(-2);
  const accuracy = (m: EpochMetrics): number => (m.valCount > 0 ? m.valAccuracy : m.testAccuracy);
  const chance = 1.2 / classes;
  if (accuracy(a) > chance || accuracy(b) > chance || b.cost < 0.99 * a.cost) return;
  throw new DivergenceError(
    `the run is not learning: accuracy ${(100 * accuracy(b)).toFixed(2)}% is at chance for ${classes} classes and the cost ` +
      `is flat (${a.cost.toFixed(4)} → ${b.cost.toFixed(4)}) after epoch ${b.epoch}; the outputs have probably saturated. ` +
      divergenceAdvice(config),
    b.epoch,
  );
}
