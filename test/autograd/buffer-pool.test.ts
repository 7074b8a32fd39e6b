/**
 * backward() hands the gradient buffers it passed between ops back to a pool, and later
 * allocations reuse them. Nothing a user can still reach may be among them: the leaves'
 * gradients, what grad() returns, the seed, forward values, and createGraph gradients.
 * Each test keeps such a tensor, churns the pool with more passes of the same shapes, and
 * checks the kept values did not change.
 */
import { describe, expect, it } from 'vitest';
import { grad, randn, tensor, zeros, type Tensor } from '../../src/index.js';

/** Forward + backward passes that allocate (and recycle) buffers of the shapes used below. */
function churn(times = 20): void {
  for (let i = 0; i < times; i++) {
    const a = randn([64, 32], { seed: 100 + i, requiresGrad: true });
    const b = randn([32], { seed: 200 + i, requiresGrad: true });
    a.mul(b).add(1).sigmoid().mul(a).sum().backward();
  }
}

const snapshot = (t: Tensor): number[] => Array.from(t.data);

describe('the gradient buffer pool', () => {
  it('never recycles a leaf gradient', () => {
    const a = randn([64, 32], { seed: 1, requiresGrad: true });
    const b = randn([32], { seed: 2, requiresGrad: true });
    a.mul(b).add(1).sigmoid().mul(a).sum().backward();
    const ga = a.grad!,
      gb = b.grad!;
    const before = [snapshot(ga), snapshot(gb)];
    churn();
    expect([snapshot(ga), snapshot(gb)]).toEqual(before);
  });

  it('never recycles what grad() returns, the seed, or forward values kept by the caller', () => {
    const a = randn([64, 32], { seed: 3 });
    const b = randn([32], { seed: 4 });
    const f = (x: Tensor, y: Tensor): Tensor => x.mul(y).add(1).sigmoid().mul(x).sum();
    const [ga, gb] = grad(f, [0, 1])(a, b);
    const x = randn([64, 32], { seed: 5, requiresGrad: true });
    const hidden = x.mul(b).sigmoid(); // a forward value the caller keeps
    const seed = randn([64, 32], { seed: 6 });
    hidden.mul(x).backward(seed);
    const before = [snapshot(ga), snapshot(gb), snapshot(seed), snapshot(hidden), snapshot(x.grad!)];
    churn();
    expect([snapshot(ga), snapshot(gb), snapshot(seed), snapshot(hidden), snapshot(x.grad!)]).toEqual(before);
  });

  it('leaves createGraph gradients alone (they are part of a recorded graph)', () => {
    const x = randn([64, 32], { seed: 7, requiresGrad: true });
    x.mul(x).mul(x).sum().backward(undefined, { createGraph: true }); // x.grad = 3x², recorded
    const g = x.grad!;
    const before = snapshot(g);
    churn();
    expect(snapshot(g)).toEqual(before);
    x.grad = null;
    g.sum().backward(); // d/dx Σ 3x² = 6x: the recorded graph still works
    Array.from(x.grad!.data).forEach((v, i) => expect(v).toBeCloseTo(6 * x.data[i], 3));
  });

  it('hands out reused buffers zero-filled where zeros are promised', () => {
    churn();
    for (const shape of [[64, 32], [32], [64, 1]]) {
      expect(Array.from(zeros(shape).data).every((v) => v === 0)).toBe(true);
      expect(Array.from(tensor(new Array(shape.reduce((p, q) => p * q)).fill(0), { shape }).data).every((v) => v === 0)).toBe(true);
    }
  });

  it('gives the same gradients with the pool warm as with it cold', () => {
    const run = (): number[] => {
      const a = randn([64, 32], { seed: 9, requiresGrad: true });
      const b = randn([32], { seed: 10, requiresGrad: true });
      a.mul(b).add(1).sigmoid().mul(a).sum().backward();
      return [...snapshot(a.grad!), ...snapshot(b.grad!)];
    };
    const cold = run();
    churn();
    expect(run()).toEqual(cold);
  });
});
