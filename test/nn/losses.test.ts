/**
 * Losses: gradchecked as properties over shapes and values (float64), each checked against a
 * hand computation written out here, plus the documented relations between them and their
 * behaviour at the edges (huge logits, p = 0 and 1, bad shapes and labels).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, nn, tensor, Tensor, type GradcheckReport } from '../../src/index.js';

const RUNS = 25;
const f64 = (values: number[], shape: number[], requiresGrad = false): Tensor => new Tensor(Float64Array.from(values), shape, requiresGrad);

/** A batch shape [n, k] and two value arrays of n·k finite doubles in [lo, hi]. */
const pairArb = (lo: number, hi: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
    .chain(([n, k]) =>
      fc.tuple(
        fc.constant([n, k]),
        fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n * k, maxLength: n * k }),
        fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n * k, maxLength: n * k }),
      ),
    );

function expectOk(r: GradcheckReport): void {
  expect(r.failures, JSON.stringify(r.worst)).toEqual([]);
  expect(r.ok).toBe(true);
}

const close = (a: number, b: number, tol = 1e-12): void => {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe('quadraticCost and mseLoss', () => {
  it('quadraticCost = 1/(2n) Σ_x ‖y − a‖² by hand, and gradchecks (property)', () => {
    fc.assert(
      fc.property(pairArb(-3, 3), ([[n, k], a, y]) => {
        let s = 0;
        for (let i = 0; i < n * k; i++) s += (y[i] - a[i]) ** 2;
        close(nn.quadraticCost(f64(a, [n, k]), f64(y, [n, k])).item(), s / (2 * n));
        expectOk(gradcheck((o, t) => nn.quadraticCost(o, t), [f64(a, [n, k]), f64(y, [n, k])]));
      }),
      { numRuns: RUNS },
    );
  });

  it('mseLoss = mean over all elements by hand, reductions sum/none, and gradchecks (property)', () => {
    fc.assert(
      fc.property(pairArb(-3, 3), ([[n, k], a, y]) => {
        const sq = a.map((v, i) => (v - y[i]) ** 2);
        const s = sq.reduce((p, q) => p + q, 0);
        close(nn.mseLoss(f64(a, [n, k]), f64(y, [n, k])).item(), s / (n * k));
        close(nn.mseLoss(f64(a, [n, k]), f64(y, [n, k]), { reduction: 'sum' }).item(), s);
        const none = nn.mseLoss(f64(a, [n, k]), f64(y, [n, k]), { reduction: 'none' });
        expect(none.shape).toEqual([n, k]);
        Array.from(none.data).forEach((v, i) => close(v, sq[i]));
        expectOk(gradcheck((o, t) => nn.mseLoss(o, t), [f64(a, [n, k]), f64(y, [n, k])]));
      }),
      { numRuns: RUNS },
    );
  });

  it('quadraticCost = mseLoss · k / 2 for outputs [n, k] (property)', () => {
    fc.assert(
      fc.property(pairArb(-5, 5), ([[n, k], a, y]) => {
        const q = nn.quadraticCost(f64(a, [n, k]), f64(y, [n, k])).item();
        const m = nn.mseLoss(f64(a, [n, k]), f64(y, [n, k])).item();
        close(q, (m * k) / 2, 1e-12);
      }),
      { numRuns: RUNS },
    );
  });

  it('matches the documented small examples', () => {
    expect(nn.quadraticCost(tensor([[0.5, 0.5]]), tensor([[1, 0]])).item()).toBeCloseTo(0.25, 12);
    expect(nn.mseLoss(tensor([1, 2]), tensor([0, 0])).item()).toBe(2.5);
    expect(nn.mseLoss(tensor([1, 2]), tensor([0, 0]), { reduction: 'sum' }).item()).toBe(5);
    // two examples of width 3: C = (1 + 4 + 0 + 0 + 1 + 9) / (2·2) = 3.75
    expect(
      nn
        .quadraticCost(
          tensor([
            [1, 2, 0],
            [0, 1, 3],
          ]),
          tensor([
            [0, 0, 0],
            [0, 0, 0],
          ]),
        )
        .item(),
    ).toBe(3.75);
  });

  it('reject differing output/target shapes, naming both shapes', () => {
    const a = tensor([[1, 2]]),
      b = tensor([[1, 2, 3]]);
    expect(() => nn.quadraticCost(a, b)).toThrow(/quadraticCost.*\[1,2\].*\[1,3\]/);
    expect(() => nn.mseLoss(a, b)).toThrow(/mseLoss.*\[1,2\].*\[1,3\]/);
    expect(() => nn.binaryCrossEntropy(tensor([0.5]), tensor([1, 0]))).toThrow(/binaryCrossEntropy.*\[1\].*\[2\]/);
    expect(() => nn.mseLoss(a, a, { reduction: 'avg' as never })).toThrow(/unknown reduction 'avg'/);
  });
});

/** -mean_i log softmax(z_i)[label_i], written out with a max shift. */
function handCrossEntropy(z: number[], n: number, k: number, labels: number[]): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = z.slice(i * k, (i + 1) * k);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    total += -(row[labels[i]] - lse);
  }
  return total / n;
}

const ceArb = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 5 }))
  .chain(([n, k]) =>
    fc.tuple(
      fc.constant([n, k] as [number, number]),
      fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: n * k, maxLength: n * k }),
      fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
    ),
  );

describe('crossEntropy', () => {
  it('matches −log softmax[label] averaged by hand, one-hot targets agree, gradchecks (property)', () => {
    fc.assert(
      fc.property(ceArb, ([[n, k], z, labels]) => {
        const logits = f64(z, [n, k]);
        const withLabels = nn.crossEntropy(logits, labels).item();
        close(withLabels, handCrossEntropy(z, n, k, labels), 1e-12);
        close(nn.crossEntropy(logits, nn.oneHot(labels, k, 'float64')).item(), withLabels, 1e-14);
        close(nn.crossEntropy(logits, f64(labels, [n])).item(), withLabels, 1e-14); // labels as a 1-D tensor
        expectOk(gradcheck((x) => nn.crossEntropy(x, labels), [f64(z, [n, k])]));
        // the gradient is (softmax − onehot)/n; also gradcheck w.r.t. soft targets
        const soft = nn
          .oneHot(labels, k, 'float64')
          .mul(0.7)
          .add(0.3 / k);
        expectOk(gradcheck((x, t) => nn.crossEntropy(x, t), [f64(z, [n, k]), soft]));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives softmax − onehot over n as its gradient', () => {
    const z = [1, 2, 0.5, -1, 0, 3];
    const logits = f64(z, [2, 3], true);
    nn.crossEntropy(logits, [2, 0]).backward();
    const g = Array.from(logits.grad!.data);
    for (let i = 0; i < 2; i++) {
      const row = z.slice(i * 3, i * 3 + 3);
      const e = row.map(Math.exp),
        s = e.reduce((a, b) => a + b, 0);
      const label = [2, 0][i];
      for (let j = 0; j < 3; j++) close(g[i * 3 + j], (e[j] / s - (j === label ? 1 : 0)) / 2, 1e-14);
    }
  });

  it('is finite for logits of ±1000, value and gradient', () => {
    const logits = f64([1000, -1000, 0, -1000, 1000, 1000], [2, 3], true);
    const loss = nn.crossEntropy(logits, [1, 0]);
    // row 0: label logit −1000, lse 1000 → 2000; row 1: label −1000, lse 1000 + log 2 → 2000 + log 2
    close(loss.item(), (2000 + 2000 + Math.log(2)) / 2, 1e-12);
    loss.backward();
    expect(Array.from(logits.grad!.data).every(Number.isFinite)).toBe(true);
    const easy = nn.crossEntropy(f64([1000, -1000], [1, 2]), [0]).item();
    expect(Math.abs(easy)).toBe(0);
    expect(Number.isFinite(nn.crossEntropy(tensor([[1000, -1000]]), [1]).item())).toBe(true); // float32 too
  });

  it('matches the documented example', () => {
    expect(
      nn
        .crossEntropy(
          tensor(
            [
              [2, 0, 0],
              [0, 0, 3],
            ],
            { dtype: 'float64' },
          ),
          [0, 2],
        )
        .item(),
    ).toBeCloseTo((Math.log(1 + 2 * Math.exp(-2)) + Math.log(1 + 2 * Math.exp(-3))) / 2, 12);
  });

  it('rejects labels outside [0, classes), a wrong label count and non-2-D logits', () => {
    const logits = tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    expect(() => nn.crossEntropy(logits, [3, 0])).toThrow(/label 3 at index 0 is outside \[0, 3\)/);
    expect(() => nn.crossEntropy(logits, [0, -1])).toThrow(/label -1 at index 1 is outside \[0, 3\)/);
    expect(() => nn.crossEntropy(logits, [0, 1.5])).toThrow(/label 1.5/);
    expect(() => nn.crossEntropy(logits, [0])).toThrow(/2 rows of logits but 1 labels/);
    expect(() => nn.crossEntropy(tensor([1, 2, 3]), [0])).toThrow(/crossEntropy: logits must have shape \[n, classes\], got \[3\]/);
    expect(() =>
      nn.crossEntropy(
        logits,
        tensor([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(/crossEntropy.*\[2,3\].*\[2,2\]/);
  });
});

describe('binaryCrossEntropy', () => {
  const bceArb = fc
    .integer({ min: 1, max: 8 })
    .chain((n) =>
      fc.tuple(
        fc.array(fc.double({ min: 0.02, max: 0.98, noNaN: true }), { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      ),
    );

  it('= −mean(t log p + (1−t) log(1−p)) by hand, and gradchecks (property)', () => {
    fc.assert(
      fc.property(bceArb, ([p, t]) => {
        const n = p.length;
        const hand = -p.reduce((s, pi, i) => s + t[i] * Math.log(pi) + (1 - t[i]) * Math.log(1 - pi), 0) / n;
        close(nn.binaryCrossEntropy(f64(p, [n]), f64(t, [n])).item(), hand, 1e-12);
        expectOk(gradcheck((a, b) => nn.binaryCrossEntropy(a, b), [f64(p, [n]), f64(t, [n])]));
      }),
      { numRuns: RUNS },
    );
  });

  it('is finite at p = 0 and p = 1 (logs clamped at −100), value and gradient', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const p = tensor([0, 1, 0, 1, 0.5], { dtype, requiresGrad: true });
      const t = tensor([1, 0, 0, 1, 1], { dtype });
      const loss = nn.binaryCrossEntropy(p, t);
      // the two wrong certain answers cost 100 each, the right ones 0, and log 2 for p = 0.5
      expect(loss.item()).toBeCloseTo((200 + Math.log(2)) / 5, dtype === 'float64' ? 12 : 4);
      loss.backward();
      const g = Array.from(p.grad!.data);
      expect(g.every(Number.isFinite), `${dtype} grad ${g}`).toBe(true);
      expect(g[4]).toBeCloseTo(-1 / 0.5 / 5, 5);
    }
  });

  it('matches the documented example', () => {
    expect(nn.binaryCrossEntropy(tensor([0.9, 0.2], { dtype: 'float64' }), tensor([1, 0], { dtype: 'float64' })).item()).toBeCloseTo(0.1643, 4);
  });
});
