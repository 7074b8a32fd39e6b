/**
 * compile's rewrite of "zero a gradient, then add a matmul into all of it" into "write the
 * matmul": which programs it applies to, and that a step keeps the eager bits where products
 * are −0 and whole columns of the input are zero (sums of nothing, or of −0 terms).
 */
import { describe, expect, it } from 'vitest';
import { compile, nn, optim, tensor, type Tensor } from '../../src/index.js';
import { matmul } from '../../src/autograd/backend/dispatch.js';
import { zeroFill } from '../../src/autograd/backend/memory.js';
import { programMemory } from '../../src/autograd/compile/compile.js';
import type { Step } from '../../src/autograd/compile/trace.js';
import { writeInsteadOfZeroedAccumulate } from '../../src/autograd/compile/zeroed-accumulate.js';

const g = new Float32Array(6);
const a = new Float32Array(4),
  b = new Float32Array(6);
const fill = (x: Float32Array): Step => ({ fn: zeroFill as Step['fn'], args: [x] });
const mm = (out: Float32Array, outOff: number, m: number, n: number, accumulate: boolean): Step => ({
  fn: matmul as Step['fn'],
  args: [out, outOff, a, 0, b, 0, m, 2, n, true, false, accumulate],
});
const live: Step = { fn: () => {}, args: [] };
const read: Step = { fn: (() => {}) as Step['fn'], args: [g.subarray(2, 3)] };

describe('zero fill then an accumulating matmul', () => {
  it('becomes one writing matmul only when the matmul is the next to touch all of the array', () => {
    const rewritten = writeInsteadOfZeroedAccumulate([fill(g), mm(g, 0, 2, 3, true)]);
    expect(rewritten).toHaveLength(1);
    expect(rewritten[0].args[11]).toBe(false);
    // Unrelated steps between are fine.
    expect(writeInsteadOfZeroedAccumulate([fill(g), fill(b), mm(g, 0, 2, 3, true)])).toHaveLength(2);
    // Kept: a live step (an optimizer may read the gradient), a read of it, a partial or
    // offset output, an overwriting matmul (the fill stays as it was).
    for (const steps of [
      [fill(g), live, mm(g, 0, 2, 3, true)],
      [fill(g), read, mm(g, 0, 2, 3, true)],
      [fill(g), mm(g, 0, 1, 3, true)],
      [fill(g), mm(g.subarray(0, 6), 0, 2, 3, true)],
    ]) {
      const out = writeInsteadOfZeroedAccumulate(steps);
      expect(out).toHaveLength(steps.length);
      expect(out.map((s) => s.args[11])).toEqual(steps.map((s) => s.args[11]));
    }
  });

  it('a linear layer step: −0 products and all-zero input columns give the eager gradient bits', () => {
    const make = () => {
      const layer = new nn.Linear(64, 40, { seed: 3 });
      return { layer, opt: new optim.SGD(layer.parameters(), { lr: 0.1 }) };
    };
    const body =
      ({ layer, opt }: ReturnType<typeof make>) =>
      (x: Tensor, y: Tensor) => {
        opt.zeroGrad();
        const loss = nn.quadraticCost(layer.forward(x).sigmoid(), y);
        loss.backward();
        opt.step();
        return loss;
      };
    const c = make(),
      e = make();
    const step = compile(body(c)),
      eager = body(e);
    // 48 of 64 columns zero (so the zero-skipping kernel runs): all +0, all −0, or mixed signs
    // of zero; the rest values, some negative (products of −0).
    const feature = (i: number, f: number): number => (f < 16 ? 0 : f < 32 ? -0 : f < 48 ? (i % 2 ? 0 : -0) : f % 3 ? i / 7 - 4 : -(i % 5));
    const x = tensor(Array.from({ length: 64 }, (_, i) => Array.from({ length: 64 }, (_, f) => feature(i, f))));
    const y = tensor(Array.from({ length: 64 }, (_, i) => Array.from({ length: 40 }, (_, j) => ((i + j) % 3) / 2)));
    for (let i = 0; i < 4; i++) {
      expect(step(x, y).item()).toBe(eager(x, y).item());
      const [cw, ew] = [c.layer.parameters()[0], e.layer.parameters()[0]];
      const cg = cw.grad!.data,
        eg = ew.grad!.data;
      for (let j = 0; j < cg.length; j++) expect(Object.is(cg[j], eg[j])).toBe(true);
      for (let j = 0; j < cw.data.length; j++) expect(Object.is(cw.data[j], ew.data[j])).toBe(true);
    }
    // The weight's zero fill is gone from the program; the bias gradient's (added into by
    // column sums) and the loss's (a sum written by accumulation) stay.
    expect(programMemory(step)[0].fills).toBe(2);
  });
});
