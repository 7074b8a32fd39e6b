/**
 * optim.minimize — the lecture's ball rolling down f(x, y): the path starts at x0, GD's path
 * is the closed-form one on a bowl, values never increase for a small rate, and Rosenbrock's
 * valley is followed to (1, 1).
 */
import { describe, expect, it } from 'vitest';
import { optim, tensor, type Tensor } from '../../src/index.js';

const W = tensor([1, 3], { dtype: 'float64' });
/** f(x, y) = x² + 3y² */
const bowl = (v: Tensor): Tensor => v.square().mul(W).sum();

const E0 = tensor([1, 0], { dtype: 'float64' }),
  E1 = tensor([0, 1], { dtype: 'float64' });
/** Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1). */
const rosenbrock = (v: Tensor): Tensor => {
  const x = v.mul(E0).sum(),
    y = v.mul(E1).sum();
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
};

describe('minimize on the bowl x² + 3y²', () => {
  it('GD follows v → v − η∇f exactly: x_k = 2·0.8^k, y_k = 0.4^k for η = 0.1 from (2, 1)', () => {
    const r = optim.minimize(bowl, [2, 1], { lr: 0.1, steps: 200 });
    expect(r.path[0]).toEqual([2, 1]);
    expect(r.path[1][0]).toBeCloseTo(1.6, 15);
    expect(r.path[1][1]).toBeCloseTo(0.4, 15);
    for (let k = 0; k < 20; k++) {
      expect(r.path[k][0]).toBeCloseTo(2 * 0.8 ** k, 13);
      expect(r.path[k][1]).toBeCloseTo(0.4 ** k, 13);
      expect(r.values[k]).toBeCloseTo(r.path[k][0] ** 2 + 3 * r.path[k][1] ** 2, 13);
    }
    expect(r.path).toHaveLength(r.values.length);
    expect(r.path).toHaveLength(r.steps + 1);
    expect(r.converged).toBe(true);
    expect(r.steps).toBeLessThan(200);
    r.x.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-8));
    expect(r.value).toBe(r.values[r.values.length - 1]);
  });

  it('values never increase for a small rate (GD)', () => {
    for (const lr of [0.01, 0.05, 0.1, 0.3]) {
      const r = optim.minimize(bowl, [-3, 2.5], { lr, steps: 300 });
      for (let k = 1; k < r.values.length; k++) expect(r.values[k]).toBeLessThanOrEqual(r.values[k - 1]);
    }
  });

  it('diverges, visibly, for a rate past 2/L (L = 6): the values grow', () => {
    const r = optim.minimize(bowl, [1, 1], { lr: 0.4, steps: 10 });
    expect(r.converged).toBe(false);
    expect(r.values[10]).toBeGreaterThan(r.values[0]);
  });

  it('takes a factory for any optimizer, and stops at once at a stationary point', () => {
    const r = optim.minimize(bowl, [1, -1], {
      lr: 0.05,
      steps: 2000,
      optimizer: (ps, lr) => new optim.SGD(ps, { lr, momentum: 0.5, nesterov: true }),
    });
    expect(r.converged).toBe(true);
    r.x.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-8));
    const still = optim.minimize(bowl, [0, 0]);
    expect(still).toMatchObject({ steps: 0, converged: true, path: [[0, 0]], values: [0] });
  });
});

describe('minimize on Rosenbrock', () => {
  it("gets close to (1, 1) with 'adam'", () => {
    const r = optim.minimize(rosenbrock, [-1.5, 2], { optimizer: 'adam', lr: 0.05, steps: 3000 });
    expect(r.path[0]).toEqual([-1.5, 2]);
    r.x.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-3));
    expect(r.value).toBeLessThan(1e-6);
  });

  it("gets close to (1, 1) with 'momentum'", () => {
    const r = optim.minimize(rosenbrock, [-1.5, 2], { optimizer: 'momentum', lr: 0.0015, steps: 3000 });
    r.x.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-3));
    expect(r.value).toBeLessThan(1e-6);
  });
});

describe('minimize rejects bad input', () => {
  it('lr, steps, x0, f and the optimizer name', () => {
    for (const lr of [0, -1, Number.NaN, Infinity])
      expect(() => optim.minimize(bowl, [1, 1], { lr })).toThrow(/minimize: lr must be a finite number > 0/);
    expect(() => optim.minimize(bowl, [1, 1], { steps: -1 })).toThrow(/minimize: steps must be a non-negative integer, got -1/);
    expect(() => optim.minimize(bowl, [1, 1], { steps: 2.5 })).toThrow(/steps must be a non-negative integer, got 2.5/);
    expect(() => optim.minimize(bowl, [])).toThrow(/minimize: x0 must be a non-empty list of finite numbers, got \[\]/);
    expect(() => optim.minimize(bowl, [1, Number.NaN])).toThrow(/x0 must be a non-empty list of finite numbers/);
    expect(() => optim.minimize((v) => v.square(), [1, 2])).toThrow(/minimize: f must return a one-element tensor, got \[2\]/);
    expect(() => optim.minimize(bowl, [1, 1], { optimizer: 'lbfgs' as never })).toThrow(
      /minimize: unknown optimizer 'lbfgs'; expected 'gd', 'momentum', 'adam' or a factory/,
    );
  });
});
