/**
 * The TSDoc examples of the verification API and the verify-gradients example, run: what the
 * docs promise is what the code does.
 */
import { describe, expect, it } from 'vitest';
import { defineOp, grad, gradcheck, gradgradcheck, hessian, hvp, jacobian, jvp, randn, tensor, toDot, vjp, type Tensor } from '../../src/index.js';
import { assertGradients, checkGradients, shapeArb } from '../../src/testing/index.js';
import { softplus, softplusBuggy, softplusLoss } from '../../examples/verify-gradients.js';
import { runGradcheckCommand } from '../../src/cli/gradcheck-file.js';

describe('TSDoc examples', () => {
  it('defineOp: logSumExp', () => {
    const logSumExp = defineOp('logSumExp', {
      forward: (x) => {
        const m = x.max();
        return x.sub(m).exp().sum().log().add(m);
      },
      backward: (g, [x], out) => [g.mul(x.sub(out).exp())],
    });
    expect(logSumExp(tensor([1000, 1000])).item()).toBeCloseTo(1000.6931, 3);
    expect(grad((x: Tensor) => logSumExp(x))(tensor([0, 0])).toArray()).toEqual([0.5, 0.5]);
    expect(gradcheck(logSumExp, [tensor([1, 2, 3], { dtype: 'float64' })]).ok).toBe(true);
  });

  it('vjp, jvp, jacobian, hessian, hvp, gradgradcheck, toDot', () => {
    const [y, pullback] = vjp((a, b) => a.mul(b), tensor([1, 2]), tensor([3, 4]));
    expect(y.toArray()).toEqual([3, 8]);
    expect(pullback(tensor([1, 10])).map((t) => t.toArray())).toEqual([
      [3, 40],
      [1, 20],
    ]);
    const [z, dz] = jvp((x) => x.mul(x), [tensor([1, 2, 3])], [tensor([1, 0, 1])]);
    expect([z.toArray(), dz.toArray()]).toEqual([
      [1, 4, 9],
      [2, 0, 6],
    ]);
    const J = jacobian((x) => x.mul(x).sum(0))(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(J.shape).toEqual([2, 2, 2]);
    expect(J.toArray()).toEqual([
      [
        [2, 0],
        [6, 0],
      ],
      [
        [0, 4],
        [0, 8],
      ],
    ]);
    expect(hessian((x) => x.pow(3).sum())(tensor([1, 2], { dtype: 'float64' })).toArray()).toEqual([
      [6, 0],
      [0, 12],
    ]);
    expect(hvp((t) => t.pow(3).sum(), tensor([1, 2], { dtype: 'float64' }), tensor([1, 1], { dtype: 'float64' })).toArray()).toEqual([6, 12]);
    expect(gradgradcheck((a) => a.tanh().matmul(a.transpose()), [randn([3, 4], { dtype: 'float64', seed: 1 })]).ok).toBe(true);
    const w = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    w.label = 'w';
    const dot = toDot(
      w
        .matmul(tensor([1, 1]))
        .tanh()
        .sum(),
    );
    expect(dot).toContain('"sum\\n[] float32"');
    expect(dot).toContain('"w\\n[2,2] float32 · requiresGrad"');
  });

  it('checkGradients and assertGradients', () => {
    const r = checkGradients((a, b) => a.matmul(b).tanh(), {
      inputs: [
        [3, 4],
        [4, 2],
      ],
      seed: 1,
      runs: 20,
    });
    expect(r.ok, r.report).toBe(true);
    const s = checkGradients((x) => x.abs().sum(), { inputs: [{ shape: shapeArb(), avoid: [0] }], seed: 1, runs: 50 });
    expect(s.ok, s.report).toBe(true);
    assertGradients((x) => x.sigmoid().sum(), { inputs: [[5]], runs: 20, seed: 3 });
  });
});

describe('examples/verify-gradients.ts', () => {
  it('the story: the bug hides from gradcheck at positive points, checkGradients finds and shrinks it, the fix passes', async () => {
    expect(gradcheck(softplusBuggy, [tensor([[0.5, 1.2, 2.0]], { dtype: 'float64' })]).ok).toBe(true);
    const search = { inputs: [{ shape: shapeArb(0, 3) }], seed: 42 };
    const found = checkGradients((x) => softplusBuggy(x).sum(), search);
    expect(found.ok).toBe(false);
    expect(found.counterexample![0].shape).toEqual([]);
    expect(checkGradients((x) => softplus(x).sum(), search).ok).toBe(true);
    expect(gradcheck(softplusLoss, [randn([3, 4], { dtype: 'float64', seed: 1 }), randn([4, 2], { dtype: 'float64', seed: 2 })]).ok).toBe(true);
    const quiet = { write: () => true };
    expect(
      await runGradcheckCommand(['examples/verify-gradients.ts#softplusLoss', '--shapes', '3x4,4x2', '--runs', '1'], { out: quiet, err: quiet }),
    ).toBe(0);
  });
});
