/**
 * `npm run bench:cnn`: one epoch of `tensorgrad train --arch cnn`'s network timed for tensorgrad
 * and tfjs-wasm in one process, each checked by its test accuracy afterwards.
 *
 * Workload: `tensorgrad train --arch cnn`'s network with the CLI's defaults (conv 5×5 1→32,
 * relu, max-pool 2, conv 5×5 32→64, relu, max-pool 2, flatten, linear 1024→128, relu, dropout
 * 0.25, linear 128→10 as of now: read from the CLI), softmax cross-entropy, Adam η = 0.001,
 * mini-batch 64, the first 50,000 MNIST training images, tested on the 10,000 test images. Both systems start from the *same* initial parameters (tensorgrad's
 * PyTorch-default draw, copied into tfjs's NHWC / HWIO layouts) and see the *same* shuffled
 * batches; their dropout masks differ (each draws its own), so their accuracies agree closely
 * but not exactly. tfjs-cpu is not measured: its conv2d gradients take seconds per call here.
 *
 * Options:
 *   --limit N    images trained per system (default 50000, a full epoch; the time is scaled
 *                to a full epoch when fewer)
 *   --slice K    steps each system runs before the other takes its turn (default 50), so that
 *                load from other processes on a shared machine affects both alike
 *   --threads N  also runs tensorgrad with its large products split across N threads
 *                (tensorgrad/threads, as `tensorgrad train --threads N`), from the same initial
 *                parameters and batches; 1 for no such row (default 2). One and N threads must
 *                end with bit-identical parameters: the run checks it.
 */
import { data, nn, noGrad, optim, tensor, type Tensor } from '../src/index.js';
import { parseTrainArgs } from '../src/cli/args.js';
import { buildConvNet } from '../src/cli/cnn.js';
import { describeTfjs, initTfjs, tf, useBackend } from './peers/tfjs.js';
import { tfConv2d } from './suites/conv.js';
import { setParallelMatmul } from '../src/autograd/backend/index.js';
import { PARALLEL_MIN_MACS, disableThreads, enableThreads, linearF32Parallel, matmulF32Parallel } from '../src/threads/index.js';

const EPOCH = 50_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`cnn-epoch: ${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

interface System {
  name: string;
  /** One training step on a batch [b, 1, 28, 28] (NCHW; with one channel the same bytes as NHWC). */
  step(images: Float32Array, labels: Uint8Array, b: number): void;
  /** Test-set accuracy in evaluation mode. */
  accuracy(test: data.Dataset): number;
  seconds: number;
}

/** Routes the big products to the worker threads (started once in main) for a threaded system only. */
function useThreads(threads: number): void {
  if (threads > 1) setParallelMatmul(matmulF32Parallel, PARALLEL_MIN_MACS, linearF32Parallel);
  else setParallelMatmul(null);
}

function tensorgradSystem(config: ReturnType<typeof parseTrainArgs>, threads = 1): System & { model: ReturnType<typeof buildConvNet> } {
  const model = buildConvNet(config);
  const opt = new optim.Adam(model.parameters(), { lr: config.lr });
  return {
    name: threads > 1 ? `tensorgrad ×${threads} threads` : 'tensorgrad',
    model,
    seconds: 0,
    step(images, labels, b) {
      useThreads(threads);
      const loss = nn.crossEntropy(model.forward(tensor(images, { shape: [b, 1, 28, 28] })), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      loss.item();
    },
    accuracy(test) {
      useThreads(threads);
      model.eval();
      let right = 0;
      noGrad(() => {
        for (let s = 0; s < test.count; s += 1000) {
          const n = Math.min(1000, test.count - s);
          right +=
            nn.accuracy(
              model.forward(tensor(test.images.subarray(s * 784, (s + n) * 784), { shape: [n, 1, 28, 28] })),
              test.labels.subarray(s, s + n),
            ) * n;
        }
      });
      model.train();
      return right / test.count;
    },
  };
}

/** tfjs-wasm with the same initial parameters as `init` (tensorgrad's layouts converted to tfjs's). */
function tfjsSystem(init: Map<string, Tensor>, lr: number, dropout: number): System {
  useBackend('wasm');
  const get = (k: string): Tensor => init.get(k)!;
  const conv = (k: string): tf.Variable => {
    const w = get(k); // [O, I, kH, kW] → [kH, kW, I, O]
    return tf.variable(tf.transpose(tf.tensor4d(w.data as Float32Array, w.shape as [number, number, number, number]), [2, 3, 1, 0]));
  };
  const vec = (k: string): tf.Variable => tf.variable(tf.tensor1d(get(k).data as Float32Array));
  const [c2] = get('3.weight').shape;
  const hidden = get('7.weight').shape[1];
  // Our flatten is (C, H, W), tfjs's (H, W, C): permute the first linear layer's rows to match.
  const w7 = get('7.weight').data;
  const k7 = new Float32Array(w7.length);
  for (let c = 0; c < c2; c++)
    for (let p = 0; p < 16; p++) k7.set(w7.subarray((c * 16 + p) * hidden, (c * 16 + p + 1) * hidden), (p * c2 + c) * hidden);
  const vars = {
    w1: conv('0.weight'),
    b1: vec('0.bias'),
    w2: conv('3.weight'),
    b2: vec('3.bias'),
    w3: tf.variable(tf.tensor2d(k7, [16 * c2, hidden])),
    b3: vec('7.bias'),
    w4: tf.variable(tf.tensor2d(get('10.weight').data as Float32Array, get('10.weight').shape as [number, number])),
    b4: vec('10.bias'),
  };
  const opt = tf.train.adam(lr);
  const logits = (x: tf.Tensor4D, training: boolean): tf.Tensor2D => {
    const h1 = tf.maxPool(tf.relu(tf.add(tfConv2d(x, vars.w1 as tf.Tensor as tf.Tensor4D, 'valid'), vars.b1)) as tf.Tensor4D, 2, 2, 'valid');
    const h2 = tf.maxPool(tf.relu(tf.add(tfConv2d(h1, vars.w2 as tf.Tensor as tf.Tensor4D, 'valid'), vars.b2)) as tf.Tensor4D, 2, 2, 'valid');
    let h3 = tf.relu(tf.add(tf.matMul(tf.reshape(h2, [x.shape[0], 16 * c2]), vars.w3), vars.b3));
    if (training) h3 = tf.dropout(h3, dropout);
    return tf.add(tf.matMul(h3, vars.w4), vars.b4) as tf.Tensor2D;
  };
  return {
    name: 'tfjs-wasm',
    seconds: 0,
    step(images, labels, b) {
      useBackend('wasm');
      const x = tf.tensor4d(images, [b, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), 10);
      const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x, true)) as tf.Scalar, true, Object.values(vars))!;
      cost.dataSync();
      tf.dispose([x, y, cost]);
    },
    accuracy(test) {
      useBackend('wasm');
      let right = 0;
      for (let s = 0; s < test.count; s += 1000) {
        const n = Math.min(1000, test.count - s);
        const pred = tf.tidy(() => tf.argMax(logits(tf.tensor4d(test.images.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1]), false), 1).dataSync());
        for (let i = 0; i < n; i++) if (pred[i] === test.labels[s + i]) right++;
      }
      return right / test.count;
    },
  };
}

async function main(): Promise<void> {
  const limit = Math.min(arg('--limit', EPOCH), EPOCH);
  const slice = arg('--slice', 50);
  let threads = arg('--threads', 2);
  if (threads > 1 && !enableThreads(threads)) {
    console.log(`(threads unavailable here: no ${threads}-thread row)`);
    threads = 1;
  }
  const config = parseTrainArgs(['--arch', 'cnn']);
  const { train, test } = data.loadMnist();
  await initTfjs();
  const tg = tensorgradSystem(config);
  const init = new Map([...tg.model.stateDict()].map(([k, v]) => [k, v.clone()]));
  const wasm = tfjsSystem(init, config.lr, config.dropout);
  const tgThreads = threads > 1 ? tensorgradSystem(config, threads) : null;
  const systems: System[] = [tg, ...(tgThreads === null ? [] : [tgThreads]), wasm];
  const loader = new data.DataLoader(train, { batchSize: config.batch, shuffle: true, seed: config.seed, inputShape: [1, 28, 28] });
  const batches: { images: Float32Array; labels: Uint8Array; b: number }[] = [];
  let seen = 0;
  for (const batch of loader.epoch(0)) {
    if (seen >= limit) break;
    batches.push({ images: batch.inputs.data as Float32Array, labels: batch.labels.slice(), b: batch.labels.length });
    seen += batch.labels.length;
  }
  console.log(
    `CNN ${config.channels.join('/')} channels, ${config.sizes.slice(1).join('→')}, Adam η=${config.lr}, batch ${config.batch}: ${batches.length} steps (${seen} images) per system; ${describeTfjs()}`,
  );
  // Warm-up (compilation, buffer pools) on a few batches with throwaway copies is skipped: the
  // first slice of each is a small share of an epoch.
  for (let start = 0; start < batches.length; start += slice) {
    for (const s of systems) {
      const t0 = performance.now();
      for (let i = start; i < Math.min(start + slice, batches.length); i++) s.step(batches[i].images, batches[i].labels, batches[i].b);
      s.seconds += (performance.now() - t0) / 1000;
    }
    process.stdout.write(`\r  ${Math.min(start + slice, batches.length)}/${batches.length} steps`);
  }
  process.stdout.write('\n');
  const scale = EPOCH / seen;
  const width = Math.max(...systems.map((s) => s.name.length));
  for (const s of systems) {
    console.log(
      `${s.name.padEnd(width)} ${(s.seconds * scale).toFixed(1).padStart(7)} s/epoch${scale === 1 ? '' : ' (scaled)'} · ${((1000 * s.seconds) / batches.length).toFixed(1)} ms/step · test accuracy ${(100 * s.accuracy(test)).toFixed(2)}%`,
    );
  }
  for (const s of systems.filter((s) => s !== wasm)) console.log(`tfjs-wasm / ${s.name} epoch time: ${(wasm.seconds / s.seconds).toFixed(2)}×`);
  if (tgThreads !== null) {
    console.log(`tensorgrad 1 thread / ${threads} threads epoch time: ${(tg.seconds / tgThreads.seconds).toFixed(2)}×`);
    const same = tg.model.parameters().every((p, i) => {
      const q = tgThreads.model.parameters()[i].data;
      return p.data.every((v, j) => Object.is(v, q[j]));
    });
    console.log(`1 and ${threads} threads end with ${same ? 'bit-identical parameters' : 'DIFFERENT parameters — a threaded kernel is wrong'}`);
    if (!same) process.exitCode = 1;
    await disableThreads();
  }
}

await main();
