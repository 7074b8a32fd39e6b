import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, gradcheck, linear, randn, setWasmKernels, tensor, useWasm, type FusedActivation, type Tensor } from '../../src/index.js';
import { assertGradcheck, expectClose, propertyRuns } from '../helpers/arbitraries.js';

const ACTS: FusedActivation[] = ['identity', 'sigmoid', 'tanh', 'relu'];

/** The same layer from separate ops: the fused op must agree with it. */
function composed(x: Tensor, w: Tensor, b: Tensor | null, act: FusedActivation): Tensor {
  const pre = b === null ? x.matmul(w) : x.matmul(w).add(b);
  return act === 'identity' ? pre : pre[act]();
}

afterEach(() => setWasmKernels(true));

describe('linear (fused act(x·W + b))', () => {
  it('gradchecks for every activation, random shapes, with and without bias, leading batch axes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ACTS),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (act, lead, inF, outF, withBias, seed) => {
          const x = randn([...lead, inF], { seed, dtype: 'float64' });
          const w = randn([inF, outF], { seed: seed + 1, dtype: 'float64' });
          const b = randn([outF], { seed: seed + 2, dtype: 'float64' });
          // relu: keep pre-activations away from the kink, where finite differences straddle it.
          if (act === 'relu') {
            const pre = composed(x, w, b, 'identity').data;
            if (pre.some((v) => Math.abs(v) < 1e-3)) return;
          }
          const inputs = withBias ? [x, w, b] : [x, w];
          const report = gradcheck((xx, ww, bb) => linear(xx, ww, bb ?? null, act), inputs);
          assertGradcheck(report, { act, lead, inF, outF, withBias });
        },
      ),
      { numRuns: propertyRuns(40) },
    );
  });

  it('equals matmul + add + activation, values and gradients (float64)', () => {
    for (const act of ACTS) {
      const x = randn([4, 6], { seed: 1, dtype: 'float64', requiresGrad: true });
      const w = randn([6, 3], { seed: 2, dtype: 'float64', requiresGrad: true });
      const b = randn([3], { seed: 3, dtype: 'float64', requiresGrad: true });
      const f = (fused: boolean) =>
        grad((xx: Tensor, ww: Tensor, bb: Tensor) => (fused ? linear(xx, ww, bb, act) : composed(xx, ww, bb, act)).square().sum(), [0, 1, 2]);
      expectClose(linear(x, w, b, act).data, composed(x, w, b, act).data, 1e-14, 1e-12, act);
      const gf = f(true)(x, w, b),
        gc = f(false)(x, w, b);
      gf.forEach((g, i) => expectClose(g.data, gc[i].data, 1e-12, 1e-10, `${act} grad ${i}`));
    }
  });

  it('float32: the WebAssembly kernels agree with the TypeScript ones (forward and backward)', () => {
    if (!useWasm()) return;
    for (const act of ACTS) {
      const run = (wasm: boolean) => {
        setWasmKernels(wasm);
        const x = randn([10, 784], { seed: 4 });
        const w = randn([784, 30], { seed: 5, requiresGrad: true });
        const b = randn([30], { seed: 6, requiresGrad: true });
        const y = linear(x, w, b, act);
        y.mul(randn([10, 30], { seed: 7 }))
          .sum()
          .backward();
        return [y.data, w.grad!.data, b.grad!.data];
      };
      const simd = run(true),
        plain = run(false);
      simd.forEach((v, i) => expectClose(v, plain[i], 2e-4, 2e-4, `${act} output ${i}`));
    }
  });

  it('second derivatives through the fused op (createGraph)', () => {
    // d²/dx² of sigmoid(w·x + b) at w = 2, b = 0.5: σ''(z)·w² with z = 2x + 0.5.
    const x = tensor([[0.3]], { dtype: 'float64' });
    const w = tensor([[2]], { dtype: 'float64' });
    const b = tensor([0.5], { dtype: 'float64' });
    const d2 = grad((xx: Tensor) => grad((x2: Tensor) => linear(x2, w, b, 'sigmoid').sum())(xx).sum())(x);
    const s = 1 / (1 + Math.exp(-(2 * 0.3 + 0.5)));
    expect(d2.item()).toBeCloseTo(s * (1 - s) * (1 - 2 * s) * 4, 12);
  });

  it('rejects mismatched shapes naming the op and both shapes', () => {
    expect(() => linear(randn([2, 5]), randn([4, 3]))).toThrow('linear: input [2,5] @ weight [4,3]: inner dimensions 5 and 4 differ');
    expect(() => linear(randn([2, 4]), randn([4, 3]), randn([2]))).toThrow(/bias must have shape \[3\].*got \[2\]/);
    expect(() => linear(randn([2, 4]), randn([4, 3]), null, 'softmax' as FusedActivation)).toThrow(/unknown activation 'softmax'/);
  });
});

describe('WebAssembly dispatch in tensor ops (float32)', () => {
  it('matmul, sigmoid and tanh give the same results with and without the SIMD kernels', () => {
    if (!useWasm()) return;
    const results = [true, false].map((wasm) => {
      setWasmKernels(wasm);
      const a = randn([2, 33, 47], { seed: 8 }),
        c = randn([47, 29], { seed: 9 });
      const p = a.matmul(c);
      return [p.data, p.sigmoid().data, p.tanh().data, a.transpose([0, 2, 1]).matmul(randn([33, 5], { seed: 10 })).data];
    });
    results[0].forEach((v, i) => expectClose(v, results[1][i], 1e-4, 1e-4, `result ${i}`));
  });
});
