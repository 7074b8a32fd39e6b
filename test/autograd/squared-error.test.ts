import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, gradcheck, randn, squaredErrorSum, tensor, type Tensor } from '../../src/index.js';
import { assertGradcheck, propertyRuns, shapeArb } from '../helpers/arbitraries.js';

describe('squaredErrorSum (fused scale·Σ(o − t)²)', () => {
  it('gradchecks with respect to both operands on random shapes and scales', () => {
    fc.assert(
      fc.property(shapeArb(0, 4), fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (shape, scale, seed) => {
        const o = randn(shape, { seed, dtype: 'float64' });
        const t = randn(shape, { seed: seed + 1, dtype: 'float64' });
        assertGradcheck(
          gradcheck((a, b) => squaredErrorSum(a, b, scale), [o, t]),
          { shape, scale },
        );
      }),
      { numRuns: propertyRuns(30) },
    );
  });

  it('equals the composed ops, value and gradient', () => {
    const o = randn([4, 3], { seed: 1, dtype: 'float64' }),
      t = randn([4, 3], { seed: 2, dtype: 'float64' });
    expect(squaredErrorSum(o, t, 0.125).item()).toBeCloseTo(o.sub(t).square().sum().mul(0.125).item(), 14);
    const g1 = grad((x: Tensor) => squaredErrorSum(x, t, 0.125))(o);
    const g2 = grad((x: Tensor) => x.sub(t).square().sum().mul(0.125))(o);
    g1.data.forEach((v, i) => expect(v).toBeCloseTo(g2.data[i], 14));
  });

  it('has the right second derivative (createGraph): d²/do² of s·(o − t)² is 2s', () => {
    const t = tensor(1.5, { dtype: 'float64' });
    const d2 = grad((x: Tensor) => grad((y: Tensor) => squaredErrorSum(y, t, 0.75))(x))(tensor(0.2, { dtype: 'float64' }));
    expect(d2.item()).toBeCloseTo(1.5, 14);
  });

  it('names both shapes when they differ', () => {
    expect(() => squaredErrorSum(randn([2, 3]), randn([3, 2]))).toThrow('squaredErrorSum: output shape [2,3] and target shape [3,2] differ');
  });
});
