import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { Rng } from '../autograd/random.js';
import { fmt } from '../autograd/shape.js';
import { conv2d, type Size2 } from '../autograd/ops/conv.js';
import { pair } from '../autograd/ops/window.js';
import { Module } from './module.js';
import { uniformTensor } from './init.js';

/** Options of `nn.Conv2d`; each size is a number or [h, w]. */
export interface Conv2dLayerOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side of the input (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups (default 1): inChannels and outChannels must both be multiples of it. */
  groups?: number;
  /** Add a bias (default true). */
  bias?: boolean;
  /** `'float32'` (default) or `'float64'`. */
  dtype?: DType;
  /** Seed for the initial values (default 0). Ignored when `rng` is given. */
  seed?: number;
  /** A generator to draw from (lets a model seed all its layers from one seed). */
  rng?: Rng;
}

/**
 * A 2-D convolution layer, PyTorch's `nn.Conv2d`: input [N, inChannels, H, W] → output
 * [N, outChannels, oH, oW] (see `conv2d` for oH, oW). The weight has shape
 * [outChannels, inChannels/groups, kH, kW] — PyTorch's layout, so both save layouts hold it
 * as it is — and the bias [outChannels].
 *
 * Initialised as PyTorch does by default: `kaiming_uniform_(a=√5)` on the weight, which is
 * U(−1/√fan_in, 1/√fan_in) with fan_in = (inChannels/groups)·kH·kW, and the bias from the same
 * uniform distribution. Seeded: the same seed gives the same weights.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const conv = new nn.Conv2d(1, 8, 5, { padding: 2, seed: 1 });
 * conv.forward(randn([4, 1, 28, 28])).shape; // [4, 8, 28, 28]
 * conv.weight.shape;                         // [8, 1, 5, 5]
 * ```
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: readonly [number, number];
  private readonly stride: Size2;
  private readonly padding: Size2;
  private readonly dilation: Size2;
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    opts: Conv2dLayerOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Conv2d: ${name} must be a positive integer, got ${v}`);
    }
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1);
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(
        `Conv2d: groups must be a positive integer dividing inChannels (${inChannels}) and outChannels (${outChannels}), got ${groups}`,
      );
    }
    this.groups = groups;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    // Checked now, so a bad size fails where the layer is made rather than at the first forward.
    pair('Conv2d', 'stride', this.stride, 1);
    pair('Conv2d', 'padding', this.padding, 0);
    pair('Conv2d', 'dilation', this.dilation, 1);
    const rng = opts.rng ?? new Rng(opts.seed ?? 0);
    const dtype = opts.dtype ?? 'float32';
    const [kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt((inChannels / groups) * kh * kw);
    this.weight = this.registerParameter('weight', uniformTensor([outChannels, inChannels / groups, kh, kw], bound, rng, dtype));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', uniformTensor([outChannels], bound, rng, dtype));
  }

  /** The convolution of x [N, inChannels, H, W] with the layer's weight, plus its bias. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(`Conv2d(${this.inChannels}→${this.outChannels}): expected input [N, ${this.inChannels}, H, W], got ${fmt(x.shape)}`);
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  protected override extraRepr(): string {
    const [kh, kw] = this.kernelSize;
    const parts = [`inChannels=${this.inChannels}`, `outChannels=${this.outChannels}`, `kernelSize=[${kh}, ${kw}]`];
    const show = (v: Size2): string => (typeof v === 'number' ? String(v) : `[${v.join(', ')}]`);
    if (show(this.stride) !== '1') parts.push(`stride=${show(this.stride)}`);
    if (show(this.padding) !== '0') parts.push(`padding=${show(this.padding)}`);
    if (show(this.dilation) !== '1') parts.push(`dilation=${show(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push('bias=false');
    return parts.join(', ');
  }
}
