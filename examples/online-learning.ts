/**
 * Lecture item 12: online learning (mini-batch of size 1) updates fast, but its gradient is the
 * gradient of one example — noisy — and an outlier moves the parameters on its own.
 *
 *   npx tsx examples/online-learning.ts
 *
 * The setting is a network that keeps learning from a stream of new examples, a few of them
 * wrong. First the lecture's 784-30-10 sigmoid network (quadratic cost, m = 10, η = 3) learns
 * from 10,000 MNIST images for 3 epochs. Then, from that same starting point, it continues on
 * a stream of 5,000 further images, 25 of which (0.5%) carry a wrong label, with mini-batches of
 * m = 1, 10 and 100 and the same η = 1 (the lecture's rule: a step along the batch's mean
 * gradient; with η = 3, the lecture's value for m = 10, online learning overshoots on every
 * example and the accuracy falls from 86% to 68% over the stream). We record
 * after every update how far the parameters jumped, ‖Δθ‖, the test accuracy (1,000 test images)
 * every 100 examples, and the accuracy just before and after the updates that hold a mislabelled
 * example. (Subsets of MNIST, so it runs in seconds; the point does not need more.)
 *
 * What to expect: the trained network gets most stream examples right, so they pull little; a
 * mislabelled one is confidently "wrong" and pulls hard. With m = 1 it gets a whole update of its
 * own; in a batch of 10 or 100 its gradient is averaged with 9 or 99 others, shrinking its pull
 * to 1/m. And every update of m = 1 follows one example, so its accuracy curve jitters.
 */
import { nn, optim, data, noGrad, tensor, Rng, type Tensor } from '../src/index.js';
import { isMain } from './lib/cli.js';

/** A copy of `set` with `count` labels changed to a different, random digit; returns which. */
export function mislabel(set: data.Dataset, count: number, seed = 1): { set: data.Dataset; wrong: Set<number> } {
  const rng = new Rng(seed);
  const labels = set.labels.slice();
  const wrong = new Set<number>();
  while (wrong.size < count) wrong.add(rng.int(set.count));
  for (const i of wrong) labels[i] = (labels[i] + 1 + rng.int(9)) % 10;
  return { set: { ...set, labels }, wrong };
}

/** Trains the lecture's 784-30-10 (sigmoid, quadratic cost, SGD m = 10, η = 3) on `set`. */
export function pretrain(set: data.Dataset, epochs: number, seed = 1): nn.MLP {
  const net = new nn.MLP([set.features, 30, 10], { seed });
  const opt = new optim.SGD(net.parameters(), { lr: 3 });
  const loader = new data.DataLoader(set, { batchSize: 10, seed });
  for (let e = 0; e < epochs; e++) {
    for (const b of loader.epoch(e)) {
      const loss = nn.quadraticCost(net.forward(b.inputs), b.targets);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
  }
  return net;
}

/** What one run over the stream recorded. */
export interface OnlineRun {
  /** ‖Δθ‖ of every update (θ = all weights and biases). */
  jumps: Float64Array;
  /** Whether each update's mini-batch held a mislabelled example. */
  withOutlier: boolean[];
  /** Test accuracy at the start and after every `evalEvery` examples. */
  accuracy: number[];
  /** Change of test accuracy over each update that held a mislabelled example. */
  outlierEffect: number[];
  /** Change of test accuracy over every `probeEvery`-th update without one (for comparison). */
  cleanEffect: number[];
}

/** Options of `continueOnStream`. */
export interface OnlineOptions {
  m: number;
  eta: number;
  evalEvery: number;
  probeEvery: number;
  seed?: number;
}

/**
 * Copies `start` and continues training it for one pass over `stream` with mini-batches of
 * `opts.m`, recording every update's jump and the test accuracy around it.
 */
export function continueOnStream(
  start: nn.MLP,
  stream: data.Dataset,
  wrong: ReadonlySet<number>,
  test: data.Dataset,
  opts: OnlineOptions,
): OnlineRun {
  const net = new nn.MLP(start.sizes, { seed: 0 });
  const params = net.parameters();
  start.parameters().forEach((p, k) => params[k].data.set(p.data));
  const opt = new optim.SGD(params, { lr: opts.eta });
  const loader = new data.DataLoader(stream, { batchSize: opts.m, seed: opts.seed ?? 1 });
  const testX = tensor(test.images, { shape: [test.count, test.features] });
  const acc = (): number => noGrad(() => nn.accuracy(net.forward(testX), test.labels));
  const before = params.map((p) => Float64Array.from(p.data));
  const jumps: number[] = [],
    withOutlier: boolean[] = [],
    outlierEffect: number[] = [],
    cleanEffect: number[] = [];
  const accuracy = [acc()];
  let seen = 0;
  for (const b of loader.epoch(0)) {
    const outlier = Array.from(b.indices).some((i) => wrong.has(i));
    const probe = outlier || jumps.length % opts.probeEvery === 0;
    const accBefore = probe ? acc() : 0;
    const loss: Tensor = nn.quadraticCost(net.forward(b.inputs), b.targets);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (probe) (outlier ? outlierEffect : cleanEffect).push(acc() - accBefore);
    let sq = 0;
    params.forEach((p, k) => {
      const now = p.data,
        old = before[k];
      for (let i = 0; i < now.length; i++) {
        const d = now[i] - old[i];
        sq += d * d;
        old[i] = now[i];
      }
    });
    jumps.push(Math.sqrt(sq));
    withOutlier.push(outlier);
    const next = seen + b.labels.length;
    if (Math.floor(next / opts.evalEvery) > Math.floor(seen / opts.evalEvery)) accuracy.push(acc());
    seen = next;
  }
  return { jumps: Float64Array.from(jumps), withOutlier, accuracy, outlierEffect, cleanEffect };
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Jump statistics: the median jump of batches without and with a mislabelled example, and where
 * the latter rank among all jumps (the median of their percentiles: 50 = an ordinary jump,
 * 99 = among the largest 1%).
 */
export function jumpStats(run: OnlineRun): { clean: number; outlier: number; outlierUpdates: number; rank: number } {
  const clean: number[] = [],
    outlier: number[] = [],
    all: number[] = [];
  for (let u = 0; u < run.jumps.length; u++) {
    all.push(run.jumps[u]);
    (run.withOutlier[u] ? outlier : clean).push(run.jumps[u]);
  }
  all.sort((a, b) => a - b);
  const percentile = (x: number): number => {
    let below = 0;
    while (below < all.length && all[below] < x) below++;
    return (100 * below) / all.length;
  };
  return { clean: median(clean), outlier: median(outlier), outlierUpdates: outlier.length, rank: median(outlier.map(percentile)) };
}

/** How jumpy an accuracy curve is: the mean |change| between successive measurements. */
export function roughness(curve: readonly number[]): number {
  let s = 0;
  for (let i = 1; i < curve.length; i++) s += Math.abs(curve[i] - curve[i - 1]);
  return s / (curve.length - 1);
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A one-line plot of values in [lo, hi]. */
function sparkline(xs: readonly number[], lo: number, hi: number): string {
  const bars = '▁▂▃▄▅▆▇█';
  return xs.map((x) => bars[Math.max(0, Math.min(7, Math.floor(((x - lo) / (hi - lo)) * 8)))]).join('');
}

function main(): void {
  const PRE = 10_000,
    PRE_EPOCHS = 3,
    STREAM = 5000,
    WRONG = 25,
    ETA = 1,
    EVERY = 100;
  const loaded = data.loadMnist({ trainSize: PRE + STREAM, validationSize: 0 });
  const part = (set: data.Dataset, from: number, count: number): data.Dataset => ({
    ...set,
    count,
    images: set.images.subarray(from * set.features, (from + count) * set.features),
    labels: set.labels.subarray(from, from + count),
  });
  const test = part(loaded.test, 0, 1000);
  const clean = part(loaded.train, PRE, STREAM);
  const { set: stream, wrong } = mislabel(clean, WRONG);

  const t0 = performance.now();
  const start = pretrain(part(loaded.train, 0, PRE), PRE_EPOCHS);
  const startAcc = noGrad(() => nn.accuracy(start.forward(tensor(test.images, { shape: [test.count, 784] })), test.labels));
  console.log(
    `784-30-10 sigmoid, quadratic cost, trained on ${PRE.toLocaleString('en-US')} MNIST images for ${PRE_EPOCHS} epochs (m = 10, η = 3): ` +
      `${(100 * startAcc).toFixed(1)}% on 1,000 test images (${((performance.now() - t0) / 1000).toFixed(1)} s).`,
  );
  console.log(
    `It continues on a stream of ${STREAM.toLocaleString('en-US')} new images, ${WRONG} of them (${((100 * WRONG) / STREAM).toFixed(1)}%) with a wrong label, e.g.`,
  );
  console.log(
    '   ' +
      [...wrong]
        .slice(0, 5)
        .map((i) => `a ${clean.labels[i]} labelled ${stream.labels[i]}`)
        .join(', ') +
      ',',
  );
  console.log(`one pass, η = ${ETA}, mini-batches of m = 1, 10, 100 (subsets of MNIST, to run in seconds).\n`);

  const runs = [1, 10, 100].map((m) => ({
    m,
    run: continueOnStream(start, stream, wrong, test, { m, eta: ETA, evalEvery: EVERY, probeEvery: Math.max(1, Math.round(STREAM / m / 50)) }),
  }));

  console.log('Parameter jumps ‖Δθ‖ per update:');
  console.log('      m   updates   with a mislabelled   median jump: clean batch   with one   ratio   their median percentile');
  for (const { m, run } of runs) {
    const s = jumpStats(run);
    console.log(
      `   ${String(m).padStart(4)}   ${String(run.jumps.length).padStart(7)}   ${String(s.outlierUpdates).padStart(18)}   ${s.clean.toFixed(4).padStart(24)}   ${s.outlier.toFixed(4).padStart(8)}   ${(s.outlier / s.clean).toFixed(1).padStart(5)}×   ${s.rank.toFixed(0).padStart(12)}`,
    );
  }
  console.log("   (percentile: 50 = an ordinary jump, 99 = among the largest 1% of the run's jumps; with m = 1 the other large");
  console.log("   jumps come from the stream's correctly labelled images the network still gets wrong)");
  {
    // One mislabelled example in the online run, in context: the one with the median jump.
    const { run } = runs[0];
    const at = Array.from(run.jumps.keys())
      .filter((u) => run.withOutlier[u])
      .sort((a, b) => run.jumps[a] - run.jumps[b]);
    const u = at[Math.floor(at.length / 2)];
    const around = Array.from({ length: 11 }, (_, k) => u - 5 + k).filter((k) => k >= 0 && k < run.jumps.length);
    console.log(`   m = 1, updates ${around[0]}…${around[around.length - 1]} around the mislabelled example with the median jump, [in brackets]:`);
    console.log('      ' + around.map((k) => (k === u ? `[${run.jumps[k].toFixed(3)}]` : run.jumps[k].toFixed(3))).join(' '));
  }

  console.log('\nTest accuracy change over one update (percentage points, mean over the updates):');
  console.log('      m   with a mislabelled example   without (a sample)');
  for (const { m, run } of runs) {
    console.log(
      `   ${String(m).padStart(4)}   ${(100 * mean(run.outlierEffect)).toFixed(3).padStart(26)}   ${(100 * mean(run.cleanEffect)).toFixed(3).padStart(18)}`,
    );
  }

  console.log(
    `\nTest accuracy every ${EVERY} examples of the stream (▁ = ${(100 * startAcc - 8).toFixed(0)}% … █ = ${(100 * startAcc + 4).toFixed(0)}%), and its roughness = mean |change|`,
  );
  console.log('between successive points:');
  for (const { m, run } of runs) {
    const final = run.accuracy[run.accuracy.length - 1];
    console.log(
      `   m = ${String(m).padStart(3)}  ${sparkline(run.accuracy, startAcc - 0.08, startAcc + 0.04)}  roughness ${(100 * roughness(run.accuracy)).toFixed(2)} points, final ${(100 * final).toFixed(1)}%`,
    );
  }
  console.log('\nOnline learning (m = 1) makes 10× and 100× more updates than m = 10 and m = 100 for the same work, each from a');
  console.log('one-example estimate of ∇C: its accuracy jitters, and one mislabelled example shoves the parameters by itself');
  console.log('(as does any example the network gets wrong; a wrong label guarantees it).');
  console.log('Larger mini-batches average the noise and the outliers away, at the price of fewer steps per pass.');
}

if (isMain(import.meta.url)) main();
