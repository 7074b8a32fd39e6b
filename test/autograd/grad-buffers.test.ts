import { describe, expect, it } from 'vitest';
import { ones, randn, tensor } from '../../src/index.js';

// The reverse pass lets a leaf keep a gradient buffer as its .grad when nothing else holds it.
// These pin the cases where buffers are shared, so a later in-place accumulation cannot leak.
describe('.grad buffers are never shared', () => {
  it('one gradient passed to two leaves through views (add of two reshapes)', () => {
    const a = randn([2, 3], { requiresGrad: true }),
      b = randn([3, 2], { requiresGrad: true });
    const y = a
      .reshape([6])
      .add(b.reshape([6]))
      .sum();
    y.backward(undefined, { retainGraph: true });
    expect(a.grad!.data).not.toBe(b.grad!.data);
    y.backward();
    expect(Array.from(a.grad!.data)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(Array.from(b.grad!.data)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('the seed is never kept as a gradient', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seed = ones([3]);
    x.backward(seed);
    expect(x.grad!.data).not.toBe(seed.data);
    x.backward(seed);
    expect(Array.from(seed.data)).toEqual([1, 1, 1]);
    expect(Array.from(x.grad!.data)).toEqual([2, 2, 2]);
  });

  it('add passing g to both operands, and a leaf used twice', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    x.add(w).add(x).mul(2).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 4]);
    expect(Array.from(w.grad!.data)).toEqual([2, 2]);
    expect(x.grad!.data).not.toBe(w.grad!.data);
  });
});
