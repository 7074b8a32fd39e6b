import { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { allocate } from '../autograd/backend/index.js';
import { fmt, normalizeAxis } from '../autograd/shape.js';

/** Integer class labels. */
export type Labels = ArrayLike<number>;

/**
 * One-hot encodes integer labels: row i has a 1 in column labels[i] (the lecture's y(x)).
 * @example
 * ```ts
 * import { nn } from 'tensorgrad';
 * nn.oneHot([2, 0], 3).toArray(); // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function oneHot(labels: Labels | Tensor, classes: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(classes) || classes <= 0) throw new Error(`oneHot: classes must be a positive integer, got ${classes}`);
  const values: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
  const data = allocate(dtype, values.length * classes);
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`oneHot: label ${c} at index ${i} is outside [0, ${classes})`);
    }
    data[i * classes + c] = 1;
  }
  return new Tensor(data, [values.length, classes]);
}

/**
 * Indices of the maxima along `axis` (default last), as an Int32Array in the order of the
 * remaining axes. The first maximum wins ties.
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * nn.argmax(tensor([[0.1, 0.7, 0.2], [0.9, 0, 0.1]])); // Int32Array [1, 0]
 * ```
 */
export function argmax(t: Tensor, axis = -1): Int32Array {
  if (t.ndim === 0) throw new Error(`argmax: needs at least one axis, got a 0-d tensor`);
  const a = normalizeAxis('argmax', axis, t.ndim);
  const r = t.shape[a];
  if (r === 0) throw new Error(`argmax: axis ${axis} of shape ${fmt(t.shape)} is empty`);
  let inner = 1;
  for (let i = a + 1; i < t.ndim; i++) inner *= t.shape[i];
  const outer = t.size / (r * inner);
  const out = new Int32Array(outer * inner);
  const x = t.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let best = 0,
        bestV = x[base];
      for (let k = 1; k < r; k++) {
        const v = x[base + k * inner];
        if (v > bestV) {
          bestV = v;
          best = k;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return out;
}

/**
 * The fraction of rows of `outputs` [n, classes] whose argmax equals the label.
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * nn.accuracy(tensor([[0.1, 0.9], [0.8, 0.2]]), [1, 1]); // 0.5
 * ```
 */
export function accuracy(outputs: Tensor, labels: Labels): number {
  const pred = argmax(outputs, -1);
  if (pred.length !== labels.length) throw new Error(`accuracy: ${pred.length} predictions but ${labels.length} labels`);
  if (pred.length === 0) return 0;
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) right++;
  return right / pred.length;
}
