/** Ops that move elements without arithmetic: reshape, transpose, expand, and the reshape views squeeze, unsqueeze, flatten. */
import { Tensor } from '../tensor.js';
import { broadcastShapes, fmt, normalizeAxis, sameShape, sizeOf } from '../shape.js';
import { allocateForOverwrite, broadcastTo, permute } from '../backend/index.js';
import { record } from '../engine.js';
import { padShape } from './util.js';

/** The same data in a new shape (no copy); one entry may be −1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = resolveShape(x, shape);
  if (sameShape(target, x.shape)) return x;
  return record(new Tensor(x.data, target), 'reshape', [x], (g) => [g.reshape(x.shape)]);
}

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== free))) {
    throw new Error(`reshape: invalid shape ${fmt(shape)}: use non-negative integers and at most one -1`);
  }
  if (free >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== free));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
    }
    out[free] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)} (${sizeOf(out)} elements)`);
  }
  return out;
}

/** Permutes axes (reverses them when `perm` is omitted); copies into the new order. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const rank = x.ndim;
  const p = perm === undefined ? Array.from({ length: rank }, (_, i) => rank - 1 - i) : perm.map((a) => (a < 0 ? a + rank : a));
  const seen = new Set(p);
  if (p.length !== rank || seen.size !== rank || p.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) {
    throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${rank} axes of ${fmt(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  const shape = p.map((a) => x.shape[a]);
  const out = new Tensor(allocateForOverwrite(x.dtype, x.size), shape);
  permute(out.data, x.data, x.shape, p);
  const inverse = new Array<number>(rank);
  p.forEach((a, i) => (inverse[a] = i));
  return record(out, 'transpose', [x], (g) => [g.transpose(inverse)]);
}

/** Broadcasts `x` to `shape` (NumPy rules), as a copy. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const full = broadcastShapes('expand', x.shape, shape);
  if (!sameShape(full, shape)) throw new Error(`expand: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  const out = new Tensor(allocateForOverwrite(x.dtype, sizeOf(shape)), shape);
  broadcastTo(out.data, shape, x.data, padShape(x.shape, shape.length));
  // The engine sums the gradient back to x's shape.
  return record(out, 'expand', [x], (g) => [g]);
}

/**
 * Drops axis `axis` (which must have size 1), or every size-1 axis when omitted; shares the
 * data, as reshape. A 0-d tensor squeezes to itself.
 */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normalizeAxis('squeeze', axis, x.ndim);
  if (x.ndim === 0) return x;
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} of shape ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

/** Inserts a size-1 axis at `axis` ∈ [−(ndim+1), ndim]; shares the data, as reshape. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const r = x.ndim + 1;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new Error(`unsqueeze: axis ${axis} is out of range for a tensor of shape ${fmt(x.shape)} (expected ${-r}..${r - 1})`);
  }
  const a = axis < 0 ? axis + r : axis;
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Merges axes `start`..`end` (inclusive, negative allowed) into one; a 0-d tensor becomes [1]. Shares the data. */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) {
    normalizeAxis('flatten', start, 0);
    normalizeAxis('flatten', end, 0);
    return reshape(x, [1]);
  }
  const s = normalizeAxis('flatten', start, x.ndim),
    e = normalizeAxis('flatten', end, x.ndim);
  if (s > e) throw new Error(`flatten: start axis ${start} comes after end axis ${end} for shape ${fmt(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}
