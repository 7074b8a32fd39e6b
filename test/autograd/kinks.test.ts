/**
 * Kink conventions, pinned by exact values (finite differences straddle a kink and average,
 * so the properties exclude kinks and these tests fix the documented choice):
 * relu'(0) = 0, |x|'(0) = 0 (PyTorch), and max/maximum split the gradient evenly on ties.
 */
import { describe, expect, it } from 'vitest';
import { grad, tensor, Value, type Tensor } from '../../src/index.js';

const gradOf = (f: (x: Tensor) => Tensor, x: Tensor): number[] => {
  const leaf = tensor(x.data.slice(), { shape: x.shape, dtype: x.dtype, requiresGrad: true });
  f(leaf).sum().backward();
  return Array.from(leaf.grad!.data);
};

describe('relu and abs at 0', () => {
  it("Tensor: relu'(0) = 0, relu' = 1 above, 0 below", () => {
    expect(gradOf((x) => x.relu(), tensor([-2, -0, 0, 1e-30, 3]))).toEqual([0, 0, 0, 1, 1]);
    expect(gradOf((x) => x.relu(), tensor([0], { dtype: 'float64' }))).toEqual([0]);
    expect(tensor([-1, 0, 2]).relu().toArray()).toEqual([0, 0, 2]);
  });

  it("Tensor: |x|'(0) = 0, sign elsewhere", () => {
    expect(gradOf((x) => x.abs(), tensor([-2, -0, 0, 3]))).toEqual([-1, 0, 0, 1]);
    expect(gradOf((x) => x.abs(), tensor([0], { dtype: 'float64' }))).toEqual([0]);
  });

  it("Value: relu'(0) = 0", () => {
    for (const [x, g] of [
      [0, 0],
      [-0, 0],
      [-1, 0],
      [2, 1],
    ] as const) {
      const v = new Value(x);
      v.relu().backward();
      expect(v.grad).toBe(g);
    }
  });

  it("Value: |x|'(0) = 0, with |x| written as sqrt-free relu(x) + relu(-x)", () => {
    // Value has no abs; relu(x) + relu(−x) is |x|, and with relu'(0) = 0 its derivative at 0 is 0.
    const v = new Value(0);
    v.relu().add(v.neg().relu()).backward();
    expect(v.grad).toBe(0);
    expect(grad((t: Tensor) => t.abs().sum())(tensor(0, { dtype: 'float64' })).item()).toBe(0);
  });
});

describe('max ties split the gradient evenly', () => {
  it('max([1,3,3]) → grads [0, .5, .5]', () => {
    expect(gradOf((x) => x.max(), tensor([1, 3, 3]))).toEqual([0, 0.5, 0.5]);
  });

  it('three-way tie and per-axis ties', () => {
    expect(gradOf((x) => x.max(), tensor([2, 2, 2, 1]))).toEqual([1 / 3, 1 / 3, 1 / 3, 0].map((v) => Math.fround(v)));
    // along axis 1: row 0 ties between columns 0 and 2, row 1 has a unique max
    expect(
      gradOf(
        (x) => x.max(1),
        tensor(
          [
            [5, 1, 5],
            [0, 4, 2],
          ],
          { dtype: 'float64' },
        ),
      ),
    ).toEqual([0.5, 0, 0.5, 0, 1, 0]);
    // along axis 0 with keepDims
    expect(
      gradOf(
        (x) => x.max(0, true),
        tensor(
          [
            [1, 7],
            [1, 3],
          ],
          { dtype: 'float64' },
        ),
      ),
    ).toEqual([0.5, 1, 0.5, 0]);
    // over axes 0 and 2: the middle index 0 ties 9 twice, the middle index 1 ties 4 three times
    const t = 1 / 3;
    expect(
      gradOf(
        (x) => x.max([0, 2]),
        tensor(
          [
            [
              [1, 9],
              [4, 4],
            ],
            [
              [9, 0],
              [4, 2],
            ],
          ],
          { dtype: 'float64' },
        ),
      ),
    ).toEqual([0, 0.5, t, t, 0.5, 0, t, 0]);
  });

  it('a random upstream gradient is split, not copied', () => {
    const x = tensor(
      [
        [3, 3],
        [1, 2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    x.max(1).backward(tensor([10, 4], { dtype: 'float64' }));
    expect(x.grad!.toArray()).toEqual([
      [5, 5],
      [0, 4],
    ]);
  });

  it('maximum(a, a) gives .5 / .5; maximum ties elementwise split, others go to the larger', () => {
    const a = tensor([1, -2, 3], { dtype: 'float64', requiresGrad: true });
    a.maximum(a).sum().backward();
    // both halves land on the same leaf: 0.5 + 0.5
    expect(a.grad!.toArray()).toEqual([1, 1, 1]);

    const x = tensor([1, 5, 2], { dtype: 'float64', requiresGrad: true });
    const y = tensor([1, 4, 3], { dtype: 'float64', requiresGrad: true });
    x.maximum(y).sum().backward();
    expect(x.grad!.toArray()).toEqual([0.5, 1, 0]);
    expect(y.grad!.toArray()).toEqual([0.5, 0, 1]);

    const [ga, gb] = grad((p: Tensor, q: Tensor) => p.maximum(q).sum(), [0, 1])(tensor(2), tensor(2));
    expect([ga.item(), gb.item()]).toEqual([0.5, 0.5]);
  });

  it('maximum with a broadcast tie sums the halves back', () => {
    const x = tensor(
      [
        [2, 0],
        [2, 5],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const y = tensor(2, { dtype: 'float64', requiresGrad: true });
    x.maximum(y).sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [0.5, 0],
      [0.5, 1],
    ]);
    expect(y.grad!.item()).toBe(0.5 + 1 + 0.5);
  });
});

describe('pow at a zero base (PyTorch conventions; regression: these were NaN / -Infinity)', () => {
  // [a, b, ∂(aᵇ)/∂a, ∂(aᵇ)/∂b]
  const table: [number, number, number, number][] = [
    [0, 0, 0, 0], // a⁰ is constant in a; 0ᵇ is 0 for b ≥ 0
    [0, 2, 0, 0],
    [0, 0.5, Infinity, 0], // √a really has an infinite slope at 0
    [2, 0, 0, Math.log(2)],
    [3, 2, 6, 9 * Math.log(3)],
  ];
  it('Tensor pow with a tensor exponent', () => {
    for (const [a0, b0, da, db] of table) {
      const a = tensor([a0], { dtype: 'float64', requiresGrad: true });
      const b = tensor([b0], { dtype: 'float64', requiresGrad: true });
      a.pow(b).sum().backward();
      expect([a.grad!.item(), b.grad!.item()]).toEqual([da, db]);
    }
  });

  it('Tensor pow with a broadcast tensor exponent, and a number exponent 0', () => {
    const a = tensor([[0], [2]], { dtype: 'float64', requiresGrad: true });
    const b = tensor([0, 1, 2], { dtype: 'float64', requiresGrad: true });
    a.pow(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0 + 1 + 0], [0 + 1 + 4]]);
    expect(b.grad!.toArray()).toEqual([0 + Math.log(2), 0 + 2 * Math.log(2), 0 + 4 * Math.log(2)]);
    const z = tensor([0, -1], { dtype: 'float64', requiresGrad: true });
    z.pow(0).sum().backward();
    expect(z.grad!.toArray()).toEqual([0, 0]);
  });

  it('Value pow with a Value exponent agrees', () => {
    for (const [a0, b0, da, db] of table) {
      const a = new Value(a0),
        b = new Value(b0);
      a.pow(b).backward();
      expect([a.grad, b.grad]).toEqual([da, db]);
    }
    const z = new Value(0);
    z.pow(0).backward();
    expect(z.grad).toBe(0);
  });

  it('a negative base stays NaN for the exponent gradient (ln a is undefined), as PyTorch', () => {
    const a = tensor([-2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([2], { dtype: 'float64', requiresGrad: true });
    a.pow(b).sum().backward();
    expect(a.grad!.item()).toBe(-4);
    expect(b.grad!.item()).toBeNaN();
  });
});
