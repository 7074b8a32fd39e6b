import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import { addWithNands, nand, perceptron, sigmoidGap, sigmoidNeuron } from '../../examples/perceptrons.js';

describe('examples/perceptrons', () => {
  it('the perceptron w = (−2, −2), b = 3 is NAND, as a Linear layer and elementwise', () => {
    const x = tensor(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      { dtype: 'float64' },
    );
    expect(Array.from(perceptron([-2, -2], 3)(x).data)).toEqual([1, 1, 1, 0]);
    const a = tensor([0, 0, 1, 1], { dtype: 'float64' }),
      b = tensor([0, 1, 0, 1], { dtype: 'float64' });
    expect(Array.from(nand(a, b).data)).toEqual([1, 1, 1, 0]);
  });

  it('the network of NAND perceptrons adds every pair of 5-bit numbers', () => {
    const xs: number[] = [],
      ys: number[] = [];
    for (let x = 0; x < 32; x++)
      for (let y = 0; y < 32; y++) {
        xs.push(x);
        ys.push(y);
      }
    const { sums, gates } = addWithNands(xs, ys, 5);
    expect(gates).toBe(45);
    expect(sums).toEqual(xs.map((x, i) => x + ys[i]));
  });

  it('σ(c(w·x + b)) tends to the perceptron away from w·x + b = 0, and stays ½ on it', () => {
    const gaps = [1, 10, 100, 1000].map((c) => sigmoidGap([-2, -2], 3, c, 0.1));
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
    // the bound: at distance ≥ margin from the hyperplane, the gap is at most σ(−c·margin)
    [1, 10, 100, 1000].forEach((c, i) => expect(gaps[i]).toBeLessThanOrEqual(1 / (1 + Math.exp(c * 0.1))));
    expect(gaps[2]).toBeGreaterThan(0.5 / (1 + Math.exp(10))); // and the samples get near it
    expect(gaps[3]).toBeLessThan(1e-40);
    for (const c of [1, 100, 1e6]) expect(sigmoidNeuron([-2, -2], 3, c, [0.75, 0.75])).toBe(0.5);
    // closer to the hyperplane the same c is not enough
    expect(sigmoidGap([-2, -2], 3, 100, 0.01)).toBeGreaterThan(0.1);
  });
});
