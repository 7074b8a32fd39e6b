/**
 * defineOp: the forward runs unrecorded, the backward is checked as a built-in rule's (count,
 * type, shape, with the op's name in the error), recorded under createGraph so higher-order
 * gradients hold, and it receives the same RuleContext as built-in rules.
 */
import { describe, expect, it } from 'vitest';
import { defineOp, gradcheck, gradFn, gradgradcheck, hessian, jvp, noGrad, randn, tensor, type RuleContext, type Tensor } from '../../src/index.js';

const f64 = { dtype: 'float64' as const };

/** log Σ eˣ over all elements, shifted by the max: finite for any magnitude; gradient softmax(x). */
const logSumExp = defineOp('logSumExp', {
  forward: (x) => {
    const m = x.max();
    return x.sub(m).exp().sum().log().add(m);
  },
  backward: (g, [x], out) => [g.mul(x.sub(out).exp())],
});

describe('defineOp', () => {
  it('a numerically stable logsumexp: finite where the naive one overflows, exact gradients to second order', () => {
    expect(logSumExp(tensor([1000, 1000], f64)).item()).toBeCloseTo(1000 + Math.log(2), 12);
    expect(tensor([1000, 1000], f64).exp().sum().log().item()).toBe(Infinity);
    const x = randn([2, 3], { ...f64, seed: 4 });
    expect(gradcheck(logSumExp, [x]).ok).toBe(true);
    expect(gradgradcheck(logSumExp, [x]).ok).toBe(true);
    // the Hessian of logsumexp is diag(p) − p pᵀ
    const v = tensor([0.5, -1, 2], f64);
    const p = v.softmax().data;
    const H = hessian((t: Tensor) => logSumExp(t))(v).data;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H[i * 3 + j]).toBeCloseTo((i === j ? p[i] : 0) - p[i] * p[j], 12);
  });

  it('a straight-through estimator: forward rounds, backward passes g through', () => {
    const roundST = defineOp('roundST', {
      forward: (x) => tensor(Array.from(x.data, Math.round), { shape: x.shape, dtype: x.dtype }),
      backward: (g) => [g],
    });
    const x = tensor([0.2, 1.7, -2.6], { ...f64, requiresGrad: true });
    const y = roundST(x);
    expect(Array.from(y.data)).toEqual([0, 2, -3]);
    y.mul(tensor([1, 2, 3], f64))
      .sum()
      .backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 2, 3]);
  });

  it("forward runs unrecorded; the output is recorded under the op's name; constants get no gradient", () => {
    let recordedInside: boolean | null = null;
    const op = defineOp('scaleBy', {
      forward: (a, b) => {
        const r = a.mul(b);
        recordedInside = r.requiresGrad;
        return r;
      },
      backward: (g, [a, b]) => [g.mul(b), g.mul(a)],
    });
    const a = tensor([1, 2], { ...f64, requiresGrad: true });
    const out = op(a, tensor([3, 4], f64));
    expect(recordedInside).toBe(false);
    expect(gradFn(out)?.op).toBe('scaleBy');
    expect(gradFn(out)?.inputs[0]).toBe(a);
    out.sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
    expect(noGrad(() => op(a, a)).requiresGrad).toBe(false);
  });

  it('an op whose forward returns its input does not hang the graph on the input', () => {
    const id = defineOp('identity', { forward: (x) => x, backward: (g) => [g] });
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const y = id(x);
    expect(y).not.toBe(x);
    expect(gradFn(x)).toBeNull();
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1]);
  });

  it('a broadcast-shaped gradient is summed back to the input; a wrong shape is an error naming the op', () => {
    const addRow = defineOp('addRow', { forward: (a, b) => a.add(b), backward: (g) => [g, g] });
    const b = tensor([1, 2, 3], { ...f64, requiresGrad: true });
    addRow(randn([4, 3], f64), b)
      .sum()
      .backward();
    expect(Array.from(b.grad!.data)).toEqual([4, 4, 4]);
    const wrongShape = defineOp('wrongShape', { forward: (x) => x.mul(2), backward: (g) => [g.sum(0)] });
    expect(() =>
      wrongShape(randn([2, 3], { ...f64, requiresGrad: true }))
        .sum()
        .backward(),
    ).toThrow(/wrongShape: the derivative rule returned a gradient of shape \[3\] for input 0 of shape \[2,\s?3\]/);
  });

  it('a backward returning the wrong count, or no tensor, is an error naming the op', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const tooFew = defineOp('tooFew', { forward: (a, b) => a.add(b), backward: (g) => [g] });
    expect(() => tooFew(x, x).sum().backward()).toThrow(/tooFew: backward must return an array of 2 gradient\(s\).*got 1/);
    const notTensor = defineOp('notTensor', { forward: (a) => a, backward: () => [[1, 2] as unknown as Tensor] });
    expect(() => notTensor(x).sum().backward()).toThrow(/notTensor: backward returned an array as the gradient of input 0/);
    const badForward = defineOp('badForward', { forward: () => 3 as unknown as Tensor, backward: (g) => [g] });
    expect(() => badForward(x)).toThrow(/badForward: forward must return a Tensor, got number/);
    expect(() => tooFew(x, 2 as unknown as Tensor)).toThrow(/tooFew: input 1 must be a Tensor, got number/);
  });

  it('a backward computed outside the graph is refused when the pass is recorded (its derivatives would be 0)', () => {
    const detached = defineOp('detachedExp', {
      forward: (x) => x.exp(),
      backward: (g, [x]) => [
        tensor(
          Array.from(x.data, (v, i) => Math.exp(v) * g.data[i]),
          { shape: x.shape, dtype: x.dtype },
        ),
      ],
    });
    const x = tensor([0.5, 1], f64);
    expect(gradcheck((t: Tensor) => detached(t).sum(), [x]).ok).toBe(true); // first order: fine
    // The upstream gradient is itself traced in jvp and gradgradcheck: a gradient that ignores it is refused.
    expect(() => jvp((t) => detached(t), [x], [x])).toThrow(/detachedExp: backward computed the gradient of input 0 outside the graph/);
    expect(() => gradgradcheck(detached, [x])).toThrow(/detachedExp: backward computed the gradient of input 0 outside the graph/);
  });

  it('the backward gets the same RuleContext as a built-in rule', () => {
    const seen: boolean[] = [];
    const spy = defineOp('spy', {
      forward: (x) => x.mul(3),
      backward: (g, _inputs, _out, ctx: RuleContext) => {
        seen.push(ctx.createGraph);
        return [g.mul(3)];
      },
    });
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    spy(x).sum().backward();
    spy(x).sum().backward(undefined, { createGraph: true });
    expect(seen).toEqual([false, true]);
    // into(i): adding into the kept .grad in place, then returning it, adds it once
    const inPlace = defineOp('inPlace', {
      forward: (t) => t.mul(5),
      backward: (g, _inputs, _out, ctx) => {
        const into = ctx.into(0);
        if (into === null) return [g.mul(5)];
        for (let i = 0; i < into.size; i++) into.data[i] += 5 * g.data[i];
        return [into];
      },
    });
    const y = tensor([1, 2], { requiresGrad: true });
    inPlace(y).sum().backward();
    inPlace(y).sum().backward();
    expect(Array.from(y.grad!.data)).toEqual([10, 10]);
  });

  it('a planted 1% error in a custom backward fails gradcheck; the correct op passes', () => {
    const mk = (scale: number) =>
      defineOp('softplus', {
        forward: (x) => x.relu().add(x.abs().neg().exp().add(1).log()),
        backward: (g, [x]) => [g.mul(x.sigmoid()).mul(scale)],
      });
    const x = randn([3, 2], { ...f64, seed: 9 });
    expect(gradcheck(mk(1), [x]).ok).toBe(true);
    const r = gradcheck(mk(1.01), [x]);
    expect(r.ok).toBe(false);
    expect(r.maxRelError).toBeCloseTo(0.01, 5);
  });
});
