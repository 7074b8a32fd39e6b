/**
 * scale · Σ (output − target)² as one op: the quadratic cost and MSE in one kernel each way,
 * instead of four ops (sub, square, sum, scale) and their four backward steps.
 */
import { Tensor } from '../tensor.js';
import { promote } from '../dtype.js';
import { fmt, sameShape } from '../shape.js';
import { UnaryOp, allocate, allocateForOverwrite, scaledDifferenceBy, squaredErrorInto, unaryMap } from '../backend/index.js';
import { record } from '../engine.js';

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
  const out = new Tensor(allocate(dtype, 1), []);
  squaredErrorInto(out.data, output.data, target.data, scale);
  return record(out, 'squaredErrorSum', [output, target], (g, ctx) => {
    if (ctx.createGraph) {
      const d = output.sub(target).mul(g.mul(2 * scale));
      return [output.requiresGrad ? d : null, target.requiresGrad ? d.neg() : null];
    }
    const d = new Tensor(allocateForOverwrite(dtype, output.size), output.shape);
    scaledDifferenceBy(d.data, output.data, target.data, 2 * scale, g.data);
    if (!target.requiresGrad) return [d, null];
    const negated = new Tensor(allocateForOverwrite(dtype, output.size), output.shape);
    unaryMap(UnaryOp.Neg, negated.data, d.data);
    return [output.requiresGrad ? d : null, negated];
  });
}
