/**
 * Workloads 2, 3 and 5: dense matmul, a broadcast elementwise chain (forward, and forward +
 * backward), and the fixed overhead of one op on one-element tensors. Each suite measures
 * tensorgrad, tfjs-cpu and tfjs-wasm side by side in this process.
 *
 * tfjs bodies read their results back (`dataSync()`) and dispose everything they made, so the
 * work is really done and memory stays flat; tensorgrad computes eagerly into fresh typed arrays.
 */
import { compile, noGrad, randn, tensor, type Tensor } from '../../src/index.js';
import { onBackend, tf, type TfBackend } from '../peers/tfjs.js';
import { compiledRow, gflops, microseconds, runSuite, type Case, type CaseOptions, type Row } from './common.js';
import { disableThreads, enableThreads } from '../../src/threads/index.js';

/** The two tfjs cases of a workload, with the same setup run on each backend. */
export function tfjsCases(setup: () => () => unknown, options?: CaseOptions): Case[] {
  const backends: [TfBackend, Case['system']][] = [
    ['cpu', 'tfjs-cpu'],
    ['wasm', 'tfjs-wasm'],
  ];
  return backends.map(([b, system]) => ({ system, setup: onBackend(b, setup), options }));
}

/** Reads every tensor back, forcing the computation. */
function sync(ts: readonly tf.Tensor[]): void {
  for (const t of ts) t.dataSync();
}

/**
 * Dense n×n matmul. With `threads` > 1 tensorgrad runs on `enableThreads(threads)` (worker
 * threads over one shared wasm memory); tfjs-wasm has no threads in Node, so its figure stays
 * single-threaded.
 */
export async function matmulSuites(sizes: readonly number[] = [64, 128, 256, 512, 1024], threads = 1): Promise<Row[]> {
  const rows: Row[] = [];
  if (threads > 1 && !enableThreads(threads)) {
    console.log(`(threads unavailable here: skipping the ${threads}-thread matmul rows)`);
    return rows;
  }
  const tag = threads > 1 ? `, tensorgrad on ${threads} threads` : '';
  try {
    for (const n of sizes) rows.push(await matmulRow(n, tag));
  } finally {
    if (threads > 1) await disableThreads();
  }
  return rows;
}

async function matmulRow(n: number, tag: string): Promise<Row> {
  const figures = await runSuite(`matmul float32 n=${n}${tag ? ' threads' : ''}`, [
    {
      system: 'tensorgrad',
      setup: () => {
        const a = randn([n, n], { seed: 1 });
        const b = randn([n, n], { seed: 2 });
        return () => noGrad(() => a.matmul(b));
      },
    },
    ...tfjsCases(() => {
      const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
      const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
      return () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      };
    }),
  ]);
  return { workload: `matmul ${n}×${n} float32${tag}`, metric: gflops(2 * n ** 3), figures };
}

const B = 256;

export async function broadcastSuites(): Promise<Row[]> {
  const label = `x[${B},${B}]·y[${B}]+z[${B},1] → sigmoid`;
  const forward = await runSuite(`broadcast chain forward ${B}x${B}`, [
    {
      system: 'tensorgrad',
      setup: () => {
        const x = randn([B, B], { seed: 1 });
        const y = randn([B], { seed: 2 });
        const z = randn([B, 1], { seed: 3 });
        return () => noGrad(() => x.mul(y).add(z).sigmoid());
      },
    },
    {
      // The same chain through compile(): one fused kernel call that keeps x·y and x·y+z in
      // registers and writes only the result, into a buffer planned at the trace (no fresh
      // 256 KB outputs, whose allocation and first-touch page faults are most of the eager time).
      system: 'tensorgrad-compiled',
      setup: () => {
        const x = randn([B, B], { seed: 1 });
        const y = randn([B], { seed: 2 });
        const z = randn([B, 1], { seed: 3 });
        const chain = compile((x: Tensor, y: Tensor, z: Tensor) => x.mul(y).add(z).sigmoid());
        return () => chain(x, y, z);
      },
    },
    ...tfjsCases(() => {
      const x = tf.randomNormal([B, B], 0, 1, 'float32', 1);
      const y = tf.randomNormal([B], 0, 1, 'float32', 2);
      const z = tf.randomNormal([B, 1], 0, 1, 'float32', 3);
      return () => {
        tf.tidy(() => {
          tf.sigmoid(tf.add(tf.mul(x, y), z)).dataSync();
        });
      };
    }),
  ]);
  const backward = await runSuite(`broadcast chain forward+backward ${B}x${B}`, [
    {
      system: 'tensorgrad',
      setup: () => {
        const x = randn([B, B], { seed: 1, requiresGrad: true });
        const y = randn([B], { seed: 2, requiresGrad: true });
        const z = randn([B, 1], { seed: 3, requiresGrad: true });
        const params = [x, y, z];
        return () => {
          for (const p of params) p.grad = null;
          x.mul(y).add(z).sigmoid().sum().backward();
          return z.grad;
        };
      },
    },
    {
      // Compiled, the forward and the gradient chain each fuse into one call. The gradients
      // accumulate into the same .grad buffers (a compiled step keeps them): one add per
      // parameter element more than the eager row, which starts from fresh ones.
      system: 'tensorgrad-compiled',
      setup: () => {
        const x = randn([B, B], { seed: 1, requiresGrad: true });
        const y = randn([B], { seed: 2, requiresGrad: true });
        const z = randn([B, 1], { seed: 3, requiresGrad: true });
        const step = compile(() => x.mul(y).add(z).sigmoid().sum().backward());
        return () => {
          step();
          return z.grad;
        };
      },
    },
    ...tfjsCases(() => {
      const x = tf.randomNormal([B, B], 0, 1, 'float32', 1);
      const y = tf.randomNormal([B], 0, 1, 'float32', 2);
      const z = tf.randomNormal([B, 1], 0, 1, 'float32', 3);
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.sigmoid(tf.add(tf.mul(x, y), z))));
      return () => {
        tf.tidy(() => sync(g([x, y, z])));
      };
    }),
  ]);
  return [
    { workload: `${label}, forward`, metric: microseconds, figures: forward },
    compiledRow(`${label}, forward, compile()`, microseconds, forward),
    { workload: `${label}, fwd+backward (of .sum())`, metric: microseconds, figures: backward },
    compiledRow(`${label}, fwd+backward, compile()`, microseconds, backward),
  ];
}

export async function opOverheadSuites(): Promise<Row[]> {
  const forward = await runSuite('one-element add, forward', [
    {
      system: 'tensorgrad',
      setup: () => {
        const a = tensor(1.5);
        const b = tensor(2.5);
        return () => a.add(b);
      },
    },
    ...tfjsCases(() => {
      const a = tf.scalar(1.5);
      const b = tf.scalar(2.5);
      return () => {
        const c = tf.add(a, b);
        c.dataSync();
        c.dispose();
      };
    }),
  ]);
  const backward = await runSuite('one-element add, forward+backward', [
    {
      system: 'tensorgrad',
      setup: () => {
        const a: Tensor = tensor(1.5, { requiresGrad: true });
        const b: Tensor = tensor(2.5, { requiresGrad: true });
        return () => {
          a.grad = null;
          b.grad = null;
          a.add(b).backward();
          return a.grad;
        };
      },
    },
    ...tfjsCases(() => {
      const a = tf.scalar(1.5);
      const b = tf.scalar(2.5);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.add(a, b));
      return () => {
        tf.tidy(() => sync(g([a, b])));
      };
    }),
  ]);
  return [
    { workload: 'one-element add (shape []), forward', metric: microseconds, figures: forward, note: 'per op' },
    { workload: 'one-element add (shape []), fwd+backward', metric: microseconds, figures: backward, note: 'per op' },
  ];
}
