/** The gradient through an activation, from its saved output: shared by the fused `linear` and the unary ops. */
import { Tensor } from '../tensor.js';
import { allocateForOverwrite } from '../dtype.js';
import { activationBackward, type FusedActivation } from '../kernels/dispatch.js';
import { isGradEnabled } from '../engine.js';

/**
 * g·act′ computed from the activation's output y (sigmoid: y(1−y); tanh: 1−y²; relu: [y > 0],
 * so relu′(0) = 0): one fused kernel in a plain backward(); op by op when the backward is
 * recorded (createGraph), so the result can be differentiated again.
 */
export function activationGrad(g: Tensor, y: Tensor, act: FusedActivation): Tensor {
  if (act === 'identity') return g;
  if (isGradEnabled() || g.dtype !== y.dtype) {
    switch (act) {
      case 'sigmoid': return g.mul(y.mul(y.neg().add(1)));
      case 'tanh': return g.mul(y.mul(y).neg().add(1));
      case 'relu': return g.mul(y.gt(0));
    }
  }
  const out = new Tensor(allocateForOverwrite(y.dtype, y.size), y.shape);
  activationBackward(out.data, g.data, y.data, act);
  return out;
}
