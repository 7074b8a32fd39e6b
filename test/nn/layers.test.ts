/**
 * Conv2d, MaxPool2d, AvgPool2d, Dropout and Embedding as layers: PyTorch's default
 * initialisation (bounds and spread), seeding, gradients of the layers' outputs with respect
 * to input and parameters against finite differences (float64, small shapes), train/eval,
 * state dicts and both save layouts round-tripping bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { gradcheck, nn, randn, tensor, type GradcheckReport, type Tensor } from '../../src/index.js';

function expectOk(r: GradcheckReport): void {
  expect(r.failures, JSON.stringify(r.worst)).toEqual([]);
  expect(r.ok).toBe(true);
}

/** Checks the gradient of sum(layer(x)·c) with respect to x and every parameter, through the layer itself. */
function checkLayer(layer: nn.Module, x: Tensor): void {
  const params = layer.parameters();
  expectOk(gradcheck((xx: Tensor) => layer.forward(xx), [x, ...params]));
}

describe('nn.Conv2d', () => {
  it('has PyTorch shapes and its default init U(±1/√fan_in) for weight and bias, seeded', () => {
    const conv = new nn.Conv2d(6, 16, 5, { seed: 3 });
    expect(conv.weight.shape).toEqual([16, 6, 5, 5]);
    expect(conv.bias!.shape).toEqual([16]);
    const bound = 1 / Math.sqrt(6 * 25);
    const w = [...conv.weight.data];
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    // Uniform on ±b has standard deviation b/√3: far from N(0,1) or from He's √(2/fan_in).
    const sd = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(sd).toBeGreaterThan(0.9 * (bound / Math.sqrt(3)));
    expect(sd).toBeLessThan(1.1 * (bound / Math.sqrt(3)));
    expect(Math.max(...[...conv.bias!.data].map(Math.abs))).toBeLessThanOrEqual(bound);
    expect([...new nn.Conv2d(6, 16, 5, { seed: 3 }).weight.data]).toEqual(w);
    expect([...new nn.Conv2d(6, 16, 5, { seed: 4 }).weight.data]).not.toEqual(w);
    // groups divide fan_in.
    const g = new nn.Conv2d(4, 8, 3, { groups: 2, seed: 1 });
    expect(g.weight.shape).toEqual([8, 2, 3, 3]);
    expect(Math.max(...[...g.weight.data].map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(2 * 9));
  });

  it('computes the cross-correlation plus bias (a 1×1 kernel is a per-pixel linear map)', () => {
    const conv = new nn.Conv2d(2, 1, 1, { dtype: 'float64' });
    conv.weight.data.set([2, -1]);
    conv.bias!.data.set([0.5]);
    const x = tensor([[[[1, 2]], [[3, 4]]]], { dtype: 'float64' }); // [1, 2, 1, 2]
    expect(conv.forward(x).toArray()).toEqual([[[[2 - 3 + 0.5, 4 - 4 + 0.5]]]]);
    expect(new nn.Conv2d(1, 2, 3, { padding: 1, stride: 2 }).forward(randn([2, 1, 7, 7])).shape).toEqual([2, 2, 4, 4]);
  });

  it('has exact gradients for input, weight and bias (stride, padding, groups)', () => {
    checkLayer(new nn.Conv2d(2, 3, 3, { dtype: 'float64', seed: 1 }), randn([2, 2, 5, 4], { dtype: 'float64', seed: 2 }));
    checkLayer(
      new nn.Conv2d(4, 2, [2, 3], { stride: 2, padding: 1, groups: 2, dtype: 'float64', seed: 3 }),
      randn([1, 4, 5, 5], { dtype: 'float64', seed: 4 }),
    );
    checkLayer(new nn.Conv2d(1, 2, 2, { bias: false, dilation: 2, dtype: 'float64', seed: 5 }), randn([2, 1, 5, 5], { dtype: 'float64', seed: 6 }));
  });

  it('rejects bad sizes and inputs, naming the layer', () => {
    expect(() => new nn.Conv2d(0, 4, 3)).toThrow(/Conv2d: inChannels must be a positive integer, got 0/);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/Conv2d: groups must be a positive integer dividing inChannels \(3\)/);
    expect(() => new nn.Conv2d(1, 4, 0)).toThrow(/Conv2d/);
    expect(() => new nn.Conv2d(3, 4, 3).forward(randn([1, 2, 8, 8]))).toThrow(/Conv2d\(3→4\): expected input \[N, 3, H, W\], got \[1,2,8,8\]/);
  });
});

describe('nn.MaxPool2d / nn.AvgPool2d', () => {
  const x = tensor([
    [
      [
        [1, 2, 5, 0],
        [3, 4, -1, 7],
        [0, 0, 1, 1],
        [8, 0, 1, 2],
      ],
    ],
  ]);
  it('take the maximum / mean of each window (stride = kernel by default)', () => {
    expect(new nn.MaxPool2d(2).forward(x).toArray()).toEqual([
      [
        [
          [4, 7],
          [8, 2],
        ],
      ],
    ]);
    expect(new nn.AvgPool2d(2).forward(x).toArray()).toEqual([
      [
        [
          [2.5, 2.75],
          [2, 1.25],
        ],
      ],
    ]);
    expect(new nn.MaxPool2d(3, { stride: 1 }).forward(x).shape).toEqual([1, 1, 2, 2]);
    expect(new nn.MaxPool2d(2).parameters()).toEqual([]);
  });
  it('have exact gradients', () => {
    const xs = randn([2, 3, 6, 5], { dtype: 'float64', seed: 7 });
    checkLayer(new nn.MaxPool2d(2), xs);
    checkLayer(new nn.AvgPool2d([3, 2], { stride: 2, padding: 1 }), xs);
  });
  it('reject padding above half the kernel', () => {
    expect(() => new nn.MaxPool2d(2, { padding: 2 })).toThrow(/MaxPool2d: padding \[2,2\] must be at most half the kernel/);
  });
});

describe('nn.Dropout', () => {
  it('drops with probability p and scales by 1/(1−p) in training; identity in eval', () => {
    const drop = new nn.Dropout(0.25, { seed: 1 });
    const y = [...drop.forward(tensor(new Float32Array(4000).fill(1))).data];
    expect(new Set(y)).toEqual(new Set([0, 1 / 0.75].map(Math.fround)));
    const dropped = y.filter((v) => v === 0).length / y.length;
    expect(dropped).toBeGreaterThan(0.22);
    expect(dropped).toBeLessThan(0.28);
    const x = randn([3, 4]);
    expect(drop.eval().forward(x)).toBe(x);
    expect(drop.train().training).toBe(true);
  });
  it('is seeded, draws a new mask per call, and manualSeed restarts it', () => {
    const a = new nn.Dropout(0.5, { seed: 9 }),
      b = new nn.Dropout(0.5, { seed: 9 });
    const x = randn([64]);
    const first = [...a.forward(x).data];
    expect([...b.forward(x).data]).toEqual(first);
    expect([...a.forward(x).data]).not.toEqual(first);
    expect([...a.manualSeed(9).forward(x).data]).toEqual(first);
  });
  it('passes the gradient through the kept elements, scaled', () => {
    const x = randn([50], { requiresGrad: true });
    const y = new nn.Dropout(0.5, { seed: 2 }).forward(x);
    y.sum().backward();
    expect([...x.grad!.data]).toEqual([...y.data].map((v, i) => (v === 0 ? 0 : Math.fround(v / x.data[i]))));
  });
  it('rejects p outside [0, 1]', () => {
    expect(() => new nn.Dropout(1.5)).toThrow(/Dropout: p must be a probability in \[0, 1\], got 1.5/);
  });
});

describe('nn.Embedding', () => {
  it('looks rows up, initialised N(0, 1) and seeded', () => {
    const emb = new nn.Embedding(1000, 8, { seed: 4 });
    const w = [...emb.weight.data];
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    const out = emb.forward(
      tensor([
        [3, 0],
        [3, 999],
      ]),
    );
    expect(out.shape).toEqual([2, 2, 8]);
    expect([...out.data.subarray(0, 8)]).toEqual(w.slice(24, 32));
    expect([...out.data.subarray(24, 32)]).toEqual(w.slice(999 * 8, 1000 * 8));
    expect([...new nn.Embedding(1000, 8, { seed: 4 }).weight.data]).toEqual(w);
  });
  it('adds the gradients of repeated lookups into their row (checked against finite differences)', () => {
    const emb = new nn.Embedding(5, 3, { dtype: 'float64', seed: 1 });
    const y = emb.lookup([2, 2, 4]);
    y.sum().backward();
    expect(Array.from(emb.weight.grad!.data)).toEqual([0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1]);
    expectOk(gradcheck(() => emb.lookup([1, 1, 0, 4], [2, 2]).square(), [emb.weight]));
  });
  it('rejects indices outside [0, count), naming the position', () => {
    expect(() => new nn.Embedding(4, 2).lookup([0, 4])).toThrow(/Embedding\(4, 2\): index 4 \(position 1\) is not an integer in \[0, 4\)/);
    expect(() => new nn.Embedding(4, 2).lookup([0.5])).toThrow(/position 0/);
  });
});

describe('state dicts and files of a CNN', () => {
  class Tiny extends nn.Module {
    conv = this.registerModule('conv', new nn.Conv2d(1, 3, 3, { seed: 1 }));
    pool = this.registerModule('pool', new nn.MaxPool2d(2));
    drop = this.registerModule('drop', new nn.Dropout(0.5));
    emb = this.registerModule('emb', new nn.Embedding(4, 2, { seed: 2 }));
    fc = this.registerModule('fc', new nn.Linear(12, 2, { seed: 3 }));
    forward(x: Tensor): Tensor {
      return this.fc.forward(this.drop.forward(this.pool.forward(this.conv.forward(x).relu()).flatten(1)));
    }
  }

  it('names conv weights [out, in, kH, kW] in both layouts and round-trips bit for bit', () => {
    const a = new Tiny();
    expect([...a.stateDict().keys()]).toEqual(['conv.weight', 'conv.bias', 'emb.weight', 'fc.weight', 'fc.bias']);
    expect(a.stateDict({ layout: 'pytorch' }).get('conv.weight')!.shape).toEqual([3, 1, 3, 3]);
    expect(a.stateDict({ layout: 'pytorch' }).get('emb.weight')!.shape).toEqual([4, 2]);
    expect(a.stateDict({ layout: 'pytorch' }).get('fc.weight')!.shape).toEqual([2, 12]);
    const x = randn([2, 1, 6, 6], { seed: 5 });
    for (const layout of ['tensorgrad', 'pytorch'] as const) {
      const b = new Tiny();
      for (const p of b.parameters()) p.data.fill(0);
      nn.moduleFromBytes(b, nn.moduleToBytes(a, { layout }));
      for (const [[name, p], [, q]] of a.namedParameters().map((e, i) => [e, b.namedParameters()[i]] as const)) {
        expect(
          Buffer.from(q.data.buffer, q.data.byteOffset, q.data.byteLength).equals(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)),
          `${layout} ${name}`,
        ).toBe(true);
      }
      a.eval();
      b.eval();
      expect([...b.forward(x).data]).toEqual([...a.forward(x).data]);
      a.train();
    }
  });

  it('refuses a conv weight of the wrong shape, naming the key', () => {
    const a = new Tiny();
    const state = new Map(a.stateDict());
    state.set('conv.weight', randn([3, 1, 5, 5]));
    expect(() => new Tiny().loadStateDict(state)).toThrow(/conv\.weight/);
  });
});
