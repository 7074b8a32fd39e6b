/**
 * Learning end to end: a 2-4-1 network learns XOR from a fixed seed, and full-batch gradient
 * descent on least squares reaches the closed-form minimum (the normal equations).
 */
import { describe, expect, it } from 'vitest';
import { nn, optim, randn, tensor, Tensor } from '../../src/index.js';

const X = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const Y = tensor([[0], [1], [1], [0]]);
const XOR_LABELS = [0, 1, 1, 0];

function trainXor(makeOpt: (ps: Tensor[]) => optim.Optimizer, steps: number): { net: nn.MLP; losses: number[] } {
  const net = new nn.MLP([2, 4, 1], { activation: 'tanh', outputActivation: 'sigmoid', seed: 1 });
  const opt = makeOpt(net.parameters());
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = nn.quadraticCost(net.forward(X), Y);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  return { net, losses };
}

const predictions = (out: Tensor): number[] => Array.from(out.data, (v) => (v > 0.5 ? 1 : 0));

describe('XOR with a 2-4-1 network (tanh hidden, sigmoid output)', () => {
  it('full-batch gradient descent (η = 2, 2000 steps, seed 1) learns it to 100%', () => {
    const { net, losses } = trainXor((ps) => new optim.SGD(ps, { lr: 2 }), 2000);
    const out = net.forward(X);
    console.log(
      `XOR, 2-4-1 tanh/sigmoid, full-batch GD η=2, 2000 steps, seed 1: cost ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toExponential(3)}; ` +
        `outputs ${Array.from(out.data, (v) => v.toFixed(4)).join(', ')} for inputs (0,0), (0,1), (1,0), (1,1)`,
    );
    expect(predictions(out)).toEqual(XOR_LABELS);
    expect(Array.from(out.data).every((v, i) => Math.abs(v - XOR_LABELS[i]) < 0.1)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(1e-3);
  });

  it('Adam (η = 0.1, 300 steps) learns it too', () => {
    const { net, losses } = trainXor((ps) => new optim.Adam(ps, { lr: 0.1 }), 300);
    expect(predictions(net.forward(X))).toEqual(XOR_LABELS);
    // as two-class scores [1 − p, p], so accuracy() takes the argmax
    const p = Array.from(net.forward(X).data);
    expect(nn.accuracy(tensor(p.map((v) => [1 - v, v])), XOR_LABELS)).toBe(1);
    expect(losses[losses.length - 1]).toBeLessThan(1e-2);
  });
});

/** Solves A·x = b (A square) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

describe('full-batch GD on least squares', () => {
  it('converges to the closed-form minimum (normal equations)', () => {
    const n = 30,
      d = 3;
    const A = randn([n, d], { seed: 31, dtype: 'float64' });
    const noise = randn([n, 1], { seed: 32, dtype: 'float64' });
    const trueW = [1.5, -2, 0.5],
      trueB = 0.25;
    const yData = new Float64Array(n);
    for (let i = 0; i < n; i++) yData[i] = trueB + 0.1 * noise.data[i] + trueW.reduce((s, w, k) => s + w * A.data[i * d + k], 0);
    const y = new Tensor(yData, [n, 1]);

    // Closed form with a bias column: (ÃᵀÃ) θ = Ãᵀy, Ã = [A | 1].
    const At = (i: number, k: number): number => (k < d ? A.data[i * d + k] : 1);
    const AtA = Array.from({ length: d + 1 }, (_, r) =>
      Array.from({ length: d + 1 }, (_, c) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += At(i, r) * At(i, c);
        return s;
      }),
    );
    const Aty = Array.from({ length: d + 1 }, (_, r) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += At(i, r) * yData[i];
      return s;
    });
    const theta = solve(AtA, Aty);

    const model = new nn.Linear(d, 1, { seed: 33, dtype: 'float64' });
    const opt = new optim.SGD(model.parameters(), { lr: 0.2 });
    let prev = Infinity;
    for (let step = 0; step < 1500; step++) {
      opt.zeroGrad();
      const loss = nn.mseLoss(model.forward(A), y);
      expect(loss.item()).toBeLessThanOrEqual(prev + 1e-15); // convex, small η: monotone
      prev = loss.item();
      loss.backward();
      opt.step();
    }
    const fitted = [...Array.from(model.weight.data), model.bias!.data[0]];
    fitted.forEach((v, i) => expect(Math.abs(v - theta[i]), `θ[${i}] ${v} vs ${theta[i]}`).toBeLessThan(1e-9));
    // and the closed form is near the truth (sanity of the hand solver)
    theta.slice(0, d).forEach((v, i) => expect(Math.abs(v - trueW[i])).toBeLessThan(0.1));
  });
});
