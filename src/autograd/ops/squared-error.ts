/**
 * scale · Σ (output − target)² as one op: the quadratic cost and MSE in one kernel each way,
 * instead of four ops (sub, square, sum, scale) and their four backward steps.
 */
import { Tensor } from '../tensor.js';
import { allocate, allocateForOverwrite, promote } from '../dtype.js';
import { fmt, sameShape } from '../shape.js';
import { isGradEnabled, record } from '../engine.js';

/**
 * scale · Σ (output − target)² over all elements, as a 0-d tensor. Shapes must match exactly.
 * d/d output = 2·scale·(output − target), d/d target = −2·scale·(output − target).
 *
 * @example
 * ```ts
 * import { squaredErrorSum, tensor } from 'tensorgrad';
 * squaredErrorSum(tensor([1, 2]), tensor([0, 0]), 0.5).item(); // 2.5
 * ```
 */
export function squaredErrorSum(output: Tensor, target: Tensor, scale = 1): Tensor {
  if (!sameShape(output.shape, target.shape)) {
    throw new Error(`squaredErrorSum: output shape ${fmt(output.shape)} and target shape ${fmt(target.shape)} differ`);
  }
  const dtype = promote(output.dtype, target.dtype);
  const o = output.data, t = target.data, n = o.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = o[i] - t[i];
    sum += d * d;
  }
  const out = new Tensor(allocate(dtype, 1), []);
  out.data[0] = scale * sum;
  return record(out, 'squaredErrorSum', [output, target], (g) => {
    if (isGradEnabled()) {
      // Recorded (createGraph): the same derivative from differentiable ops.
      const d = output.sub(target).mul(g.mul(2 * scale));
      return [output.requiresGrad ? d : null, target.requiresGrad ? d.neg() : null];
    }
    const k = 2 * scale * g.data[0];
    const d = new Tensor(allocateForOverwrite(dtype, n), output.shape);
    const dd = d.data;
    for (let i = 0; i < n; i++) dd[i] = k * (o[i] - t[i]);
    if (!target.requiresGrad) return [d, null];
    const neg = new Tensor(allocateForOverwrite(dtype, n), output.shape);
    for (let i = 0; i < n; i++) neg.data[i] = -dd[i];
    return [output.requiresGrad ? d : null, neg];
  });
}
