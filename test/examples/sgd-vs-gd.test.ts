import { describe, expect, it } from 'vitest';
import { data } from '../../src/index.js';
import { costAtThirds, gradientCosines } from '../../examples/sgd-vs-gd.js';

const { train } = data.loadMnist({ trainSize: 300, validationSize: 0 });

describe('examples/sgd-vs-gd', () => {
  it('full-batch GD keeps its cost at ⅓ and ⅔ of a pass and moves only at 3⁄3', () => {
    const { costs, updates } = costAtThirds(train, { m: train.count, eta: 3, passes: 2 });
    expect(updates).toBe(2);
    expect(costs).toHaveLength(7);
    // pass 1: ⅓ and ⅔ are still the starting cost, 3⁄3 is after the one update (and lower)
    expect(costs[1]).toBe(costs[0]);
    expect(costs[2]).toBe(costs[0]);
    expect(costs[3]).toBeLessThan(costs[0]);
    // pass 2 likewise, starting from the cost after the first update
    expect(costs[4]).toBe(costs[3]);
    expect(costs[5]).toBe(costs[3]);
    expect(costs[6]).toBeLessThan(costs[3]);
  });

  it('mini-batch SGD moves before each checkpoint, and further than GD for the same passes', () => {
    const sgd = costAtThirds(train, { m: 10, eta: 3, passes: 1 });
    const gd = costAtThirds(train, { m: train.count, eta: 3, passes: 1 });
    expect(sgd.updates).toBe(30);
    expect(sgd.costs[1]).toBeLessThan(sgd.costs[0]);
    expect(sgd.costs[3]).toBeLessThan(gd.costs[3]);
  });

  it('a larger mini-batch points closer to the full gradient', () => {
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const c1 = mean(gradientCosines(train, 1, 20));
    const c30 = mean(gradientCosines(train, 30, 5));
    expect(c1).toBeLessThan(c30);
    expect(c30).toBeLessThan(1);
    expect(gradientCosines(train, train.count, 1)[0]).toBeCloseTo(1, 5);
  });
});
