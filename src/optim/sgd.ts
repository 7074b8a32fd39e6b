import type { Tensor } from '../autograd/tensor.js';
import type { FloatArray } from '../autograd/kernels/types.js';
import { sgdMomentum, sgdUpdate } from '../autograd/backend/index.js';
import { Optimizer, checkInRange } from './optimizer.js';

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

/**
 * Stochastic gradient descent, PyTorch's update: g ← ∇ + λ·p; with momentum μ,
 * v ← μ·v + g and the step uses v (or g + μ·v with Nesterov); p ← p − η·step.
 *
 * Plain full-batch gradient descent (the lecture's v → v − η∇C) is this optimizer with the
 * gradient of the cost over the whole training set, i.e. one step per pass.
 *
 * @example
 * ```ts
 * import { nn, optim, randn } from 'tensorgrad';
 * const net = new nn.MLP([2, 4, 1]);
 * const opt = new optim.SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
 * const loss = nn.mseLoss(net.forward(randn([8, 2])), randn([8, 1]));
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    super('SGD', params, opts?.lr);
    this.momentum = checkInRange('SGD', 'momentum', opts.momentum ?? 0, 0, 1);
    this.weightDecay = checkInRange('SGD', 'weightDecay', opts.weightDecay ?? 0, 0, Infinity);
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) throw new Error('SGD: nesterov needs momentum > 0');
  }

  protected update(p: FloatArray, g: FloatArray, index: number): void {
    const lr = this.lr, mu = this.momentum, wd = this.weightDecay, n = p.length;
    if (mu === 0) {
      if (wd === 0) sgdUpdate(p, g, lr);
      else for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + wd * p[i]);
      return;
    }
    sgdMomentum(p, g, this.buffer(index, 'momentum'), lr, mu, wd, this.nesterov, this.stepCount === 1);
  }
}
