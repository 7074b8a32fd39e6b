/**
 * TensorFlow.js as a benchmark peer: initialises the `cpu` and `wasm` backends once, in this
 * process, and switches between them.
 *
 * `@tensorflow/tfjs` (not tfjs-core alone) is imported because it registers the gradient
 * functions. The wasm backend's `.wasm` files ship inside its own `dist/` folder; in Node
 * `setWasmPaths` must point there as a file path with a trailing slash. Threads are not
 * available in Node, so wasm runs single-threaded (SIMD on, by default).
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

/** The two tfjs backends measured. */
export type TfBackend = 'cpu' | 'wasm';
export const TF_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];

let initialised: Promise<void> | null = null;

/**
 * Initialises both backends (idempotent). After it resolves, `useBackend` switches
 * synchronously, because both backends are already registered and initialised.
 */
export function initTfjs(): Promise<void> {
  if (initialised === null) initialised = doInit();
  return initialised;
}

async function doInit(): Promise<void> {
  const require = createRequire(import.meta.url);
  const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep;
  setWasmPaths(wasmDist);
  // Keep tfjs's "install tfjs-node" banner and webgl probing out of the benchmark output.
  tf.env().set('PROD', true);
  for (const name of ['wasm', 'cpu'] as const) {
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (!ok || tf.getBackend() !== name) throw new Error(`tfjs: could not initialise the '${name}' backend (got '${tf.getBackend()}')`);
  }
}

/**
 * Makes `name` the active tfjs backend. Synchronous once `initTfjs()` has resolved: for a
 * registered, initialised backend `tf.setBackend` switches before its first `await`.
 * Checked, so a benchmark never silently measures the wrong backend.
 */
export function useBackend(name: TfBackend): void {
  if (tf.getBackend() === name) return;
  void tf.setBackend(name);
  if (tf.getBackend() !== name) {
    throw new Error(`tfjs: switching to '${name}' did not take effect synchronously (active: '${tf.getBackend()}'); call initTfjs() first`);
  }
}

/** A description of the backends actually in use, for the report header. */
export function describeTfjs(): string {
  const parts: string[] = [];
  const prev = tf.getBackend();
  for (const name of TF_BACKENDS) {
    useBackend(name);
    let extra = '';
    if (name === 'wasm') {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      extra = ` (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'})`;
    }
    parts.push(`${name}${extra}`);
  }
  if (prev === 'cpu' || prev === 'wasm') useBackend(prev);
  return `@tensorflow/tfjs ${tf.version.tfjs}, backends: ${parts.join(', ')}`;
}

/**
 * Wraps a benchmark case's setup so that its tensors are made on backend `name` and every
 * timed call runs there (benny prepares all cases of a suite before running any of them).
 */
export function onBackend(name: TfBackend, setup: () => () => unknown): () => () => unknown {
  return () => {
    useBackend(name);
    const body = setup();
    return () => {
      useBackend(name);
      return body();
    };
  };
}
