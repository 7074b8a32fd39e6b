import type { Tensor } from '../autograd/tensor.js';
import { avgPool2d, maxPool2d, type Pool2dOptions } from '../autograd/ops/pool.js';
import { pair, type Size2 } from '../autograd/ops/window.js';
import { Module } from './module.js';

/** The settings both pooling layers keep and show. */
abstract class Pool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];

  constructor(name: string, kernelSize: Size2, opts: Pool2dOptions) {
    super();
    this.kernelSize = pair(name, 'kernelSize', kernelSize, 1);
    this.stride = pair(name, 'stride', opts.stride ?? this.kernelSize, 1);
    this.padding = pair(name, 'padding', opts.padding ?? 0, 0);
    if (this.padding[0] * 2 > this.kernelSize[0] || this.padding[1] * 2 > this.kernelSize[1]) {
      throw new Error(`${name}: padding [${this.padding}] must be at most half the kernel [${this.kernelSize}]`);
    }
  }

  protected override extraRepr(): string {
    return `kernelSize=[${this.kernelSize.join(', ')}], stride=[${this.stride.join(', ')}], padding=[${this.padding.join(', ')}]`;
  }
}

/**
 * Max pooling over [N, C, H, W] (or [C, H, W]) input, PyTorch's `nn.MaxPool2d`: the maximum of
 * each kernel window; the stride defaults to the kernel size. No parameters.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * new nn.MaxPool2d(2).forward(randn([4, 8, 28, 28])).shape; // [4, 8, 14, 14]
 * ```
 */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: Size2, opts: Pool2dOptions = {}) {
    super('MaxPool2d', kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

/**
 * Average pooling over [N, C, H, W] (or [C, H, W]) input, PyTorch's `nn.AvgPool2d` (padding
 * counts as zeros in the average): the mean of each kernel window; the stride defaults to the
 * kernel size. No parameters.
 *
 * @example
 * ```ts
 * import { nn, ones } from 'tensorgrad';
 * new nn.AvgPool2d(2).forward(ones([1, 1, 4, 4])).toArray(); // [[[[1, 1], [1, 1]]]]
 * ```
 */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: Size2, opts: Pool2dOptions = {}) {
    super('AvgPool2d', kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}
