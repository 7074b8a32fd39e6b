/**
 * The worker-thread matmul (src/threads) against the TypeScript twin `matmulInto`: random
 * shapes (ragged against the 4×8 tile, row- and column-split), all four transpose flags,
 * offsets, aliasing and memory growth; the public `a.matmul(b)` (forward and backward)
 * routed through the dispatcher hook; enable/disable cycles that leave no thread behind.
 * Skipped where `enableThreads()` returns false (no worker threads / shared wasm memory).
 */
import { existsSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulInto } from '../../src/autograd/kernels/matmul.js';
import { setParallelMatmul, type ParallelMatmulF32 } from '../../src/autograd/backend/index.js';
import { Rng } from '../../src/autograd/random.js';
import { randn, setWasmKernels, tensor, useWasm } from '../../src/index.js';
import { PARALLEL_MIN_MACS, disableThreads, enableThreads, matmulF32Parallel, threadCount } from '../../src/threads/index.js';

const SENTINEL = 12345.5;
const threadsWork = enableThreads(2);
void disableThreads();

function randomF32(len: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = 2 * rng.uniform() - 1;
  return out;
}

/** Max |actual − expected| must stay within 1e-5·k (|entries| ≤ 1, any summation order). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0,
    at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (!(worst <= tol)) {
    throw new Error(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (|diff| ${worst} > ${tol})`);
  }
}

interface Case {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  offs: [number, number, number];
  seed: number;
}

function check(c: Case): void {
  const {
    m,
    k,
    n,
    transA,
    transB,
    offs: [oo, ao, bo],
    seed,
  } = c;
  const a = randomF32(ao + m * k + 3, seed);
  const b = randomF32(bo + k * n + 3, seed + 1);
  const par = new Float32Array(oo + m * n + 3).fill(SENTINEL);
  const ref = new Float32Array(oo + m * n + 3).fill(SENTINEL);
  matmulF32Parallel(par, oo, a, ao, b, bo, m, k, n, transA, transB);
  matmulInto(ref, oo, a, ao, b, bo, m, k, n, transA, transB);
  const what = `m=${m} k=${k} n=${n} tA=${transA} tB=${transB} offs=${c.offs}`;
  expectClose(par, ref, 1e-5 * Math.max(k, 1), what);
  for (let i = 0; i < oo; i++) expect(par[i], what).toBe(SENTINEL);
  for (let i = oo + m * n; i < par.length; i++) expect(par[i], what).toBe(SENTINEL);
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/** OS threads of this process, where Linux exposes them; null elsewhere. */
function osThreads(): number | null {
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : null;
}

describe.skipIf(!threadsWork)('worker-thread matmul', () => {
  beforeAll(() => {
    expect(enableThreads(2)).toBe(true);
  });
  afterAll(async () => {
    await disableThreads();
  });

  it('splits across two threads', () => {
    expect(threadCount()).toBe(2);
  });

  it('agrees with matmulInto on random ragged shapes, all four transpose flags, with offsets', () => {
    const dim = (max: number) => fc.integer({ min: 1, max });
    fc.assert(
      fc.property(
        fc.record({
          m: dim(90),
          k: fc.integer({ min: 0, max: 90 }),
          n: dim(90),
          transA: fc.boolean(),
          transB: fc.boolean(),
          offs: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
          seed: fc.nat(),
        }),
        (c) => check(c),
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with matmulInto on larger shapes, split by rows and by columns', () => {
    // m ≥ n splits rows of op(A), m < n columns of op(B); sizes off the 4×8 tile and past
    // the kernel's k (256) and m (128) cache blocks.
    const shapes: [number, number, number][] = [
      [257, 300, 129],
      [129, 300, 257],
      [300, 37, 301],
      [7, 520, 203],
      [203, 520, 7],
      [1, 64, 1000],
    ];
    let seed = 1;
    for (const [m, k, n] of shapes) {
      for (const [transA, transB] of FLAGS) check({ m, k, n, transA, transB, offs: [2, 1, 3], seed: seed++ });
    }
  });

  it('handles k = 0, empty outputs and more threads than row blocks', () => {
    const z = new Float32Array(6).fill(7);
    matmulF32Parallel(z, 0, new Float32Array(0), 0, new Float32Array(0), 0, 2, 0, 3, false, true);
    expect([...z]).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float32Array([5]);
    matmulF32Parallel(untouched, 0, new Float32Array(0), 0, new Float32Array(4), 0, 0, 2, 2, false, false);
    expect([...untouched]).toEqual([5]);
    for (const [transA, transB] of FLAGS) check({ m: 2, k: 5, n: 1, transA, transB, offs: [0, 0, 0], seed: 3 });
  });

  it('reads its inputs before writing when out aliases an operand', () => {
    const m = 64,
      k = 64,
      n = 64;
    const a = randomF32(m * k, 1),
      b = randomF32(k * n, 2);
    const expected = new Float32Array(m * n);
    matmulInto(expected, 0, a, 0, b, 0, m, k, n, false, false);
    matmulF32Parallel(a, 0, a, 0, b, 0, m, k, n, false, false);
    expectClose(a, expected, 1e-5 * k, 'aliased');
  });

  it('stays correct as the shared memory grows between calls (small, big, small)', () => {
    check({ m: 16, k: 16, n: 16, transA: false, transB: false, offs: [0, 0, 0], seed: 5 });
    check({ m: 420, k: 300, n: 390, transA: false, transB: true, offs: [1, 0, 2], seed: 6 });
    check({ m: 30, k: 40, n: 50, transA: true, transB: false, offs: [0, 0, 0], seed: 7 });
  });

  it('refuses a call needing more shared memory than its maximum, naming the bytes and the limit, and keeps working', () => {
    // m = n = 1 pads to a 4-row A panel and an 8-column B panel: ~12·k floats of packing, so a
    // 384 MiB operand (allocated, never touched: the check comes first) needs over 4 GiB.
    const k = 3 * 2 ** 25;
    const big = new Float32Array(k);
    expect(() => matmulF32Parallel(new Float32Array(1), 0, big, 0, big, 0, 1, k, 1, false, false)).toThrow(
      /^matmulF32Parallel: needs \d{10} bytes of shared wasm memory for its operands and scratch; the limit is \d+ \(\d+ bytes in all/,
    );
    check({ m: 40, k: 30, n: 20, transA: true, transB: true, offs: [1, 2, 3], seed: 8 });
  });

  it('rejects bad arguments like matmulF32', () => {
    const a = new Float32Array(4);
    expect(() => matmulF32Parallel(new Float32Array(3), 0, a, 0, a, 0, 2, 2, 2, false, false)).toThrow(RangeError);
    expect(() => matmulF32Parallel(new Float32Array(4), 0, a, 0, a, 0, 2.5, 2, 2, false, false)).toThrow(RangeError);
  });

  it('serves the public a.matmul(b) through the dispatcher: forward, backward, batched', () => {
    if (!useWasm()) return; // the hook only applies while the wasm kernels are in use
    let calls = 0;
    const counting: ParallelMatmulF32 = (...args) => {
      calls++;
      matmulF32Parallel(...args);
    };
    setParallelMatmul(counting, PARALLEL_MIN_MACS);
    try {
      const m = 180,
        k = 160,
        n = 170; // m·k·n ≥ PARALLEL_MIN_MACS
      expect(m * k * n).toBeGreaterThanOrEqual(PARALLEL_MIN_MACS);
      const a = randn([m, k], { seed: 11, requiresGrad: true });
      const b = randn([k, n], { seed: 12, requiresGrad: true });
      const c = a.matmul(b);
      expect(calls).toBe(1);
      const ref = new Float32Array(m * n);
      matmulInto(ref, 0, a.data, 0, b.data, 0, m, k, n, false, false);
      expectClose(c.data, ref, 1e-4 * k, 'forward');

      // Backward: dA = G·Bᵀ and dB = Aᵀ·G, both big enough to be split.
      const g = randn([m, n], { seed: 13 });
      c.backward(g);
      expect(calls).toBe(3);
      const dA = new Float32Array(m * k),
        dB = new Float32Array(k * n);
      matmulInto(dA, 0, g.data, 0, b.data, 0, m, n, k, false, true);
      matmulInto(dB, 0, a.data, 0, g.data, 0, k, m, n, true, false);
      expectClose(a.grad!.data, dA, 1e-4 * n, 'dA');
      expectClose(b.grad!.data, dB, 1e-4 * m, 'dB');

      // A batch of 3 products, broadcast over B.
      const rows = Math.ceil(PARALLEL_MIN_MACS / (k * n));
      const x = randn([3, rows, k], { seed: 14 });
      const y = x.matmul(b);
      expect(calls).toBe(6);
      const refB = new Float32Array(3 * rows * n);
      for (let i = 0; i < 3; i++) matmulInto(refB, i * rows * n, x.data, i * rows * k, b.data, 0, rows, k, n, false, false);
      expectClose(y.data, refB, 1e-4 * k, 'batched');

      // Small products stay on the single-threaded kernel.
      const before = calls;
      tensor([
        [1, 2],
        [3, 4],
      ]).matmul(tensor([[5], [6]]));
      expect(calls).toBe(before);
    } finally {
      setParallelMatmul(matmulF32Parallel, PARALLEL_MIN_MACS);
    }
  });

  it('matches a.matmul(b) computed without threads', async () => {
    const a = randn([300, 200], { seed: 21 }),
      b = randn([200, 260], { seed: 22 });
    const threaded = a.matmul(b).data;
    await disableThreads();
    try {
      expect(threadCount()).toBe(1);
      const single = a.matmul(b).data;
      expectClose(threaded, single, 1e-4 * 200, 'threaded vs single');
      setWasmKernels(false);
      const plain = a.matmul(b).data;
      expectClose(threaded, plain, 1e-4 * 200, 'threaded vs TypeScript');
    } finally {
      setWasmKernels(true);
      expect(enableThreads(2)).toBe(true);
    }
  });
});

describe.skipIf(!threadsWork)('enableThreads / disableThreads', () => {
  it('can be enabled and disabled twice, leaving no thread running', async () => {
    await disableThreads();
    const before = osThreads();
    for (let round = 0; round < 2; round++) {
      expect(enableThreads(2)).toBe(true);
      expect(enableThreads(2)).toBe(true); // same count: keeps the pool
      expect(threadCount()).toBe(2);
      check({ m: 130, k: 70, n: 90, transA: round === 1, transB: false, offs: [0, 0, 0], seed: round });
      await disableThreads();
      expect(threadCount()).toBe(1);
      await disableThreads(); // idempotent
    }
    if (before !== null) expect(osThreads()).toBe(before);
  });

  it('restarts with another count; count 1 means off; bad counts throw', async () => {
    expect(enableThreads(3)).toBe(true);
    expect(threadCount()).toBe(3);
    for (const [transA, transB] of FLAGS) check({ m: 101, k: 33, n: 77, transA, transB, offs: [1, 2, 3], seed: 9 });
    for (const [transA, transB] of FLAGS) check({ m: 45, k: 33, n: 177, transA, transB, offs: [1, 2, 3], seed: 10 });
    expect(enableThreads(1)).toBe(false);
    expect(threadCount()).toBe(1);
    expect(() => enableThreads(0)).toThrow(RangeError);
    expect(() => enableThreads(1.5)).toThrow(RangeError);
    // Without threads, matmulF32Parallel is the single-threaded kernel.
    check({ m: 20, k: 20, n: 20, transA: true, transB: true, offs: [0, 0, 0], seed: 4 });
    await disableThreads();
  });
});
