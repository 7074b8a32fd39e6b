/** Reductions over any set of axes, with keepDims: sum, mean, max, min, and sumTo (the inverse of broadcasting). */
import { Tensor } from '../tensor.js';
import { fmt, normalizeAxes, sizeOf } from '../shape.js';
import { allocateForOverwrite, maxAxis, sumAxis, type FloatArray } from '../backend/index.js';
import { record } from '../engine.js';
import { eq } from './binary.js';

type AxisKernel = (out: FloatArray, x: FloatArray, outer: number, r: number, inner: number) => void;

/**
 * Applies `kernel` over `axes` (sorted), one run of adjacent axes at a time from the last,
 * and returns the data with those axes kept as size 1.
 */
function reduceAxes(x: Tensor, axes: readonly number[], kernel: AxisKernel): FloatArray {
  const shape = [...x.shape];
  let data = x.data;
  let end = axes.length - 1;
  while (end >= 0) {
    let start = end;
    while (start > 0 && axes[start - 1] === axes[start] - 1) start--;
    const lo = axes[start],
      hi = axes[end];
    const outer = sizeOf(shape.slice(0, lo));
    const r = sizeOf(shape.slice(lo, hi + 1));
    const inner = sizeOf(shape.slice(hi + 1));
    const out = allocateForOverwrite(x.dtype, outer * inner);
    kernel(out, data, outer, r, inner);
    data = out;
    for (let a = lo; a <= hi; a++) shape[a] = 1;
    end = start - 1;
  }
  return data === x.data ? data.slice() : data;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function outShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

export function sum(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normalizeAxes('sum', axis, x.ndim);
  const out = new Tensor(reduceAxes(x, axes, sumAxis), outShape(x.shape, axes, keepDims));
  const kept = keptShape(x.shape, axes);
  return record(out, 'sum', [x], (g) => [g.reshape(kept).expand(x.shape)]);
}

export function mean(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normalizeAxes('mean', axis, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  return sum(x, axes, keepDims).mul(1 / count);
}

export function max(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normalizeAxes('max', axis, x.ndim);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new Error(`max: cannot reduce over axis ${a} of size 0 (shape ${fmt(x.shape)})`);
  }
  const kept = keptShape(x.shape, axes);
  const values = reduceAxes(x, axes, maxAxis);
  const out = new Tensor(values, outShape(x.shape, axes, keepDims));
  return record(out, 'max', [x], (g) => {
    // Every element equal to the maximum gets an equal share of the gradient.
    const mask = eq(x, new Tensor(values, kept));
    const count = new Tensor(reduceAxes(mask, axes, sumAxis), kept);
    return [g.reshape(kept).mul(mask).div(count)];
  });
}

/** Minimum over `axes`: max of −x, negated, so ties share the gradient evenly as in `max`. */
export function min(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normalizeAxes('min', axis, x.ndim);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new Error(`min: cannot reduce over axis ${a} of size 0 (shape ${fmt(x.shape)})`);
  }
  return max(x.neg(), axes, keepDims).neg();
}

/** Sums `x` over the axes along which `shape` was broadcast to x's shape. */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    const target = i < lead ? 1 : shape[i - lead];
    if (i < lead || (target === 1 && x.shape[i] !== 1)) axes.push(i);
    else if (target !== x.shape[i]) {
      throw new Error(`sumTo: shape ${fmt(x.shape)} was not broadcast from ${fmt(shape)}`);
    }
  }
  if (lead < 0) throw new Error(`sumTo: shape ${fmt(x.shape)} was not broadcast from ${fmt(shape)}`);
  if (axes.length === 0) return x;
  return sum(x, axes, true).reshape(shape);
}
