/** Ops that move elements without arithmetic: reshape, transpose, expand. */
import { Tensor } from '../tensor.js';
import { broadcastShapes, fmt, sameShape, sizeOf } from '../shape.js';
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
