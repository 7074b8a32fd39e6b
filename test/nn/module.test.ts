/**
 * Module, Linear, MLP, Sequential, activations, initialisers and the lecture's parameter
 * count: names, shapes, seeding, init statistics, and every bad-input error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nn, randn, tensor, type Tensor } from '../../src/index.js';

const scalars = (ps: Tensor[]): number => ps.reduce((n, p) => n + p.size, 0);

describe('parameterCount (the lecture: Σ N_i·(N_{i−1}+1))', () => {
  it('784-30-10 has 23,860 parameters, by formula and by MLP', () => {
    expect(nn.parameterCount([784, 30, 10])).toBe(23860);
    expect(30 * 785 + 10 * 31).toBe(23860);
    expect(scalars(new nn.MLP([784, 30, 10]).parameters())).toBe(23860);
  });

  it('a neuron with n inputs has n + 1 parameters', () => {
    for (const n of [1, 2, 7, 784]) {
      expect(nn.parameterCount([n, 1])).toBe(n + 1);
      const neuron = new nn.Linear(n, 1);
      expect(neuron.weight.shape).toEqual([n, 1]);
      expect(neuron.bias!.shape).toEqual([1]);
      expect(scalars(neuron.parameters())).toBe(n + 1);
    }
  });

  it('equals the scalars of new MLP(sizes).parameters() and the formula written out (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 6 }), (sizes) => {
        let expected = 0;
        for (let i = 1; i < sizes.length; i++) expected += sizes[i] * (sizes[i - 1] + 1);
        expect(nn.parameterCount(sizes)).toBe(expected);
        const net = new nn.MLP(sizes);
        expect(scalars(net.parameters())).toBe(expected);
        expect(net.parameters()).toHaveLength(2 * (sizes.length - 1));
      }),
      { numRuns: 50 },
    );
  });

  it('rejects fewer than two sizes and non-positive or non-integer sizes', () => {
    expect(() => nn.parameterCount([784])).toThrow(/parameterCount: sizes must list at least two layer sizes.*\[784\]/);
    expect(() => nn.parameterCount([])).toThrow(/at least two layer sizes/);
    expect(() => nn.parameterCount([784, 0, 10])).toThrow(/parameterCount: layer sizes must be positive integers, got \[784,0,10\]/);
    expect(() => nn.parameterCount([784, -3, 10])).toThrow(/positive integers/);
    expect(() => nn.parameterCount([2.5, 3])).toThrow(/positive integers/);
    expect(() => new nn.MLP([3])).toThrow(/MLP: sizes must list at least two layer sizes/);
    expect(() => new nn.MLP([3, 0])).toThrow(/MLP: layer sizes must be positive integers/);
    expect(() => new nn.MLP([3, Number.NaN])).toThrow(/MLP: layer sizes must be positive integers/);
  });
});

describe('Module', () => {
  class Block extends nn.Module {
    readonly inner = this.registerModule('inner', new nn.Linear(2, 3, { seed: 1 }));
    readonly scale = this.registerParameter('scale', tensor([1, 1, 1]));
    forward(x: Tensor): Tensor {
      return this.inner.forward(x).mul(this.scale);
    }
  }
  class Net extends nn.Module {
    readonly a = this.registerModule('a', new Block());
    readonly head = this.registerModule('head', new nn.Linear(3, 1, { seed: 2, bias: false }));
    forward(x: Tensor): Tensor {
      return this.head.forward(this.a.forward(x).tanh());
    }
  }

  it('names parameters with stable dotted names, own first, nested modules included', () => {
    const names = new Net().namedParameters().map(([n]) => n);
    expect(names).toEqual(['a.scale', 'a.inner.weight', 'a.inner.bias', 'head.weight']);
    expect(new Net().namedParameters().map(([n]) => n)).toEqual(names); // stable
    expect(new nn.MLP([4, 3, 2, 1]).namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['layers.0.weight', [4, 3]],
      ['layers.0.bias', [3]],
      ['layers.1.weight', [3, 2]],
      ['layers.1.bias', [2]],
      ['layers.2.weight', [2, 1]],
      ['layers.2.bias', [1]],
    ]);
    const seq = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(seq.forward(randn([3, 2])).shape).toEqual([3, 1]);
  });

  it('parameters require grad; zeroGrad zeroes every gradient in place, nested ones included', () => {
    const net = new Net();
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    net
      .forward(randn([5, 2], { seed: 3 }))
      .sum()
      .backward();
    const grads = net.parameters().map((p) => p.grad);
    expect(grads.every((g) => g !== null && Array.from(g.data).some((v) => v !== 0))).toBe(true);
    net.zeroGrad();
    // Same buffers (the next backward adds into them), all zeros.
    expect(net.parameters().every((p, i) => p.grad === grads[i] && Array.from(p.grad!.data).every((v) => v === 0))).toBe(true);
    net.zeroGrad({ setToNone: true });
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('loadNamedParameters round-trips a model', () => {
    const a = new nn.MLP([3, 4, 2], { seed: 1 }),
      b = new nn.MLP([3, 4, 2], { seed: 2 });
    const x = randn([5, 3], { seed: 9 });
    expect(b.forward(x).toArray()).not.toEqual(a.forward(x).toArray());
    const saved = a.namedParameters().map(([n, p]): [string, Tensor] => [n, p.detach().clone()]);
    b.loadNamedParameters(saved);
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    // copies values: changing the source afterwards does not change b
    saved[0][1].data[0] += 1;
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });

  it('loadNamedParameters rejects a missing, wrongly shaped or unexpected parameter and changes nothing', () => {
    const net = new nn.MLP([3, 4, 2], { seed: 1 });
    const before = net.parameters().map((p) => Array.from(p.data));
    const good = (): [string, Tensor][] => new nn.MLP([3, 4, 2], { seed: 5 }).namedParameters();
    const missing = good().filter(([n]) => n !== 'layers.1.bias');
    expect(() => net.loadNamedParameters(missing)).toThrow(/no value for parameter 'layers\.1\.bias' \(shape \[2\]\)/);
    const wrong = good().map(([n, p]): [string, Tensor] => [n, n === 'layers.0.weight' ? randn([4, 3]) : p]);
    expect(() => net.loadNamedParameters(wrong)).toThrow(/parameter 'layers\.0\.weight' has shape \[3,4\] but the value has shape \[4,3\]/);
    const extra: [string, Tensor][] = [...good(), ['layers.2.weight', randn([2, 2])]];
    expect(() => net.loadNamedParameters(extra)).toThrow(/unexpected parameter 'layers\.2\.weight'/);
    expect(net.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });
});

describe('Linear', () => {
  it('maps [n, in] to [n, out] as x·W + b, and [in] to [out]', () => {
    const layer = new nn.Linear(3, 2, { seed: 4, dtype: 'float64' });
    const x = tensor(
      [
        [1, 2, 3],
        [0, -1, 0.5],
      ],
      { dtype: 'float64' },
    );
    const y = layer.forward(x);
    expect(y.shape).toEqual([2, 2]);
    const W = layer.weight.data,
      b = layer.bias!.data;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let s = b[j];
        for (let k = 0; k < 3; k++) s += x.data[i * 3 + k] * W[k * 2 + j];
        expect(y.data[i * 2 + j]).toBeCloseTo(s, 12);
      }
    }
    expect(layer.forward(tensor([1, 2, 3], { dtype: 'float64' })).shape).toEqual([2]);
    expect(new nn.Linear(3, 2, { bias: false }).parameters()).toHaveLength(1);
    expect(layer.weight.dtype).toBe('float64');
    expect(new nn.Linear(3, 2).weight.dtype).toBe('float32');
  });

  it('errors on a wrong input width, naming the layer, the shape and the expected width', () => {
    const layer = new nn.Linear(3, 2);
    expect(() => layer.forward(tensor([[1, 2]]))).toThrow(/Linear\(3→2\): input of shape \[1,2\] has 2 features, expected 3/);
    expect(() => new nn.MLP([784, 30, 10]).forward(randn([2, 783]))).toThrow(/\[2,783\].*expected 784/);
  });

  it('rejects non-positive or non-integer feature counts', () => {
    expect(() => new nn.Linear(0, 2)).toThrow(/Linear: inFeatures must be a positive integer, got 0/);
    expect(() => new nn.Linear(3, -1)).toThrow(/Linear: outFeatures must be a positive integer, got -1/);
    expect(() => new nn.Linear(1.5, 2)).toThrow(/inFeatures must be a positive integer/);
  });
});

describe('seeding and initialisers', () => {
  it('same seed gives the same init, different seeds differ (Linear and MLP)', () => {
    const values = (m: nn.Module): number[][] => m.parameters().map((p) => Array.from(p.data));
    expect(values(new nn.MLP([5, 4, 3], { seed: 7 }))).toEqual(values(new nn.MLP([5, 4, 3], { seed: 7 })));
    expect(values(new nn.MLP([5, 4, 3], { seed: 7 }))).not.toEqual(values(new nn.MLP([5, 4, 3], { seed: 8 })));
    expect(values(new nn.Linear(5, 4, { seed: 1 }))).toEqual(values(new nn.Linear(5, 4, { seed: 1 })));
    expect(values(new nn.Linear(5, 4, { seed: 1 }))).not.toEqual(values(new nn.Linear(5, 4, { seed: 2 })));
    // the layers of one MLP are not copies of each other
    const net = new nn.MLP([4, 4, 4], { seed: 3 });
    expect(Array.from(net.layers[0].weight.data)).not.toEqual(Array.from(net.layers[1].weight.data));
  });

  /** Sample mean and standard deviation. */
  const stats = (xs: ArrayLike<number>): { mean: number; std: number } => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i];
    const mean = s / xs.length;
    let v = 0;
    for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2;
    return { mean, std: Math.sqrt(v / (xs.length - 1)) };
  };

  // Layer 400→300: 120,000 weights; the sample std is within ~0.2% of the truth (1/√(2N)),
  // so a 3% tolerance is far outside chance and far inside any wrong formula.
  const IN = 400,
    OUT = 300;
  it.each([
    ['normal', 1, 1],
    ['xavier', Math.sqrt(2 / (IN + OUT)), 0],
    ['he', Math.sqrt(2 / IN), 0],
    ['pytorch', 1 / Math.sqrt(3 * IN), 1 / Math.sqrt(3 * IN)],
  ] as const)("init '%s': weight std %f, bias std %f", (init, wStd, bStd) => {
    const layer = new nn.Linear(IN, OUT, { init, seed: 11, dtype: 'float64' });
    const w = stats(layer.weight.data);
    expect(Math.abs(w.mean)).toBeLessThan(0.02 * wStd);
    expect(Math.abs(w.std / wStd - 1)).toBeLessThan(0.03);
    expect(nn.initStd(init, IN, OUT)).toEqual({ weight: wStd, bias: bStd });
    if (bStd === 0) {
      expect(Array.from(layer.bias!.data).every((v) => v === 0)).toBe(true);
    } else {
      // 300 biases: std within ~4% (1σ), allow 20%
      expect(Math.abs(stats(layer.bias!.data).std / bStd - 1)).toBeLessThan(0.2);
    }
  });

  it("init 'pytorch' draws weights and biases uniformly inside ±1/√in, as torch.nn.Linear does", () => {
    const layer = new nn.Linear(IN, OUT, { init: 'pytorch', seed: 5, dtype: 'float64' });
    const bound = 1 / Math.sqrt(IN);
    for (const data of [layer.weight.data, layer.bias!.data]) {
      let lo = Infinity,
        hi = -Infinity;
      for (const v of data) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(lo).toBeGreaterThanOrEqual(-bound);
      expect(hi).toBeLessThanOrEqual(bound);
      // a uniform sample of ≥ 300 values reaches within 5% of both ends
      expect(lo).toBeLessThan(-0.95 * bound);
      expect(hi).toBeGreaterThan(0.95 * bound);
    }
  });

  it("defaults to 'normal' (the lecture's N(0,1))", () => {
    const w = stats(new nn.MLP([400, 300, 1], { seed: 2 }).layers[0].weight.data);
    expect(Math.abs(w.std - 1)).toBeLessThan(0.03);
  });

  it('rejects an unknown initialiser or activation, listing the known ones', () => {
    expect(() => new nn.Linear(3, 2, { init: 'glorot' as never })).toThrow(/init: unknown initialiser 'glorot'; expected one of normal, xavier, he/);
    expect(() => new nn.MLP([3, 2], { init: 'uniform' as never })).toThrow(/unknown initialiser 'uniform'/);
    expect(() => new nn.MLP([3, 2], { activation: 'gelu' as never })).toThrow(
      /activation: unknown activation 'gelu'; expected one of sigmoid, tanh, relu, identity/,
    );
    expect(() => new nn.MLP([3, 2], { outputActivation: 'swish' as never })).toThrow(/unknown activation 'swish'/);
    expect(() => new nn.Activation('elu' as never)).toThrow(/unknown activation 'elu'/);
  });
});

describe('MLP forward and activations', () => {
  it('applies activation to hidden layers and outputActivation to the last', () => {
    const net = new nn.MLP([2, 3, 2], { activation: 'relu', outputActivation: 'identity', seed: 1, dtype: 'float64' });
    const x = tensor(
      [
        [0.5, -1],
        [2, 0.25],
      ],
      { dtype: 'float64' },
    );
    const [l0, l1] = net.layers;
    const hand = l1.forward(l0.forward(x).relu());
    expect(net.forward(x).toArray()).toEqual(hand.toArray());
    const sig = new nn.MLP([2, 3, 2], { seed: 1, dtype: 'float64' }); // default sigmoid everywhere
    expect(sig.forward(x).toArray()).toEqual(sig.layers[1].forward(sig.layers[0].forward(x).sigmoid()).sigmoid().toArray());
  });

  it('activation modules and activate() compute their functions', () => {
    const x = tensor([-2, 0, 3], { dtype: 'float64' });
    expect(new nn.ReLU().forward(x).toArray()).toEqual([0, 0, 3]);
    expect(nn.activate('identity', x).toArray()).toEqual([-2, 0, 3]);
    (new nn.Tanh().forward(x).toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(Math.tanh([-2, 0, 3][i]), 14));
    (new nn.Sigmoid().forward(x).toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-[-2, 0, 3][i])), 14));
    const s = new nn.Softmax().forward(x).toArray() as number[];
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(new nn.Sequential(new nn.ReLU()).parameters()).toEqual([]);
  });
});
