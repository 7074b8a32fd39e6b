import type { Tensor } from '../autograd/tensor.js';
import type { FloatArray } from '../autograd/kernels/types.js';
import { sgdMomentum, sgdUpdate } from '../autograd/backend/index.js';
import { Optimizer, checkInRange, type ParamGroupSpec } from './optimizer.js';

/** Options of `optim.SGD`. */
export interface SGDOptions {
  /** Learning rate η (> 0). */
  lr: number;
  /** Momentum factor in [0, 1) (default 0: plain SGD). */
  momentum?: number;
  /** Nesterov momentum (needs momentum > 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/** One parameter group's resolved SGD hyperparameters. */
export interface SGDHyperparameters {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * Stochastic gradient descent, PyTorch's update: g ← ∇ + λ·p; with momentum μ,
 * v ← μ·v + g and the step uses v (or g + μ·v with Nesterov); p ← p − η·step.
 *
 * Plain full-batch gradient descent (the lecture's v → v − η∇C) is this optimizer with the
 * gradient of the cost over the whole training set, i.e. one step per pass.
 *
 * Parameter groups (PyTorch's): pass `[{ params, lr?, momentum?, ... }, ...]` to give some
 * parameters their own hyperparameters; the second argument holds the defaults.
 *
 * @example
 * ```ts
 * import { nn, optim, randn } from 'tensorgrad';
 * const net = new nn.MLP([2, 4, 1]);
 * const opt = new optim.SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
 * const loss = nn.mseLoss(net.forward(randn([8, 2])), randn([8, 1]));
 * opt.zeroGrad(); loss.backward(); opt.step();
 * // the last layer learns ten times faster than the first:
 * const [first, last] = net.layers;
 * new optim.SGD([{ params: first.parameters() }, { params: last.parameters(), lr: 0.5 }], { lr: 0.05, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer<SGDHyperparameters> {
  constructor(params: Iterable<Tensor>, opts: SGDOptions);
  constructor(groups: readonly ParamGroupSpec<SGDOptions>[], opts?: Partial<SGDOptions>);
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec<SGDOptions>[], opts: Partial<SGDOptions> = {}) {
    super('SGD', params, (o, group) => {
      const op = group > 0 ? `SGD (group ${group})` : 'SGD';
      const momentum = checkInRange(op, 'momentum', o.momentum ?? opts?.momentum ?? 0, 0, 1);
      const weightDecay = checkInRange(op, 'weightDecay', o.weightDecay ?? opts?.weightDecay ?? 0, 0, Infinity);
      const nesterov = o.nesterov ?? opts?.nesterov ?? false;
      if (nesterov && momentum === 0) throw new Error(`${op}: nesterov needs momentum > 0`);
      return { lr: (o.lr ?? opts?.lr) as number, momentum, nesterov, weightDecay };
    });
  }

  /** The first group's momentum factor. */
  get momentum(): number {
    return this.paramGroups[0].momentum;
  }
  /** Whether the first group uses Nesterov momentum. */
  get nesterov(): boolean {
    return this.paramGroups[0].nesterov;
  }
  /** The first group's L2 penalty. */
  get weightDecay(): number {
    return this.paramGroups[0].weightDecay;
  }

  protected update(p: FloatArray, g: FloatArray, index: number): void {
    const { lr, momentum: mu, weightDecay: wd, nesterov } = this.hyper(index);
    const n = p.length;
    if (mu === 0) {
      if (wd === 0) sgdUpdate(p, g, lr);
      else for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + wd * p[i]);
      return;
    }
    // The momentum buffer starts as the parameter's first gradient (PyTorch), counted per parameter.
    sgdMomentum(p, g, this.buffer(index, 'momentum'), lr, mu, wd, nesterov, this.paramSteps[index] === 1);
  }
}
