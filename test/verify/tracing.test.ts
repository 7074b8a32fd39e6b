/**
 * Transforms trace whatever the caller's grad mode (torch.func), and a gradient computed while
 * the caller records stays differentiable. Each case below used to give a silently wrong
 * answer: noGrad(grad(f)) was all zeros, gradcheck(grad(f)) compared 0 with 0 and passed,
 * gradcheck inside noGrad failed every input, noGrad(minimize) took no step.
 */
import { describe, expect, it } from 'vitest';
import { defineOp, grad, gradcheck, noGrad, optim, tensor, Value, valueAndGrad, type Tensor } from '../../src/index.js';

const f64 = { dtype: 'float64' as const };
/** f(x) = Σ x³·sin x: f' = 3x² sin x + x³ cos x, f'' = 6x sin x + 6x² cos x − x³ sin x. */
const f = (x: Tensor): Tensor => x.pow(3).mul(x.sin()).sum();
const d1 = (x: number): number => 3 * x * x * Math.sin(x) + x ** 3 * Math.cos(x);
const d2 = (x: number): number => 6 * x * Math.sin(x) + 6 * x * x * Math.cos(x) - x ** 3 * Math.sin(x);
const xs = [0.7, -1.3, 2.1];

/** x³ whose backward has the right value 3x² but a derivative 100× too large (600x instead of 6x). */
const cubeWrongSecond = defineOp('cube', {
  forward: (x) => x.pow(3),
  backward: (g, [x]) => {
    const right = x.square().mul(3);
    // value: right·100 − right·99 = right; derivative: 100·6x (the detached term has none)
    return [g.mul(right.mul(100).sub(right.detach().mul(99)))];
  },
});

describe('transforms inside noGrad', () => {
  it('noGrad(() => grad(f)(x)) equals grad(f)(x), and is plain', () => {
    const x = tensor(xs, f64);
    const outside = grad(f)(x);
    const inside = noGrad(() => grad(f)(x));
    expect(Array.from(inside.data)).toEqual(Array.from(outside.data));
    inside.data.forEach((v, i) => expect(v).toBeCloseTo(d1(xs[i]), 12));
    expect(inside.requiresGrad).toBe(false);
  });

  it('valueAndGrad inside noGrad gives the value and the gradient', () => {
    const { value, grad: g } = noGrad(() => valueAndGrad(f)(tensor(xs, f64)));
    expect(value.item()).toBeCloseTo(
      xs.reduce((s, x) => s + x ** 3 * Math.sin(x), 0),
      12,
    );
    g.data.forEach((v, i) => expect(v).toBeCloseTo(d1(xs[i]), 12));
  });

  it('grad(grad(f)) inside noGrad is the second derivative', () => {
    const second = noGrad(() => grad((x: Tensor) => grad(f)(x).sum())(tensor(xs, f64)));
    second.data.forEach((v, i) => expect(v).toBeCloseTo(d2(xs[i]), 10));
  });

  it('gradcheck inside noGrad passes a right gradient and still fails a wrong one', () => {
    const x = tensor(xs, f64);
    expect(noGrad(() => gradcheck(f, [x])).ok).toBe(true);
    const wrong = defineOp('wrongSin', { forward: (t) => t.sin(), backward: (g, [t]) => [g.mul(t.cos()).mul(1.01)] });
    const r = noGrad(() => gradcheck((t: Tensor) => wrong(t).sum(), [x]));
    expect(r.ok).toBe(false);
    expect(r.worst!.analytic / r.worst!.numeric).toBeCloseTo(1.01, 6);
  });

  it('noGrad(() => optim.minimize(...)) takes the same steps as outside', () => {
    const g = (v: Tensor): Tensor =>
      v
        .square()
        .mul(tensor([1, 3], f64))
        .sum();
    const outside = optim.minimize(g, [2, 1], { lr: 0.1, steps: 25 });
    const inside = noGrad(() => optim.minimize(g, [2, 1], { lr: 0.1, steps: 25 }));
    expect(inside.steps).toBe(25);
    expect(inside.path).toEqual(outside.path);
    expect(inside.value).toBeLessThan(0.01);
  });
});

describe('a gradient computed inside a trace stays differentiable', () => {
  it('gradcheck(grad(f)) compares the true second derivative (it used to compare 0 with 0)', () => {
    expect(gradcheck((a: Tensor) => grad(f)(a), [tensor(xs, f64)]).ok).toBe(true);
    // summed, so each analytic entry is f''(xⱼ) itself (gradcheck contracts a vector output with a random u)
    const r = gradcheck((a: Tensor) => grad(f)(a).sum(), [tensor(xs, f64)]);
    expect(r.ok).toBe(true);
    // the worst comparison is a real second derivative, not the 0 = 0 of a detached result
    expect(r.worst!.numeric).not.toBe(0);
    const w = r.worst!;
    expect(w.analytic).toBeCloseTo(d2(xs[w.index[0]]), 8);
  });

  it('gradcheck(a => grad(f)(a).mul(100)) holds, and a backward whose derivative is 100× off fails', () => {
    const x = tensor(xs, f64);
    const scaled = gradcheck((a: Tensor) => grad(f)(a).mul(100).sum(), [x]);
    expect(scaled.ok).toBe(true);
    expect(scaled.worst!.analytic).toBeCloseTo(100 * d2(xs[scaled.worst!.index[0]]), 6);
    // first derivative right (gradcheck of the op passes), second 100× too large
    expect(gradcheck((a: Tensor) => cubeWrongSecond(a).sum(), [x]).ok).toBe(true);
    expect(gradcheck((a: Tensor) => grad((t: Tensor) => cubeWrongSecond(t).sum())(a), [x]).ok).toBe(false);
    const bad = gradcheck((a: Tensor) => grad((t: Tensor) => cubeWrongSecond(t).sum())(a).sum(), [x]);
    expect(bad.ok).toBe(false);
    const w = bad.worst!;
    expect(w.numeric).toBeCloseTo(6 * xs[w.index[0]], 5);
    expect(w.analytic).toBeCloseTo(600 * xs[w.index[0]], 5);
  });

  it("grad of a tensor that requires grad is recorded: backward through it gives f''", () => {
    const x = tensor(xs, { ...f64, requiresGrad: true });
    const g = grad(f)(x);
    expect(g.requiresGrad).toBe(true);
    g.sum().backward();
    x.grad!.data.forEach((v, i) => expect(v).toBeCloseTo(d2(xs[i]), 10));
    // inside noGrad: a plain tensor, nothing recorded
    expect(noGrad(() => grad(f)(x)).requiresGrad).toBe(false);
  });

  it('a gradient depending on a tensor f closes over is differentiable with respect to it', () => {
    const w = tensor([2, -3], { ...f64, requiresGrad: true });
    const g = grad((x: Tensor) => x.mul(w).square().sum())(tensor([1, 0.5], f64)); // 2·w²·x
    expect(Array.from(g.data)).toEqual([8, 9]);
    g.sum().backward(); // d/dw Σ 2w²x = 4wx
    expect(Array.from(w.grad!.data)).toEqual([8, -6]);
  });

  it('grad does not free the graph of a tensor its f closes over', () => {
    const w = tensor([1, 2], { ...f64, requiresGrad: true });
    const h = w.mul(3); // recorded outside
    const inner = (): Tensor => grad((x: Tensor) => x.mul(h).sum())(tensor([1, 1], f64));
    inner();
    noGrad(inner);
    h.sum().backward(); // would throw "freed by an earlier backward()" if grad had freed it
    expect(Array.from(w.grad!.data)).toEqual([3, 3]);
  });

  it('gradcheck of a Value grad throws a clear error instead of checking a detached result', () => {
    const dcube = grad((u: Value) => u.pow(3));
    expect(() => gradcheck((v: Value) => dcube(v), [new Value(2)])).toThrow(/scalar engine records first derivatives as numbers/);
  });

  it("the caller's tensor keeps its .grad and data untouched", () => {
    const x = tensor(xs, { ...f64, requiresGrad: true });
    grad(f)(x);
    expect(x.grad).toBeNull();
    expect(Array.from(x.data)).toEqual(xs);
  });
});
