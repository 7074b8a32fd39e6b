/**
 * One thread and two give the same bits. The parallel matmul splits the output into blocks of
 * whole rows (or whole columns) and runs the same wasm kernel on each; the kernel's k loop
 * (KC-blocks summed in order, each added to the running total, then bias and activation) does
 * not depend on m or n, nor on whether B is packed or read in place (small m). So each output
 * element is the same float32 computation whichever thread makes it. Checked here:
 * - matmulF32Parallel against matmulF32 (the single-thread wasm kernel) bit for bit: random
 *   shapes on both sides of the kernel's blocks (KC = 256, MC = 128, DIRECT_B_MAX_M = 16),
 *   all four transpose flags, overwrite and accumulate; linearF32Parallel against
 *   linearForwardF32 with and without bias, every activation;
 * - training steps of the CLI's CNN (whose conv and linear products cross
 *   PARALLEL_MIN_MACS) and of the lecture MLP (with the threshold lowered to 0 so that its
 *   small products are split too), every parameter compared byte for byte after the steps.
 * Skipped where `enableThreads()` returns false.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setParallelMatmul, useWasm } from '../../src/autograd/backend/index.js';
import { linearForwardF32, matmulF32, type WasmActivationCode } from '../../src/autograd/kernels/wasm/index.js';
import { Rng } from '../../src/autograd/random.js';
import { parseTrainArgs } from '../../src/cli/args.js';
import { Trainer, type TrainSplits } from '../../src/cli/train.js';
import { PARALLEL_MIN_MACS, disableThreads, enableThreads, linearF32Parallel, matmulF32Parallel } from '../../src/threads/index.js';
import { propertyRuns } from '../helpers/arbitraries.js';

const threadsWork = enableThreads(2) && useWasm();
void disableThreads();

function randomF32(len: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = 2 * rng.uniform() - 1;
  return out;
}

/** Index of the first element whose bits differ (NaN payloads included), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length),
    y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectSameBits(par: Float32Array, single: Float32Array, what: string): void {
  const at = firstDifference(par, single);
  if (at >= 0) throw new Error(`${what}: element ${at} is ${par[at]} on two threads, ${single[at]} on one`);
}

interface MatmulCase {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  seed: number;
}

function checkMatmul(c: MatmulCase): void {
  const { m, k, n, transA, transB, accumulate, seed } = c;
  const a = randomF32(m * k, seed),
    b = randomF32(k * n, seed + 1);
  const start = randomF32(m * n, seed + 2); // what accumulate adds to
  const single = start.slice(),
    par = start.slice();
  matmulF32(single, 0, a, 0, b, 0, m, k, n, transA, transB, accumulate);
  matmulF32Parallel(par, 0, a, 0, b, 0, m, k, n, transA, transB, accumulate);
  expectSameBits(par, single, `matmul m=${m} k=${k} n=${n} tA=${transA} tB=${transB} acc=${accumulate}`);
}

/** Training splits of MNIST's shape (784 pixels, 10 classes) from a seeded generator. */
function synthetic(count: number, seed: number): TrainSplits['train'] {
  const rng = new Rng(seed);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform();
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(rng.uniform() * 10);
  return { images, labels, count, features: 784 };
}

/** Every parameter's bytes after `steps` mini-batches of the CLI's trainer. */
function trainedBytes(args: string[], splits: TrainSplits, steps: number): Uint8Array[] {
  const t = new Trainer(parseTrainArgs(args), splits);
  const it = t.steps();
  for (let i = 0; i < steps; i++) it.next();
  return t.model.parameters().map((p) => new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength).slice());
}

/** Counts the calls that reach the two-thread kernels. */
function countCalls(minMacs: number): { calls: number } {
  const count = { calls: 0 };
  setParallelMatmul(
    (...args) => {
      count.calls++;
      matmulF32Parallel(...args);
    },
    minMacs,
    (...args) => {
      count.calls++;
      linearF32Parallel(...args);
    },
  );
  return count;
}

describe.skipIf(!threadsWork)('two threads give the bits of one', () => {
  beforeAll(() => {
    expect(enableThreads(2)).toBe(true);
  });
  afterAll(async () => {
    await disableThreads();
  });

  it('matmul: random shapes, every transpose flag, overwrite and accumulate', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 150 }),
          k: fc.integer({ min: 0, max: 300 }),
          n: fc.integer({ min: 1, max: 150 }),
          transA: fc.boolean(),
          transB: fc.boolean(),
          accumulate: fc.boolean(),
          seed: fc.nat(),
        }),
        (c) => checkMatmul(c),
      ),
      { numRuns: propertyRuns(60) },
    );
  });

  it('matmul: the CNN step shapes and shapes across the kernel blocks', () => {
    const shapes: [number, number, number][] = [
      [64, 800, 512], // conv2 forward (w · cols)
      [800, 64, 512], // conv2 input gradient (wᵀ · g)
      [64, 512, 800], // conv2 weight gradient (g · colsᵀ), accumulated
      [1024, 64, 128], // linear 1024→128 weight gradient
      [24, 520, 40], // 24 rows pack B; the 12-row halves read it in place (DIRECT_B_MAX_M = 16)
      [257, 513, 9], // past MC and two KC blocks, row split
      [9, 513, 257], // column split
    ];
    let seed = 100;
    for (const [m, k, n] of shapes) {
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const accumulate of [false, true]) checkMatmul({ m, k, n, transA, transB, accumulate, seed: seed++ });
    }
  });

  it('linear forward: bias or none, every activation, row and column splits', () => {
    const shapes: [number, number, number][] = [
      [64, 1024, 128],
      [200, 300, 37],
      [10, 784, 30],
      [3, 260, 90],
    ];
    let seed = 200;
    for (const [batch, inF, outF] of shapes) {
      const x = randomF32(batch * inF, seed++),
        w = randomF32(inF * outF, seed++),
        bias = randomF32(outF, seed++);
      for (const b of [bias, null]) {
        for (const act of [0, 1, 2, 3] as WasmActivationCode[]) {
          const single = new Float32Array(batch * outF),
            par = new Float32Array(batch * outF);
          linearForwardF32(single, x, w, b, batch, inF, outF, act);
          linearF32Parallel(par, x, w, b, batch, inF, outF, act);
          expectSameBits(par, single, `linear ${batch}×${inF}·${inF}×${outF} bias=${b !== null} act=${act}`);
        }
      }
    }
  });

  it('the CLI CNN: 3 steps on 1 and 2 threads leave every parameter byte equal', async () => {
    const splits: TrainSplits = { train: synthetic(192, 1), validation: synthetic(0, 2), test: synthetic(10, 3) };
    const args = ['--arch', 'cnn', '--epochs', '1'];
    const count = countCalls(PARALLEL_MIN_MACS);
    const two = trainedBytes(args, splits, 3);
    // conv 2 forward, input and weight gradients per chunk, linear 1024→128 forward and gradients.
    expect(count.calls).toBeGreaterThan(3 * 10);
    await disableThreads();
    const one = trainedBytes(args, splits, 3);
    expect(enableThreads(2)).toBe(true);
    expect(two.length).toBe(one.length);
    for (let i = 0; i < one.length; i++) expect(Buffer.from(two[i]).equals(Buffer.from(one[i])), `parameter ${i}`).toBe(true);
    // And the steps changed the parameters (a test that trains nothing proves nothing).
    const fresh = trainedBytes(args, splits, 0);
    expect(fresh.some((p, i) => !Buffer.from(p).equals(Buffer.from(one[i])))).toBe(true);
  }, 60_000);

  it('the lecture MLP with every product split: 20 steps on 1 and 2 threads, same bytes', async () => {
    const splits: TrainSplits = { train: synthetic(200, 4), validation: synthetic(0, 5), test: synthetic(10, 6) };
    const count = countCalls(0);
    try {
      const two = trainedBytes([], splits, 20);
      expect(count.calls).toBeGreaterThanOrEqual(20 * 3); // forward, and the weight gradients at least
      await disableThreads();
      const one = trainedBytes([], splits, 20);
      expect(enableThreads(2)).toBe(true);
      for (let i = 0; i < one.length; i++) expect(Buffer.from(two[i]).equals(Buffer.from(one[i])), `parameter ${i}`).toBe(true);
    } finally {
      setParallelMatmul(matmulF32Parallel, PARALLEL_MIN_MACS, linearF32Parallel);
    }
  }, 60_000);
});
