/**
 * Forward mode and second order against finite differences on random smooth programs (the
 * oracle the first-order ops are held to), plus exact analytic cases and the structural laws:
 * ⟨u, J·t⟩ = ⟨Jᵀu, t⟩, the Hessian is symmetric and its rows are Hessian-vector products.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineOp, gradgradcheck, grad, gradcheck, hessian, hvp, jacobian, jvp, noGrad, randn, tensor, vjp, Tensor, Value } from '../../src/index.js';
import { propertyRuns } from '../helpers/arbitraries.js';
import { programArb } from './programs.js';

const numRuns = propertyRuns(20);
const f64 = { dtype: 'float64' as const };
const h = 1e-6;

/** Central difference of f along directions `ts` (one per input): (f(x+h·t) − f(x−h·t)) / 2h. */
function directional(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], ts: Tensor[]): Float64Array {
  const at = (s: number): Float64Array => noGrad(() => Float64Array.from(f(...xs.map((x, i) => x.add(ts[i].mul(s)))).data));
  const p = at(h),
    m = at(-h);
  return p.map((v, i) => (v - m[i]) / (2 * h));
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]);
    if (!ok) throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

const like = (x: Tensor, seed: number): Tensor => randn(x.shape as number[], { ...f64, seed });
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

describe('jvp and vjp on random programs', () => {
  it('jvp equals central differences along the tangent', () => {
    fc.assert(
      fc.property(programArb, fc.nat(), ({ program, inputs }, seed) => {
        const ts = inputs.map((x, i) => like(x, seed + i));
        const [out, tangentOut] = jvp(program.run, inputs, ts);
        expect(tangentOut.shape).toEqual(out.shape);
        expectNear(tangentOut.data, directional(program.run, inputs, ts), `jvp of ${program.describe}`);
      }),
      { numRuns },
    );
  });

  it('vjp and jvp are adjoint: ⟨u, J·t⟩ = ⟨Jᵀu, t⟩', () => {
    fc.assert(
      fc.property(programArb, fc.nat(), ({ program, inputs }, seed) => {
        const ts = inputs.map((x, i) => like(x, seed + i));
        const [out, jt] = jvp(program.run, inputs, ts);
        const u = randn(out.shape as number[], { ...f64, seed: seed + 99 });
        const [, pullback] = vjp(program.run, ...inputs);
        const jtu = pullback(u);
        const lhs = dot(u.data, jt.data);
        const rhs = jtu.reduce((s, g, i) => s + dot(g.data, ts[i].data), 0);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(lhs)));
        // and a second pull through the same pullback gives the same answer
        expect(Array.from(pullback(u)[0].data)).toEqual(Array.from(jtu[0].data));
      }),
      { numRuns },
    );
  });

  it('exact cases: jvp of x² along t is 2x·t; vjp of a·b', () => {
    const [y, dy] = jvp((x) => x.mul(x), [tensor([1, 2, 3], f64)], [tensor([1, 0, 1], f64)]);
    expect(y.toArray()).toEqual([1, 4, 9]);
    expect(dy.toArray()).toEqual([2, 0, 6]);
    const [z, pull] = vjp((a, b) => a.mul(b), tensor([1, 2], f64), tensor([3, 4], f64));
    expect(z.toArray()).toEqual([3, 8]);
    expect(pull(tensor([1, 10], f64)).map((g) => g.toArray())).toEqual([
      [3, 40],
      [1, 20],
    ]);
    // an output that does not depend on the input: zero tangent
    expect(jvp(() => tensor([5], f64), [tensor([1], f64)], [tensor([1], f64)])[1].toArray()).toEqual([0]);
  });

  it('errors name the transform and the shapes', () => {
    const x = tensor([1, 2], f64);
    expect(() => jvp((t) => t, [x], [tensor([1, 2, 3], f64)])).toThrow(/jvp: tangent 0 has shape \[3\] but its primal has shape \[2\]/);
    expect(() => jvp((t) => t, [x], [])).toThrow(/jvp: pass one tangent per primal/);
    const [, pull] = vjp((t) => t.exp(), x);
    expect(() => pull(tensor([1], f64))).toThrow(/vjp: the cotangent has shape \[1\] but the output has shape \[2\]/);
  });

  it('jvp and vjp trace inside noGrad, and stay differentiable in a trace', () => {
    const f = (x: Tensor): Tensor => x.sin().mul(x);
    const x = tensor([0.3, -1.2], f64),
      t = tensor([1, 2], f64);
    expect(Array.from(noGrad(() => jvp(f, [x], [t])[1]).data)).toEqual(Array.from(jvp(f, [x], [t])[1].data));
    // d/dx of jvp(f)(x; t) = f''(x)·t, checked by gradcheck through jvp
    expect(gradcheck((a: Tensor, b: Tensor) => jvp(f, [a], [b])[1], [x, t]).ok).toBe(true);
    expect(gradcheck((a: Tensor, u: Tensor) => vjp(f, a)[1](u)[0], [x, t]).ok).toBe(true);
  });
});

describe('second order on random programs', () => {
  /** A scalar from a program: a weighted sum of its output (so the Hessian is not trivially diagonal). */
  const scalar =
    (run: (...xs: Tensor[]) => Tensor) =>
    (x: Tensor, ...rest: Tensor[]): Tensor => {
      const y = run(x, ...rest);
      return y.mul(y).mul(0.5).add(y.sin()).sum();
    };

  it('hvp equals central differences of the gradient', () => {
    fc.assert(
      fc.property(programArb, fc.nat(), ({ program, inputs }, seed) => {
        const f = scalar(program.run);
        const rest = inputs.slice(1);
        const x = inputs[0],
          v = like(x, seed);
        const Hv = hvp((t) => f(t, ...rest), x, v);
        const g = (t: Tensor): Tensor => grad((s: Tensor) => f(s, ...rest))(t);
        expectNear(Hv.data, directional(g, [x], [v]), `hvp of ${program.describe}`);
      }),
      { numRuns },
    );
  });

  it('hessian: symmetric, rows are hvps with basis vectors, shape [...x, ...x]', () => {
    fc.assert(
      fc.property(programArb, ({ program, inputs }) => {
        const f = scalar(program.run);
        const rest = inputs.slice(1);
        const x = inputs[0];
        const H = hessian((t: Tensor) => f(t, ...rest))(x);
        expect(H.shape).toEqual([...x.shape, ...x.shape]);
        const n = x.size;
        for (let j = 0; j < n; j++) {
          const e = new Tensor(new Float64Array(n), x.shape);
          e.data[j] = 1;
          const col = hvp((t) => f(t, ...rest), x, e).data;
          for (let i = 0; i < n; i++) {
            expect(Math.abs(H.data[i * n + j] - col[i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(col[i])));
            expect(Math.abs(H.data[i * n + j] - H.data[j * n + i])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(col[i])));
          }
        }
      }),
      { numRuns: Math.max(5, Math.floor(numRuns / 2)) },
    );
  });

  it('jacobian columns equal central differences along each input element', () => {
    fc.assert(
      fc.property(programArb, ({ program, inputs }) => {
        const rest = inputs.slice(1);
        const x = inputs[0];
        const fx = (t: Tensor): Tensor => program.run(t, ...rest);
        const J = jacobian(fx)(x);
        const out = noGrad(() => fx(x));
        expect(J.shape).toEqual([...out.shape, ...x.shape]);
        const m = out.size,
          n = x.size;
        for (let j = 0; j < n; j++) {
          const e = new Tensor(new Float64Array(n), x.shape);
          e.data[j] = 1;
          const col = directional(fx, [x], [e]);
          expectNear(
            Array.from({ length: m }, (_, i) => J.data[i * n + j]),
            col,
            `jacobian column ${j} of ${program.describe}`,
          );
        }
      }),
      { numRuns },
    );
  });

  it('exact cases: hessian of Σx³, of x₀²x₁; jacobian of a column sum; hvp of Σx³', () => {
    expect(hessian((x) => x.pow(3).sum())(tensor([1, 2], f64)).toArray()).toEqual([
      [6, 0],
      [0, 12],
    ]);
    const H = hessian((x: Tensor) =>
      x
        .square()
        .mul(x.mul(tensor([0, 1], f64)).sum())
        .mul(tensor([1, 0], f64))
        .sum(),
    )(tensor([3, 5], f64));
    expect(H.toArray()).toEqual([
      [10, 6],
      [6, 0],
    ]); // f = x₀²x₁
    expect(
      jacobian((x) => x.mul(x).sum(0))(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          f64,
        ),
      ).toArray(),
    ).toEqual([
      [
        [2, 0],
        [6, 0],
      ],
      [
        [0, 4],
        [0, 8],
      ],
    ]);
    expect(hvp((t) => t.pow(3).sum(), tensor([1, 2], f64), tensor([1, 1], f64)).toArray()).toEqual([6, 12]);
    // a 0-d input: shape [] + [] = []
    expect(hessian((x) => x.pow(4))(tensor(2, f64)).toArray()).toBe(48);
    expect(() => hvp((t) => t.sum(), tensor([1, 2], f64), tensor([1], f64))).toThrow(/hvp: v has shape \[1\] but x has shape \[2\]/);
  });

  it('hessian and jacobian stay differentiable in a trace (third derivatives)', () => {
    // d/dx of H(x) for f = Σ x⁴: H = diag(12x²), its derivative 24x on the diagonal
    const x = tensor([0.5, -1.5], f64);
    expect(gradcheck((a: Tensor) => hessian((t: Tensor) => t.pow(4).sum())(a), [x]).ok).toBe(true);
    expect(gradcheck((a: Tensor) => jacobian((t: Tensor) => t.sin().mul(t.sum()))(a), [x]).ok).toBe(true);
    const third = grad((a: Tensor) => hessian((t: Tensor) => t.pow(4).sum())(a).sum())(x);
    expect(Array.from(third.data)).toEqual([12, -36]);
  });
});

describe('gradgradcheck', () => {
  it('passes on random programs (full mode) and in fast directional mode', () => {
    fc.assert(
      fc.property(programArb, ({ program, inputs }) => {
        const r = gradgradcheck(program.run, inputs);
        if (!r.ok) throw new Error(`${program.describe}: ${JSON.stringify(r)}`);
      }),
      { numRuns: Math.max(5, Math.floor(numRuns / 2)) },
    );
    const x = randn([30, 20], { ...f64, seed: 3 });
    const r = gradgradcheck((a) => a.tanh().matmul(a.transpose()).sigmoid(), [x], { mode: 'fast', directions: 4 });
    expect(r.ok).toBe(true);
    expect(r.mode).toBe('fast');
    expect(r.checked).toBe(4);
  });

  it('a backward whose value is right but whose derivative is wrong passes gradcheck and fails gradgradcheck', () => {
    const x = tensor([0.4, -0.9, 1.3], f64);
    // exp whose rule uses a constant copy of exp(x): first derivative right, second misses e^x·g
    const badExp = defineOp('badExp', { forward: (t) => t.exp(), backward: (g, [t]) => [g.mul(noGrad(() => t.exp()))] });
    const goodExp = defineOp('goodExp', { forward: (t) => t.exp(), backward: (g, _i, out) => [g.mul(out)] });
    expect(gradcheck(badExp, [x]).ok).toBe(true);
    expect(gradgradcheck(badExp, [x]).ok).toBe(false);
    expect(gradgradcheck(goodExp, [x]).ok).toBe(true);
    expect(gradgradcheck(badExp, [x], { mode: 'fast' }).ok).toBe(false);
  });

  it('works inside noGrad and reports Value functions as unsupported', () => {
    const x = tensor([0.4, -0.9], f64);
    expect(noGrad(() => gradgradcheck((t) => t.sin().mul(t), [x])).ok).toBe(true);
    const r = gradgradcheck((v) => v, [new Value(1) as unknown as Tensor]);
    expect(r.ok).toBe(false);
    expect(r.failures[0]).toMatch(/Value functions have no second derivatives/);
  });
});
