/**
 * tensorgrad/testing: checkGradients searches inputs, shrinks a failure to a minimal
 * counterexample and reports which input and element, analytic vs numeric, and the replay seed.
 */
import { describe, expect, it } from 'vitest';
import { defineOp, noGrad, type Tensor } from '../../src/index.js';
import {
  assertGradients,
  broadcastTensorsArb,
  checkGradients,
  gradientMatchers,
  shapeArb,
  type CheckGradientsResult,
} from '../../src/testing/index.js';

/** softplus log(1 + eˣ), stable; `bug` plants an error in its backward. */
function softplus(bug: 'none' | 'scale' | 'sign') {
  return defineOp('softplus', {
    forward: (x) => x.relu().add(x.abs().neg().exp().add(1).log()),
    backward: (g, [x]) => [
      bug === 'scale'
        ? g.mul(x.sigmoid()).mul(1.01) // 1% off everywhere
        : bug === 'sign'
          ? g.mul(x.abs().sigmoid()) // right for x ≥ 0 only
          : g.mul(x.sigmoid()),
    ],
  });
}

describe('checkGradients', () => {
  it('the correct op passes every run', () => {
    const op = softplus('none');
    const r = checkGradients((x) => op(x).sum(), { inputs: [{ shape: shapeArb(0, 3), min: -5, max: 5 }], runs: 60, seed: 1 });
    expect(r.ok, r.report).toBe(true);
    expect(r.runs).toBe(60);
    expect(r.counterexample).toBeUndefined();
    expect(r.report).toMatch(/agree with finite differences on 60 random inputs \(seed 1\)/);
  });

  it('a planted 1% error is found; the report names input, element, analytic vs numeric, and the seed', () => {
    const op = softplus('scale');
    const r = checkGradients((x) => op(x).sum(), { inputs: [[3, 2]], runs: 50, seed: 7 });
    expect(r.ok).toBe(false);
    expect(r.counterexample).toHaveLength(1);
    expect(r.counterexample![0].shape).toEqual([3, 2]);
    const w = r.gradcheck!.worst!;
    expect(w.analytic / w.numeric).toBeCloseTo(1.01, 6);
    expect(r.report).toMatch(/input 0: shape \[3, 2\] float64/);
    expect(r.report).toMatch(/worst: input 0, element \[\d, \d\]: analytic [-\d.e]+ vs numeric [-\d.e]+/);
    expect(r.report).toMatch(/replay with \{ seed: 7, path: "[\d:]+" \}/);
  });

  it('a region bug shrinks to a minimal case: one element, just past the tolerance', () => {
    const op = softplus('sign');
    const r = checkGradients((x) => op(x).sum(), { inputs: [{ shape: shapeArb(0, 3) }], runs: 100, seed: 42 });
    expect(r.ok).toBe(false);
    const x = r.counterexample![0];
    expect(x.size).toBe(1); // shapes shrink, not only values
    const v = x.data[0];
    expect(v).toBeLessThan(0); // the bug lives on x < 0
    expect(Math.abs(v)).toBeLessThan(0.01); // shrunk toward the smallest |x| that still fails (~1e-3)
    // replaying the seed and path gives the same counterexample in one run
    const path = /path: "([\d:]+)"/.exec(r.report)![1];
    const again = checkGradients((t) => op(t).sum(), { inputs: [{ shape: shapeArb(0, 3) }], seed: 42, path });
    expect(again.ok).toBe(false);
    expect(Array.from(again.counterexample![0].data)).toEqual(Array.from(x.data));
  });

  it('avoid keeps draws off a kink: relu fails at 0 (numeric ½ vs analytic 0) unless 0 is avoided', () => {
    const f = (x: Tensor): Tensor => x.relu().sum();
    const hit = checkGradients(f, { inputs: [[4]], runs: 100, seed: 3 });
    expect(hit.ok).toBe(false);
    expect(hit.counterexample![0].data).toContain(0);
    expect(checkGradients(f, { inputs: [{ shape: [4], avoid: [0] }], runs: 100, seed: 3 }).ok).toBe(true);
  });

  it('searches broadcast pairs with one arbitrary of the argument list', () => {
    const shapes = new Set<string>();
    const r = checkGradients(
      (a, b) => {
        shapes.add(`${a.shape}|${b.shape}`);
        return a.mul(b).tanh().add(a.sub(b));
      },
      {
        inputs: broadcastTensorsArb(),
        runs: 40,
        seed: 5,
      },
    );
    expect(r.ok, r.report).toBe(true);
    expect(shapes.size).toBeGreaterThan(10);
  });

  it('secondOrder: a backward right in value but wrong in derivative fails only the second-order search', () => {
    const badExp = defineOp('badExp', { forward: (t) => t.exp(), backward: (g, [t]) => [g.mul(noGrad(() => t.exp()))] });
    const opts = { inputs: [[3]], runs: 20, seed: 2 };
    expect(checkGradients(badExp, opts).ok).toBe(true);
    const r = checkGradients(badExp, { ...opts, secondOrder: true });
    expect(r.ok).toBe(false);
    expect(r.report).toMatch(/wrong second derivatives/);
  });

  it('float32 inputs on request; errors for bad specs', () => {
    let dtype = '';
    checkGradients(
      (x) => {
        dtype = x.dtype;
        return x.square().sum();
      },
      { inputs: [[2]], runs: 2, dtype: 'float32', seed: 1 },
    );
    expect(dtype).toBe('float64'); // gradcheck evaluates in float64 …
    const r = checkGradients((x) => x.square().sum(), { inputs: [[2]], runs: 2, dtype: 'float32', seed: 1 });
    expect(r.ok).toBe(true);
    expect(() => checkGradients((x) => x, { inputs: [] })).toThrow(/checkGradients: inputs must be a non-empty list/);
    expect(() => checkGradients((x) => x, { inputs: [{ shape: [2], min: 1, max: 0 }] })).toThrow(/input 0: min 1 must be below max 0/);
    expect(() => checkGradients((x) => x, { inputs: [[2.5]] })).toThrow(/input 0: shape must be a list of non-negative integers/);
    expect(() => checkGradients((x) => x, { inputs: [[2]], runs: 0 })).toThrow(/runs must be a positive integer/);
  });

  it('a function that throws is a failure with the error in the report', () => {
    const r = checkGradients(
      (x) => {
        if (x.size > 1) throw new Error('too big');
        return x.sum();
      },
      { inputs: [{ shape: shapeArb(1, 2) }], runs: 50, seed: 1 },
    );
    expect(r.ok).toBe(false);
    expect(r.report).toMatch(/f threw: too big/);
  });
});

describe('test-runner integration', () => {
  it('assertGradients throws the report; passes quietly otherwise', () => {
    expect(() => assertGradients(softplus('scale'), { inputs: [[2]], runs: 10, seed: 1 })).toThrow(/checkGradients: wrong gradients/);
    expect(assertGradients(softplus('none'), { inputs: [[2]], runs: 10, seed: 1 }).ok).toBe(true);
  });

  it('gradientMatchers.toHaveExactGradients works with expect.extend', () => {
    expect.extend(gradientMatchers);
    const good = checkGradients(softplus('none'), { inputs: [[2]], runs: 5, seed: 1 });
    const bad = checkGradients(softplus('scale'), { inputs: [[2]], runs: 5, seed: 1 });
    (expect(good) as unknown as { toHaveExactGradients(): void }).toHaveExactGradients();
    expect(() => (expect(bad) as unknown as { toHaveExactGradients(): void }).toHaveExactGradients()).toThrow(/wrong gradients/);
    const res = gradientMatchers.toHaveExactGradients({} as CheckGradientsResult);
    expect(res.pass).toBe(false);
  });
});
