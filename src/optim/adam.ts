import type { Tensor } from '../autograd/tensor.js';
import type { FloatArray } from '../autograd/kernels/types.js';
import { adamUpdate } from '../autograd/backend/index.js';
import { Optimizer, checkInRange, type ParamGroupSpec } from './optimizer.js';

/** Options of `optim.Adam` and `optim.AdamW`. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay (default 0; AdamW 0.01). */
  weightDecay?: number;
}

/** One parameter group's resolved Adam hyperparameters. */
export interface AdamHyperparameters {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/**
 * Adam (Kingma & Ba), with PyTorch's bias-corrected update:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − η·m̂/(√v̂ + ε).
 *
 * Parameter groups (PyTorch's): pass `[{ params, lr?, betas?, eps?, weightDecay? }, ...]`;
 * the second argument holds the defaults.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'tensorgrad';
 * const net = new nn.MLP([784, 100, 10], { activation: 'relu', outputActivation: 'identity', init: 'he' });
 * const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
 * // no weight decay on the biases:
 * const decay = net.layers.map((l) => l.weight), rest = net.layers.map((l) => l.bias!);
 * new optim.Adam([{ params: decay, weightDecay: 1e-4 }, { params: rest }], { lr: 1e-3 });
 * ```
 */
export class Adam extends Optimizer<AdamHyperparameters> {
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec<AdamOptions>[], opts: AdamOptions = {}, type = 'Adam', defaultDecay = 0) {
    super(type, params, (o, group) => {
      const op = group > 0 ? `${type} (group ${group})` : type;
      const [b1, b2] = o.betas ?? opts.betas ?? [0.9, 0.999];
      return {
        lr: o.lr ?? opts.lr ?? 1e-3,
        betas: [checkInRange(op, 'betas[0]', b1, 0, 1), checkInRange(op, 'betas[1]', b2, 0, 1)],
        eps: checkInRange(op, 'eps', o.eps ?? opts.eps ?? 1e-8, 0, Infinity),
        weightDecay: checkInRange(op, 'weightDecay', o.weightDecay ?? opts.weightDecay ?? defaultDecay, 0, Infinity),
      };
    });
  }

  /** The first group's β₁. */
  get beta1(): number {
    return this.paramGroups[0].betas[0];
  }
  /** The first group's β₂. */
  get beta2(): number {
    return this.paramGroups[0].betas[1];
  }
  /** The first group's ε. */
  get eps(): number {
    return this.paramGroups[0].eps;
  }
  /** The first group's weight decay. */
  get weightDecay(): number {
    return this.paramGroups[0].weightDecay;
  }

  protected update(p: FloatArray, g: FloatArray, index: number): void {
    const m = this.buffer(index, 'm'),
      v = this.buffer(index, 'v');
    const {
      lr,
      betas: [b1, b2],
      eps,
      weightDecay: wd,
    } = this.hyper(index);
    const t = this.paramSteps[index]; // this parameter's own step count, as PyTorch
    const c1 = 1 - Math.pow(b1, t),
      c2 = 1 - Math.pow(b2, t);
    const l2 = this.decoupled ? 0 : wd;
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    adamUpdate(p, g, m, v, { lr, beta1: b1, beta2: b2, eps, l2, shrink, c1, c2 });
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with weight decay decoupled from the gradient,
 * p ← p·(1 − η·λ) before the Adam step (default λ = 0.01, as PyTorch).
 *
 * @example
 * ```ts
 * import { nn, optim } from 'tensorgrad';
 * const opt = new optim.AdamW(new nn.Linear(3, 1).parameters(), { lr: 1e-2, weightDecay: 0.01 });
 * ```
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec<AdamOptions>[], opts: AdamOptions = {}) {
    super(params, opts, 'AdamW', 0.01);
  }
}
