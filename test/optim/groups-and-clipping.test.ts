/**
 * Parameter groups (PyTorch's param_groups) for SGD, Adam and AdamW: each group updates as a
 * separate optimizer with its hyperparameters would, `opt.lr` scales the groups together, the
 * state dict keeps each group's rate; and clipGradNorm against PyTorch's definition.
 */
import { describe, expect, it } from 'vitest';
import { nn, optim, randn, tensor, type Tensor } from '../../src/index.js';

const param = (seed: number, n = 3): Tensor => randn([n], { seed, dtype: 'float64', requiresGrad: true });

/** Sets each parameter's gradient to a fixed seeded vector times (step + 1). */
function setGrads(ps: Tensor[], step: number): void {
  ps.forEach((p, i) => {
    p.grad = randn(p.shape, { seed: 100 * step + i, dtype: 'float64' }).mul(step + 1);
  });
}

type Make = (groups: optim.ParamGroupSpec<Record<string, unknown>>[] | Tensor[], defaults: Record<string, unknown>) => optim.Optimizer;
const makers: Record<string, Make> = {
  SGD: (g, d) => new optim.SGD(g as never, d as never),
  Adam: (g, d) => new optim.Adam(g as never, d as never),
  AdamW: (g, d) => new optim.AdamW(g as never, d as never),
};
const groupOptions: Record<string, [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]> = {
  // [defaults, overrides of group 1, the same with the defaults filled in]
  SGD: [
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.01, nesterov: true, weightDecay: 0.1 },
    { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
  ],
  Adam: [{ lr: 0.05 }, { lr: 0.2, betas: [0.5, 0.9], eps: 1e-3, weightDecay: 0.1 }, { lr: 0.2, betas: [0.5, 0.9], eps: 1e-3, weightDecay: 0.1 }],
  AdamW: [
    { lr: 0.05, weightDecay: 0.2 },
    { lr: 0.2, betas: [0.5, 0.9] },
    { lr: 0.2, betas: [0.5, 0.9], weightDecay: 0.2 },
  ],
};

describe('parameter groups', () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: each group steps exactly as its own optimizer with its hyperparameters`, () => {
      const [defaults, overrides, filled] = groupOptions[name];
      const a = [param(1), param(2, 2)],
        b = [param(3, 4)];
      const grouped = make([{ params: a }, { params: b, ...overrides }], defaults);
      const a2 = a.map((p) => p.detach().clone()),
        b2 = b.map((p) => p.detach().clone());
      a2.forEach((p) => (p.requiresGrad = true));
      b2.forEach((p) => (p.requiresGrad = true));
      const alone = [make(a2, defaults), make(b2, filled)];
      for (let step = 0; step < 4; step++) {
        setGrads([...a, ...b], step);
        setGrads([...a2, ...b2], step);
        grouped.step();
        alone.forEach((o) => o.step());
      }
      expect([...a, ...b].map((p) => Array.from(p.data))).toEqual([...a2, ...b2].map((p) => Array.from(p.data)));
      // and the groups did differ: the same run with the defaults everywhere ends elsewhere
      const c = [param(1), param(2, 2), param(3, 4)];
      const plain = make(c, defaults);
      for (let step = 0; step < 4; step++) {
        setGrads(c, step);
        plain.step();
      }
      expect(Array.from(c[2].data)).not.toEqual(Array.from(b[0].data));
      expect(grouped.paramGroups.map((g) => g.lr)).toEqual([defaults.lr, overrides.lr]);
      expect(grouped.params).toEqual([...a, ...b]);
    });
  }

  it('the single-list constructor is one group with the given options', () => {
    const p = param(1);
    const opt = new optim.SGD([p], { lr: 0.3, momentum: 0.5 });
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.3, momentum: 0.5, nesterov: false, weightDecay: 0, initialLr: 0.3 });
    expect([opt.lr, opt.momentum, opt.weightDecay, opt.nesterov]).toEqual([0.3, 0.5, 0, false]);
    const adam = new optim.Adam([p], { betas: [0.8, 0.99] });
    expect([adam.lr, adam.beta1, adam.beta2, adam.eps, adam.weightDecay]).toEqual([1e-3, 0.8, 0.99, 1e-8, 0]);
  });

  it('assigning opt.lr scales every group from its initial rate (schedules keep the ratios); a group can be set alone', () => {
    const opt = new optim.SGD([{ params: [param(1)] }, { params: [param(2)], lr: 0.01 }], { lr: 0.1 });
    const sched = new optim.LRScheduler(opt, optim.stepDecay({ stepSize: 1, gamma: 0.5 }));
    sched.step();
    expect(opt.lr).toBe(0.05);
    expect(opt.paramGroups[1].lr).toBeCloseTo(0.005, 15);
    opt.paramGroups[1].lr = 0.3;
    expect(opt.lr).toBe(0.05);
    const p = opt.paramGroups[1].params[0];
    const before = p.data[0];
    p.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect(p.data[0]).toBeCloseTo(before - 0.3, 14);
  });

  it('state dicts keep each group rate and resume identically', () => {
    const net = new nn.MLP([2, 3, 1], { seed: 3 });
    const x = tensor([
        [0.5, -1],
        [1, 2],
      ]),
      y = tensor([[1], [0]]);
    const make = (m: nn.MLP): optim.Adam =>
      new optim.Adam([{ params: m.layers[0].parameters(), lr: 0.1 }, { params: m.layers[1].parameters() }], { lr: 0.01 });
    const train = (m: nn.MLP, o: optim.Optimizer, n: number): void => {
      for (let t = 0; t < n; t++) {
        o.zeroGrad();
        nn.mseLoss(m.forward(x), y).backward();
        o.step();
      }
    };
    const opt = make(net);
    train(net, opt, 2);
    opt.paramGroups[1].lr = 0.02;
    const state = JSON.parse(JSON.stringify(opt.stateDict())) as optim.OptimizerState;
    expect(state.groupLrs).toEqual([0.1, 0.02]);
    const params = net.stateDict();
    const copy = new nn.MLP([2, 3, 1], { seed: 9 });
    copy.loadStateDict(new Map([...params].map(([k, t]) => [k, t.clone()])));
    const opt2 = make(copy);
    opt2.loadStateDict(state);
    expect(opt2.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.02]);
    train(net, opt, 2);
    train(copy, opt2, 2);
    expect(copy.parameters().map((p) => Array.from(p.data))).toEqual(net.parameters().map((p) => Array.from(p.data)));
    expect(() => new optim.Adam(copy.parameters()).loadStateDict(state)).toThrow(
      /Adam\.loadStateDict: the state has 2 parameter groups, this optimizer 1/,
    );
  });

  it('errors: a parameter in two groups, a group without params, a group hyperparameter out of range', () => {
    const p = param(1),
      q = param(2);
    expect(() => new optim.SGD([{ params: [p] }, { params: [p, q] }], { lr: 0.1 })).toThrow(
      /SGD: parameter 1 appears twice \(a parameter may be in one group only\)/,
    );
    expect(() => new optim.Adam([{ params: [p] }, { lr: 0.1 } as never])).toThrow(
      /Adam: item 1 of the parameter list is neither a Tensor nor a group \{ params, \.\.\. \}/,
    );
    expect(() => new optim.Adam([p, { params: [q] }] as never)).toThrow(/Adam: the parameter list mixes tensors and parameter groups/);
    expect(() => new optim.SGD([{ params: [p] }, { params: [q], momentum: 1 }], { lr: 0.1 })).toThrow(
      /SGD \(group 1\): momentum must be in \[0, 1\), got 1/,
    );
    expect(() => new optim.SGD([{ params: [p] }, { params: [q], lr: -1 }], { lr: 0.1 })).toThrow(
      /SGD \(group 1\): lr must be a finite number > 0, got -1/,
    );
    expect(() => new optim.SGD([{ params: [p] }])).toThrow(/SGD: lr must be a finite number > 0, got undefined/);
    expect(() => new optim.Adam([{ params: [] }, { params: [] }])).toThrow(/Adam: got an empty parameter list/);
    const opt = new optim.SGD([{ params: [p] }, { params: [q], lr: 0.1 }], { lr: 0.1 });
    opt.paramGroups[1].lr = Number.NaN;
    expect(() => opt.step()).toThrow(/SGD \(group 1\): lr must be a finite number >= 0, got NaN/);
  });
});

describe('clipGradNorm (torch.nn.utils.clip_grad_norm_)', () => {
  const grads = (): Tensor[] => {
    const a = param(1),
      b = param(2, 4);
    a.grad = tensor([3, 0, -4], { dtype: 'float64' });
    b.grad = tensor([0, 12, 0, 0], { dtype: 'float64' });
    return [a, b];
  };

  it('returns the total 2-norm of all gradients together and scales them by maxNorm / (norm + 1e-6) when above', () => {
    const ps = grads();
    expect(optim.clipGradNorm(ps, 1)).toBe(13); // √(9 + 16 + 144)
    const c = 1 / (13 + 1e-6);
    expect(Array.from(ps[0].grad!.data)).toEqual([3 * c, 0, -4 * c]);
    expect(Array.from(ps[1].grad!.data)).toEqual([0, 12 * c, 0, 0]);
    const after = Math.hypot(...ps.flatMap((p) => Array.from(p.grad!.data)));
    expect(after).toBeLessThanOrEqual(1);
    expect(after).toBeCloseTo(1, 6);
  });

  it('leaves gradients alone when the norm is within maxNorm, and skips parameters without one', () => {
    const ps = grads();
    const none = param(3);
    expect(optim.clipGradNorm([...ps, none], 20)).toBe(13);
    expect(Array.from(ps[0].grad!.data)).toEqual([3, 0, -4]);
    expect(none.grad).toBeNull();
    expect(optim.clipGradNorm([none], 1)).toBe(0);
  });

  it('other norms: 1, 3 and Infinity', () => {
    expect(optim.clipGradNorm(grads(), 100, 1)).toBe(19);
    expect(optim.clipGradNorm(grads(), 100, 3)).toBeCloseTo(Math.cbrt(27 + 64 + 1728), 12);
    const ps = grads();
    expect(optim.clipGradNorm(ps, 6, Infinity)).toBe(12);
    expect(ps[1].grad!.data[1]).toBeCloseTo(6, 5);
  });

  it('works on a float32 model after backward, and a single tensor', () => {
    const net = new nn.MLP([4, 8, 2], { seed: 1 });
    nn.mseLoss(net.forward(randn([16, 4], { seed: 2 })), randn([16, 2], { seed: 3 }))
      .mul(1000)
      .backward();
    const norm = optim.clipGradNorm(net.parameters(), 0.5);
    expect(norm).toBeGreaterThan(0.5);
    const after = Math.sqrt(net.parameters().reduce((s, p) => s + Array.from(p.grad!.data).reduce((a, v) => a + v * v, 0), 0));
    expect(after).toBeCloseTo(0.5, 4);
    const t = param(1);
    t.grad = tensor([6, 8], { dtype: 'float64' });
    expect(optim.clipGradNorm(t, 5)).toBe(10);
  });

  it('a non-finite norm: NaN gradients as PyTorch, or an error with errorIfNonfinite; bad arguments', () => {
    const ps = grads();
    ps[0].grad!.data[1] = Infinity;
    expect(() => optim.clipGradNorm(ps, 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total 2-norm of the gradients is Infinity/);
    expect(Array.from(ps[0].grad!.data)).toEqual([3, Infinity, -4]); // unchanged by the failed call
    const nan = grads();
    nan[1].grad!.data[0] = NaN;
    expect(optim.clipGradNorm(nan, 1, Infinity)).toBeNaN();
    expect(() => optim.clipGradNorm(grads(), -1)).toThrow(/clipGradNorm: maxNorm must be a number >= 0, got -1/);
    expect(() => optim.clipGradNorm(grads(), 1, 0)).toThrow(/clipGradNorm: normType must be a number > 0 or Infinity, got 0/);
  });
});
