/**
 * Clear errors: a shape mismatch names the op and both shapes; bad axes, reshapes and
 * permutations say what was wrong; a derivative rule returning a wrong shape is named.
 */
import { describe, expect, it } from 'vitest';
import { tensor, zeros, type Tensor } from '../../src/index.js';
import { record } from '../../src/autograd/engine.js';

const z = (...shape: number[]): Tensor => zeros(shape);

describe('shape mismatches name the op and both shapes', () => {
  it('matmul inner dimensions', () => {
    expect(() => z(2, 3).matmul(z(2, 3))).toThrow('matmul: [2,3] @ [2,3]: inner dimensions 3 and 2 differ');
    expect(() => z(3).matmul(z(4))).toThrow('matmul: [3] @ [4]: inner dimensions 3 and 4 differ');
    expect(() => z(2, 3).matmul(z(2))).toThrow(/matmul: \[2,3\] @ \[2\]/);
  });

  it('matmul batch axes that do not broadcast, and 0-d operands', () => {
    expect(() => z(2, 1, 3).matmul(z(3, 3, 4))).toThrow(/matmul.*\[2\].*\[3\]/);
    expect(() => z(2).matmul(tensor(3))).toThrow(/matmul: \[2\] @ \[\]/);
  });

  it('elementwise broadcasting', () => {
    expect(() => z(2, 3).add(z(4))).toThrow('add: shapes [2,3] and [4] cannot be broadcast together');
    expect(() => z(4).add(z(2, 3))).toThrow(/add: shapes \[4\] and \[2,3\]/);
    for (const op of ['sub', 'mul', 'div', 'pow', 'maximum'] as const) {
      expect(() => z(2, 3)[op](z(3, 2))).toThrow(new RegExp(`^${op}: shapes \\[2,3\\] and \\[3,2\\]`));
    }
  });

  it('expand to an incompatible shape', () => {
    expect(() => z(2, 3).expand([4, 3])).toThrow(/expand.*\[2,3\].*\[4,3\]/);
    expect(() => z(2, 3).expand([3])).toThrow(/expand: cannot broadcast \[2,3\] to \[3\]/);
  });
});

describe('bad axes', () => {
  it('reductions name the op, the axis and the rank', () => {
    expect(() => z(2, 3).sum(2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
    expect(() => z(2, 3).mean(-3)).toThrow('mean: axis -3 is out of range for a tensor of rank 2');
    expect(() => z(2, 3).max([0, 5])).toThrow(/max: axis 5/);
    expect(() => z(2, 3).sum(0.5)).toThrow(/sum: axis 0.5/);
    expect(() => z(2, 3).sum([0, -2])).toThrow(/sum: repeated axis/);
  });

  it('softmax / logSoftmax', () => {
    expect(() => z(2, 3).softmax(2)).toThrow(/softmax: axis 2 is out of range/);
    expect(() => z(2, 3).logSoftmax(-3)).toThrow(/logSoftmax: axis -3/);
    expect(() => tensor(1).softmax()).toThrow(/softmax: needs at least one axis/);
  });
});

describe('bad reshapes and permutations', () => {
  it('reshape', () => {
    expect(() => z(2, 3).reshape([4])).toThrow('reshape: cannot reshape [2,3] (6 elements) to [4] (4 elements)');
    expect(() => z(2, 3).reshape([-1, -1])).toThrow(/reshape: invalid shape \[-1,-1\].*at most one -1/);
    expect(() => z(2, 3).reshape([4, -1])).toThrow(/reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,-1\]/);
    expect(() => z(2, 3).reshape([2, -2])).toThrow(/reshape: invalid shape/);
    expect(() => z(2, 3).reshape([2.5, 2])).toThrow(/reshape: invalid shape/);
  });

  it('transpose', () => {
    expect(() => z(2, 3).transpose([0, 0])).toThrow('transpose: [0,0] is not a permutation of the 2 axes of [2,3]');
    expect(() => z(2, 3).transpose([0])).toThrow(/transpose: \[0\] is not a permutation/);
    expect(() => z(2, 3).transpose([0, 2])).toThrow(/transpose: \[0,2\]/);
    expect(() => z(2, 3, 4).transpose([0, 1, -1, 2])).toThrow(/not a permutation of the 3 axes/);
  });

  it('item on a tensor of several elements', () => {
    expect(() => z(2).item()).toThrow(/item: tensor of shape \[2\] has 2 elements/);
  });
});

describe('derivative rules are checked by the engine', () => {
  it('a rule returning a gradient of the wrong shape throws naming the op', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const out = record(tensor([2, 4], { dtype: 'float64' }), 'badDouble', [x], () => [zeros([3], { dtype: 'float64' })]);
    expect(() => out.sum().backward()).toThrow(/badDouble/);
    expect(() => {
      const y = record(tensor([2, 4], { dtype: 'float64' }), 'badDouble', [x], () => [zeros([3], { dtype: 'float64' })]);
      y.sum().backward();
    }).toThrow(/badDouble: the derivative rule returned a gradient of shape \[3\] for input 0 of shape \[2\]/);
  });

  it('wrong shapes that look broadcast-like are caught too', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true }); // [1,3]
    // [2,1] cannot be summed down to [1,3]
    const y = record(tensor([[0, 0, 0]], { dtype: 'float64' }), 'badRule', [x], () => [zeros([2, 1], { dtype: 'float64' })]);
    expect(() => y.sum().backward()).toThrow(/badRule.*\[2,1\].*\[1,3\]/);
    // a 0-d gradient for a [1,3] input
    const w = record(tensor([[0, 0, 0]], { dtype: 'float64' }), 'badScalar', [x], () => [zeros([], { dtype: 'float64' })]);
    expect(() => w.sum().backward()).toThrow(/badScalar.*\[\].*\[1,3\]/);
  });

  it('a gradient at a broadcast shape is summed back (not an error)', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const y = record(tensor([0, 0], { dtype: 'float64' }), 'wide', [x], () => [
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'float64' },
      ),
    ]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([4, 6]);
  });
});
