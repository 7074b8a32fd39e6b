/**
 * Stacking rows into one tensor, and taking one row back out, as ops that are differentiable
 * to any order (each one's derivative is the other): how `jacobian` and `hessian` assemble
 * their rows without losing the graph a caller may differentiate through.
 */
import { Tensor } from './tensor.js';
import { allocate } from './backend/index.js';
import { defineOp } from './custom-op.js';

/** `rows` (each of shape `rowShape`, one dtype) stacked along a new first axis. @internal */
export function stackRows(rows: readonly Tensor[], rowShape: readonly number[]): Tensor {
  const m = rows.length;
  return defineOp('stack', {
    forward: (...rs) => {
      const n = rs[0].size;
      const data = allocate(rs[0].dtype, m * n);
      rs.forEach((r, i) => data.set(r.data, i * n));
      return new Tensor(data, [m, ...rowShape]);
    },
    backward: (g, rs) => rs.map((_, i) => takeRow(g, i)),
  })(...rows);
}

/** Row `i` of `t` (along its first axis). */
function takeRow(t: Tensor, i: number): Tensor {
  return defineOp('row', {
    forward: (x) => {
      const n = x.size / x.shape[0];
      return new Tensor(x.data.slice(i * n, (i + 1) * n), x.shape.slice(1));
    },
    backward: (g, [x]) => [placeRow(g, i, x.shape[0])],
  })(t);
}

/** A tensor of `m` rows, zero except row `i`, which is `r`. */
function placeRow(r: Tensor, i: number, m: number): Tensor {
  return defineOp('placeRow', {
    forward: (x) => {
      const data = allocate(x.dtype, m * x.size);
      data.set(x.data, i * x.size);
      return new Tensor(data, [m, ...x.shape]);
    },
    backward: (g) => [takeRow(g, i)],
  })(r);
}
