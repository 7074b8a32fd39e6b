/**
 * gradcheck itself: ok for correct functions (Tensor and Value, several inputs, float32 inputs
 * checked via float64), fails for NaN gradients and for deliberately wrong derivative rules
 * (a missing × g, a wrong factor, a wrong shape), reports the worst input and coordinates,
 * and has a fast directional mode that handles a 784×30 matmul and still catches wrong rules.
 */
import { describe, expect, it } from 'vitest';
import { gradcheck, noGrad, randn, tensor, type Tensor, Value } from '../../src/index.js';
import { record } from '../../src/autograd/engine.js';

const f64 = { dtype: 'float64' as const };

/** exp with a derivative rule that forgets to multiply by the upstream gradient g. */
function expForgetsG(x: Tensor): Tensor {
  const out = noGrad(() => x.exp());
  return record(out, 'expForgetsG', [x], () => [out]);
}

/** exp with a derivative rule off by a factor 1.01. */
function expOffByOnePercent(x: Tensor): Tensor {
  const out = noGrad(() => x.exp());
  return record(out, 'expOff', [x], (g) => [g.mul(out).mul(1.01)]);
}

/** matmul whose rule for the right operand drops the contribution of the first row of a. */
function matmulWrongB(a: Tensor, b: Tensor): Tensor {
  const out = noGrad(() => a.matmul(b));
  return record(out, 'matmulWrongB', [a, b], (g) => {
    const mask = tensor(
      Float64Array.from({ length: a.shape[0] }, (_, i) => (i === 0 ? 0 : 1)),
      { shape: [a.shape[0], 1] },
    );
    return [g.matmul(b.transpose()), a.mul(mask).transpose().matmul(g)];
  });
}

describe('gradcheck passes correct functions', () => {
  it('Tensor functions of several inputs, non-scalar output', () => {
    const a = randn([3, 4], { seed: 1, ...f64 });
    const b = randn([4, 2], { seed: 2, ...f64 });
    const c = randn([2], { seed: 3, ...f64 });
    const report = gradcheck((x, y, z) => x.matmul(y).add(z).tanh(), [a, b, c]);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('full');
    expect(report.checked).toBe(12 + 8 + 2);
    expect(report.maxAbsError).toBeLessThan(1e-7);
  });

  it('float32 inputs are checked in float64 (and left untouched)', () => {
    const a = randn([5], { seed: 4 });
    const before = Float32Array.from(a.data);
    const report = gradcheck((x) => x.sigmoid().mul(x).sum(), [a]);
    expect(report.ok).toBe(true);
    expect(report.maxAbsError).toBeLessThan(1e-7);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.data)).toEqual(Array.from(before));
    expect(a.grad).toBeNull();
  });

  it('Value functions', () => {
    const report = gradcheck((x, y) => x.mul(y).tanh().add(x.exp().div(y)), [new Value(0.3), new Value(-1.7)]);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(2);
    const fast = gradcheck((x, y) => x.pow(y), [new Value(1.3), new Value(0.7)], { mode: 'fast' });
    expect(fast.ok).toBe(true);
  });

  it('an input the output ignores has gradient 0, which is checked (not skipped)', () => {
    const report = gradcheck((x, _y) => x.square().sum(), [tensor([1, 2], f64), tensor([3], f64)]);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(3);
  });
});

describe('gradcheck fails wrong gradients', () => {
  it('NaN gradients never pass (sqrt at 0: numeric and analytic are not finite)', () => {
    const report = gradcheck((x) => x.sqrt().sum(), [tensor([0, 1], f64)]);
    expect(report.ok).toBe(false);
    expect(report.worst!.input).toBe(0);
    expect(report.worst!.index).toEqual([0]);
    expect(report.failures.length).toBeGreaterThan(0);
  });

  it('a NaN on either side fails: NaN never compares equal', () => {
    // log(x)·0 at x < 0: the forward (so the numeric derivative) is NaN, the analytic one is -0
    const report = gradcheck((x) => x.log().mul(0).sum(), [tensor([-1], f64)]);
    expect(report.ok).toBe(false);
    // Value: d/dx log(x) at x = -1 is -1 analytically, but the numeric difference is NaN
    expect(gradcheck((x) => x.log(), [new Value(-1)]).ok).toBe(false);
  });

  it('a rule that forgets to multiply by g is caught (random upstream gradient and zero-upstream check)', () => {
    const x = randn([2, 3], { seed: 5, ...f64 });
    const report = gradcheck((t) => expForgetsG(t), [x]);
    expect(report.ok).toBe(false);
    // behind a sum the upstream gradient is all ones, so only the structural check can see it
    const summed = gradcheck((t) => expForgetsG(t).sum(), [x]);
    expect(summed.ok).toBe(false);
    expect(summed.failures.join('\n')).toMatch(/zero upstream gradient/);
  });

  it('a rule off by 1% is caught and the worst element is reported with its coordinates', () => {
    const x = tensor(
      [
        [0.1, 0.2, 3],
        [0.4, 0.5, 0.6],
      ],
      f64,
    );
    const report = gradcheck((t) => expOffByOnePercent(t).sum(), [tensor([1], f64), x], {});
    expect(report.ok).toBe(false); // input 0 is unused (fine); input 1 is wrong
    const r2 = gradcheck((_u, t) => expOffByOnePercent(t).sum(), [tensor([1], f64), x]);
    expect(r2.ok).toBe(false);
    // the largest error is at the largest exp: x[0][2] = 3
    expect(r2.worst).toMatchObject({ input: 1, index: [0, 2] });
    expect(r2.worst!.analytic).toBeCloseTo(Math.exp(3) * 1.01, 6);
    expect(r2.worst!.numeric).toBeCloseTo(Math.exp(3), 6);
    expect(r2.maxAbsError).toBeCloseTo(Math.exp(3) * 0.01, 4);
    expect(r2.failures[0]).toMatch(/input 1 \[0,0\]/);
  });

  it('a rule returning a wrong shape throws an Error naming the op', () => {
    const bad = (t: Tensor): Tensor =>
      record(
        noGrad(() => t.mul(2)),
        'badShapeOp',
        [t],
        () => [tensor([1, 2, 3], f64)],
      );
    expect(() => gradcheck((t) => bad(t).sum(), [tensor([1, 2], f64)])).toThrow(/badShapeOp/);
  });

  it('a function returning float32 for float64 inputs is refused, not silently passed', () => {
    const report = gradcheck((t) => t.astype('float32').sum(), [tensor([1, 2], f64)]);
    expect(report.ok).toBe(false);
    expect(report.failures.join()).toMatch(/float32/);
  });

  it('nothing to check is not ok', () => {
    expect(gradcheck((t) => t.sum(), [tensor([], f64)]).ok).toBe(false);
    expect(gradcheck((() => tensor(1)) as (...xs: Tensor[]) => Tensor, []).ok).toBe(false);
  });
});

describe('fast (directional) mode', () => {
  it('checks a 784×30 matmul quickly and passes', () => {
    const x = randn([8, 784], { seed: 6, ...f64 });
    const w = randn([784, 30], { seed: 7, ...f64 }).mul(0.05);
    const report = gradcheck((a, b) => a.matmul(b).sigmoid(), [x, w], { mode: 'fast', directions: 4 });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('fast');
    expect(report.checked).toBe(4);
    expect(report.worst!.input).toBe(-1);
  });

  it('catches a wrong gradient on the large input', () => {
    const x = randn([8, 784], { seed: 8, ...f64 });
    const w = randn([784, 30], { seed: 9, ...f64 }).mul(0.05);
    const report = gradcheck((a, b) => matmulWrongB(a, b).sigmoid(), [x, w], { mode: 'fast' });
    expect(report.ok).toBe(false);
    // and the same rule passes when the dropped row is all zeros (sanity: the check is not just noisy)
    const x0 = tensor(x.data.slice(), { shape: x.shape });
    x0.data.fill(0, 0, 784);
    expect(gradcheck((a, b) => matmulWrongB(a, b).sigmoid(), [x0, w], { mode: 'fast' }).ok).toBe(true);
  });

  it('catches a 1% error and a missing × g', () => {
    const x = randn([50, 40], { seed: 10, ...f64 }).mul(0.5);
    expect(gradcheck((t) => expOffByOnePercent(t), [x], { mode: 'fast' }).ok).toBe(false);
    expect(gradcheck((t) => expForgetsG(t), [x], { mode: 'fast' }).ok).toBe(false);
    expect(gradcheck((t) => t.exp(), [x], { mode: 'fast' }).ok).toBe(true);
  });
});
