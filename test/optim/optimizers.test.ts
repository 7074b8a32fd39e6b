/**
 * SGD (plain, momentum, Nesterov, weight decay), Adam and AdamW against their update rules
 * written out by hand here from PyTorch's documentation, in float64: three steps on a fixed
 * quadratic. Plus: parameters without a gradient, state save/resume, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { nn, optim, tensor, type Tensor } from '../../src/index.js';

// f(p) = Σ c_i (p_i − a_i)², ∇f = 2 c_i (p_i − a_i)
const C = [1, 3, 0.5];
const A = [1, -2, 0.5];
const P0 = [0.5, 1, -1.5];
const handGrad = (p: number[]): number[] => p.map((v, i) => 2 * C[i] * (v - A[i]));
const lossOf = (p: Tensor): Tensor =>
  p
    .sub(tensor(A, { dtype: 'float64' }))
    .square()
    .mul(tensor(C, { dtype: 'float64' }))
    .sum();

const param = (values = P0): Tensor => tensor(values, { dtype: 'float64', requiresGrad: true });

/** Runs `steps` steps of `opt` on the quadratic through the library, returning p after each step. */
function run(p: Tensor, opt: optim.Optimizer, steps: number): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    lossOf(p).backward();
    // the library's gradient is the hand gradient
    Array.from(p.grad!.data).forEach((g, i) => expect(g).toBeCloseTo(handGrad(Array.from(p.data))[i], 13));
    opt.step();
    out.push(Array.from(p.data));
  }
  return out;
}

function expectTrajectory(got: number[][], want: number[][], tol = 1e-13): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, t) =>
    row.forEach((v, i) => {
      expect(Math.abs(v - want[t][i]), `step ${t + 1}, element ${i}: ${v} vs ${want[t][i]}`).toBeLessThanOrEqual(
        tol * Math.max(1, Math.abs(want[t][i])),
      );
    }),
  );
}

/** PyTorch's SGD: g += λθ; b = g (t = 1) or μb + g; g = g + μb (Nesterov) or b; θ −= γg. */
function handSgd(steps: number, lr: number, mu = 0, wd = 0, nesterov = false): number[][] {
  let p = [...P0];
  let b = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = handGrad(p).map((gi, i) => gi + wd * p[i]);
    let d = g;
    if (mu !== 0) {
      b = t === 1 ? [...g] : b.map((bi, i) => mu * bi + g[i]);
      d = nesterov ? g.map((gi, i) => gi + mu * b[i]) : b;
    }
    p = p.map((v, i) => v - lr * d[i]);
    out.push(p);
  }
  return out;
}

/** PyTorch's Adam / AdamW with bias correction. */
function handAdam(steps: number, lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): number[][] {
  let p = [...P0];
  let m = [0, 0, 0],
    v = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    let g = handGrad(p);
    if (decoupled) p = p.map((x) => x * (1 - lr * wd));
    else g = g.map((gi, i) => gi + wd * p[i]);
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    const mHat = m.map((mi) => mi / (1 - b1 ** t));
    const vHat = v.map((vi) => vi / (1 - b2 ** t));
    p = p.map((x, i) => x - (lr * mHat[i]) / (Math.sqrt(vHat[i]) + eps));
    out.push(p);
  }
  return out;
}

describe('SGD matches PyTorch update rules written by hand (3 steps)', () => {
  it('plain', () => {
    const p = param();
    expectTrajectory(run(p, new optim.SGD([p], { lr: 0.1 }), 3), handSgd(3, 0.1));
    // first step explicitly: p − 0.1·2c(p − a)
    expectTrajectory([handSgd(1, 0.1)[0]], [[0.5 - 0.1 * 2 * 1 * (0.5 - 1), 1 - 0.1 * 2 * 3 * (1 + 2), -1.5 - 0.1 * 2 * 0.5 * (-1.5 - 0.5)]]);
  });
  it('momentum', () => {
    const p = param();
    expectTrajectory(run(p, new optim.SGD([p], { lr: 0.05, momentum: 0.9 }), 3), handSgd(3, 0.05, 0.9));
  });
  it('Nesterov', () => {
    const p = param();
    expectTrajectory(run(p, new optim.SGD([p], { lr: 0.05, momentum: 0.8, nesterov: true }), 3), handSgd(3, 0.05, 0.8, 0, true));
  });
  it('weight decay, with and without momentum', () => {
    const p = param();
    expectTrajectory(run(p, new optim.SGD([p], { lr: 0.1, weightDecay: 0.3 }), 3), handSgd(3, 0.1, 0, 0.3));
    const q = param();
    expectTrajectory(run(q, new optim.SGD([q], { lr: 0.05, momentum: 0.7, weightDecay: 0.2, nesterov: true }), 3), handSgd(3, 0.05, 0.7, 0.2, true));
  });
});

describe('Adam and AdamW match PyTorch update rules written by hand (3 steps)', () => {
  it('Adam with defaults (β = 0.9, 0.999, ε = 1e-8)', () => {
    const p = param();
    expectTrajectory(run(p, new optim.Adam([p], { lr: 0.1 }), 3), handAdam(3, 0.1, 0.9, 0.999, 1e-8, 0, false));
    // Adam's first step moves every element by ≈ lr against the gradient's sign
    const first = handAdam(1, 0.1, 0.9, 0.999, 1e-8, 0, false)[0];
    first.forEach((v, i) => expect(v - P0[i]).toBeCloseTo(-0.1 * Math.sign(handGrad(P0)[i]), 6));
  });
  it('Adam with custom betas, eps and L2 weight decay', () => {
    const p = param();
    const opt = new optim.Adam([p], { lr: 0.03, betas: [0.8, 0.99], eps: 1e-3, weightDecay: 0.1 });
    expectTrajectory(run(p, opt, 3), handAdam(3, 0.03, 0.8, 0.99, 1e-3, 0.1, false));
  });
  it('AdamW: decoupled decay, default λ = 0.01', () => {
    const p = param();
    expectTrajectory(run(p, new optim.AdamW([p], { lr: 0.1 }), 3), handAdam(3, 0.1, 0.9, 0.999, 1e-8, 0.01, true));
    const q = param();
    expectTrajectory(
      run(q, new optim.AdamW([q], { lr: 0.05, weightDecay: 0.5, betas: [0.5, 0.9] }), 3),
      handAdam(3, 0.05, 0.5, 0.9, 1e-8, 0.5, true),
    );
    // and it differs from Adam's coupled L2
    expect(handAdam(3, 0.05, 0.5, 0.9, 1e-8, 0.5, true)[2]).not.toEqual(handAdam(3, 0.05, 0.5, 0.9, 1e-8, 0.5, false)[2]);
  });
  it('updates float32 parameters in place, in float32', () => {
    const p = tensor(P0, { requiresGrad: true });
    const data = p.data;
    new optim.Adam([p], { lr: 0.1 }).step(); // no grad: nothing happens
    p.grad = tensor([1, -1, 2]);
    new optim.Adam([p], { lr: 0.1 }).step();
    expect(p.data).toBe(data);
    expect(p.data).toBeInstanceOf(Float32Array);
    expect(Array.from(p.data)).toEqual(Array.from(Float32Array.from([0.4, 1.1, -1.6])));
  });
});

describe('parameters without a gradient are skipped', () => {
  for (const [name, make] of [
    ['SGD', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 })],
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.1, weightDecay: 0.1 })],
    ['AdamW', (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.1 })],
  ] as const) {
    it(name, () => {
      const used = param(),
        unused = param([3, 4]);
      const opt = make([used, unused]);
      for (let t = 0; t < 3; t++) {
        opt.zeroGrad();
        lossOf(used).backward();
        expect(unused.grad).toBeNull();
        opt.step();
      }
      expect(Array.from(unused.data)).toEqual([3, 4]); // not even weight decay touches it
      expect(Array.from(used.data)).not.toEqual(P0);
    });
  }

  it("Adam counts steps per parameter (PyTorch): a late parameter's first update is a first step", () => {
    const early = param(),
      late = param();
    const opt = new optim.Adam([early, late], { lr: 0.1 });
    for (let t = 0; t < 2; t++) {
      opt.zeroGrad();
      lossOf(early).backward();
      opt.step();
    }
    opt.zeroGrad();
    lossOf(late).backward();
    opt.step();
    expectTrajectory([Array.from(late.data)], [handAdam(1, 0.1, 0.9, 0.999, 1e-8, 0, false)[0]]);
    expect(opt.stepCount).toBe(3);
  });
});

describe('stateDict / loadStateDict', () => {
  const makers = {
    'SGD momentum': (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }),
    Adam: (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.05 }),
    AdamW: (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.05, weightDecay: 0.1 }),
  } as const;

  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: resuming from a saved state (through JSON) gives identical subsequent steps`, () => {
      const x = tensor([
          [0.5, -1],
          [1, 2],
          [0, 0.3],
        ]),
        y = tensor([[1], [0], [1]]);
      const net = new nn.MLP([2, 3, 1], { seed: 3 });
      const opt = make(net.parameters());
      const train = (m: nn.MLP, o: optim.Optimizer, steps: number): void => {
        for (let t = 0; t < steps; t++) {
          o.zeroGrad();
          nn.quadraticCost(m.forward(x), y).backward();
          o.step();
        }
      };
      train(net, opt, 3);
      const savedParams = net.namedParameters().map(([n, p]): [string, Tensor] => [n, p.clone().detach()]);
      const savedState = JSON.parse(JSON.stringify(opt.stateDict())) as optim.OptimizerState;
      expect(savedState.stepCount).toBe(3);
      train(net, opt, 3);

      const net2 = new nn.MLP([2, 3, 1], { seed: 99 });
      net2.loadNamedParameters(savedParams);
      const opt2 = make(net2.parameters());
      opt2.loadStateDict(savedState);
      train(net2, opt2, 3);
      expect(net2.parameters().map((p) => Array.from(p.data))).toEqual(net.parameters().map((p) => Array.from(p.data)));
      expect(opt2.stateDict()).toEqual(opt.stateDict());

      // without the state, the resumed run would differ (the test has teeth)
      const net3 = new nn.MLP([2, 3, 1], { seed: 99 });
      net3.loadNamedParameters(savedParams);
      train(net3, make(net3.parameters()), 3);
      expect(net3.parameters().map((p) => Array.from(p.data))).not.toEqual(net.parameters().map((p) => Array.from(p.data)));
    });
  }

  it('stateDict is a copy, and records lr and step count', () => {
    const p = param();
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.5 });
    lossOf(p).backward();
    opt.step();
    const s = opt.stateDict();
    expect(s).toMatchObject({ type: 'SGD', lr: 0.1, stepCount: 1 });
    expect(s.buffers[0].momentum).toEqual(handGrad(P0));
    s.buffers[0].momentum[0] = 123;
    expect(opt.stateDict().buffers[0].momentum[0]).not.toBe(123);
  });

  it('rejects a state from another optimizer, another parameter count, or wrong buffer sizes', () => {
    const p = param(),
      q = param([1, 2]);
    const adam = new optim.Adam([p], { lr: 0.1 });
    lossOf(p).backward();
    adam.step();
    const state = adam.stateDict();
    expect(() => new optim.SGD([p], { lr: 0.1 }).loadStateDict(state)).toThrow(/SGD\.loadStateDict: the state is from Adam/);
    expect(() => new optim.AdamW([p]).loadStateDict(state)).toThrow(/AdamW\.loadStateDict: the state is from Adam/);
    expect(() => new optim.Adam([p, q]).loadStateDict(state)).toThrow(/the state has 1 parameters, this optimizer 2/);
    expect(() => new optim.Adam([q]).loadStateDict(state)).toThrow(/buffer 'm' of parameter 0 has 3 values, expected 2/);
    expect(() => new optim.Adam([p, q]).loadStateDict({ ...state, buffers: [...state.buffers, {}], paramSteps: [1] })).toThrow(
      /step counts for 1 parameters, this optimizer 2/,
    );
    expect(() => new optim.Adam([p]).loadStateDict({ ...state, stepCount: -1 })).toThrow(/stepCount must be a non-negative integer, got -1/);

    // a bad state changes nothing, not even the buffers it was checked after
    const target = new optim.Adam([p], { lr: 0.1 });
    const before = target.stateDict();
    expect(() => target.loadStateDict({ ...state, lr: -1 })).toThrow(/Adam\.loadStateDict: lr must be a finite number >= 0, got -1/);
    expect(() => target.loadStateDict({ ...state, lr: Number.NaN })).toThrow(/lr must be a finite number >= 0, got NaN/);
    expect(target.stateDict()).toEqual(before);
    // a state saved after a schedule annealed lr to 0 loads
    new optim.Adam([p]).loadStateDict({ ...state, lr: 0 });
  });
});

describe('bad hyperparameters and inputs', () => {
  const p = (): Tensor => param();
  it('lr ≤ 0, NaN, Infinity or missing', () => {
    for (const lr of [0, -0.1, Number.NaN, Infinity, -Infinity]) {
      expect(() => new optim.SGD([p()], { lr })).toThrow(new RegExp(`SGD: lr must be a finite number > 0, got ${lr}`));
      expect(() => new optim.Adam([p()], { lr })).toThrow(new RegExp(`Adam: lr must be a finite number > 0, got ${lr}`));
      expect(() => new optim.AdamW([p()], { lr })).toThrow(/AdamW: lr must be a finite number > 0/);
    }
    expect(() => new optim.SGD([p()], {} as never)).toThrow(/SGD: lr must be a finite number > 0, got undefined/);
    expect(() => new optim.SGD([p()], { lr: '0.1' as never })).toThrow(/lr must be a finite number/);
  });
  it('an lr set to NaN, Infinity or a negative number between steps fails at step()', () => {
    for (const lr of [Number.NaN, Infinity, -1]) {
      const opt = new optim.SGD([p()], { lr: 0.1 });
      opt.lr = lr;
      expect(() => opt.step()).toThrow(new RegExp(`SGD: lr must be a finite number >= 0, got ${lr}`));
    }
  });
  it('an empty parameter list, or a parameter that does not require grad', () => {
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(/SGD: got an empty parameter list; pass model\.parameters\(\)/);
    expect(() => new optim.Adam([])).toThrow(/Adam: got an empty parameter list/);
    expect(() => new optim.AdamW([][Symbol.iterator]())).toThrow(/AdamW: got an empty parameter list/);
    expect(() => new optim.SGD([p(), tensor([1, 2])], { lr: 0.1 })).toThrow(/SGD: parameter 1 does not require grad/);
  });
  it('momentum, weight decay, betas and eps out of range; Nesterov without momentum', () => {
    expect(() => new optim.SGD([p()], { lr: 0.1, momentum: 1 })).toThrow(/SGD: momentum must be in \[0, 1\), got 1/);
    expect(() => new optim.SGD([p()], { lr: 0.1, momentum: -0.5 })).toThrow(/momentum must be in \[0, 1\), got -0.5/);
    expect(() => new optim.SGD([p()], { lr: 0.1, momentum: Number.NaN })).toThrow(/momentum must be in/);
    expect(() => new optim.SGD([p()], { lr: 0.1, weightDecay: -1 })).toThrow(/SGD: weightDecay must be in \[0, Infinity\), got -1/);
    expect(() => new optim.SGD([p()], { lr: 0.1, nesterov: true })).toThrow(/SGD: nesterov needs momentum > 0/);
    expect(() => new optim.Adam([p()], { betas: [1, 0.999] })).toThrow(/Adam: betas\[0\] must be in \[0, 1\), got 1/);
    expect(() => new optim.Adam([p()], { betas: [0.9, -0.1] })).toThrow(/Adam: betas\[1\] must be in \[0, 1\), got -0.1/);
    expect(() => new optim.Adam([p()], { eps: -1e-8 })).toThrow(/Adam: eps must be in/);
    expect(() => new optim.AdamW([p()], { weightDecay: Number.NaN })).toThrow(/AdamW: weightDecay must be in/);
  });
});
