/**
 * LayerNorm, BatchNorm1d/2d and Flatten: values against the formulas written out here, the
 * running statistics after several steps (momentum 0.1, unbiased variance), train/eval
 * behaviour, gradients checked against finite differences on random shapes, and errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, nn, optim, randn, tensor, type GradcheckReport } from '../../src/index.js';
import { propertyRuns } from '../helpers/arbitraries.js';

function expectOk(r: GradcheckReport): void {
  expect(r.failures, JSON.stringify(r.worst)).toEqual([]);
  expect(r.ok).toBe(true);
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `element ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol);
};

/** Per group of `k` consecutive values: (x − mean) / √(biased var + eps). */
function handNormalize(x: ArrayLike<number>, k: number, eps: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < x.length; s += k) {
    const row = Array.from({ length: k }, (_, j) => x[s + j]);
    const m = row.reduce((a, b) => a + b, 0) / k;
    const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / k;
    out.push(...row.map((r) => (r - m) / Math.sqrt(v + eps)));
  }
  return out;
}

/** Channel c of x [N, C, S...] (S = spatial size) gathered into one list. */
function channel(x: ArrayLike<number>, n: number, c: number, s: number, ch: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < s; j++) out.push(x[(i * c + ch) * s + j]);
  return out;
}

const stats = (v: number[]): { mean: number; biased: number; unbiased: number } => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, biased: ss / v.length, unbiased: ss / (v.length - 1) };
};

describe('LayerNorm', () => {
  it('normalises each example over the trailing axes, then weight and bias (PyTorch init: 1 and 0)', () => {
    const ln = new nn.LayerNorm([2, 3], { dtype: 'float64' });
    expect(ln.weight!.toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(ln.bias!.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(ln.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['weight', [2, 3]],
      ['bias', [2, 3]],
    ]);
    const x = randn([4, 2, 3], { seed: 1, dtype: 'float64' });
    close(ln.forward(x).data, handNormalize(x.data, 6, 1e-5), 1e-12);
    ln.weight!.data.set([1, 2, 3, 4, 5, 6]);
    ln.bias!.data.set([0.5, 0, 0, 0, 0, -1]);
    const want = handNormalize(x.data, 6, 1e-5).map((v, i) => v * [1, 2, 3, 4, 5, 6][i % 6] + [0.5, 0, 0, 0, 0, -1][i % 6]);
    close(ln.forward(x).data, want, 1e-12);
    expect(new nn.LayerNorm(5).forward(randn([3, 5])).dtype).toBe('float32');
    expect(new nn.LayerNorm(3, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(new nn.LayerNorm(3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('gradchecks w.r.t. input, weight and bias on random shapes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer(),
        (lead, k, seed) => {
          const normalized = lead.slice(-k).map((d) => d + 1); // ≥ 2 elements per group keeps the variance away from 0
          const shape = [...lead, ...normalized];
          const x = randn(shape, { seed, dtype: 'float64' });
          const w = randn(normalized, { seed: seed + 1, dtype: 'float64' });
          const b = randn(normalized, { seed: seed + 2, dtype: 'float64' });
          expectOk(gradcheck((xx, ww, bb) => nn.layerNorm(xx, normalized, ww, bb), [x, w, b]));
        },
      ),
      { numRuns: propertyRuns(15) },
    );
  });

  it('rejects a shape it does not end in, and bad arguments', () => {
    expect(() => new nn.LayerNorm(4).forward(randn([2, 3]))).toThrow(/layerNorm: input of shape \[2,3\] does not end in the normalized shape \[4\]/);
    expect(() => new nn.LayerNorm([])).toThrow(/LayerNorm: normalizedShape must be a positive integer/);
    expect(() => new nn.LayerNorm(0)).toThrow(/LayerNorm: normalizedShape/);
    expect(() => new nn.LayerNorm(3, { eps: -1 })).toThrow(/LayerNorm: eps must be a finite number >= 0, got -1/);
  });
});

describe('BatchNorm1d / BatchNorm2d', () => {
  it('training: batch statistics per channel; running mean/var (unbiased) with momentum 0.1 over several steps', () => {
    for (const shape of [
      [5, 3],
      [4, 3, 2],
      [3, 3, 2, 2],
    ]) {
      const [n, c] = shape;
      const s = shape.slice(2).reduce((a, b) => a * b, 1);
      const bn = shape.length === 4 ? new nn.BatchNorm2d(c, { dtype: 'float64' }) : new nn.BatchNorm1d(c, { dtype: 'float64' });
      expect([...bn.stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var']);
      expect(bn.parameters()).toHaveLength(2);
      let rm = [0, 0, 0],
        rv = [1, 1, 1];
      for (let step = 0; step < 3; step++) {
        const x = randn(shape, { seed: 10 + step, dtype: 'float64' })
          .mul(step + 1)
          .add(step);
        const y = bn.forward(x);
        for (let ch = 0; ch < c; ch++) {
          const vals = channel(x.data, n, c, s, ch);
          const st = stats(vals);
          close(
            channel(y.data, n, c, s, ch),
            vals.map((v) => (v - st.mean) / Math.sqrt(st.biased + 1e-5)),
            1e-12,
          );
          rm[ch] = 0.9 * rm[ch] + 0.1 * st.mean;
          rv[ch] = 0.9 * rv[ch] + 0.1 * st.unbiased;
        }
        rm = [...rm];
        rv = [...rv];
        close(bn.runningMean!.data, rm, 1e-14);
        close(bn.runningVar!.data, rv, 1e-14);
      }
      // evaluation: the running statistics, not the batch's, and nothing updated
      bn.eval();
      const frozen = Array.from(bn.runningMean!.data);
      bn.weight!.data.set([1, 2, -1]);
      bn.bias!.data.set([0, 0.5, 1]);
      const x = randn([1, ...shape.slice(1)], { seed: 99, dtype: 'float64' });
      const y = bn.forward(x);
      for (let ch = 0; ch < c; ch++) {
        const want = channel(x.data, 1, c, s, ch).map((v) => ((v - rm[ch]) / Math.sqrt(rv[ch] + 1e-5)) * [1, 2, -1][ch] + [0, 0.5, 1][ch]);
        close(channel(y.data, 1, c, s, ch), want, 1e-12);
      }
      expect(Array.from(bn.runningMean!.data)).toEqual(frozen);
    }
  });

  it('momentum, eps, affine and trackRunningStats options', () => {
    const bn = new nn.BatchNorm1d(1, { momentum: 0.5, eps: 0, dtype: 'float64' });
    bn.forward(tensor([[1], [3]], { dtype: 'float64' }));
    expect(bn.runningMean!.toArray()).toEqual([1]); // 0.5·0 + 0.5·2
    expect(bn.runningVar!.toArray()).toEqual([1.5]); // 0.5·1 + 0.5·2
    expect(bn.forward(tensor([[1], [3]], { dtype: 'float64' })).toArray()).toEqual([[-1], [1]]);
    expect(new nn.BatchNorm2d(4, { affine: false }).parameters()).toEqual([]);
    const free = new nn.BatchNorm1d(2, { trackRunningStats: false, dtype: 'float64' });
    expect(free.buffers()).toEqual([]);
    const x = tensor(
      [
        [1, 2],
        [3, 6],
      ],
      { dtype: 'float64' },
    );
    expect(free.eval().forward(x).toArray()).toEqual(free.train().forward(x).toArray()); // batch statistics in both modes
  });

  it('gradchecks in training mode (through the batch statistics) and in evaluation mode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom([], [2], [2, 3]),
        fc.integer(),
        (n, c, rest, seed) => {
          const x = randn([n, c, ...rest], { seed, dtype: 'float64' });
          const w = randn([c], { seed: seed + 1, dtype: 'float64' });
          const b = randn([c], { seed: seed + 2, dtype: 'float64' });
          expectOk(gradcheck((xx, ww, bb) => nn.batchNorm(xx, null, null, ww, bb, { training: true }), [x, w, b]));
          const rm = randn([c], { seed: seed + 3, dtype: 'float64' });
          const rv = randn([c], { seed: seed + 4, dtype: 'float64' })
            .abs()
            .add(0.5);
          expectOk(gradcheck((xx, ww, bb) => nn.batchNorm(xx, rm, rv, ww, bb, { training: false }), [x, w, b]));
        },
      ),
      { numRuns: propertyRuns(15) },
    );
  });

  it('the module is the function: forward equals batchNorm with its parameters and buffers', () => {
    const bn = new nn.BatchNorm2d(2, { dtype: 'float64' });
    bn.weight!.data.set([0.5, 2]);
    const x = randn([3, 2, 2, 2], { seed: 3, dtype: 'float64' });
    const rm = bn.runningMean!.clone(),
      rv = bn.runningVar!.clone();
    expect(bn.forward(x).toArray()).toEqual(nn.batchNorm(x, rm, rv, bn.weight, bn.bias, { training: true }).toArray());
    expect(bn.runningMean!.toArray()).toEqual(rm.toArray());
    bn.forward(x).sum().backward();
    expect(bn.weight!.grad).not.toBeNull();
    expect(bn.runningMean!.grad).toBeNull();
  });

  it('errors: wrong rank or channel count, one value per channel in training', () => {
    expect(() => new nn.BatchNorm1d(3).forward(randn([4, 2]))).toThrow(
      /BatchNorm1d\(3\): expected input \[N, C\] or \[N, C, L\] with C = 3, got \[4,2\]/,
    );
    expect(() => new nn.BatchNorm2d(3).forward(randn([4, 3]))).toThrow(/BatchNorm2d\(3\): expected input \[N, C, H, W\] with C = 3, got \[4,3\]/);
    expect(() => new nn.BatchNorm1d(3).forward(randn([1, 3]))).toThrow(
      /BatchNorm1d: expected more than 1 value per channel when training, got input of shape \[1,3\]/,
    );
    expect(new nn.BatchNorm1d(3).eval().forward(randn([1, 3])).shape).toEqual([1, 3]);
    expect(() => new nn.BatchNorm1d(0)).toThrow(/BatchNorm1d: numFeatures must be a positive integer, got 0/);
    expect(() => new nn.BatchNorm2d(2, { momentum: 2 })).toThrow(/BatchNorm2d: momentum must be in \[0, 1\], got 2/);
  });
});

describe('Flatten', () => {
  it('merges startDim..endDim (PyTorch defaults 1, -1) without copying', () => {
    const x = randn([2, 3, 4, 5]);
    expect(new nn.Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new nn.Flatten(0, 1).forward(x).shape).toEqual([6, 4, 5]);
    expect(new nn.Flatten(1, 2).forward(x).shape).toEqual([2, 12, 5]);
    expect(new nn.Flatten(-2).forward(x).shape).toEqual([2, 3, 20]);
    expect(new nn.Flatten(2, 2).forward(x).shape).toEqual([2, 3, 4, 5]);
    expect(new nn.Flatten().forward(x).data).toBe(x.data);
  });

  it('gradchecks, inside a Sequential with a Linear after it', () => {
    const x = randn([2, 2, 3], { seed: 1, dtype: 'float64' });
    const w = randn([6, 2], { seed: 2, dtype: 'float64' });
    const flat = new nn.Flatten();
    expectOk(gradcheck((xx, ww) => flat.forward(xx).matmul(ww).tanh(), [x, w]));
  });

  it('rejects axes out of range or in the wrong order', () => {
    expect(() => new nn.Flatten(3).forward(randn([2, 3]))).toThrow(/Flatten\(3, -1\): axis 3 is out of range for a tensor of rank 2/);
    expect(() => new nn.Flatten(2, 1).forward(randn([2, 3, 4]))).toThrow(/Flatten\(2, 1\): startDim resolves to axis 2, after endDim's axis 1/);
    expect(() => new nn.Flatten(0.5)).toThrow(/Flatten: startDim must be an integer, got 0.5/);
  });
});

describe('a network of them trains, and its state round-trips', () => {
  it('Sequential(Flatten, Linear, BatchNorm1d, ReLU, LayerNorm, Linear) fits a batch', () => {
    const net = new nn.Sequential(
      new nn.Flatten(),
      new nn.Linear(6, 8, { seed: 1, init: 'he' }),
      new nn.BatchNorm1d(8),
      new nn.ReLU(),
      new nn.LayerNorm(8),
      new nn.Linear(8, 1, { seed: 2, init: 'xavier' }),
    );
    const x = randn([16, 2, 3], { seed: 5 });
    const y = x.sum([1, 2]).reshape([16, 1]).tanh();
    const opt = new optim.Adam(net.parameters(), { lr: 0.02 });
    const loss = (): number => nn.mseLoss(net.forward(x), y).item();
    const first = loss();
    for (let s = 0; s < 150; s++) {
      opt.zeroGrad();
      nn.mseLoss(net.forward(x), y).backward();
      opt.step();
    }
    expect(loss()).toBeLessThan(first / 10);
    const copy = new nn.Sequential(
      new nn.Flatten(),
      new nn.Linear(6, 8),
      new nn.BatchNorm1d(8),
      new nn.ReLU(),
      new nn.LayerNorm(8),
      new nn.Linear(8, 1),
    );
    copy.loadStateDict(net.stateDict());
    expect(copy.eval().forward(x).toArray()).toEqual(net.eval().forward(x).toArray());
  });
});
