/**
 * `npm run bench:mnist`: one epoch of the lecture's training (Nielsen ch. 1) timed for
 * tensorgrad, tfjs-cpu and tfjs-wasm in one process, and NumPy (vectorised backprop over the
 * mini-batch, float32, one BLAS thread; benchmarks/peers/numpy_epoch.py) in a `python3`
 * subprocess when python3 with NumPy is present, each checked by its test accuracy.
 *
 * Workload: 784-30-10 MLP, sigmoid everywhere, quadratic cost, SGD with mini-batch 10, η = 3.0,
 * N(0,1) weights and biases, the first 50,000 MNIST training images, tested on the 10,000 test
 * images. All systems start from the *same* initial parameters and see the *same* shuffled
 * batches, so their accuracies after the same number of images must agree closely: a fast but
 * wrong kernel cannot win unnoticed.
 *
 * Options:
 *   --limit N          images trained per system (default 50000, a full epoch)
 *   --cpu-limit N      images for tfjs-cpu (default 10000: it is slow; the time is scaled
 *                      to a full epoch and the output says so). 50000 for a full epoch.
 *   --systems a,b      subset of tensorgrad,tensorgrad-compiled,tensorgrad-raw,tfjs-cpu,
 *                      tfjs-wasm,numpy (default: all six, numpy only when python3 + NumPy are
 *                      present; tensorgrad-compiled is the same step under compile(),
 *                      tensorgrad-raw is workload 4's raw-op code)
 *   --seed S           seed of the initial parameters and of the shuffling (default 1)
 *   --warmup K         untimed warm-up steps per system, on a throwaway model (default 100)
 *   --threads N        adds a row: tensorgrad's code again, with its float32 products of at
 *                      least --split-macs multiply-adds split across N threads (tensorgrad/threads)
 *   --split-macs M     the threshold of that row (default PARALLEL_MIN_MACS, the CLI's: no
 *                      product of this MLP reaches it; 0 splits every product the wasm kernel runs)
 *
 * The systems train interleaved (a slice of 2,500 images each, in rotating order), so that load
 * from other processes on a shared machine affects them alike; each keeps its own model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { compile, data, nn, noGrad, optim, randn, tensor, wasmBuild, type Tensor } from '../src/index.js';
import { numpyUnavailable, startNumpy, type NumpyPeer } from './peers/numpy.js';
import { describeTfjs, initTfjs, tf, useBackend } from './peers/tfjs.js';
import { RESULTS_DIR } from './suites/common.js';
import { setParallelMatmul } from '../src/autograd/backend/index.js';
import { PARALLEL_MIN_MACS, disableThreads, enableThreads, linearF32Parallel, matmulF32Parallel } from '../src/threads/index.js';

const SIZES = [784, 30, 10] as const;
const BATCH = 10;
const LR = 3.0;
const EPOCH = 50_000;
/** Steps each system runs before the next one takes its turn. */
const SLICE = 250;

const SYSTEMS = ['tensorgrad', 'tensorgrad-compiled', 'tensorgrad-raw', 'tfjs-cpu', 'tfjs-wasm', 'numpy'] as const;
type SystemName = (typeof SYSTEMS)[number];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function intArg(name: string, fallback: number): number {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got '${v}'`);
  return n;
}

/** The initial parameters, shared by every system: N(0,1) as in the lecture. */
interface Init {
  W1: Float32Array;
  b1: Float32Array;
  W2: Float32Array;
  b2: Float32Array;
}

function makeInit(seed: number): Init {
  const draw = (shape: number[], s: number) => Float32Array.from(randn(shape, { seed: seed * 16 + s, dtype: 'float32' }).data);
  return {
    W1: draw([SIZES[0], SIZES[1]], 1),
    b1: draw([SIZES[1]], 2),
    W2: draw([SIZES[1], SIZES[2]], 3),
    b2: draw([SIZES[2]], 4),
  };
}

/** A seeded permutation of 0..n-1 (Fisher–Yates, mulberry32), the batch order of every system. */
function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

interface Split {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** One batch's inputs and one-hot targets, refilled for every step (as a data loader's buffers are). */
interface Batch {
  x: Float32Array;
  y: Float32Array;
}

function newBatch(): Batch {
  return { x: new Float32Array(BATCH * SIZES[0]), y: new Float32Array(BATCH * SIZES[2]) };
}

/**
 * Copies batch `b` of `order` into `into` (the same work for every system). Each system's
 * step is done with the batch before the next one is gathered, so one pair of buffers serves
 * all: the time measured is training, not allocating 31 KB per step.
 */
function gather(train: Split, order: Int32Array, b: number, into: Batch): Batch {
  const F = SIZES[0],
    C = SIZES[2];
  const { x, y } = into;
  y.fill(0);
  for (let r = 0; r < BATCH; r++) {
    const idx = order[b * BATCH + r];
    x.set(train.images.subarray(idx * F, (idx + 1) * F), r * F);
    y[r * C + train.labels[idx]] = 1;
  }
  return into;
}

function accuracyOf(scores: ArrayLike<number>, labels: Uint8Array): number {
  const C = SIZES[2];
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (scores[i * C + c] > scores[i * C + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/** A trainable model of one system: one SGD step on a batch, and test-set scores. */
interface Trainer {
  step(x: Float32Array, y: Float32Array): void;
  scores(test: Split): ArrayLike<number>;
  dispose?(): void;
}

/**
 * tensorgrad through its public nn/optim path: MLP, quadraticCost, SGD; with `compiled` the
 * same step under `compile` (traced once, then replayed).
 */
function tensorgradTrainer(init: Init, compiled: boolean): Trainer {
  const mlp = new nn.MLP([...SIZES], { activation: 'sigmoid', seed: 1 });
  mlp.loadNamedParameters([
    ['layers.0.weight', tensor(init.W1.slice(), { shape: [SIZES[0], SIZES[1]] })],
    ['layers.0.bias', tensor(init.b1.slice(), { shape: [SIZES[1]] })],
    ['layers.1.weight', tensor(init.W2.slice(), { shape: [SIZES[1], SIZES[2]] })],
    ['layers.1.bias', tensor(init.b2.slice(), { shape: [SIZES[2]] })],
  ]);
  const opt = new optim.SGD(mlp.parameters(), { lr: LR });
  const train = (x: Tensor, y: Tensor): void => {
    opt.zeroGrad();
    nn.quadraticCost(mlp.forward(x), y).backward();
    opt.step();
  };
  const step = compiled ? compile(train) : train;
  return {
    step(x, y) {
      step(tensor(x, { shape: [BATCH, SIZES[0]] }), tensor(y, { shape: [BATCH, SIZES[2]] }));
    },
    scores(test) {
      return noGrad(() => mlp.forward(tensor(test.images, { shape: [test.count, SIZES[0]] }))).data;
    },
  };
}

/** tensorgrad with raw Tensor ops and a hand-written in-place SGD update (workload 4's code). */
function tensorgradRawTrainer(init: Init): Trainer {
  const W1 = tensor(init.W1.slice(), { shape: [SIZES[0], SIZES[1]], requiresGrad: true });
  const b1 = tensor(init.b1.slice(), { shape: [SIZES[1]], requiresGrad: true });
  const W2 = tensor(init.W2.slice(), { shape: [SIZES[1], SIZES[2]], requiresGrad: true });
  const b2 = tensor(init.b2.slice(), { shape: [SIZES[2]], requiresGrad: true });
  const params: Tensor[] = [W1, b1, W2, b2];
  const forward = (x: Tensor) => x.matmul(W1).add(b1).sigmoid().matmul(W2).add(b2).sigmoid();
  return {
    step(xd, yd) {
      const out = forward(tensor(xd, { shape: [BATCH, SIZES[0]] }));
      out
        .sub(tensor(yd, { shape: [BATCH, SIZES[2]] }))
        .square()
        .sum()
        .mul(1 / (2 * BATCH))
        .backward();
      for (const p of params) {
        const d = p.data,
          g = p.grad!.data;
        for (let i = 0; i < d.length; i++) d[i] -= LR * g[i];
        p.grad = null;
      }
    },
    scores(test) {
      return noGrad(() => forward(tensor(test.images, { shape: [test.count, SIZES[0]] }))).data;
    },
  };
}

/** tfjs on `backend`: variables, `tf.train.sgd(3).minimize`, inputs made and disposed per batch. */
function tfjsTrainer(backend: 'cpu' | 'wasm', init: Init): Trainer {
  useBackend(backend);
  const W1 = tf.variable(tf.tensor2d(init.W1, [SIZES[0], SIZES[1]]));
  const b1 = tf.variable(tf.tensor1d(init.b1));
  const W2 = tf.variable(tf.tensor2d(init.W2, [SIZES[1], SIZES[2]]));
  const b2 = tf.variable(tf.tensor1d(init.b2));
  const vars = [W1, b1, W2, b2];
  const opt = tf.train.sgd(LR);
  const forward = (x: tf.Tensor) => tf.sigmoid(tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, W1), b1)), W2), b2));
  return {
    step(xd, yd) {
      const x = tf.tensor2d(xd, [BATCH, SIZES[0]]);
      const y = tf.tensor2d(yd, [BATCH, SIZES[2]]);
      opt.minimize(() => tf.mul(tf.sum(tf.square(tf.sub(forward(x), y))), 1 / (2 * BATCH)) as tf.Scalar, false, vars);
      x.dispose();
      y.dispose();
    },
    scores(test) {
      return tf.tidy(() => forward(tf.tensor2d(test.images, [test.count, SIZES[0]])).dataSync());
    },
    dispose() {
      for (const v of vars) v.dispose();
      opt.dispose();
    },
  };
}

interface Result {
  /** The system, with ` ×N threads` for the threaded tensorgrad row. */
  system: string;
  images: number;
  seconds: number;
  secondsPerEpoch: number;
  imagesPerSecond: number;
  accAtCheckpoint: number | null;
  accFinal: number;
}

/** One system's run in progress: an in-process `model`, or the NumPy subprocess `peer`. */
interface Run {
  system: SystemName;
  model: Trainer | null;
  peer: NumpyPeer | null;
  backend: 'cpu' | 'wasm' | null;
  steps: number;
  next: number;
  seconds: number;
  checkStep: number;
  accAtCheckpoint: number | null;
  /** Threads its products are split across (1: none). */
  threads: number;
}

/** m·k·n from which the threaded row splits a product (`--split-macs`). */
let splitMacs = PARALLEL_MIN_MACS;

/** Routes big products to the worker threads (started once in main) for a threaded row only. */
function useThreads(threads: number): void {
  if (threads > 1) setParallelMatmul(matmulF32Parallel, splitMacs, linearF32Parallel);
  else setParallelMatmul(null);
}

function backendOf(system: SystemName): 'cpu' | 'wasm' | null {
  return system === 'tfjs-cpu' ? 'cpu' : system === 'tfjs-wasm' ? 'wasm' : null;
}

/** Warm-up on a throwaway model (JIT tiers, wasm compilation, kernel caches): not timed. */
function warmUp(system: SystemName, make: () => Trainer, train: Split, order: Int32Array, steps: number, threads = 1): void {
  const backend = backendOf(system);
  if (backend) useBackend(backend);
  useThreads(threads);
  if (steps <= 0) return;
  const w = make();
  const batch = newBatch();
  for (let b = 0; b < steps; b++) {
    const { x, y } = gather(train, order, b, batch);
    w.step(x, y);
  }
  w.dispose?.();
}

/** Runs up to `slice` more steps of `run`, timing them; evaluates (untimed) at the checkpoint. */
async function advance(run: Run, slice: number, train: Split, test: Split, order: Int32Array): Promise<void> {
  const stop = Math.min(run.steps, run.next + slice);
  if (run.peer) {
    // NumPy times its own steps; the checkpoint splits the slice so evaluation is not timed.
    let from = run.next;
    if (run.checkStep >= from && run.checkStep < stop) {
      run.seconds += await run.peer.train(from, run.checkStep);
      run.accAtCheckpoint = await run.peer.accuracy();
      from = run.checkStep;
    }
    run.seconds += await run.peer.train(from, stop);
    run.next = stop;
    return;
  }
  const model = run.model!;
  if (run.backend) useBackend(run.backend);
  useThreads(run.threads);
  const batch = newBatch();
  let t0 = performance.now();
  for (let b = run.next; b < stop; b++) {
    if (b === run.checkStep) {
      run.seconds += (performance.now() - t0) / 1000;
      run.accAtCheckpoint = accuracyOf(model.scores(test), test.labels);
      t0 = performance.now();
    }
    const { x, y } = gather(train, order, b, batch);
    model.step(x, y);
  }
  run.seconds += (performance.now() - t0) / 1000;
  run.next = stop;
}

async function finish(run: Run, test: Split, checkpoint: number): Promise<Result> {
  if (run.backend) useBackend(run.backend);
  let accFinal: number;
  if (run.peer) {
    accFinal = await run.peer.accuracy();
    await run.peer.close();
  } else {
    accFinal = accuracyOf(run.model!.scores(test), test.labels);
    run.model!.dispose?.();
  }
  if (run.checkStep < 0 && run.steps * BATCH === checkpoint) run.accAtCheckpoint = accFinal;
  const done = run.steps * BATCH;
  return {
    system: run.threads > 1 ? `${run.system} ×${run.threads} threads` : run.system,
    images: done,
    seconds: run.seconds,
    secondsPerEpoch: (run.seconds * EPOCH) / done,
    imagesPerSecond: done / run.seconds,
    accAtCheckpoint: run.accAtCheckpoint,
    accFinal,
  };
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  const line = (r: string[]) => '| ' + r.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

const pct = (a: number | null) => (a === null ? '—' : `${(a * 100).toFixed(2)}%`);

async function main(): Promise<void> {
  const limit = Math.min(intArg('--limit', EPOCH), EPOCH);
  const cpuLimit = Math.min(intArg('--cpu-limit', 10_000), limit);
  const seed = intArg('--seed', 1);
  const warmup = intArg('--warmup', 100);
  const named = arg('--systems');
  let systems = (named ?? SYSTEMS.join(',')).split(',').map((s) => s.trim()) as SystemName[];
  for (const s of systems) {
    if (!(SYSTEMS as readonly string[]).includes(s)) throw new Error(`--systems: unknown system '${s}'`);
  }
  const noNumpy = systems.includes('numpy') ? numpyUnavailable() : null;
  if (noNumpy !== null) {
    if (named !== undefined) throw new Error(`--systems: numpy was asked for, but ${noNumpy}`);
    systems = systems.filter((s) => s !== 'numpy');
  }
  if (limit < BATCH || cpuLimit < BATCH) throw new Error('--limit / --cpu-limit: need at least one batch of 10 images');
  let threads = Math.max(1, intArg('--threads', 1));
  splitMacs = intArg('--split-macs', PARALLEL_MIN_MACS);
  if (threads > 1 && !systems.includes('tensorgrad')) throw new Error('--threads: adds a tensorgrad row; include tensorgrad in --systems');
  if (threads > 1 && !enableThreads(threads)) {
    console.log(`(threads unavailable here: no ${threads}-thread row)`);
    threads = 1;
  }

  await initTfjs();
  console.log(
    `MNIST epoch benchmark: 784-30-10 sigmoid, quadratic cost, SGD batch ${BATCH}, η=${LR}, N(0,1) init (seed ${seed}), one thread` +
      (threads > 1 ? ` (and a tensorgrad row on ${threads} threads for products of ≥ ${splitMacs.toLocaleString('en-US')} multiply-adds)` : ''),
  );
  console.log(`node ${process.version}; tensorgrad kernels: ${wasmBuild() ?? 'TypeScript (no wasm)'}; ${describeTfjs()}`);
  if (noNumpy !== null) console.log(`NumPy skipped: ${noNumpy}`);

  const t0 = performance.now();
  const { train, test } = data.loadMnist();
  if (train.count < EPOCH || train.features !== SIZES[0] || test.count !== 10_000) {
    throw new Error(`unexpected MNIST splits: train ${train.count}×${train.features}, test ${test.count}`);
  }
  console.log(
    `loaded MNIST with tensorgrad's data.loadMnist() in ${((performance.now() - t0) / 1000).toFixed(2)} s: train ${train.count}, test ${test.count}`,
  );

  const init = makeInit(seed);
  const order = permutation(EPOCH, seed);
  const makers: Record<SystemName, () => Trainer> = {
    tensorgrad: () => tensorgradTrainer(init, false),
    'tensorgrad-compiled': () => tensorgradTrainer(init, true),
    'tensorgrad-raw': () => tensorgradRawTrainer(init),
    'tfjs-cpu': () => tfjsTrainer('cpu', init),
    'tfjs-wasm': () => tfjsTrainer('wasm', init),
    numpy: () => {
      throw new Error('numpy runs in a subprocess, not as an in-process Trainer');
    },
  };
  // Warm every system up, then train them interleaved, SLICE steps at a time in rotating order,
  // so that load from other processes on a shared machine falls on all of them alike.
  const runs: Run[] = [];
  const plan: [SystemName, number][] = [];
  for (const system of systems) {
    plan.push([system, 1]);
    if (system === 'tensorgrad' && threads > 1) plan.push([system, threads]);
  }
  for (const [system, n] of plan) {
    const images = system === 'tfjs-cpu' ? cpuLimit : limit;
    const steps = Math.floor(images / BATCH);
    const checkStep = cpuLimit < images ? Math.floor(cpuLimit / BATCH) : -1;
    const run: Run = {
      system,
      model: null,
      peer: null,
      backend: backendOf(system),
      steps,
      next: 0,
      seconds: 0,
      checkStep,
      accAtCheckpoint: null,
      threads: n,
    };
    if (system === 'numpy') {
      run.peer = await startNumpy({ sizes: SIZES, batch: BATCH, lr: LR, train, test, order, params: init });
      console.log(`numpy peer: ${run.peer.description}`);
      await run.peer.warmUp(warmup);
    } else {
      warmUp(system, makers[system], train, order, warmup, n);
      if (run.backend) useBackend(run.backend);
      run.model = makers[system]();
    }
    runs.push(run);
  }
  console.log(
    `training ${runs.map((r) => `${r.system} on ${(r.steps * BATCH).toLocaleString('en-US')}`).join(', ')} images, interleaved in slices of ${SLICE * BATCH} images …`,
  );
  for (let round = 0; runs.some((r) => r.next < r.steps); round++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(k + round) % runs.length];
      if (run.next < run.steps) await advance(run, SLICE, train, test, order);
    }
  }
  const results: Result[] = [];
  for (const r of runs) results.push(await finish(r, test, cpuLimit));
  await disableThreads();
  for (const r of results)
    console.log(`  ${r.system}: ${r.seconds.toFixed(2)} s for ${r.images.toLocaleString('en-US')} images, test accuracy ${pct(r.accFinal)}`);

  const base = results.find((r) => r.system === 'tensorgrad') ?? results.find((r) => r.system === 'tensorgrad-raw');
  const numpy = results.find((r) => r.system === 'numpy');
  const tfjsWasm = results.find((r) => r.system === 'tfjs-wasm');
  const faster = (peer: Result, r: Result) => `${(peer.secondsPerEpoch / r.secondsPerEpoch).toFixed(2)}×`;
  const header = [
    'system',
    'images trained',
    'seconds/epoch',
    'images/s',
    `test acc @ ${cpuLimit.toLocaleString('en-US')} images`,
    'test acc after run',
    'tensorgrad speed ÷ this',
    ...(numpy ? ['NumPy speed ÷ this', 'faster than NumPy'] : []),
    ...(tfjsWasm ? ['faster than tfjs-wasm'] : []),
  ];
  const rows = results.map((r) => [
    r.system + (r.images < EPOCH ? ' †' : ''),
    r.images.toLocaleString('en-US'),
    r.secondsPerEpoch.toFixed(2),
    Math.round(r.imagesPerSecond).toLocaleString('en-US'),
    pct(r.accAtCheckpoint),
    pct(r.accFinal),
    base ? `${(r.secondsPerEpoch / base.secondsPerEpoch).toFixed(2)}×` : 'n/a',
    ...(numpy ? [`${(r.secondsPerEpoch / numpy.secondsPerEpoch).toFixed(2)}×`, faster(numpy, r)] : []),
    ...(tfjsWasm ? [faster(tfjsWasm, r)] : []),
  ]);
  console.log('\n' + pad([header, ...rows]));
  const notes: string[] = [];
  if (results.some((r) => r.images < EPOCH)) {
    notes.push(
      `† trained on fewer than ${EPOCH.toLocaleString('en-US')} images; seconds/epoch is its measured time scaled to ${EPOCH.toLocaleString('en-US')} images, and its final accuracy is after that partial epoch.`,
    );
  }
  notes.push(
    `Every system starts from the same N(0,1) parameters and sees the same shuffled batches; each had ${warmup} untimed warm-up steps on a throwaway model; the systems were trained interleaved, ${SLICE * BATCH} images at a time. Test evaluation is not timed.`,
  );
  notes.push("Ratio = this system's seconds/epoch ÷ tensorgrad's: > 1 means tensorgrad is faster.");
  if (numpy) notes.push("NumPy ratio = this system's seconds/epoch ÷ NumPy's: > 1 means NumPy is faster.");
  notes.push("'faster than X' = X's seconds/epoch ÷ this system's: > 1 means this system is faster.");
  if (numpy) notes.push('NumPy ran in a python3 subprocess on one BLAS thread and timed its own steps, so pipe latency is not charged to it.');

  // The correctness check: same init + same batches ⇒ nearly the same accuracy at the checkpoint.
  const accs = results.map((r) => r.accAtCheckpoint).filter((a): a is number => a !== null);
  let ok = true;
  if (accs.length > 1) {
    const spread = Math.max(...accs) - Math.min(...accs);
    const agree = spread <= 0.02;
    ok &&= agree;
    notes.push(
      `Check: test accuracies after ${cpuLimit.toLocaleString('en-US')} images span ${(spread * 100).toFixed(2)} points across systems (limit 2.00): ${agree ? 'agree' : 'DISAGREE — a kernel is wrong'}.`,
    );
  }
  // compile() replays the eager step bit for bit: same start, same batches ⇒ the same accuracy.
  const eager = results.find((r) => r.system === 'tensorgrad');
  const compiled = results.find((r) => r.system === 'tensorgrad-compiled');
  if (eager && compiled && eager.images === compiled.images) {
    const same = eager.accFinal === compiled.accFinal;
    ok &&= same;
    notes.push(`Check: tensorgrad-compiled's accuracy ${same ? 'equals' : 'DIFFERS FROM'} eager tensorgrad's (compile must give the same bits).`);
  }
  if (compiled && numpy && tfjsWasm) {
    const vsNumpy = numpy.secondsPerEpoch / compiled.secondsPerEpoch,
      vsTfjs = tfjsWasm.secondsPerEpoch / compiled.secondsPerEpoch;
    notes.push(
      `Goal (issue 16: compiled ≥ 1.5× NumPy and ≥ 15× tfjs-wasm): ${vsNumpy.toFixed(2)}× NumPy, ${vsTfjs.toFixed(2)}× tfjs-wasm — ${vsNumpy >= 1.5 && vsTfjs >= 15 ? 'met' : 'not met'}.`,
    );
  }
  for (const r of results) {
    if (r.images === EPOCH && r.accFinal < 0.85) {
      ok = false;
      notes.push(`Check FAILED: ${r.system} reached only ${pct(r.accFinal)} after a full epoch (the lecture gets ≈ 90–93%).`);
    }
  }
  console.log('\n' + notes.join('\n'));
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    `${RESULTS_DIR}/mnist-epoch.json`,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, seed, warmup, cpuLimit, limit, results }, null, 2),
  );
  console.log(`\nSaved ${RESULTS_DIR}/mnist-epoch.json`);
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
