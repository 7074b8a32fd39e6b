/**
 * Gradients of whole networks: the lecture's 784-30-10 MLP under the quadratic cost checked
 * in gradcheck's directional mode, small MLPs per element, and the lecture's mini-batch
 * formula w ← w − (η/m)·Σ_j ∇C_{x_j} reproduced by SGD to 1e-10.
 */
import { describe, expect, it } from 'vitest';
import { gradcheck, nn, optim, randn, rand, Tensor, type GradcheckReport } from '../../src/index.js';

type Act = 'sigmoid' | 'tanh' | 'relu';

/** The MLP's forward written from its parameters [W0, b0, W1, b1, …] (what Linear + activate do). */
function mlpForward(x: Tensor, params: Tensor[], act: Act): Tensor {
  let h = x;
  for (let i = 0; i < params.length; i += 2) h = nn.activate(act, h.matmul(params[i]).add(params[i + 1]));
  return h;
}

function expectOk(r: GradcheckReport): void {
  expect(r.failures, JSON.stringify(r.worst)).toEqual([]);
  expect(r.ok).toBe(true);
}

/** Sets every pre-activation of `net` on `x` at least `margin` away from 0 by shifting biases (for relu's kink). */
function keepPreactivationsAway(net: nn.MLP, x: Tensor, margin: number): void {
  let h = x;
  for (const layer of net.layers) {
    const z = layer.forward(h.detach());
    const [n, k] = z.shape;
    for (let j = 0; j < k; j++) {
      let shift = 0;
      for (let tries = 0; tries < 50; tries++) {
        let near = false;
        for (let i = 0; i < n; i++) if (Math.abs(z.data[i * k + j] + shift) < margin) near = true;
        if (!near) break;
        shift += margin;
      }
      layer.bias!.data[j] += shift;
    }
    h = layer.forward(h.detach()).relu();
  }
}

describe('784-30-10 MLP, quadratic cost', () => {
  for (const act of ['sigmoid', 'tanh', 'relu'] as const) {
    it(`gradchecks w.r.t. all 23,860 parameters in fast (directional) mode — ${act}`, () => {
      const init = act === 'relu' ? 'he' : 'xavier'; // keep sigmoid/tanh out of saturation
      const net = new nn.MLP([784, 30, 10], { activation: act, init, seed: 1, dtype: 'float64' });
      const x = rand([3, 784], { seed: 2, dtype: 'float64' });
      const y = nn.oneHot([3, 1, 4], 10, 'float64');
      if (act === 'relu') keepPreactivationsAway(net, x, 1e-3);
      const params = net.parameters();
      expect(params.reduce((n, p) => n + p.size, 0)).toBe(23860);

      // the functional forward is the module's forward
      expect(mlpForward(x, params, act).toArray()).toEqual(net.forward(x).toArray());

      const cost = (...ps: Tensor[]): Tensor => nn.quadraticCost(mlpForward(x, ps, act), y);
      expectOk(gradcheck(cost, params, { mode: 'fast', directions: 6, seed: 3 }));

      // …and the module's own backward gives the gradients just checked (to rounding)
      net.zeroGrad();
      nn.quadraticCost(net.forward(x), y).backward();
      const copies = params.map((p) => new Tensor(Float64Array.from(p.data), p.shape, true));
      cost(...copies).backward();
      // Equal up to rounding: the module's fused linear op associates g·y·(1−y) differently.
      params.forEach((p, i) => {
        const a = p.grad!.data,
          b = copies[i].grad!.data;
        for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[j])));
      });
    });
  }
});

describe('small MLP [3, 4, 2], per element (full mode)', () => {
  for (const act of ['sigmoid', 'tanh', 'relu'] as const) {
    it(`gradchecks every parameter and the input — ${act}`, () => {
      const net = new nn.MLP([3, 4, 2], { activation: act, seed: 5, dtype: 'float64' });
      const x = randn([4, 3], { seed: 6, dtype: 'float64' });
      if (act === 'relu') keepPreactivationsAway(net, x, 1e-2);
      const y = rand([4, 2], { seed: 7, dtype: 'float64' });
      const params = net.parameters();
      expectOk(gradcheck((...ps) => nn.quadraticCost(mlpForward(x, ps, act), y), params, { mode: 'full' }));
      expectOk(
        gradcheck(
          (xx) =>
            nn.quadraticCost(
              mlpForward(
                xx,
                params.map((p) => p.detach()),
                act,
              ),
              y,
            ),
          [x],
          { mode: 'full' },
        ),
      );
      // deeper, and cross-entropy on identity outputs
      const deep = new nn.MLP([3, 5, 4, 3], { activation: act === 'relu' ? 'tanh' : act, seed: 8, dtype: 'float64' });
      const cross = (...ps: Tensor[]): Tensor => {
        let h = x;
        for (let i = 0; i < ps.length; i += 2) {
          const z = h.matmul(ps[i]).add(ps[i + 1]);
          h = i + 2 < ps.length ? nn.activate(deep.activation as Act, z) : z;
        }
        return nn.crossEntropy(h, [0, 2, 1, 2]);
      };
      expectOk(gradcheck(cross, deep.parameters(), { mode: 'full' }));
    });
  }
});

describe("mini-batch SGD is the lecture's update", () => {
  it('SGD with batch m on quadraticCost equals w ← w − (η/m)·Σ_j ∇C_{x_j} (to 1e-10, float64)', () => {
    const sizes = [5, 6, 3],
      m = 7,
      eta = 3.0;
    const net = new nn.MLP(sizes, { seed: 21, dtype: 'float64' });
    const X = randn([m, 5], { seed: 22, dtype: 'float64' });
    const Y = nn.oneHot([0, 1, 2, 0, 1, 2, 2], 3, 'float64');
    const params = net.parameters();
    const start = params.map((p) => Float64Array.from(p.data));

    // Per-example gradients ∇C_x of C_x = ½‖y(x) − a‖², summed.
    const sums = params.map((p) => new Float64Array(p.size));
    for (let j = 0; j < m; j++) {
      net.zeroGrad();
      const xj = new Tensor(X.data.slice(j * 5, (j + 1) * 5), [1, 5]);
      const yj = new Tensor(Y.data.slice(j * 3, (j + 1) * 3), [1, 3]);
      const cx = nn.quadraticCost(net.forward(xj), yj);
      // C_x by hand: ½ Σ_k (y_k − a_k)²
      const a = net.forward(xj).data;
      expect(cx.item()).toBeCloseTo(0.5 * [0, 1, 2].reduce((s, k) => s + (yj.data[k] - a[k]) ** 2, 0), 14);
      cx.backward();
      params.forEach((p, i) => {
        for (let e = 0; e < p.size; e++) sums[i][e] += p.grad!.data[e];
      });
    }
    const expected = start.map((w, i) => w.map((v, e) => v - (eta / m) * sums[i][e]));

    // One SGD step on the mini-batch cost C = 1/(2m)·Σ_x ‖y(x) − a‖².
    const opt = new optim.SGD(params, { lr: eta });
    opt.zeroGrad();
    nn.quadraticCost(net.forward(X), Y).backward();
    opt.step();
    params.forEach((p, i) => {
      let worst = 0;
      for (let e = 0; e < p.size; e++) worst = Math.max(worst, Math.abs(p.data[e] - expected[i][e]));
      expect(worst).toBeLessThan(1e-10);
      expect(Array.from(p.data)).not.toEqual(Array.from(start[i])); // it moved
    });
  });

  it('online learning (m = 1) is one step per example, each with the full rate η', () => {
    const net = new nn.MLP([2, 3, 1], { seed: 4, dtype: 'float64' });
    const p0 = net.parameters().map((p) => Float64Array.from(p.data));
    const x = randn([1, 2], { seed: 1, dtype: 'float64' }),
      y = randn([1, 1], { seed: 2, dtype: 'float64' });
    nn.quadraticCost(net.forward(x), y).backward();
    const grads = net.parameters().map((p) => Float64Array.from(p.grad!.data));
    const opt = new optim.SGD(net.parameters(), { lr: 0.5 });
    opt.step();
    net.parameters().forEach((p, i) => p.data.forEach((v, e) => expect(v).toBeCloseTo(p0[i][e] - 0.5 * grads[i][e], 14)));
  });
});
