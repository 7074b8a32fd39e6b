/**
 * 2-D convolution, lowered onto matrix products: im2col gathers every kernel tap's input into
 * a matrix and one product per group with the weight does the arithmetic (the float32 wasm
 * SIMD matmul, through the backend door), a chunk of images at a time (conv-lowering.ts). The
 * weight gradient is g·colsᵀ from the saved im2col matrices, the input gradient col2im(wᵀ·g).
 * A recorded backward (createGraph) builds the same products from recorded ops, with im2col
 * and col2im each other's rule, so conv2d has gradients of any order.
 */
import { Tensor } from '../tensor.js';
import { promote } from '../dtype.js';
import { fmt } from '../shape.js';
import { allocate, allocateForOverwrite, col2im, im2col, type Window2d } from '../backend/index.js';
import { record, willRecord } from '../engine.js';
import { convBackward, convForward, convPlan, type ConvPlan } from './conv-lowering.js';
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
  const rows = s.c * s.kh * s.kw,
    cols = s.n * s.oh * s.ow;
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
    throw new Error(
      `conv2d: groups ${groups} must divide the input channels (${c}, input ${fmt(x.shape)}) and the output channels (${o}, weight ${fmt(w.shape)})`,
    );
  }
  if (cg !== c / groups) {
    throw new Error(
      `conv2d: weight ${fmt(w.shape)} expects ${cg * groups} input channels with groups ${groups}, but the input ${fmt(x.shape)} has ${c}`,
    );
  }
  if (kh < 1 || kw < 1) throw new Error(`conv2d: the kernel ${fmt(w.shape)} must be at least 1×1`);
  if (b !== null && b !== undefined && (!(b instanceof Tensor) || b.ndim !== 1 || b.shape[0] !== o)) {
    throw new Error(`conv2d: the bias must have shape [${o}] for weight ${fmt(w.shape)}, got ${b instanceof Tensor ? fmt(b.shape) : String(b)}`);
  }
  const s = windowOf(
    'conv2d',
    x,
    [kh, kw],
    pair('conv2d', 'stride', opts.stride ?? 1, 1),
    pair('conv2d', 'padding', opts.padding ?? 0, 0),
    pair('conv2d', 'dilation', opts.dilation ?? 1, 1),
  );
  const dtype = b === null || b === undefined ? promote(x.dtype, w.dtype) : promote(promote(x.dtype, w.dtype), b.dtype);
  const xs = x.astype(dtype),
    ws = w.astype(dtype),
    bs = b === null || b === undefined ? null : b.astype(dtype);
  const plan = convPlan(s, o, groups);
  const n = x.shape[0];
  const y = new Tensor(allocateForOverwrite(dtype, n * o * plan.plane), [n, o, s.oh, s.ow]);
  // The im2col matrices are kept for the weight gradient only when one will be asked for.
  const saved = willRecord(ws) ? allocateForOverwrite(dtype, n * plan.plane * plan.taps) : null;
  convForward(plan, y.data, xs.data, ws.data, bs === null ? null : bs.data, saved);
  const inputs = bs === null ? [xs, ws] : [xs, ws, bs];
  return record(y, 'conv2d', inputs, (g, ctx) => {
    if (ctx.createGraph) return convGradsRecorded(plan, g, xs, ws, bs);
    const dx = xs.requiresGrad ? new Tensor(allocate(dtype, xs.size), xs.shape) : null;
    // A kept .grad offered by the engine takes the weight and bias gradients in place.
    const intoW = ctx.into(1),
      intoB = bs === null ? null : ctx.into(2);
    const dw = !ws.requiresGrad ? null : intoW !== null && intoW.dtype === dtype ? intoW : new Tensor(allocate(dtype, ws.size), ws.shape);
    const db = bs === null || !bs.requiresGrad ? null : intoB !== null && intoB.dtype === dtype ? intoB : new Tensor(allocate(dtype, o), [o]);
    convBackward(
      plan,
      g.dtype === dtype ? g.data : g.astype(dtype).data,
      ws.data,
      saved,
      xs.data,
      dw?.data ?? null,
      dx?.data ?? null,
      db?.data ?? null,
    );
    return [dx, dw, db];
  });
}

/**
 * The gradients of conv2d built from recorded ops (for createGraph): the weight gradient is
 * g·im2col(x)ᵀ, the input gradient col2im(wᵀ·g), the bias gradient Σ g; each differentiates
 * again.
 */
function convGradsRecorded(p: ConvPlan, g: Tensor, x: Tensor, w: Tensor, b: Tensor | null): (Tensor | null)[] {
  const { groups, o, tapsG, plane } = p;
  const n = p.s.n,
    width = n * plane,
    og = o / groups;
  // g [n, o, oh, ow] → [groups, o/groups, n·plane]
  const g3 = g.reshape([n, o, plane]).transpose([1, 0, 2]).reshape([groups, og, width]);
  const w3 = w.reshape([groups, og, tapsG]);
  const dw = w.requiresGrad ? matmul(g3, im2colOp(x, p.s).reshape([groups, tapsG, width]).transpose([0, 2, 1])).reshape(w.shape) : null;
  const dx = x.requiresGrad ? col2imOp(matmul(w3.transpose([0, 2, 1]), g3).reshape([p.taps, width]), p.s, x.shape) : null;
  const db = b?.requiresGrad ? g.sum([0, 2, 3]) : null;
  return [dx, dw, db];
}
