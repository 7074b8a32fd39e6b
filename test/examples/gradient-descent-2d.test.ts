import { describe, expect, it } from 'vitest';
import { firstStep } from '../../examples/gradient-descent-2d.js';

describe('examples/gradient-descent-2d', () => {
  it('the gap between Δf and −η‖∇f‖² is the curvature term (η²/2)·∇fᵀH∇f, so it shrinks like η²', () => {
    const start: [number, number] = [-2.5, 1.6];
    // ∇f at the start, by hand: ∂f/∂x = 2(x − 1) + (y + 0.5), ∂f/∂y = 8(y + 0.5) + (x − 1)
    const gx = 2 * -3.5 + 2.1,
      gy = 8 * 2.1 - 3.5;
    const half = 0.5 * (2 * gx * gx + 2 * gx * gy + 8 * gy * gy);
    let previousRatio = 0;
    for (const eta of [0.1, 0.01, 0.001]) {
      const { actual, predicted } = firstStep(eta, start);
      expect(predicted).toBeCloseTo(-eta * (gx * gx + gy * gy), 9);
      expect((actual - predicted) / eta ** 2).toBeCloseTo(half, 3);
      const ratio = actual / predicted;
      expect(ratio).toBeGreaterThan(previousRatio); // the estimate gets better as η shrinks
      previousRatio = ratio;
    }
    expect(previousRatio).toBeGreaterThan(0.996);
    expect(firstStep(0.35, start).actual).toBeGreaterThan(0); // a too-large step goes uphill
  });
});
