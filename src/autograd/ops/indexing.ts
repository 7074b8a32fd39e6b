/**
 * Picking elements: slice, indexSelect, gather, where. The first three are one primitive
 * pair: `takeFlat` reads x at precomputed flat offsets, `scatterFlat` adds a gradient back at
 * the same offsets (repeats add up), and each is the other's derivative rule, so gradients
 * of any order come out of two small kernels. Results are copies: no op here aliases a
 * buffer that an in-place gradient write could reach.
 */
import { Tensor, type TensorLike } from '../tensor.js';
import { promote } from '../dtype.js';
import { broadcastShapes, fmt, normalizeAxis, sizeOf, stridesOf } from '../shape.js';
import { allocate, allocateForOverwrite, broadcastTo, gatherFlat, scatterAddFlat, select } from '../backend/index.js';
import { record } from '../engine.js';
import { lift, padShape } from './util.js';

/** x's elements at the flat offsets `index`, in shape `shape`; the rule scatters the gradient back. */
export function takeFlat(op: string, x: Tensor, index: Int32Array, shape: readonly number[]): Tensor {
  const out = new Tensor(allocateForOverwrite(x.dtype, index.length), shape);
  gatherFlat(out.data, x.data, index);
  return record(out, op, [x], (g) => [scatterFlat(op, g, index, x.shape)]);
}

/** Zeros of `shape` with g's elements added at the flat offsets `index`: the adjoint of `takeFlat`. */
export function scatterFlat(op: string, g: Tensor, index: Int32Array, shape: readonly number[]): Tensor {
  const out = new Tensor(allocate(g.dtype, sizeOf(shape)), shape);
  scatterAddFlat(out.data, g.data, index);
  return record(out, `${op}.backward`, [g], (gg) => [takeFlat(op, gg, index, g.shape)]);
}

/** Flat offsets of x viewed as [outer, n, inner] at positions `picks` along the middle axis. */
function axisOffsets(outer: number, n: number, inner: number, picks: ArrayLike<number>): Int32Array {
  const k = picks.length;
  const index = new Int32Array(outer * k * inner);
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const base = (o * n + picks[j]) * inner;
      for (let i = 0; i < inner; i++) index[p++] = base + i;
    }
  }
  return index;
}

function checkInteger(op: string, name: string, v: number, shape: readonly number[]): void {
  if (!Number.isInteger(v)) throw new Error(`${op}: ${name} must be an integer, got ${v} (tensor of shape ${fmt(shape)})`);
}

/**
 * Python's slice of one axis: elements start, start+step, … before end. Negative start/end
 * count from the end; out-of-range ones are clamped as Python does; step may be negative
 * (then the defaults run from the last element down), never 0.
 */
export function slice(x: Tensor, axis: number, start?: number, end?: number, step = 1): Tensor {
  if (x.ndim === 0) throw new Error(`slice: needs at least one axis, got a 0-d tensor`);
  const a = normalizeAxis('slice', axis, x.ndim);
  const n = x.shape[a];
  checkInteger('slice', 'step', step, x.shape);
  if (step === 0) throw new Error(`slice: step must not be 0 (axis ${axis} of shape ${fmt(x.shape)})`);
  if (start !== undefined) checkInteger('slice', 'start', start, x.shape);
  if (end !== undefined) checkInteger('slice', 'end', end, x.shape);
  const [lower, upper] = step > 0 ? [0, n] : [-1, n - 1];
  const clampIndex = (v: number | undefined, dflt: number): number => (v === undefined ? dflt : v < 0 ? Math.max(v + n, lower) : Math.min(v, upper));
  const s = clampIndex(start, step > 0 ? lower : upper);
  const e = clampIndex(end, step > 0 ? upper : lower);
  const count = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
  if (step === 1 && count === n) return x;
  const picks = new Int32Array(count);
  for (let j = 0; j < count; j++) picks[j] = s + j * step;
  const shape = [...x.shape];
  shape[a] = count;
  return takeFlat('slice', x, axisOffsets(sizeOf(x.shape.slice(0, a)), n, sizeOf(x.shape.slice(a + 1)), picks), shape);
}

/**
 * The entries `indices` (integers in [0, size)) along `axis`, in that order; repeats are
 * allowed and their gradients add up; an empty list gives a size-0 axis.
 */
export function indexSelect(x: Tensor, axis: number, indices: ArrayLike<number>): Tensor {
  if (x.ndim === 0) throw new Error(`indexSelect: needs at least one axis, got a 0-d tensor`);
  const a = normalizeAxis('indexSelect', axis, x.ndim);
  const n = x.shape[a];
  const picks = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const v = indices[j];
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new Error(
        `indexSelect: index ${v} (position ${j}) is out of range for axis ${axis} of size ${n} (shape ${fmt(x.shape)}); indices must be integers in [0, ${n})`,
      );
    }
    picks[j] = v;
  }
  const shape = [...x.shape];
  shape[a] = picks.length;
  return takeFlat('indexSelect', x, axisOffsets(sizeOf(x.shape.slice(0, a)), n, sizeOf(x.shape.slice(a + 1)), picks), shape);
}

/**
 * PyTorch's gather: out[i][j][k] = x[index[i][j][k]][j][k] for axis 0 (and so on), so the
 * output has index's shape. index has x's rank, at most x's size on every other axis, and
 * integral values in [0, x.shape[axis]). The backward adds the gradient back (a scatter-add).
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  if (!(index instanceof Tensor)) throw new Error(`gather: the index must be a Tensor of integral values`);
  const xs = x.ndim === 0 ? [1] : x.shape,
    is = index.ndim === 0 ? [1] : index.shape;
  const a = normalizeAxis('gather', axis, x.ndim);
  if (xs.length !== is.length) {
    throw new Error(`gather: index of shape ${fmt(index.shape)} must have the rank of the input ${fmt(x.shape)}`);
  }
  for (let d = 0; d < xs.length; d++) {
    if (d !== a && is[d] > xs[d]) {
      throw new Error(`gather: index of shape ${fmt(index.shape)} is larger than the input ${fmt(x.shape)} on axis ${d}`);
    }
  }
  const xStrides = stridesOf(xs),
    iStrides = stridesOf(is);
  const n = xs[a];
  const offsets = new Int32Array(index.size);
  for (let p = 0; p < index.size; p++) {
    const v = index.data[p];
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new Error(
        `gather: index value ${v} at flat position ${p} is out of range for axis ${axis} of size ${n} (input ${fmt(x.shape)}); values must be integers in [0, ${n})`,
      );
    }
    let off = 0,
      rest = p;
    for (let d = 0; d < is.length; d++) {
      const c = Math.floor(rest / iStrides[d]);
      rest -= c * iStrides[d];
      off += (d === a ? v : c) * xStrides[d];
    }
    offsets[p] = off;
  }
  return takeFlat('gather', x, offsets, index.shape);
}

/** `t` broadcast to `shape` as a plain array (its own data when it already has that size). */
function spread(t: Tensor, shape: readonly number[], size: number, dtype: Tensor['dtype']): Tensor['data'] {
  const src = t.dtype === dtype ? t.data : t.astype(dtype).data;
  if (t.size === size) return src;
  const out = allocateForOverwrite(dtype, size);
  broadcastTo(out, shape, src, padShape(t.shape, shape.length));
  return out;
}

/**
 * a where cond ≠ 0 (NaN counts as non-zero), b elsewhere; the three broadcast together. The
 * gradient goes to the operand picked; the condition gets none. Numbers are accepted for a
 * and b.
 */
export function where(cond: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const dtype = x instanceof Tensor ? (y instanceof Tensor ? promote(x.dtype, y.dtype) : x.dtype) : y instanceof Tensor ? y.dtype : 'float32';
  const c = lift(cond, dtype),
    a = lift(x, dtype),
    b = lift(y, dtype);
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
  const size = sizeOf(shape);
  const out = new Tensor(allocateForOverwrite(dtype, size), shape);
  select(out.data, spread(c, shape, size, c.dtype), spread(a, shape, size, dtype), spread(b, shape, size, dtype));
  return record(out, 'where', [a, b], (g) => [a.requiresGrad ? where(c, g, 0) : null, b.requiresGrad ? where(c, 0, g) : null]);
}
