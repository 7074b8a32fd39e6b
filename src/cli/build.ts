/**
 * What a training configuration builds: the network (MLP or CNN), the loss function, the
 * optimizer and the learning-rate scheduler.
 */
import type { Tensor } from '../autograd/index.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import type { TrainConfig } from './args.js';
import { buildConvNet, type ConvNet } from './cnn.js';

/**
 * Builds the MLP a configuration describes (sizes, activations, initialiser, seed).
 *
 * @example
 * ```ts
 * const model = buildModel({ ...DEFAULT_CONFIG, sizes: [784, 30, 10] });
 * model.parameters().length; // 4
 * ```
 */
export function buildModel(config: Pick<TrainConfig, 'sizes' | 'activation' | 'outputActivation' | 'init' | 'seed'>): nn.MLP {
  return new nn.MLP(config.sizes, {
    activation: config.activation,
    outputActivation: config.outputActivation,
    init: config.init,
    seed: config.seed,
  });
}

/** The network a configuration's `arch` names: the MLP of `buildModel` or the `ConvNet`. */
export function buildNetwork(config: TrainConfig): nn.MLP | ConvNet {
  return config.arch === 'cnn' ? buildConvNet(config) : buildModel(config);
}

/** The number of trainable parameters of the network a configuration describes. */
export function networkParameterCount(config: TrainConfig): number {
  return config.arch === 'cnn'
    ? buildConvNet(config)
        .parameters()
        .reduce((n, p) => n + p.size, 0)
    : nn.parameterCount(config.sizes);
}

/**
 * The loss a configuration names, as a function of the network's output and the batch:
 * `quadratic` = the lecture's C = 1/(2n)·Σ‖y − a‖², `mse` = mean over all elements,
 * `cross-entropy` = softmax cross-entropy of logits.
 */
export function lossFunction(loss: TrainConfig['loss']): (output: Tensor, targets: Tensor, labels: Uint8Array) => Tensor {
  switch (loss) {
    case 'quadratic':
      return (output, targets) => nn.quadraticCost(output, targets);
    case 'mse':
      return (output, targets) => nn.mseLoss(output, targets);
    case 'cross-entropy':
      // The batch's one-hot targets: the same bits as from its labels, and a tensor argument, so
      // a compiled step can take it (labels would become a tensor inside the step).
      return (output, targets) => nn.crossEntropy(output, targets);
    default:
      throw new Error(`unknown loss '${String(loss)}'`);
  }
}

/** The optimizer a configuration names, over `params`, at the configuration's initial rate. */
export function buildOptimizer(config: TrainConfig, params: Tensor[]): optim.Optimizer {
  switch (config.optimizer) {
    case 'sgd':
    case 'momentum':
      return new optim.SGD(params, { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay });
    case 'adam':
      return new optim.Adam(params, { lr: config.lr, weightDecay: config.weightDecay });
    case 'adamw':
      return new optim.AdamW(params, { lr: config.lr, weightDecay: config.weightDecay });
    default:
      throw new Error(`unknown optimizer '${String(config.optimizer)}'`);
  }
}

/**
 * The learning-rate schedule a configuration names, over epochs (t = 0 is the first):
 * none for `none` (constant); for `step`, ×0.1 every ⌈epochs/3⌉ epochs; for `cosine`, cosine
 * annealing from `lr` towards 0 over the run.
 */
export function scheduleOf(config: Pick<TrainConfig, 'schedule' | 'epochs'>): optim.Schedule | null {
  switch (config.schedule) {
    case 'none':
      return null;
    case 'step':
      return optim.stepDecay({ stepSize: Math.max(1, Math.ceil(config.epochs / 3)), gamma: 0.1 });
    case 'cosine':
      return optim.cosineDecay({ total: config.epochs });
    default:
      throw new Error(`unknown schedule '${String(config.schedule)}'`);
  }
}

/**
 * The scheduler that sets `optimizer`'s rate epoch by epoch (call `step()` after each epoch), or
 * null for a constant rate.
 *
 * @example
 * ```ts
 * const sched = buildScheduler({ schedule: 'step', epochs: 30 }, opt); // opt.lr = 3
 * for (let e = 0; e < 10; e++) sched?.step();                           // opt.lr = 0.3
 * ```
 */
export function buildScheduler(config: Pick<TrainConfig, 'schedule' | 'epochs'>, optimizer: optim.Optimizer): optim.LRScheduler | null {
  const schedule = scheduleOf(config);
  return schedule === null ? null : new optim.LRScheduler(optimizer, schedule);
}

/** The learning rate of epoch `epoch` (0-based) under the configured schedule. */
export function learningRate(config: Pick<TrainConfig, 'lr' | 'schedule' | 'epochs'>, epoch: number): number {
  const schedule = scheduleOf(config);
  return schedule === null ? config.lr : schedule(epoch, config.lr);
}
