/**
 * Random programs mixing the first ops (add, mul, tanh, matmul, sum, transpose) with issue 12's
 * (slice, indexSelect, gather, concat, stack, split, where, squeeze/unsqueeze/flatten, gelu,
 * softplus, elu, logsumexp, var, conv2d, pools): each step is drawn at random and applied to a
 * random-shaped input; the whole program is gradchecked. Composition bugs (a rule that breaks
 * a later op's assumption on shape, dtype or aliasing) show up here rather than per op.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { avgPool2d, concat, conv2d, gradcheck, maxPool2d, stack, tensor, where, type Tensor } from '../../src/index.js';
import { assertGradcheck, propertyRuns, realArb, valuesArb } from '../helpers/arbitraries.js';

const numRuns = propertyRuns(25);
const f64 = (values: ArrayLike<number>, shape: readonly number[]): Tensor => tensor(Float64Array.from(values), { shape, dtype: 'float64' });

/** A step: from a 2-D tensor [r, c] to a 2-D tensor (so steps compose), using `k` for its choices. */
type Step = (x: Tensor, k: number) => Tensor;

const steps: [string, Step][] = [
  ['gelu', (x) => x.gelu()],
  ['softplus', (x) => x.softplus()],
  ['elu', (x) => x.elu()],
  ['tanh·add', (x, k) => x.tanh().add(k * 0.1)],
  ['mul by itself', (x) => x.mul(x.sin())],
  ['slice rows (step)', (x, k) => (x.shape[0] > 1 ? x.slice(0, k % 2, undefined, 1 + (k % 2)) : x)],
  ['indexSelect columns (repeats)', (x, k) => x.indexSelect(1, [k % x.shape[1], 0, k % x.shape[1]])],
  [
    'gather along rows',
    (x, k) =>
      x.gather(
        0,
        f64(
          Array.from({ length: x.size }, (_, i) => (i * k) % x.shape[0]),
          x.shape,
        ),
      ),
  ],
  ['concat with its exp', (x, k) => concat([x, x.exp().mul(0.1)], k % 2)],
  [
    'stack then flatten',
    (x, k) =>
      stack([x, x.square()], k % 3)
        .flatten(0, 1)
        .reshape([-1, x.shape[1]]),
  ],
  [
    'split and recombine',
    (x) => {
      const [a, ...rest] = x.split(1, 1);
      return rest.length > 0 ? concat([...rest, a.mul(2)], 1) : a.mul(2);
    },
  ],
  [
    'where on the sign pattern',
    (x, k) =>
      where(
        f64(
          Array.from({ length: x.size }, (_, i) => (i + k) % 2),
          x.shape,
        ),
        x,
        x.square(),
      ),
  ],
  ['unsqueeze/squeeze round trip', (x, k) => x.unsqueeze(k % 3).squeeze(k % 3)],
  ['logsumexp keepDims', (x, k) => x.sub(x.logsumexp(k % 2, true))],
  ['var keepDims', (x) => (x.shape[1] > 1 ? x.div(x.var(1, true).add(1)) : x)],
  ['transpose·matmul', (x) => x.transpose().matmul(x).mul(0.2)],
  [
    'conv2d as an image',
    (x, k) => {
      const img = x.reshape([1, 1, ...x.shape]);
      const w = f64([0.3, -0.2, 0.5, 0.1], [1, 1, 2, 2]);
      const y = conv2d(img, w, f64([0.05], [1]), { padding: 1, stride: 1 + (k % 2) });
      return y.reshape([y.shape[2], y.shape[3]]);
    },
  ],
  [
    'avgPool2d as an image',
    (x) => {
      const y = avgPool2d(x.reshape([1, 1, ...x.shape]), 2, { padding: 1, stride: 1 });
      return y.reshape([y.shape[2], y.shape[3]]);
    },
  ],
  [
    'maxPool2d of a spread image',
    (x) => {
      // x + a ramp spreads ties apart, so the max of each window is well defined for finite differences
      const ramp = f64(
        Array.from({ length: x.size }, (_, i) => i * 10),
        x.shape,
      );
      const y = maxPool2d(x.add(ramp).reshape([1, 1, ...x.shape]), 2, { stride: 1, padding: 1 });
      return y.reshape([y.shape[2], y.shape[3]]).mul(0.01);
    },
  ],
];

describe('random programs of old and new ops', () => {
  it('gradcheck holds for random compositions of 1–4 steps on random [r, c] inputs', () => {
    const arb = fc
      .tuple(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.nat({ max: steps.length - 1 }), fc.nat({ max: 5 })), { minLength: 1, maxLength: 4 }),
      )
      .chain(([r, c, prog]) =>
        fc.tuple(
          valuesArb(r * c, realArb(-1.5, 1.5)).map((v) => f64(v, [r, c])),
          fc.constant(prog),
        ),
      );
    fc.assert(
      fc.property(arb, ([x, prog]) => {
        const run = (t: Tensor): Tensor => prog.reduce((acc, [s, k]) => steps[s][1](acc, k), t);
        const y = run(x);
        const weights = f64(
          Array.from({ length: y.size }, (_, i) => 0.3 + ((i * 5) % 7) * 0.2),
          y.shape,
        );
        assertGradcheck(
          gradcheck((t) => run(t).mul(weights).sum(), [x]),
          { program: prog.map(([s, k]) => `${steps[s][0]}(${k})`), x: x.toArray() },
        );
      }),
      { numRuns },
    );
  });
});
