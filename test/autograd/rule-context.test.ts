/**
 * The contract between the engine and a derivative rule: what `ctx.createGraph` says and
 * when `ctx.into(i)` offers an in-place target (and that a gradient added there is added once).
 */
import { describe, expect, it } from 'vitest';
import { grad, randn, tensor, type Tensor } from '../../src/index.js';
import { record, type RuleContext } from '../../src/autograd/engine.js';
import { noGrad } from '../../src/index.js';

/** out = 3·x as a recorded op whose rule reports its context and returns 3·g. */
function spy(x: Tensor, seen: { createGraph: boolean; into: Tensor | null }[]): Tensor {
  return record(x.detach().mul(3), 'spy', [x], (g: Tensor, ctx: RuleContext) => {
    seen.push({ createGraph: ctx.createGraph, into: ctx.into(0) });
    return [g.mul(3)];
  });
}

describe('RuleContext', () => {
  it('createGraph is false in a plain backward(), true when the backward pass is recorded', () => {
    const seen: { createGraph: boolean; into: Tensor | null }[] = [];
    const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    spy(x, seen).sum().backward();
    spy(x, seen).sum().backward(undefined, { createGraph: true });
    // Nested grad: the inner pass is recorded. The outer one is recorded too while the caller
    // records and x requires grad (torch.func: its result stays differentiable), plain inside noGrad.
    const nested = (): Tensor => grad((v: Tensor) => grad((w: Tensor) => spy(w, seen).square().sum())(v).sum())(x);
    nested();
    noGrad(nested);
    expect(seen.map((s) => s.createGraph)).toEqual([false, true, true, true, true, false]);
  });

  it("into(i) offers a leaf's plain .grad only in an accumulating, unrecorded pass", () => {
    const seen: { createGraph: boolean; into: Tensor | null }[] = [];
    const x = tensor([1, 2], { requiresGrad: true });
    spy(x, seen).sum().backward(); // no .grad yet: nothing to add into
    expect(seen[0].into).toBeNull();
    const kept = x.grad!;
    spy(x, seen).sum().backward(); // now the kept .grad is offered
    expect(seen[1].into).toBe(kept);
    grad((v: Tensor) => spy(v, seen).sum())(x); // grad() never touches .grad
    expect(seen[2].into).toBeNull();
    spy(x, seen).sum().backward(undefined, { createGraph: true });
    expect(seen[3].into).toBeNull();
    const inner = x.mul(1); // not a leaf
    spy(inner, seen).sum().backward();
    expect(seen[4].into).toBeNull();
  });

  it('a gradient the rule added into the offered target is added once', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const addInPlace = (v: Tensor): Tensor =>
      record(v.detach().mul(5), 'addInPlace', [v], (g, ctx) => {
        const into = ctx.into(0);
        if (into === null) return [g.mul(5)];
        for (let i = 0; i < into.size; i++) into.data[i] += 5 * g.data[i];
        return [into];
      });
    addInPlace(x).sum().backward();
    addInPlace(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([10, 10]);
  });

  it("a seed that happens to be the leaf's .grad, passed through by a rule, is still added", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(1).sum().backward(); // x.grad = [1, 1]
    const y = x.clone();
    y.backward(x.grad!); // clone passes the seed (x.grad itself) straight through
    expect(Array.from(x.grad!.data)).toEqual([2, 2]);
  });

  it('matmul and linear add weight gradients into the kept buffer (no new .grad)', () => {
    const w = randn([4, 3], { seed: 1, requiresGrad: true });
    const x = randn([5, 4], { seed: 2 });
    x.matmul(w).sum().backward();
    const buffer = w.grad!.data;
    const first = Array.from(buffer);
    x.matmul(w).sum().backward();
    expect(w.grad!.data).toBe(buffer);
    Array.from(buffer).forEach((v, i) => expect(v).toBeCloseTo(2 * first[i], 5));
  });
});
