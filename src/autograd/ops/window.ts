/** Argument checking shared by conv2d and the pools: sizes as a number or [h, w], and the output geometry. */
import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import type { Window2d } from '../backend/index.js';

/** A size per spatial axis: one number for both, or [height, width]. */
export type Size2 = number | readonly [number, number];

/** `v` as [h, w] of integers ≥ `min`, or an Error naming the op and the argument. */
export function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [NaN, NaN];
  if (!p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new Error(`${op}: ${name} must be an integer ≥ ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/**
 * The window geometry over x [n, c, h, w]; throws when the (dilated) kernel does not fit the
 * padded input, naming the op and the shapes.
 */
export function windowOf(
  op: string,
  x: Tensor,
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
): Window2d {
  const [n, c, h, w] = x.shape;
  const [kh, kw] = kernel,
    [sh, sw] = stride,
    [ph, pw] = padding,
    [dh, dw] = dilation;
  const eh = dh * (kh - 1) + 1,
    ew = dw * (kw - 1) + 1;
  if (eh > h + 2 * ph || ew > w + 2 * pw) {
    throw new Error(
      `${op}: the kernel ${kh}×${kw}${dh > 1 || dw > 1 ? ` (dilated to ${eh}×${ew})` : ''} is larger than the padded input ` +
        `${h + 2 * ph}×${w + 2 * pw} (input ${fmt(x.shape)}, padding [${ph},${pw}])`,
    );
  }
  const oh = Math.floor((h + 2 * ph - eh) / sh) + 1,
    ow = Math.floor((w + 2 * pw - ew) / sw) + 1;
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
}
