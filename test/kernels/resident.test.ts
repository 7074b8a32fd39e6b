/**
 * Resident arrays: float32 storage inside the wasm kernels' linear memory, used in place by
 * the kernels (parameters and their gradients). The block bookkeeping against a model of it,
 * views surviving memory growth, every kernel giving the same bits on resident and ordinary
 * operands, and training giving the same bits whether gradients are added into kept buffers
 * (zeroGrad in place) or made fresh (setToNone).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockAllocator } from '../../src/autograd/kernels/wasm/blocks.js';
import {
  adamUpdateF32,
  isResident,
  linearForwardF32,
  matmulF32,
  residentF32,
  sgdMomentumF32,
  sgdUpdateF32,
  wasmAvailable,
  zeroF32,
} from '../../src/autograd/kernels/wasm/index.js';
import { isResidentData, setWasmKernels } from '../../src/autograd/backend/index.js';
import { randomF32 } from '../helpers/arrays.js';
import { grad, linear, nn, optim, randn, tensor, type Tensor } from '../../src/index.js';

const RUNS = Number(process.env.TG_PROPERTY_RUNS ?? 30);

/** A resident copy of `src` (the test needs wasm with shared memory, checked below). */
function resident(src: Float32Array): Float32Array {
  if (src.length === 0) return src; // nothing to place
  const r = residentF32(src.length);
  if (r === null) throw new Error('residentF32 returned null');
  r.set(src);
  return r;
}

describe('BlockAllocator', () => {
  it('keeps live blocks disjoint, aligned and below top; frees back to the floor', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), bytes: fc.integer({ min: 1, max: 5000 }) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const floor = 1024;
        const a = new BlockAllocator(floor);
        const live = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const start = a.allocate(o.bytes);
            expect(start % 16).toBe(0);
            expect(start).toBeGreaterThanOrEqual(floor);
            const size = (o.bytes + 15) & ~15;
            for (const [s, n] of live) expect(start + size <= s || s + n <= start).toBe(true);
            live.set(start, size);
            expect(a.sizeOf(start)).toBe(size);
          } else if (live.size > 0) {
            const starts = [...live.keys()];
            const start = starts[o.pick % starts.length];
            a.release(start);
            a.release(start); // a second release of the same block changes nothing
            live.delete(start);
            expect(a.sizeOf(start)).toBe(0);
          }
          for (const [s, n] of live) expect(s + n).toBeLessThanOrEqual(a.top);
          expect(a.count).toBe(live.size);
        }
        for (const s of live.keys()) a.release(s);
        expect(a.top).toBe(floor);
        expect(a.count).toBe(0);
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it('reuses a freed gap (first fit) instead of growing', () => {
    const a = new BlockAllocator(0);
    const x = a.allocate(64),
      y = a.allocate(64),
      z = a.allocate(64);
    a.release(y);
    expect(a.allocate(32)).toBe(y);
    expect(a.allocate(32)).toBe(y + 32);
    expect(a.top).toBe(z + 64);
    a.release(z);
    expect(a.top).toBe(z);
    expect(x).toBe(0);
  });
});

describe.runIf(wasmAvailable() && residentF32(1) !== null)('resident arrays', () => {
  it('are zeroed and recognised', () => {
    const r = residentF32(1000)!;
    expect(Array.from(r).every((v) => v === 0)).toBe(true);
    expect(isResident(r)).toBe(true);
    expect(isResident(new Float32Array(1000))).toBe(false);
    expect(isResident(r.subarray(8))).toBe(false); // not the start of a block
    r.set(randomF32(1000, 1));
    const again = residentF32(1000)!; // a different block
    expect(Array.from(again).every((v) => v === 0)).toBe(true);
    expect(Array.from(r)).toEqual(Array.from(randomF32(1000, 1)));
  });

  it('zeroF32 clears resident and ordinary arrays', () => {
    for (const arr of [resident(randomF32(37, 2)), randomF32(37, 3)]) {
      zeroF32(arr);
      expect(Array.from(arr).every((v) => v === 0)).toBe(true);
    }
  });

  it('matmulF32 gives the same bits with any operand resident, accumulating or not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 7 }),
        fc.nat(),
        (m, k, n, transA, transB, accumulate, mask, seed) => {
          const a = randomF32(m * k, seed),
            b = randomF32(k * n, seed + 1),
            c0 = randomF32(m * n, seed + 2);
          const plain = c0.slice();
          matmulF32(plain, 0, a, 0, b, 0, m, k, n, transA, transB, accumulate);
          const A = mask & 1 ? resident(a) : a,
            B = mask & 2 ? resident(b) : b;
          const C = mask & 4 ? resident(c0) : c0.slice();
          matmulF32(C, 0, A, 0, B, 0, m, k, n, transA, transB, accumulate);
          expect(Array.from(C)).toEqual(Array.from(plain));
          expect(Array.from(A)).toEqual(Array.from(a)); // inputs untouched
          expect(Array.from(B)).toEqual(Array.from(b));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('matmulF32 with the output aliasing a resident operand', () => {
    const n = 24;
    const a = randomF32(n * n, 5),
      b = randomF32(n * n, 6);
    const want = new Float32Array(n * n);
    matmulF32(want, 0, a, 0, b, 0, n, n, n, false, false);
    const B = resident(b);
    matmulF32(B, 0, a, 0, B, 0, n, n, n, false, false);
    expect(Array.from(B)).toEqual(Array.from(want));
  });

  it('linearForwardF32 and sgdUpdateF32 give the same bits on resident weights, bias, parameters and gradients', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        (batch, inF, outF, act, seed) => {
          const x = randomF32(batch * inF, seed),
            w = randomF32(inF * outF, seed + 1),
            bias = randomF32(outF, seed + 2);
          const want = new Float32Array(batch * outF),
            got = new Float32Array(batch * outF);
          linearForwardF32(want, x, w, bias, batch, inF, outF, act as 0 | 1 | 2 | 3);
          linearForwardF32(got, x, resident(w), resident(bias), batch, inF, outF, act as 0 | 1 | 2 | 3);
          expect(Array.from(got)).toEqual(Array.from(want));

          const p = w.slice(),
            g = randomF32(w.length, seed + 3);
          sgdUpdateF32(p, g, 0.3);
          const P = resident(w),
            G = resident(g);
          sgdUpdateF32(P, G, 0.3);
          expect(Array.from(P)).toEqual(Array.from(p));
          const P2 = resident(w);
          sgdUpdateF32(P2, g, 0.3); // resident parameter, ordinary gradient
          expect(Array.from(P2)).toEqual(Array.from(p));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe.runIf(wasmAvailable())('sgdMomentumF32', () => {
  it("follows PyTorch's momentum rule (computed in float64) to float32 rounding, in place on resident arrays or not", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(), (n, nesterov, first, resident3, seed) => {
        const p0 = randomF32(n, seed),
          g = randomF32(n, seed + 1),
          v0 = randomF32(n, seed + 2);
        const lr = 0.1,
          mu = 0.9,
          wd = 0.01;
        const p = resident3 ? resident(p0) : p0.slice(),
          v = resident3 ? resident(v0) : v0.slice();
        sgdMomentumF32(p, resident3 ? resident(g) : g, v, lr, mu, wd, nesterov, first);
        for (let i = 0; i < n; i++) {
          const d = g[i] + wd * p0[i];
          const vel = first ? d : mu * v0[i] + d;
          const want = p0[i] - lr * (nesterov ? d + mu * vel : vel);
          expect(Math.abs(v[i] - vel)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(vel)));
          expect(Math.abs(p[i] - want)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want)));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe.runIf(wasmAvailable())('adamUpdateF32', () => {
  it("follows PyTorch's Adam/AdamW rule (computed in float64) to float32 rounding", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (n, t, decoupled, resident4, seed) => {
          const p0 = randomF32(n, seed),
            g = randomF32(n, seed + 1),
            m0 = randomF32(n, seed + 2);
          const v0 = randomF32(n, seed + 3, 0, 0.01);
          const lr = 1e-3,
            b1 = 0.9,
            b2 = 0.999,
            eps = 1e-8,
            wd = 0.01;
          const h = { lr, beta1: b1, beta2: b2, eps, l2: decoupled ? 0 : wd, shrink: decoupled ? 1 - lr * wd : 1, c1: 1 - b1 ** t, c2: 1 - b2 ** t };
          const place = (a: Float32Array) => (resident4 ? resident(a) : a.slice());
          const p = place(p0),
            m = place(m0),
            v = place(v0);
          adamUpdateF32(p, place(g), m, v, h);
          for (let i = 0; i < n; i++) {
            const d = g[i] + h.l2 * p0[i];
            const mi = b1 * m0[i] + (1 - b1) * d,
              vi = b2 * v0[i] + (1 - b2) * d * d;
            const want = p0[i] * h.shrink - (lr * (mi / h.c1)) / (Math.sqrt(vi / h.c2) + eps);
            expect(Math.abs(m[i] - mi)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(mi)));
            expect(Math.abs(v[i] - vi)).toBeLessThanOrEqual(1e-6 * (1e-3 + Math.abs(vi)));
            expect(Math.abs(p[i] - want)).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(want)));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('gradients added into kept buffers', () => {
  /** Trains an MLP for a few steps and returns every parameter's values and gradients after each. */
  function train(setToNone: boolean, dtype: 'float32' | 'float64', batch: number): number[][] {
    const net = new nn.MLP([20, 12, 5], { activation: 'sigmoid', seed: 4, dtype });
    const opt = new optim.SGD(net.parameters(), { lr: 0.5, momentum: 0.5 });
    const trace: number[][] = [];
    for (let t = 0; t < 4; t++) {
      const x = randn([batch, 20], { seed: 10 + t, dtype }),
        y = randn([batch, 5], { seed: 20 + t, dtype });
      opt.zeroGrad({ setToNone });
      nn.quadraticCost(net.forward(x), y).backward();
      for (const p of net.parameters()) trace.push(Array.from(p.grad!.data));
      opt.step();
      for (const p of net.parameters()) trace.push(Array.from(p.data));
    }
    return trace;
  }

  for (const dtype of ['float32', 'float64'] as const) {
    for (const batch of [3, 300]) {
      it(`zeroGrad() in place and zeroGrad({ setToNone: true }) train identically (${dtype}, batch ${batch})`, () => {
        expect(train(false, dtype, batch)).toEqual(train(true, dtype, batch));
      });
    }
  }

  for (const dtype of ['float32', 'float64'] as const) {
    it(`raw matmul parameters (transposed too) train identically with kept or fresh gradients (${dtype})`, () => {
      const run = (setToNone: boolean): number[][] => {
        const w1 = randn([20, 16], { seed: 1, dtype, requiresGrad: true });
        const w2t = randn([5, 16], { seed: 2, dtype, requiresGrad: true }); // used transposed
        const opt = new optim.SGD([w1, w2t], { lr: 0.1 });
        const trace: number[][] = [];
        for (let t = 0; t < 3; t++) {
          const x = randn([7, 20], { seed: 30 + t, dtype });
          opt.zeroGrad({ setToNone });
          x.matmul(w1)
            .tanh()
            .matmul(w2t.transpose([1, 0]))
            .square()
            .sum()
            .backward();
          trace.push(Array.from(w1.grad!.data), Array.from(w2t.grad!.data));
          opt.step();
        }
        return trace;
      };
      expect(run(false)).toEqual(run(true));
    });
  }

  it('two backward() calls add up in the kept buffer', () => {
    const net = new nn.MLP([6, 4, 3], { seed: 2 });
    const x = randn([5, 6], { seed: 1 });
    const once = (): void => net.forward(x).sum().backward();
    once();
    const first = net.parameters().map((p) => Array.from(p.grad!.data));
    net.zeroGrad();
    once();
    once();
    net.parameters().forEach((p, i) => {
      Array.from(p.grad!.data).forEach((v, j) => expect(v).toBeCloseTo(2 * first[i][j], 5));
    });
  });

  it('grad() and createGraph backward() leave an existing .grad alone or add to it, never write into it early', () => {
    const lin = new nn.Linear(3, 2, { seed: 1 });
    const x = randn([4, 3], { seed: 2 });
    lin.forward(x).sum().backward();
    const kept = Array.from(lin.weight.grad!.data);
    const f = (w: Tensor): Tensor => linear(x, w, lin.bias).sum();
    const g = grad(f)(lin.weight);
    expect(Array.from(lin.weight.grad!.data)).toEqual(kept);
    expect(Array.from(g.data)).toEqual(kept);
    lin.forward(x).sum().backward(undefined, { createGraph: true });
    Array.from(lin.weight.grad!.data).forEach((v, j) => expect(v).toBeCloseTo(2 * kept[j], 5));
  });

  it('Linear parameters are resident exactly when the wasm kernels are on', () => {
    const on = new nn.Linear(4, 3);
    setWasmKernels(false);
    try {
      const off = new nn.Linear(4, 3);
      expect(isResidentData(off.weight.data)).toBe(false);
    } finally {
      setWasmKernels(true);
    }
    expect(isResidentData(on.weight.data)).toBe(wasmAvailable() && residentF32(1) !== null);
    expect(isResidentData(tensor([1, 2, 3]).data)).toBe(false);
  });
});
