/**
 * Verifying gradients: a custom op with a planted bug, found by `checkGradients`, shrunk to a
 * minimal input, and fixed; then second order, forward mode and the graph.
 *
 *   npx tsx examples/verify-gradients.ts
 *   tensorgrad gradcheck examples/verify-gradients.ts#softplusLoss --shapes 3x4,4x2
 *
 * The op: softplus(x) = log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|), whose
 * derivative is sigmoid(x). The planted bug writes sigmoid(|x|): right for x ≥ 0, wrong below.
 */
import { pathToFileURL } from 'node:url';
import { defineOp, gradcheck, gradgradcheck, hessian, hvp, jvp, tensor, toDot, type Tensor } from '../src/index.js';
import { checkGradients, shapeArb } from '../src/testing/index.js';

/** The stable forward pass, shared by both versions. */
const forward = (x: Tensor): Tensor => x.relu().add(x.abs().neg().exp().add(1).log());

/** The buggy op: its backward uses sigmoid(|x|). */
export const softplusBuggy = defineOp('softplus', {
  forward,
  backward: (g, [x]) => [g.mul(x.abs().sigmoid())],
});

/** The fixed op. */
export const softplus = defineOp('softplus', {
  forward,
  backward: (g, [x]) => [g.mul(x.sigmoid())],
});

/** A loss built on it, for `tensorgrad gradcheck FILE#EXPORT`. */
export function softplusLoss(x: Tensor, w: Tensor): Tensor {
  return softplus(x.matmul(w)).sum();
}

function main(): void {
  // 1. gradcheck at one point may miss the bug: at positive inputs the two rules agree.
  const positive = tensor([[0.5, 1.2, 2.0]], { dtype: 'float64' });
  console.log('gradcheck at x > 0, buggy op:', gradcheck(softplusBuggy, [positive]).ok); // true: the bug hides

  // 2. checkGradients searches inputs (values and shapes) and shrinks the failure.
  const search = { inputs: [{ shape: shapeArb(0, 3) }], seed: 42 };
  const found = checkGradients((x) => softplusBuggy(x).sum(), search);
  console.log(found.report);
  // → shrunk to a 0-d input just below 0 (≈ −0.001, where the error first exceeds the tolerance)

  // 3. The fix passes the same search, and the second-order check too.
  console.log(checkGradients((x) => softplus(x).sum(), search).report);
  console.log('gradgradcheck:', gradgradcheck(softplus, [tensor([-1.5, 0.3, 2], { dtype: 'float64' })]).ok);

  // 4. Forward mode and second order come with every op, custom ones included.
  const x = tensor([-1, 0.5, 2], { dtype: 'float64' });
  const [, tangent] = jvp((t) => softplus(t), [x], [tensor([1, 1, 1], { dtype: 'float64' })]);
  console.log('jvp (= sigmoid(x)):', tangent.toArray());
  console.log('hvp:', hvp((t) => softplus(t).sum(), x, tensor([1, 0, 0], { dtype: 'float64' })).toArray());
  console.log('hessian (diagonal σ(x)(1−σ(x))):', hessian((t: Tensor) => softplus(t).sum())(x).toArray());

  // 5. The graph, as Graphviz DOT (pipe into `dot -Tsvg`).
  const w = tensor([[0.1], [-0.2], [0.3]], { requiresGrad: true });
  w.label = 'w';
  console.log(toDot(softplus(tensor([[1, 2, 3]]).matmul(w)).sum()));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
