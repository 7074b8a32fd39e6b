/**
 * Random composite programs. (1) DAGs of 3–20 tensor ops over 1–3 inputs of broadcast-compatible
 * shapes, reusing earlier nodes (x·x, diamonds, fan-out) and ending in a sum, gradchecked.
 * (2) The same random scalar program on `Value` and on 0-d float64 tensors gives the same forward
 * value and gradients to 1e-9: two engines, one oracle for the other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, tensor, Value, type Tensor } from '../../src/index.js';
import { assertGradcheck, propertyRuns, realArb, shapeArb, squashArb, tensorArb } from '../helpers/arbitraries.js';

const numRuns = propertyRuns(30);

/** One step: an op id, two argument picks and a real parameter (meaning depends on the op). */
interface Step {
  op: number;
  a: number;
  b: number;
  p: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.nat(),
  // picks count back from the newest node, so programs chain, reuse and fan out
  a: fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 30 })),
  b: fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 30 })),
  p: realArb(-2, 2),
});

// ---- tensor DAGs ----

type TensorOp = (a: Tensor, b: Tensor, p: number) => Tensor;

/** Smooth ops only (no relu/abs/max kinks): the finite-difference oracle must be valid everywhere. */
const TENSOR_OPS: [string, TensorOp][] = [
  ['add', (a, b) => a.add(b)],
  ['sub', (a, b) => a.sub(b)],
  ['mul', (a, b) => a.mul(b)],
  ['x*x', (a) => a.mul(a)],
  ['div', (a, b) => a.div(b.square().add(0.5))],
  ['pow(tensor)', (a, b) => a.square().add(0.5).pow(b.tanh())],
  ['pow(number)', (a, _b, p) => a.square().add(0.5).pow(p)],
  ['mul(number)', (a, _b, p) => a.mul(p)],
  ['neg', (a) => a.neg()],
  ['exp', (a) => a.exp()],
  ['log', (a) => a.square().add(0.3).log()],
  ['sqrt', (a) => a.square().add(0.3).sqrt()],
  ['tanh', (a) => a.tanh()],
  ['sigmoid', (a) => a.sigmoid()],
  ['square', (a) => a.square()],
  ['softmax', (a, _b, p) => (a.ndim === 0 ? a.tanh() : a.softmax(axisOf(p, a.ndim)))],
  ['logSoftmax', (a, _b, p) => (a.ndim === 0 ? a.sigmoid() : a.logSoftmax(axisOf(p, a.ndim)))],
  ['sum(keepDims)', (a, _b, p) => (a.ndim === 0 ? a.sum() : a.sum(axisOf(p, a.ndim), true))],
  ['mean(keepDims)', (a, _b, p) => (a.ndim === 0 ? a.mean() : a.mean(axisOf(p, a.ndim), true))],
  ['reshape round trip', (a) => a.reshape([-1]).reshape(a.shape)],
  ['transpose round trip', (a) => a.transpose().mul(1.5).transpose()],
  ['diamond', (a) => a.tanh().mul(a.sigmoid())],
  ['expand', (a, b) => a.expand(broadcast(a.shape, b.shape)).mul(0.5)],
];

function axisOf(p: number, rank: number): number {
  // p in [-2, 2] → an axis in [-rank, rank-1], negative ones included
  const k = Math.min(2 * rank - 1, Math.floor(((p + 2) / 4) * 2 * rank));
  return k - rank;
}

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => Math.max(a[i - n + a.length] ?? 1, b[i - n + b.length] ?? 1));
}

/** Runs the program; every node is kept so reuse picks can refer back to it. */
function runTensorProgram(steps: readonly Step[], inputs: readonly Tensor[]): Tensor[] {
  const nodes = [...inputs];
  for (const s of steps) {
    const pick = (k: number): Tensor => nodes[nodes.length - 1 - (k % nodes.length)];
    nodes.push(TENSOR_OPS[s.op % TENSOR_OPS.length][1](pick(s.a), pick(s.b), s.p));
  }
  return nodes;
}

const programArb = shapeArb(0, 3).chain((out) =>
  fc.tuple(
    fc.array(squashArb(out), { minLength: 1, maxLength: 3 }).chain((shapes) => fc.tuple(...shapes.map((s) => tensorArb(s, realArb(-2, 2))))),
    fc.array(stepArb, { minLength: 3, maxLength: 20 }),
  ),
);

function describeProgram(steps: readonly Step[]): string {
  return steps.map((s) => `${TENSOR_OPS[s.op % TENSOR_OPS.length][0]}(${s.a},${s.b},${s.p})`).join(' → ');
}

/** Values that stay moderate, so central differences are accurate at the default tolerances. */
function wellScaled(nodes: readonly Tensor[]): boolean {
  return nodes.every((t) => t.data.every((v) => Number.isFinite(v) && Math.abs(v) < 1e3));
}

describe('random tensor programs (DAGs ending in a sum) pass gradcheck', () => {
  it('3–20 ops over 1–3 broadcast-compatible inputs', () => {
    fc.assert(
      fc.property(programArb, ([inputs, steps]) => {
        fc.pre(wellScaled(runTensorProgram(steps, inputs)));
        const f = (...xs: Tensor[]): Tensor => runTensorProgram(steps, xs).at(-1)!.sum();
        assertGradcheck(gradcheck(f, inputs), {
          program: describeProgram(steps),
          inputs: inputs.map((x) => ({ shape: x.shape, data: x.toArray() })),
        });
      }),
      { numRuns },
    );
  });

  it('a program that sums every node (all intermediate gradients matter)', () => {
    fc.assert(
      fc.property(programArb, ([inputs, steps]) => {
        fc.pre(wellScaled(runTensorProgram(steps, inputs)));
        const f = (...xs: Tensor[]): Tensor =>
          runTensorProgram(steps, xs).reduce((acc: Tensor, t) => acc.add(t.sum()), tensor(0, { dtype: 'float64' }));
        assertGradcheck(gradcheck(f, inputs), describeProgram(steps));
      }),
      { numRuns: Math.max(10, Math.floor(numRuns / 2)) },
    );
  });

  it('hand-written reuse patterns: x·x, diamond, fan-out, the same input twice', () => {
    const x = tensor([[0.5, -1.2, 2]], { dtype: 'float64' });
    const y = tensor([[0.3], [-0.7]], { dtype: 'float64' });
    const cases: ((a: Tensor, b: Tensor) => Tensor)[] = [
      (a) => a.mul(a).sum(),
      (a) => {
        const t = a.tanh();
        return t.exp().mul(t.square()).sum();
      },
      (a, b) => {
        const s = a.mul(b);
        return s.add(s.sigmoid()).add(s.mul(3)).sum();
      },
      (a, b) => a.add(b).mul(a.sub(b)).div(a.square().add(1)).sum(),
    ];
    for (const f of cases) assertGradcheck(gradcheck(f, [x, y]), f.toString());
    const xg = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    xg.mul(xg).add(xg).sum().backward();
    expect(xg.grad!.toArray()).toEqual([3, 5]);
  });
});

// ---- Value vs 0-d tensors ----

/** The methods Value and Tensor share, so one interpreter runs the same program on both engines. */
interface Scalarish<T> {
  add(o: T | number): T;
  sub(o: T | number): T;
  mul(o: T | number): T;
  div(o: T | number): T;
  pow(e: T | number): T;
  neg(): T;
  exp(): T;
  log(): T;
  tanh(): T;
  sigmoid(): T;
  relu(): T;
}

function scalarOps<T extends Scalarish<T>>(): [string, (a: T, b: T, p: number) => T][] {
  return [
    ['add', (a, b) => a.add(b)],
    ['sub', (a, b) => a.sub(b)],
    ['mul', (a, b) => a.mul(b)],
    ['x*x', (a) => a.mul(a)],
    ['div', (a, b) => a.div(b.mul(b).add(0.5))],
    // the divisor is kept ≥ 0.5 away from 0 (a counterexample divided by 5e-324)
    ['div number', (a, _b, p) => a.div(p >= 0 ? p + 0.5 : p - 0.5)],
    ['pow(value)', (a, b) => a.mul(a).add(0.5).pow(b.tanh())],
    ['pow(number)', (a, _b, p) => a.mul(a).add(0.5).pow(p)],
    ['pow(integer)', (a, _b, p) => a.pow(Math.round(p + 2))],
    ['add number', (a, _b, p) => a.add(p)],
    ['neg', (a) => a.neg()],
    ['exp', (a) => a.exp()],
    ['log', (a) => a.mul(a).add(0.3).log()],
    ['tanh', (a) => a.tanh()],
    ['sigmoid', (a) => a.sigmoid()],
    ['relu', (a) => a.relu()],
    ['diamond', (a, b) => a.sub(b).mul(a.add(b))],
  ];
}

function runScalarProgram<T extends Scalarish<T>>(steps: readonly Step[], inputs: readonly T[]): T[] {
  const ops = scalarOps<T>();
  const nodes = [...inputs];
  for (const s of steps) {
    const pick = (k: number): T => nodes[nodes.length - 1 - (k % nodes.length)];
    nodes.push(ops[s.op % ops.length][1](pick(s.a), pick(s.b), s.p));
  }
  return nodes;
}

/** a ≈ b to 1e-9, relative above 1; NaN and ±Infinity never match. */
function close(a: number, b: number): boolean {
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

describe('Value and 0-d tensors agree', () => {
  it('same random scalar program: same forward value and gradients (1e-9, float64)', () => {
    const arb = fc.tuple(fc.array(realArb(-2, 2), { minLength: 1, maxLength: 3 }), fc.array(stepArb, { minLength: 3, maxLength: 20 }));
    fc.assert(
      fc.property(arb, ([xs, steps]) => {
        const vs = xs.map((x) => new Value(x));
        const vnodes = runScalarProgram<Value>(steps, vs);
        fc.pre(vnodes.every((v) => Number.isFinite(v.data) && Math.abs(v.data) < 1e6));
        const vout = vnodes.at(-1)!;
        vout.backward();

        const ts = xs.map((x) => tensor(x, { dtype: 'float64', requiresGrad: true }));
        const tout = runScalarProgram<Tensor>(steps, ts).at(-1)!;
        expect(tout.shape).toEqual([]);
        const context = `program ${steps.map((s) => `${scalarOps<Value>()[s.op % 17][0]}(${s.a},${s.b},${s.p})`).join(' → ')} at ${xs}`;
        if (!close(tout.item(), vout.data)) throw new Error(`forward: tensor ${tout.item()} vs value ${vout.data}; ${context}`);
        if (!tout.requiresGrad) {
          // the program never touched an input (e.g. only constants): Value grads are all 0 then
          expect(vs.every((v) => v.grad === 0)).toBe(true);
          return;
        }
        tout.backward();
        ts.forEach((t, i) => {
          const tg = t.grad === null ? 0 : t.grad.item();
          if (!close(tg, vs[i].grad)) throw new Error(`grad ${i}: tensor ${tg} vs value ${vs[i].grad}; ${context}`);
        });
      }),
      {
        numRuns: numRuns * 2,
        // counterexample kept: a divisor of 5e-324 once made both engines return Infinity·0
        examples: [
          [
            [
              [0],
              [
                { op: 0, a: 0, b: 0, p: 0 },
                { op: 1981597576, a: 0, b: 0, p: 5e-324 },
                { op: 0, a: 0, b: 1, p: 0 },
              ],
            ],
          ],
        ],
      },
    );
  });

  it('random Value programs pass gradcheck too (inputs away from the relu kink)', () => {
    const arb = fc.tuple(fc.array(realArb(0.05, 2), { minLength: 1, maxLength: 3 }), fc.array(stepArb, { minLength: 3, maxLength: 12 }));
    fc.assert(
      fc.property(arb, ([xs, steps]) => {
        const nodes = runScalarProgram<Value>(
          steps,
          xs.map((x) => new Value(x)),
        );
        fc.pre(nodes.every((v) => Number.isFinite(v.data) && Math.abs(v.data) < 1e3 && (v.op !== 'relu' || Math.abs(v._a!.data) > 1e-3)));
        const f = (...vs: Value[]): Value => runScalarProgram<Value>(steps, vs).at(-1)!;
        assertGradcheck(
          gradcheck(
            f,
            xs.map((x) => new Value(x)),
          ),
          { xs, steps },
        );
      }),
      { numRuns },
    );
  });
});
