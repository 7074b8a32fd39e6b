/**
 * The scalar engine and the tensor engine agree on every op both have (issue 12): the same
 * forward value and the same derivative for random inputs, including at the kinks, where both
 * follow PyTorch's conventions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor, Value, type Tensor } from '../../src/index.js';
import { propertyRuns, realArb } from '../helpers/arbitraries.js';

const numRuns = propertyRuns(30);

type Pair = [string, (v: Value) => Value, (t: Tensor) => Tensor];
const unary: Pair[] = [
  ['sin', (v) => v.sin(), (t) => t.sin()],
  ['cos', (v) => v.cos(), (t) => t.cos()],
  ['abs', (v) => v.abs(), (t) => t.abs()],
  ['sqrt', (v) => v.abs().add(0.1).sqrt(), (t) => t.abs().add(0.1).sqrt()],
  ['softplus', (v) => v.softplus(), (t) => t.softplus()],
  ['leakyRelu', (v) => v.leakyRelu(0.3), (t) => t.leakyRelu(0.3)],
  ['elu', (v) => v.elu(1.5), (t) => t.elu(1.5)],
  ['gelu', (v) => v.gelu(), (t) => t.gelu()],
  ['clamp', (v) => v.clamp(-0.5, 1), (t) => t.clamp(-0.5, 1)],
  ['maximum', (v) => v.maximum(0.25), (t) => t.maximum(0.25)],
  ['minimum', (v) => v.minimum(0.25), (t) => t.minimum(0.25)],
];

/** Forward value and derivative at x from each engine. */
function both(pair: Pair, x: number): [[number, number], [number, number]] {
  const v = new Value(x);
  const out = pair[1](v);
  out.backward();
  const t = tensor([x], { dtype: 'float64', requiresGrad: true });
  const y = pair[2](t);
  y.sum().backward();
  return [
    [out.data, v.grad],
    [y.data[0], t.grad!.data[0]],
  ];
}

describe('Value and Tensor agree', () => {
  for (const pair of unary) {
    it(`${pair[0]}: random inputs and its kinks`, () => {
      const kinks = [0, -0.5, 1, 0.25];
      fc.assert(
        fc.property(fc.oneof(realArb(-20, 20), fc.constantFrom(...kinks)), (x) => {
          const [[vd, vg], [td, tg]] = both(pair, x);
          expect(Math.abs(vd - td)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(td)));
          expect(Math.abs(vg - tg)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(tg)));
        }),
        { numRuns },
      );
    });
  }

  it('kinks pinned: abs′(0) = 0, leakyRelu′(0) = slope, elu′(0) = alpha, clamp′ = 1 on the bounds, ties split', () => {
    const d = (f: (v: Value) => Value, x: number): number => {
      const v = new Value(x);
      f(v).backward();
      return v.grad;
    };
    expect(d((v) => v.abs(), 0)).toBe(0);
    expect(d((v) => v.leakyRelu(0.3), 0)).toBe(0.3);
    expect(d((v) => v.elu(1.5), 0)).toBe(1.5);
    expect(d((v) => v.clamp(-0.5, 1), 1)).toBe(1);
    expect(d((v) => v.clamp(-0.5, 1), -0.5)).toBe(1);
    expect(d((v) => v.clamp(-0.5, 1), 1.0001)).toBe(0);
    expect(d((v) => v.maximum(0.25), 0.25)).toBe(0.5);
    expect(d((v) => v.minimum(0.25), 0.25)).toBe(0.5);
    expect(() => new Value(1).clamp()).toThrow(/Value.clamp: give min, max or both/);
    expect(new Value(1).gelu().op).toBe('gelu');
  });
});
