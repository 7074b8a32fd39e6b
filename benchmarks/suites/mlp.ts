/**
 * Workload 4: one training step of the lecture's network, 784-30-10, sigmoid everywhere,
 * quadratic cost C = 1/(2n)·Σ‖y − a‖², mini-batch n = 10, plain SGD with η = 3.0.
 *
 * tensorgrad uses raw Tensor ops on leaf parameters (`requiresGrad`), `loss.backward()`, and an
 * in-place update `p.data[i] -= η·p.grad.data[i]` outside the graph, then `p.grad = null`.
 * tfjs uses `tf.train.sgd(3).minimize(...)` on `tf.variable`s and reads the cost back.
 */
import { randn, tensor, type Tensor } from '../../src/index.js';
import { tf } from '../peers/tfjs.js';
import { microseconds, runSuite, type Row } from './common.js';
import { tfjsCases } from './tensor.js';

const SIZES = [784, 30, 10] as const;
const BATCH = 10;
const LR = 3.0;

/** A fixed mini-batch: pixel-like inputs in [0, 1) and one-hot targets. */
function batch(): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(BATCH * SIZES[0]);
  const y = new Float32Array(BATCH * SIZES[2]);
  let s = 7;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = s / 2 ** 32;
  }
  for (let r = 0; r < BATCH; r++) y[r * SIZES[2] + (r % SIZES[2])] = 1;
  return { x, y };
}

export async function mlpStepSuite(): Promise<Row[]> {
  const figures = await runSuite('MLP 784-30-10 SGD step, batch 10', [
    {
      system: 'tensorgrad',
      setup: () => {
        const { x: xd, y: yd } = batch();
        const x = tensor(xd, { shape: [BATCH, SIZES[0]] });
        const y = tensor(yd, { shape: [BATCH, SIZES[2]] });
        const W1 = randn([SIZES[0], SIZES[1]], { seed: 1, requiresGrad: true });
        const b1 = randn([SIZES[1]], { seed: 2, requiresGrad: true });
        const W2 = randn([SIZES[1], SIZES[2]], { seed: 3, requiresGrad: true });
        const b2 = randn([SIZES[2]], { seed: 4, requiresGrad: true });
        const params: Tensor[] = [W1, b1, W2, b2];
        return () => {
          const h = x.matmul(W1).add(b1).sigmoid();
          const out = h.matmul(W2).add(b2).sigmoid();
          const loss = out
            .sub(y)
            .square()
            .sum()
            .mul(1 / (2 * BATCH));
          loss.backward();
          for (const p of params) {
            const d = p.data;
            const g = p.grad!.data;
            for (let i = 0; i < d.length; i++) d[i] -= LR * g[i];
            p.grad = null;
          }
          return loss.item();
        };
      },
    },
    ...tfjsCases(() => {
      const { x: xd, y: yd } = batch();
      const x = tf.tensor2d(xd, [BATCH, SIZES[0]]);
      const y = tf.tensor2d(yd, [BATCH, SIZES[2]]);
      const W1 = tf.variable(tf.randomNormal([SIZES[0], SIZES[1]], 0, 1, 'float32', 1));
      const b1 = tf.variable(tf.randomNormal([SIZES[1]], 0, 1, 'float32', 2));
      const W2 = tf.variable(tf.randomNormal([SIZES[1], SIZES[2]], 0, 1, 'float32', 3));
      const b2 = tf.variable(tf.randomNormal([SIZES[2]], 0, 1, 'float32', 4));
      const opt = tf.train.sgd(LR);
      const lossFn = (): tf.Scalar => {
        const h = tf.sigmoid(tf.add(tf.matMul(x, W1), b1));
        const out = tf.sigmoid(tf.add(tf.matMul(h, W2), b2));
        return tf.mul(tf.sum(tf.square(tf.sub(out, y))), 1 / (2 * BATCH)) as tf.Scalar;
      };
      return () => {
        const cost = opt.minimize(lossFn, true, [W1, b1, W2, b2])!;
        const c = cost.dataSync()[0];
        cost.dispose();
        return c;
      };
    }),
  ]);
  return [{ workload: 'MLP 784-30-10 train step, batch 10, SGD η=3', metric: { ...microseconds, unit: 'µs/step' }, figures }];
}
