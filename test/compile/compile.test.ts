/**
 * compile(fn): a compiled training step gives the same bits as the eager one, step after step
 * (the lecture's MLP with SGD; Adam with a cosine schedule; float32 and float64); a new
 * signature retraces, an old one stays cached, the cache bound holds; what cannot be replayed
 * is refused with an Error naming compile.
 */
import { describe, expect, it } from 'vitest';
import {
  Value,
  avgPool2d,
  compile,
  conv2d,
  dropout,
  maxPool2d,
  nn,
  noGrad,
  optim,
  randn,
  setWasmKernels,
  tensor,
  useWasm,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { programMemory } from '../../src/autograd/compile/compile.js';

/** Every element of every tensor equal bit for bit (Object.is: -0 ≠ 0, NaN = NaN). */
function sameBits(a: readonly Tensor[], b: readonly Tensor[]): { ok: boolean; where: string } {
  for (let i = 0; i < a.length; i++) {
    const x = a[i].data,
      y = b[i].data;
    if (x.length !== y.length) return { ok: false, where: `tensor ${i}: ${x.length} vs ${y.length} elements` };
    for (let j = 0; j < x.length; j++) if (!Object.is(x[j], y[j])) return { ok: false, where: `tensor ${i} element ${j}: ${x[j]} vs ${y[j]}` };
  }
  return { ok: true, where: '' };
}

/** Seeded batches: inputs in [0, 1) as MNIST pixels, one-hot-ish targets. */
function batches(count: number, batch: number, sizes: readonly number[], dtype: DType): [Tensor, Tensor][] {
  const inF = sizes[0],
    outF = sizes[sizes.length - 1];
  return Array.from({ length: count }, (_, i) => {
    const x = randn([batch, inF], { seed: 1000 + i, dtype }).sigmoid();
    const y = new Float64Array(batch * outF);
    for (let r = 0; r < batch; r++) y[r * outF + ((i * 7 + r * 3) % outF)] = 1;
    return [x, tensor(y, { shape: [batch, outF], dtype })];
  });
}

type Optim = 'sgd' | 'adam-cosine';

/** A model, its optimizer (and schedule) and one training step, the lecture's by default. */
function trainer(sizes: readonly number[], dtype: DType, kind: Optim) {
  const model = new nn.MLP(sizes, { activation: 'sigmoid', seed: 3, dtype });
  const opt = kind === 'sgd' ? new optim.SGD(model.parameters(), { lr: 3 }) : new optim.Adam(model.parameters(), { lr: 0.01 });
  const sched = kind === 'sgd' ? null : new optim.LRScheduler(opt, optim.cosineDecay({ total: 1000 }));
  const step = (x: Tensor, y: Tensor): Tensor => {
    opt.zeroGrad();
    const loss = nn.quadraticCost(model.forward(x), y);
    loss.backward();
    opt.step();
    sched?.step();
    return loss;
  };
  return { model, opt, step };
}

/** Trains `steps` steps eagerly and compiled from the same start and compares every parameter and gradient bit for bit. */
function compareTraining(sizes: readonly number[], dtype: DType, kind: Optim, steps: number, batch = 10): void {
  const data = batches(25, batch, sizes, dtype);
  const eager = trainer(sizes, dtype, kind);
  const comp = trainer(sizes, dtype, kind);
  const step = compile(comp.step);
  for (let s = 0; s < steps; s++) {
    const [x, y] = data[s % data.length];
    const le = eager.step(x, y).item();
    const lc = step(x, y).item();
    if (!Object.is(le, lc)) expect.fail(`step ${s}: loss ${lc} compiled, ${le} eager`);
  }
  const pe = eager.model.parameters(),
    pc = comp.model.parameters();
  const params = sameBits(pe, pc);
  expect(params.ok, params.where).toBe(true);
  const grads = sameBits(
    pe.map((p) => p.grad!),
    pc.map((p) => p.grad!),
  );
  expect(grads.ok, grads.where).toBe(true);
  expect(eager.opt.lr).toBe(comp.opt.lr);
  // The first call made the .grad buffers (not a steady state); the second was traced and kept.
  expect(step.traceCount).toBe(2);
  // Not a vacuous comparison: training moved the parameters.
  const start = trainer(sizes, dtype, kind).model.parameters();
  expect(sameBits(start, pc).ok).toBe(false);
}

describe('compile: eager and compiled training give the same bits', () => {
  it('the lecture MLP 784-30-10, sigmoid, quadratic cost, SGD η=3, batch 10, 1,000 steps (float32)', () => {
    compareTraining([784, 30, 10], 'float32', 'sgd', 1000);
  });
  it('Adam with a cosine LRScheduler, 1,000 steps (float32)', () => {
    compareTraining([784, 30, 10], 'float32', 'adam-cosine', 1000);
  });
  it('float64, SGD and Adam with a schedule', () => {
    compareTraining([64, 16, 10], 'float64', 'sgd', 300);
    compareTraining([64, 16, 10], 'float64', 'adam-cosine', 300);
  });
  it('with the TypeScript kernels (wasm off)', () => {
    const was = useWasm();
    setWasmKernels(false);
    try {
      compareTraining([64, 16, 10], 'float32', 'sgd', 200, 20);
    } finally {
      setWasmKernels(was);
    }
  });
  it('raw tensor ops, a module zeroGrad and a returned tuple', () => {
    const make = () => {
      const w = randn([6, 4], { seed: 1, requiresGrad: true });
      const b = randn([4], { seed: 2, requiresGrad: true });
      const opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
      const f = (x: Tensor, scale: number): [Tensor, Tensor] => {
        opt.zeroGrad();
        const h = x
          .matmul(w.indexSelect(0, [0, 0, 1, 2, 3, 5]))
          .add(b)
          .tanh();
        const loss = h.mul(h).mean().mul(scale).add(h.softmax().max());
        loss.backward();
        opt.step();
        return [loss, h];
      };
      return { w, b, f };
    };
    const e = make(),
      c = make();
    const cf = compile(c.f);
    for (let s = 0; s < 50; s++) {
      const x = randn([5, 6], { seed: 100 + s });
      const [le, he] = e.f(x, 0.5);
      const [lc, hc] = cf(x, 0.5);
      expect(Object.is(le.item(), lc.item())).toBe(true);
      expect(sameBits([he], [hc]).ok).toBe(true);
    }
    expect(sameBits([e.w, e.b], [c.w, c.b]).ok).toBe(true);
  });
});

describe('compile: a small convolutional network, Adam, LayerNorm and more ops', () => {
  it('gives the eager bits, step after step', () => {
    const make = () => {
      const k = randn([4, 1, 3, 3], { seed: 1, requiresGrad: true }),
        b = randn([4], { seed: 2, requiresGrad: true });
      const w = randn([36, 5], { seed: 3, requiresGrad: true });
      const norm = new nn.LayerNorm([5]);
      const params = [k, b, w, ...norm.parameters()];
      const opt = new optim.Adam(params, { lr: 0.01 });
      const f = (x: Tensor, y: Tensor): Tensor => {
        opt.zeroGrad();
        const h = maxPool2d(conv2d(x, k, b, { padding: 1 }).relu(), 2);
        const g = avgPool2d(h, 1).flatten(1).matmul(w);
        const out = norm.forward(g).logSoftmax(1);
        const loss = out.mul(y).sum().neg().add(out.max(1).mean()).add(g.std().mul(0.1)).add(g.clamp(-1, 1).gelu().sum().mul(0.01));
        loss.backward();
        opt.step();
        return loss;
      };
      return { f, params };
    };
    const e = make(),
      c = make();
    const cf = compile(c.f);
    for (let s = 0; s < 20; s++) {
      const x = randn([3, 1, 6, 6], { seed: 10 + s }),
        y = randn([3, 5], { seed: 100 + s }).softmax(1);
      const le = e.f(x, y).item(),
        lc = cf(x, y).item();
      if (!Object.is(le, lc)) expect.fail(`step ${s}: loss ${lc} compiled, ${le} eager`);
    }
    const same = sameBits(e.params, c.params);
    expect(same.ok, same.where).toBe(true);
    expect(cf.traceCount).toBe(2);
  });
});

describe('compile: the cache of traced signatures', () => {
  it('a new batch shape retraces, an old one replays, other arguments count by value', () => {
    const { step } = trainer([20, 8, 3], 'float32', 'sgd');
    const f = compile(step);
    const [x10, y10] = batches(1, 10, [20, 8, 3], 'float32')[0];
    const [x7, y7] = batches(1, 7, [20, 8, 3], 'float32')[0];
    f(x10, y10); // creates the .grad buffers: not kept
    f(x10, y10); // traced
    expect(f.traceCount).toBe(2);
    f(x10, y10);
    expect(f.traceCount).toBe(2);
    f(x7, y7); // a new shape: traced at once (the .grad buffers exist)
    expect(f.traceCount).toBe(3);
    f(x10, y10);
    f(x7, y7);
    expect(f.traceCount).toBe(3);
    expect(f.cacheSize).toBe(2);
    // dtype is part of the signature
    f(x7.astype('float64'), y7.astype('float64'));
    expect(f.traceCount).toBe(4);
  });

  it('retraces when a .grad it writes was replaced between calls (setToNone outside), still the eager bits', () => {
    const sizes = [20, 8, 3];
    const data = batches(6, 10, sizes, 'float32');
    const e = trainer(sizes, 'float32', 'sgd'),
      c = trainer(sizes, 'float32', 'sgd');
    const f = compile(c.step);
    for (let s = 0; s < 12; s++) {
      const [x, y] = data[s % data.length];
      if (s === 5) {
        e.opt.zeroGrad({ setToNone: true });
        c.opt.zeroGrad({ setToNone: true });
      }
      e.step(x, y);
      f(x, y);
    }
    // traced at calls 1 (unsteady), 2; after setToNone at 6 (unsteady, makes new .grad), 7
    expect(f.traceCount).toBe(4);
    expect(sameBits(e.model.parameters(), c.model.parameters()).ok).toBe(true);
    expect(c.model.parameters().every((p) => p.grad !== null)).toBe(true);
  });

  it('keeps at most maxCached signatures, dropping the least recently used', () => {
    const w = randn([4, 2], { seed: 1 });
    const f = compile((x: Tensor) => x.matmul(w).sum(), { maxCached: 2 });
    const x = (rows: number) => randn([rows, 4], { seed: rows });
    f(x(1));
    f(x(2));
    f(x(1)); // 1 is now the most recent
    expect(f.traceCount).toBe(2);
    f(x(3)); // drops 2
    expect(f.cacheSize).toBe(2);
    f(x(1));
    expect(f.traceCount).toBe(3);
    f(x(2)); // traced again
    expect(f.traceCount).toBe(4);
    expect(() => compile((x: Tensor) => x, { maxCached: 0 })).toThrow(/compile: maxCached/);
  });

  it('returns the same tensors each call, holding that call’s values', () => {
    const w = randn([3, 2], { seed: 4 });
    const f = compile((x: Tensor) => x.matmul(w).relu());
    const a = randn([2, 3], { seed: 5 }),
      b = randn([2, 3], { seed: 6 });
    const ra = f(a).toArray();
    const out = f(b);
    expect(out.toArray()).toEqual(b.matmul(w).relu().toArray());
    expect(f(a)).toBe(out); // overwritten by the next call
    expect(out.toArray()).toEqual(ra);
    expect(out.requiresGrad).toBe(false);
  });
});

describe('compile: refuses what a replay would get wrong', () => {
  const w = randn([3, 3], { seed: 7, requiresGrad: true });
  const x = randn([2, 3], { seed: 8 });
  const cases: [string, (x: Tensor) => unknown, RegExp][] = [
    ['item() of a computed value', (x) => x.matmul(w).sum().item(), /compile: .*read element 0.*item\(\)/],
    ['toArray()', (x) => x.exp().toArray(), /compile: .*read element/],
    ['.data[i] of an argument', (x) => x.data[1] * 2, /compile: .*read element 1/],
    ['control flow on a value', (x) => (x.sum().data[0] > 0 ? x.exp() : x.neg()), /compile: .*read element 0/],
    ['a write into op output outside the kernels', (x) => (x.exp().data[0] = 1), /compile: .*wrote element 0/],
    [
      'a tensor made from values inside',
      (x) => x.add(tensor([1, 2, 3])),
      /compile: .*wrote element 0 of a tensor's data outside the backend's kernels/,
    ],
    ['dropout (a frozen random mask)', (x) => dropout(x, 0.5), /compile: rand inside a compiled function .*dropout its mask/],
    ['randn', (x) => x.add(randn([3])), /compile: randn inside a compiled function/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      const f = compile(fn);
      expect(() => f(x)).toThrow(message);
      // Nothing was cached: the next call traces (and refuses) again.
      expect(() => f(x)).toThrow(message);
      expect(f.traceCount).toBe(2);
    });
  }
  it('an argument that requires grad, a non-tensor object, returning an argument', () => {
    expect(() => compile((t: Tensor) => t.exp())(w)).toThrow(/compile: argument 0 .* requires grad/);
    expect(() => compile((o: { t: Tensor }) => o.t.exp())({ t: x })).toThrow(/compile: argument 0 is a object/);
    expect(() => compile((t: Tensor) => t)(x)).toThrow(/compile: .*returned one of its tensor arguments/);
    expect(() => compile((k: number) => [new Value(k).tanh()])(2)).toThrow(/compile: .*returned a Value/);
  });
  it('a step that makes new .grad buffers on every call (setToNone) is refused on the third call', () => {
    const p = randn([3], { seed: 9, requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    const f = compile((v: Tensor) => {
      opt.zeroGrad({ setToNone: true });
      v.mul(p).sum().backward();
      opt.step();
    });
    f(x.reshape([6]).slice(0, 0, 3));
    f(x.reshape([6]).slice(0, 0, 3));
    const before = p.toArray();
    expect(() => f(x.reshape([6]).slice(0, 0, 3))).toThrow(/compile: each of the last two traced calls created new state.*first \.grad/);
    expect(p.toArray()).toEqual(before); // refused before running
  });
});

describe('buffer planning', () => {
  const chain = (x: Tensor, y: Tensor): Tensor[] => {
    const a = x.mul(y).add(1).sigmoid();
    const b = a.mul(a).sub(x).tanh();
    const c = b.exp().mul(0.5).add(a);
    const d = c.sub(b).abs().sqrt();
    return [a, d]; // an early intermediate returned beside the end
  };

  it('intermediates share blocks by lifetime; returned tensors keep their own; same bits as eager', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const f = compile((x: Tensor, y: Tensor) => chain(x, y));
      for (let call = 0; call < 4; call++) {
        const x = randn([64, 64], { seed: 10 + call, dtype }),
          y = randn([64], { seed: 20 + call, dtype });
        const [a, d] = f(x, y);
        const [ea, ed] = noGrad(() => chain(x, y));
        expect(bits(a.data)).toEqual(bits(ea.data));
        expect(bits(d.data)).toEqual(bits(ed.data));
      }
      const [stats] = programMemory(f);
      if (dtype === 'float32' && useWasm()) {
        // Fused: two runs of elementwise ops around exp; of the 10 intermediates only b and
        // exp(b), read outside the runs, are still written
        expect(stats.fused).toBe(2);
        expect(stats.buffers).toBe(2);
      } else {
        // 12 op outputs, 2 of them returned: the other 10 fit in a few blocks
        expect(stats.buffers).toBe(10);
      }
      expect(stats.blocks).toBeLessThanOrEqual(3);
      expect(stats.bytes).toBeLessThanOrEqual(3 * 64 * 64 * (dtype === 'float64' ? 8 : 4));
    }
  });

  it('a training step: gradients flowing between ops share blocks, parameters bit-identical to eager', () => {
    const make = () => {
      const m = new nn.MLP([32, 24, 24, 8], { seed: 4, activation: 'tanh' });
      return { m, opt: new optim.SGD(m.parameters(), { lr: 0.1 }) };
    };
    const body =
      ({ m, opt }: ReturnType<typeof make>) =>
      (x: Tensor, y: Tensor) => {
        opt.zeroGrad();
        const loss = nn.quadraticCost(m.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      };
    const c = make(),
      e = make();
    const step = compile(body(c)),
      eager = body(e);
    for (let i = 0; i < 30; i++) {
      const x = randn([16, 32], { seed: i }),
        y = randn([16, 8], { seed: 100 + i });
      expect(step(x, y).item()).toBe(eager(x, y).item());
    }
    c.m.parameters().forEach((p, i) => expect(bits(p.data)).toEqual(bits(e.m.parameters()[i].data)));
    const [stats] = programMemory(step);
    expect(stats.blocks).toBeLessThan(stats.buffers);
  });
});

function bits(a: Float32Array | Float64Array): number[] {
  const u = a instanceof Float64Array ? new Uint32Array(a.buffer, a.byteOffset, a.length * 2) : new Uint32Array(a.buffer, a.byteOffset, a.length);
  return Array.from(u);
}
