import type { Tensor } from '../autograd/tensor.js';
import { normalizeAxis } from '../autograd/shape.js';
import { Module } from './module.js';

/**
 * Flattens the axes `startDim..endDim` (inclusive; negative counts from the end) into one,
 * as PyTorch's `nn.Flatten`: the default `(1, -1)` keeps the batch axis and flattens each
 * example, e.g. `[N, C, H, W]` → `[N, C·H·W]` between a convolutional part and a `Linear`.
 * A reshape: no copy, and the gradient flows back unchanged.
 *
 * @example
 * ```ts
 * import { nn, zeros } from 'tensorgrad';
 * new nn.Flatten().forward(zeros([2, 1, 28, 28])).shape;   // [2, 784]
 * new nn.Flatten(0, 1).forward(zeros([2, 3, 4])).shape;    // [6, 4]
 * ```
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    for (const [name, v] of [
      ['startDim', startDim],
      ['endDim', endDim],
    ] as const) {
      if (!Number.isInteger(v)) throw new Error(`Flatten: ${name} must be an integer, got ${v}`);
    }
  }

  forward(x: Tensor): Tensor {
    const op = `Flatten(${this.startDim}, ${this.endDim})`;
    const start = normalizeAxis(op, this.startDim, x.ndim);
    const end = normalizeAxis(op, this.endDim, x.ndim);
    if (start > end) throw new Error(`${op}: startDim resolves to axis ${start}, after endDim's axis ${end}, for an input of rank ${x.ndim}`);
    if (x.ndim === 0) return x.reshape([1]);
    let merged = 1;
    for (let a = start; a <= end; a++) merged *= x.shape[a];
    return x.reshape([...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }
}
