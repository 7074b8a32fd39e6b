import type { Tensor } from '../autograd/tensor.js';
import { Module } from './module.js';

/**
 * Modules applied one after another; parameters are named by position (`0.weight`, …).
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
 * model.forward(randn([3, 2])).shape; // [3, 1]
 * ```
 */
export class Sequential extends Module {
  readonly layers: readonly Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
