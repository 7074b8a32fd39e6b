/** softmax and logSoftmax along one axis, computed stably. */
import { Tensor } from '../tensor.js';
import { normalizeAxis, sizeOf } from '../shape.js';
import { allocateForOverwrite, softmaxAxis } from '../backend/index.js';
import { record } from '../engine.js';

function run(x: Tensor, axis: number, log: boolean): [Tensor, number] {
  const op = log ? 'logSoftmax' : 'softmax';
  if (x.ndim === 0) throw new Error(`${op}: needs at least one axis, got a 0-d tensor`);
  const a = normalizeAxis(op, axis, x.ndim);
  const out = new Tensor(allocateForOverwrite(x.dtype, x.size), x.shape);
  softmaxAxis(out.data, x.data, sizeOf(x.shape.slice(0, a)), x.shape[a], sizeOf(x.shape.slice(a + 1)), log);
  return [out, a];
}

export function softmax(x: Tensor, axis: number): Tensor {
  const [s, a] = run(x, axis, false);
  // dx = s ⊙ (g − Σ g⊙s)
  return record(s, 'softmax', [x], (g) => [s.mul(g.sub(g.mul(s).sum(a, true)))]);
}

export function logSoftmax(x: Tensor, axis: number): Tensor {
  const [ls, a] = run(x, axis, true);
  // dx = g − softmax ⊙ Σ g
  return record(ls, 'logSoftmax', [x], (g) => [g.sub(ls.exp().mul(g.sum(a, true)))]);
}
