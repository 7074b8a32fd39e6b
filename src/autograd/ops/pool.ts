/**
 * 2-D pooling over NCHW input. maxPool2d finds each window's maximum once and is then a
 * gather of those elements (its gradient a scatter-add); avgPool2d is a linear map whose
 * adjoint spreads the gradient over each window; each pair is the other's derivative rule.
 */
import { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { allocate, allocateForOverwrite, avgPool, maxPoolArgmax, type Window2d } from '../backend/index.js';
import { record } from '../engine.js';
import { takeFlat } from './indexing.js';
import { pair, windowOf, type Size2 } from './window.js';

/** Options of the pools; each size is a number or [h, w]. */
export interface Pool2dOptions {
  /** Step between windows (default: the kernel size, windows side by side). */
  stride?: Size2;
  /** Padding on each side (default 0); at most half the kernel, as PyTorch. */
  padding?: Size2;
}

/** x as [N, C, H, W] (a 3-D [C, H, W] input gets N = 1) and the geometry. */
function setup(op: string, x: Tensor, kernel: Size2, opts: Pool2dOptions): [Tensor, Window2d] {
  if (x.ndim !== 4 && x.ndim !== 3) throw new Error(`${op}: the input must have shape [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
  const k = pair(op, 'kernel', kernel, 1);
  const stride = pair(op, 'stride', opts.stride ?? k, 1);
  const padding = pair(op, 'padding', opts.padding ?? 0, 0);
  if (padding[0] * 2 > k[0] || padding[1] * 2 > k[1]) {
    throw new Error(`${op}: padding [${padding}] must be at most half the kernel [${k}] (input ${fmt(x.shape)})`);
  }
  const x4 = x.ndim === 4 ? x : x.reshape([1, ...x.shape]);
  return [x4, windowOf(op, x4, k, stride, padding, [1, 1])];
}

function outShape(x: Tensor, s: Window2d): number[] {
  return x.ndim === 4 ? [s.n, s.c, s.oh, s.ow] : [s.c, s.oh, s.ow];
}

/**
 * The maximum of each kernel window (padding counts as −∞). The gradient goes to the window's
 * maximum, the first one when several tie (PyTorch); a NaN in a window propagates.
 *
 * @example
 * ```ts
 * import { maxPool2d, tensor } from 'tensorgrad';
 * maxPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).toArray(); // [[[[4]]]]
 * ```
 */
export function maxPool2d(x: Tensor, kernel: Size2, opts: Pool2dOptions = {}): Tensor {
  const [x4, s] = setup('maxPool2d', x, kernel, opts);
  const index = new Int32Array(s.n * s.c * s.oh * s.ow);
  maxPoolArgmax(index, x4.data, s);
  return takeFlat('maxPool2d', x, index, outShape(x, s));
}

/** Average pool over geometry s (recorded; its adjoint is the rule). */
function avgPoolOp(x: Tensor, s: Window2d, shape: readonly number[]): Tensor {
  const out = new Tensor(allocateForOverwrite(x.dtype, s.n * s.c * s.oh * s.ow), shape);
  avgPool(out.data, x.data, s, false);
  return record(out, 'avgPool2d', [x], (g) => [avgPoolAdjoint(g, s, x.shape)]);
}

function avgPoolAdjoint(g: Tensor, s: Window2d, shape: readonly number[]): Tensor {
  const out = new Tensor(allocate(g.dtype, s.n * s.c * s.h * s.w), shape);
  avgPool(g.data, out.data, s, true);
  return record(out, 'avgPool2d.backward', [g], (gg) => [avgPoolOp(gg, s, g.shape)]);
}

/**
 * The mean of each kernel window, padded zeros included in the divisor (PyTorch's
 * count_include_pad=True): every window divides by kH·kW.
 *
 * @example
 * ```ts
 * import { avgPool2d, tensor } from 'tensorgrad';
 * avgPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).toArray(); // [[[[2.5]]]]
 * ```
 */
export function avgPool2d(x: Tensor, kernel: Size2, opts: Pool2dOptions = {}): Tensor {
  const [, s] = setup('avgPool2d', x, kernel, opts);
  return avgPoolOp(x, s, outShape(x, s));
}
