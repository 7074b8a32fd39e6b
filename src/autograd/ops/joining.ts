/**
 * Joining and splitting along an axis: concat (one row copy per input), stack (concat of
 * unsqueezed inputs) and split (slices). concat's rule hands each input its slice of the
 * gradient, a recorded op, so higher-order gradients work.
 */
import { Tensor } from '../tensor.js';
import { promote } from '../dtype.js';
import { fmt, normalizeAxis, sizeOf } from '../shape.js';
import { allocateForOverwrite, copyRows } from '../backend/index.js';
import { record } from '../engine.js';
import { slice } from './indexing.js';
import { unsqueeze } from './movement.js';

function checkList(op: string, ts: readonly Tensor[]): void {
  if (!Array.isArray(ts) || ts.length === 0) throw new Error(`${op}: needs a non-empty array of tensors`);
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${op}: element ${i} of the list is not a Tensor`);
  });
}

/**
 * The tensors joined along `axis` (negative allowed). All have the same rank and the same
 * size on every other axis; dtypes promote (float32 with float64 gives float64).
 */
export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  checkList('concat', ts);
  const first = ts[0];
  if (first.ndim === 0) throw new Error(`concat: 0-d tensors have no axis to join along; use stack`);
  const a = normalizeAxis('concat', axis, first.ndim);
  let dtype = first.dtype,
    total = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const same = t.ndim === first.ndim && t.shape.every((d, k) => k === a || d === first.shape[k]);
    if (!same) {
      throw new Error(`concat: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has shape ${fmt(first.shape)}; only axis ${axis} may differ`);
    }
    dtype = promote(dtype, t.dtype);
    total += t.shape[a];
  }
  if (ts.length === 1) return first;
  const shape = [...first.shape];
  shape[a] = total;
  const outer = sizeOf(first.shape.slice(0, a)),
    inner = sizeOf(first.shape.slice(a + 1));
  const out = new Tensor(allocateForOverwrite(dtype, sizeOf(shape)), shape);
  const starts: number[] = [];
  let off = 0;
  for (const t of ts) {
    const len = t.shape[a] * inner;
    copyRows(out.data, total * inner, off * inner, t.dtype === dtype ? t.data : t.astype(dtype).data, len, 0, outer, len);
    starts.push(off);
    off += t.shape[a];
  }
  return record(out, 'concat', ts, (g) => ts.map((t, i) => (t.requiresGrad ? slice(g, a, starts[i], starts[i] + t.shape[a]) : null)));
}

/**
 * The tensors, all of one shape, stacked along a new axis `axis` ∈ [−(ndim+1), ndim]: n
 * tensors of shape [a, b] stack to [n, a, b] at axis 0. 0-d tensors stack to a vector.
 */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  checkList('stack', ts);
  const first = ts[0];
  ts.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new Error(`stack: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has shape ${fmt(first.shape)}; all must match`);
    }
  });
  const r = first.ndim + 1;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new Error(`stack: axis ${axis} is out of range for stacking tensors of shape ${fmt(first.shape)} (expected ${-r}..${r - 1})`);
  }
  return concat(
    ts.map((t) => unsqueeze(t, axis)),
    axis,
  );
}

/**
 * Splits along `axis` into pieces of `size` (the last one smaller if it does not divide the
 * axis), or of the sizes in `sizes`, which must add up to the axis. Each piece is a copy.
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  if (x.ndim === 0) throw new Error(`split: needs at least one axis, got a 0-d tensor`);
  const a = normalizeAxis('split', axis, x.ndim);
  const n = x.shape[a];
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new Error(`split: the piece size must be a positive integer, got ${sizes}`);
    parts = [];
    for (let s = 0; s < n; s += sizes) parts.push(Math.min(sizes, n - s));
    if (n === 0) parts.push(0);
  } else {
    parts = [...sizes];
    const sum = parts.reduce((p, q) => p + q, 0);
    if (parts.some((s) => !Number.isInteger(s) || s < 0) || sum !== n) {
      throw new Error(
        `split: sizes ${JSON.stringify(sizes)} must be non-negative integers adding up to ${n}, the size of axis ${axis} of ${fmt(x.shape)}`,
      );
    }
  }
  const out: Tensor[] = [];
  let off = 0;
  for (const p of parts) {
    out.push(parts.length === 1 ? x : slice(x, a, off, off + p));
    off += p;
  }
  return out;
}
