/**
 * 2-D convolution, lowered onto matrix products: im2col gathers every kernel tap's input into
 * a matrix, one product per group with the weight does the arithmetic (the float32 wasm SIMD
 * matmul, through the backend door), and the products' own rules give the weight and input
 * gradients. im2col and col2im are each other's derivative rule, so conv2d has gradients of
 * any order.
 */
import { Tensor } from '../tensor.js';
import { promote } from '../dtype.js';
import { fmt } from '../shape.js';
import { allocate, allocateForOverwrite, col2im, im2col, type Window2d } from '../backend/index.js';
import { record } from '../engine.js';
import { matmul } from './matmul.js';
import { pair, windowOf, type Size2 } from './window.js';

export type { Size2 };

/** Options of `conv2d`; each size is a number or [h, w]. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side of the input (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups: input and output channels split into this many independent convolutions (default 1). */
  groups?: number;
}

/** cols [c·kh·kw, n·oh·ow] of x (recorded; the rule is col2im). */
function im2colOp(x: Tensor, s: Window2d): Tensor {
  const rows = s.c * s.kh * s.kw, cols = s.n * s.oh * s.ow;
  const out = new Tensor(allocateForOverwrite(x.dtype, rows * cols), [rows, cols]);
  im2col(out.data, x.data, s);
  return record(out, 'im2col', [x], (g) => [col2imOp(g, s, x.shape)]);
}

/** The adjoint of im2colOp: every column entry added back where it was read (recorded; the rule is im2col). */
function col2imOp(cols: Tensor, s: Window2d, shape: readonly number[]): Tensor {
  const out = new Tensor(allocate(cols.dtype, s.n * s.c * s.h * s.w), shape);
  col2im(out.data, cols.data, s);
  return record(out, 'col2im', [cols], (g) => [im2colOp(g, s)]);
}

/**
 * Cross-correlation of x [N, C, H, W] with w [O, C/groups, kH, kW], plus bias b [O]: output
 * [N, O, oH, oW] with oH = ⌊(H + 2·padding − dilation·(kH − 1) − 1)/stride⌋ + 1 (PyTorch's
 * conv2d). Forward, input gradient and weight gradient are matrix products.
 *
 * @example
 * ```ts
 * import { conv2d, randn } from 'tensorgrad';
 * const x = randn([8, 1, 28, 28]);
 * const w = randn([16, 1, 5, 5], { requiresGrad: true }), b = randn([16], { requiresGrad: true });
 * const y = conv2d(x, w, b, { padding: 2 }); // [8, 16, 28, 28]
 * y.square().mean().backward();              // w.grad, b.grad
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  if (!(x instanceof Tensor) || !(w instanceof Tensor)) throw new Error(`conv2d: the input and the weight must be Tensors`);
  if (x.ndim !== 4) throw new Error(`conv2d: the input must have shape [N, C, H, W], got ${fmt(x.shape)}`);
  if (w.ndim !== 4) throw new Error(`conv2d: the weight must have shape [O, C/groups, kH, kW], got ${fmt(w.shape)}`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a positive integer, got ${String(groups)}`);
  const [, c] = x.shape;
  const [o, cg, kh, kw] = w.shape;
  if (c % groups !== 0 || o % groups !== 0) {
    throw new Error(`conv2d: groups ${groups} must divide the input channels (${c}, input ${fmt(x.shape)}) and the output channels (${o}, weight ${fmt(w.shape)})`);
  }
  if (cg !== c / groups) {
    throw new Error(`conv2d: weight ${fmt(w.shape)} expects ${cg * groups} input channels with groups ${groups}, but the input ${fmt(x.shape)} has ${c}`);
  }
  if (kh < 1 || kw < 1) throw new Error(`conv2d: the kernel ${fmt(w.shape)} must be at least 1×1`);
  if (b !== null && b !== undefined && (!(b instanceof Tensor) || b.ndim !== 1 || b.shape[0] !== o)) {
    throw new Error(`conv2d: the bias must have shape [${o}] for weight ${fmt(w.shape)}, got ${b instanceof Tensor ? fmt(b.shape) : String(b)}`);
  }
  const s = windowOf('conv2d', x, [kh, kw], pair('conv2d', 'stride', opts.stride ?? 1, 1), pair('conv2d', 'padding', opts.padding ?? 0, 0), pair('conv2d', 'dilation', opts.dilation ?? 1, 1));
  const dtype = promote(x.dtype, w.dtype);
  const xs = x.astype(dtype), ws = w.astype(dtype);
  const n = x.shape[0], plane = s.oh * s.ow;
  const cols = im2colOp(xs, s);
  const taps = cg * kh * kw;
  // [O, N·oH·oW]: one product for one group; a batch of `groups` products otherwise.
  let y = groups === 1
    ? matmul(ws.reshape([o, taps]), cols)
    : matmul(ws.reshape([groups, o / groups, taps]), cols.reshape([groups, taps, n * plane])).reshape([o, n * plane]);
  if (b !== null && b !== undefined) y = y.add(b.astype(dtype).reshape([o, 1]));
  return y.reshape([o, n, plane]).transpose([1, 0, 2]).reshape([n, o, s.oh, s.ow]);
}
