/**
 * The NumPy peer of `npm run bench:mnist`: starts benchmarks/peers/numpy_epoch.py as a
 * long-lived `python3` subprocess, hands it the run's data through a temporary folder of raw
 * arrays, and drives it by one JSON line per command, so that it trains interleaved with the
 * in-process systems. The subprocess times its own steps (perf_counter), so pipe latency is
 * not charged to NumPy.
 *
 * BLAS runs on one thread (OPENBLAS/OMP/MKL_NUM_THREADS=1), as every other system here does.
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the subprocess's environment: some
 * machines set them to work around old OpenBLAS builds, and they force a current NumPy onto a
 * slower kernel. The kernel that does run is reported (`blas`).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'numpy_epoch.py');

/** What the peer needs: the data, the shared batch order and the shared initial parameters. */
export interface NumpyRunData {
  sizes: readonly [number, number, number];
  batch: number;
  lr: number;
  train: { images: Float32Array; labels: Uint8Array; count: number };
  test: { images: Float32Array; labels: Uint8Array; count: number };
  order: Int32Array;
  params: { W1: Float32Array; b1: Float32Array; W2: Float32Array; b2: Float32Array };
}

/** A running NumPy peer. */
export interface NumpyPeer {
  /** e.g. `NumPy 2.4.6 (Python 3.11.7), OpenBLAS 0.3.31 … (kernel Haswell, threads=1)`. */
  description: string;
  /** Steps 0..steps-1 on a throwaway model (untimed warm-up). */
  warmUp(steps: number): Promise<void>;
  /** Steps from..to-1 on the kept model; resolves to the seconds NumPy measured. */
  train(from: number, to: number): Promise<number>;
  /** Test accuracy of the kept model (untimed). */
  accuracy(): Promise<number>;
  /** Stops the subprocess and deletes the temporary folder. */
  close(): Promise<void>;
}

/** The environment of the subprocess: one BLAS thread, no forced (slow) OpenBLAS kernel. */
function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Why NumPy cannot run here (no python3, or no numpy), or null when it can. */
export function numpyUnavailable(): string | null {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { env: peerEnv(), encoding: 'utf8' });
  if (probe.error) return `python3 not found (${probe.error.message})`;
  if (probe.status !== 0) return `python3 has no NumPy (${probe.stderr.trim().split('\n').pop()})`;
  return null;
}

function bytes(a: Float32Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Starts the peer; resolves once it has loaded the data and said which BLAS it runs. */
export async function startNumpy(d: NumpyRunData): Promise<NumpyPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-numpy-'));
  const F = d.sizes[0];
  // Raw little-endian arrays (every platform Node runs on is little-endian; numpy reads '<f4').
  writeFileSync(join(dir, 'train_x.f32'), bytes(d.train.images.subarray(0, d.train.count * F)));
  writeFileSync(join(dir, 'train_y.u8'), bytes(d.train.labels.subarray(0, d.train.count)));
  writeFileSync(join(dir, 'test_x.f32'), bytes(d.test.images.subarray(0, d.test.count * F)));
  writeFileSync(join(dir, 'test_y.u8'), bytes(d.test.labels.subarray(0, d.test.count)));
  writeFileSync(join(dir, 'order.i32'), bytes(d.order));
  for (const [name, a] of Object.entries(d.params)) writeFileSync(join(dir, `${name}.f32`), bytes(a));
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ sizes: d.sizes, batch: d.batch, lr: d.lr, train: d.train.count, test: d.test.count, order: d.order.length }),
  );

  const child: ChildProcessWithoutNullStreams = spawn('python3', [SCRIPT, dir], { env: peerEnv() });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const read = async (what: string): Promise<Record<string, unknown>> => {
    const next = await lines.next();
    if (next.done) throw new Error(`numpy peer: exited while waiting for ${what}:\n${stderr}`);
    const msg = JSON.parse(next.value) as Record<string, unknown>;
    if (typeof msg.error === 'string') throw new Error(msg.error);
    return msg;
  };
  const ask = async (cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
    child.stdin.write(JSON.stringify(cmd) + '\n');
    return read(String(cmd.cmd));
  };

  const hello = await read('start-up');
  return {
    description: `NumPy ${hello.numpy} (Python ${hello.python}), ${hello.blas}`,
    async warmUp(steps) {
      await ask({ cmd: 'warmup', steps });
    },
    async train(from, to) {
      return Number((await ask({ cmd: 'train', from, to })).seconds);
    },
    async accuracy() {
      return Number((await ask({ cmd: 'accuracy' })).accuracy);
    },
    async close() {
      await ask({ cmd: 'quit' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
