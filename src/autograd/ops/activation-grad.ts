/** The gradient through an activation, from its saved output: shared by the fused `linear` and the unary ops. */
import { Tensor } from '../tensor.js';
import { activationBackward, allocateForOverwrite, type FusedActivation } from '../backend/index.js';
import type { RuleContext } from '../engine.js';

/**
 * g·act′ computed from the activation's output y (sigmoid: y(1−y); tanh: 1−y²; relu: [y > 0],
 * so relu′(0) = 0): one fused kernel in a plain backward(); op by op when the backward is
 * recorded, so the result can be differentiated again.
 */
export function activationGrad(g: Tensor, y: Tensor, act: FusedActivation, ctx: RuleContext): Tensor {
  if (act === 'identity') return g;
  if (ctx.createGraph || g.dtype !== y.dtype) {
    switch (act) {
      case 'sigmoid':
        return g.mul(y.mul(y.neg().add(1)));
      case 'tanh':
        return g.mul(y.mul(y).neg().add(1));
      case 'relu':
        return g.mul(y.gt(0));
    }
  }
  const out = new Tensor(allocateForOverwrite(y.dtype, y.size), y.shape);
  activationBackward(out.data, g.data, y.data, act);
  return out;
}
