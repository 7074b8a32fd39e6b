/**
 * Workload 6: convolution on the MNIST CNN's shapes. conv2d forward + backward (input,
 * weight and bias gradients) for the two layers of a LeNet-style network at batch 64 (and a
 * 3×3 padded layer), conv2d forward alone on the second layer, and one SGD training step of
 * that network, tensorgrad against tfjs-cpu and tfjs-wasm in one run.
 *
 * Each system gets its native layout: tensorgrad NCHW (PyTorch's), tfjs NHWC with [kH, kW,
 * in, out] filters (XNNPACK's). Both compute the same loss Σ conv(x)·G for a fixed cotangent
 * G, so the backward starts from the same gradient; tfjs reads its gradients back.
 */
import { conv2d, maxPool2d, noGrad, randn, tensor, type Tensor } from '../../src/index.js';
import { tf } from '../peers/tfjs.js';
import { microseconds, runSuite, type Row } from './common.js';
import { tfjsCases } from './tensor.js';

/**
 * tfjs-cpu computes conv2d gradients with plain JavaScript loops: seconds per call on conv1
 * (tens of seconds on a busy machine) and minutes on the larger layers. One sample places it,
 * and it runs on the first layer only unless TG_BENCH_SLOW_PEERS=1 asks for every row.
 */
const CPU_OPTIONS = { minSamples: 1, maxTime: 0.1, initCount: 1 };
const SLOW_PEERS = process.env.TG_BENCH_SLOW_PEERS === '1';
const CPU_SKIPPED = 'tfjs-cpu not run (its conv2d gradients take minutes per call here; TG_BENCH_SLOW_PEERS=1 runs it)';

/** The tfjs cases of a workload: tfjs-cpu sampled lightly, and only when `withCpu`. */
function tfjsConvCases(setup: () => () => unknown, withCpu: boolean): ReturnType<typeof tfjsCases> {
  return tfjsCases(setup)
    .filter((c) => withCpu || c.system !== 'tfjs-cpu')
    .map((c) => (c.system === 'tfjs-cpu' ? { ...c, options: CPU_OPTIONS } : c));
}

interface ConvShape {
  name: string;
  n: number;
  c: number;
  h: number;
  o: number;
  k: number;
  pad: number;
  /** Whether the input needs a gradient (not for the first layer, whose input is the image). */
  inputGrad: boolean;
}

const BATCH = 64;
const SHAPES: ConvShape[] = [
  { name: 'conv1 1→32 5×5 on 28×28', n: BATCH, c: 1, h: 28, o: 32, k: 5, pad: 0, inputGrad: false },
  { name: 'conv2 32→64 5×5 on 12×12', n: BATCH, c: 32, h: 12, o: 64, k: 5, pad: 0, inputGrad: true },
  { name: 'conv 32→32 3×3 pad 1 on 14×14', n: BATCH, c: 32, h: 14, o: 32, k: 3, pad: 1, inputGrad: true },
];

/** Seeded values in [-1, 1), the same for every system. */
function values(size: number, seed: number): Float32Array {
  const v = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

/** [a, b, c, d] data in NCHW order, rearranged to NHWC. */
function toNhwc(v: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          out[((i * h + y) * w + x) * c + ch] = v[((i * c + ch) * h + y) * w + x];
        }
  return out;
}

/** [O, C, kH, kW] filter data rearranged to tfjs's [kH, kW, C, O]. */
function toHwio(v: Float32Array, o: number, c: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let a = 0; a < o; a++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          out[((y * kw + x) * c + ch) * o + a] = v[((a * c + ch) * kh + y) * kw + x];
        }
  return out;
}

/**
 * tfjs conv2d (stride 1) with a gradient on both backends. tfjs-wasm registers no
 * Conv2DBackpropFilter kernel (tf.grad of conv2d throws there), so on wasm the filter
 * gradient runs its Conv3DBackpropFilterV2 kernel on depth-1 volumes; the forward (XNNPACK)
 * and the input gradient (Conv2DBackpropInput) are its own conv2d kernels.
 */
export function tfConv2d(x: tf.Tensor4D, w: tf.Tensor4D, pad: 'valid' | 'same'): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') return tf.conv2d(x, w, 1, pad);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi] = args as [tf.Tensor4D, tf.Tensor4D];
    (args[2] as tf.GradSaveFunc)([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, 1, pad),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [n, h, wd, c] = xs.shape,
          [kh, kw, , co] = ws.shape,
          [, oh, ow] = dy.shape;
        const dx = tf.conv2dTranspose(dy as tf.Tensor4D, ws, xs.shape, 1, pad);
        const dw = tf
          .engine()
          .runKernel(
            'Conv3DBackpropFilterV2',
            { x: tf.reshape(xs, [n, 1, h, wd, c]), dy: tf.reshape(dy, [n, 1, oh, ow, co]) },
            { strides: [1, 1, 1], pad, filterShape: [1, kh, kw, c, co] },
          ) as tf.Tensor;
        return [dx, tf.reshape(dw, ws.shape)];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

async function convRow(s: ConvShape, withCpu: boolean): Promise<Row> {
  const oh = s.h + 2 * s.pad - s.k + 1;
  const xv = values(s.n * s.c * s.h * s.h, 1),
    wv = values(s.o * s.c * s.k * s.k, 2),
    bv = values(s.o, 3);
  const gv = values(s.n * s.o * oh * oh, 4);
  const figures = await runSuite(`conv2d fwd+bwd ${s.name} batch ${s.n}`, [
    {
      system: 'tensorgrad',
      setup: () => {
        const x = tensor(xv, { shape: [s.n, s.c, s.h, s.h], requiresGrad: s.inputGrad });
        const w = tensor(wv, { shape: [s.o, s.c, s.k, s.k], requiresGrad: true });
        const b = tensor(bv, { shape: [s.o], requiresGrad: true });
        const g = tensor(gv, { shape: [s.n, s.o, oh, oh] });
        return () => {
          const loss = conv2d(x, w, b, { padding: s.pad }).mul(g).sum();
          loss.backward();
          const r = w.grad!.data[0] + b.grad!.data[0] + (s.inputGrad ? x.grad!.data[0] : 0);
          w.grad = null;
          b.grad = null;
          x.grad = null;
          return r;
        };
      },
    },
    ...tfjsConvCases(() => {
      const x = tf.tensor4d(toNhwc(xv, s.n, s.c, s.h, s.h), [s.n, s.h, s.h, s.c]);
      const w = tf.tensor4d(toHwio(wv, s.o, s.c, s.k, s.k), [s.k, s.k, s.c, s.o]);
      const b = tf.tensor1d(bv);
      const g = tf.tensor4d(toNhwc(gv, s.n, s.o, oh, oh), [s.n, oh, oh, s.o]);
      const pad = s.pad === 0 ? 'valid' : 'same';
      const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(tf.add(tfConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, pad), bi), g));
      const grads = tf.grads(f);
      return () => {
        const gs = grads([x, w, b]);
        const used = s.inputGrad ? gs : gs.slice(1);
        let r = 0;
        for (const t of used) r += t.dataSync()[0];
        for (const t of gs) t.dispose();
        return r;
      };
    }, withCpu),
  ]);
  return {
    workload: `conv2d fwd+bwd ${s.name}, batch ${s.n}`,
    metric: { ...microseconds, unit: 'ms/call', fromSeconds: (sec) => sec * 1e3 },
    figures,
    note: withCpu ? undefined : CPU_SKIPPED,
  };
}

/**
 * conv2d forward only, no graph: tfjs-wasm's strongest path (XNNPACK), beside tensorgrad's
 * im2col + wasm matmul, so the fwd+bwd ratios (where tfjs-wasm's filter gradient is a plain
 * loop) are not the only figure.
 */
async function forwardRow(s: ConvShape): Promise<Row> {
  const xv = values(s.n * s.c * s.h * s.h, 1),
    wv = values(s.o * s.c * s.k * s.k, 2),
    bv = values(s.o, 3);
  const figures = await runSuite(`conv2d forward ${s.name} batch ${s.n}`, [
    {
      system: 'tensorgrad',
      setup: () => {
        const x = tensor(xv, { shape: [s.n, s.c, s.h, s.h] });
        const w = tensor(wv, { shape: [s.o, s.c, s.k, s.k] }),
          b = tensor(bv, { shape: [s.o] });
        return () => noGrad(() => conv2d(x, w, b, { padding: s.pad })).data[0];
      },
    },
    ...tfjsConvCases(() => {
      const x = tf.tensor4d(toNhwc(xv, s.n, s.c, s.h, s.h), [s.n, s.h, s.h, s.c]);
      const w = tf.tensor4d(toHwio(wv, s.o, s.c, s.k, s.k), [s.k, s.k, s.c, s.o]);
      const b = tf.tensor1d(bv);
      return () => {
        const y = tf.add(tf.conv2d(x, w, 1, s.pad === 0 ? 'valid' : 'same'), b);
        const r = y.dataSync()[0];
        y.dispose();
        return r;
      };
    }, true),
  ]);
  return {
    workload: `conv2d forward ${s.name}, batch ${s.n}`,
    metric: { ...microseconds, unit: 'ms/call', fromSeconds: (sec) => sec * 1e3 },
    figures,
  };
}

/**
 * One SGD step (η = 0.01) of a LeNet-style CNN at batch 64: conv 1→32 5×5, relu, max-pool 2,
 * conv 32→64 5×5, relu, max-pool 2, flatten, linear 1024→10, log-softmax, mean NLL loss.
 */
async function lenetRow(): Promise<Row> {
  const n = BATCH,
    lr = 0.01;
  const xv = values(n * 28 * 28, 5).map((v) => (v + 1) / 2);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 10);
  const figures = await runSuite(`LeNet-style CNN SGD step batch ${n}`, [
    {
      system: 'tensorgrad',
      setup: () => {
        const x = tensor(xv, { shape: [n, 1, 28, 28] });
        const w1 = randn([32, 1, 5, 5], { seed: 1 }).mul(0.2).detach(),
          b1 = randn([32], { seed: 2 }).mul(0.1).detach();
        const w2 = randn([64, 32, 5, 5], { seed: 3 }).mul(0.035).detach(),
          b2 = randn([64], { seed: 4 }).mul(0.1).detach();
        const w3 = randn([1024, 10], { seed: 5 }).mul(0.03).detach(),
          b3 = randn([10], { seed: 6 }).mul(0.1).detach();
        const params: Tensor[] = [w1, b1, w2, b2, w3, b3];
        for (const p of params) p.requiresGrad = true;
        const target = tensor(Float32Array.from(labels), { shape: [n, 1] });
        return () => {
          const h1 = maxPool2d(conv2d(x, w1, b1).relu(), 2);
          const h2 = maxPool2d(conv2d(h1, w2, b2).relu(), 2);
          const logits = h2.flatten(1).matmul(w3).add(b3);
          const loss = logits.logSoftmax(1).gather(1, target).mean().neg();
          loss.backward();
          for (const p of params) {
            const d = p.data,
              gr = p.grad!.data;
            for (let i = 0; i < d.length; i++) d[i] -= lr * gr[i];
            p.grad = null;
          }
          return loss.item();
        };
      },
    },
    ...tfjsConvCases(() => {
      const x = tf.tensor4d(xv, [n, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const w1 = tf.variable(tf.randomNormal([5, 5, 1, 32], 0, 0.2, 'float32', 1)),
        b1 = tf.variable(tf.randomNormal([32], 0, 0.1, 'float32', 2));
      const w2 = tf.variable(tf.randomNormal([5, 5, 32, 64], 0, 0.035, 'float32', 3)),
        b2 = tf.variable(tf.randomNormal([64], 0, 0.1, 'float32', 4));
      const w3 = tf.variable(tf.randomNormal([1024, 10], 0, 0.03, 'float32', 5)),
        b3 = tf.variable(tf.randomNormal([10], 0, 0.1, 'float32', 6));
      const opt = tf.train.sgd(lr);
      const lossFn = (): tf.Scalar => {
        const h1 = tf.maxPool(tf.relu(tf.add(tfConv2d(x, w1 as tf.Tensor as tf.Tensor4D, 'valid'), b1)) as tf.Tensor4D, 2, 2, 'valid');
        const h2 = tf.maxPool(tf.relu(tf.add(tfConv2d(h1, w2 as tf.Tensor as tf.Tensor4D, 'valid'), b2)) as tf.Tensor4D, 2, 2, 'valid');
        const logits = tf.add(tf.matMul(tf.reshape(h2, [n, 1024]), w3), b3);
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), y), 1))) as tf.Scalar;
      };
      return () => {
        const cost = opt.minimize(lossFn, true, [w1, b1, w2, b2, w3, b3])!;
        const c = cost.dataSync()[0];
        cost.dispose();
        return c;
      };
    }, SLOW_PEERS),
  ]);
  return {
    workload: `LeNet-style CNN SGD step, batch ${n}`,
    metric: { ...microseconds, unit: 'ms/step', fromSeconds: (sec) => sec * 1e3 },
    figures,
    note: SLOW_PEERS ? undefined : CPU_SKIPPED,
  };
}

export async function convSuites(): Promise<Row[]> {
  const rows: Row[] = [];
  for (let i = 0; i < SHAPES.length; i++) rows.push(await convRow(SHAPES[i], i === 0 || SLOW_PEERS));
  rows.push(await forwardRow(SHAPES[1]));
  rows.push(await lenetRow());
  return rows;
}
