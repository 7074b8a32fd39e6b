import type { FloatArray } from './kernels/types.js';

/** The element types a tensor can hold. `float32` is the default; `float64` is for exact checks. */
export type DType = 'float32' | 'float64';

/**
 * Zero-filled storage for `size` elements of `dtype`: a recycled buffer when one of that size
 * is pooled (see `recycle`), else a new typed array.
 */
export function allocate(dtype: DType, size: number): FloatArray {
  const reused = takePooled(dtype, size);
  if (reused !== null) {
    reused.fill(0);
    return reused;
  }
  return fresh(dtype, size);
}

/**
 * Storage for `size` elements that the caller overwrites completely before anything reads
 * it (an op's output): like `allocate`, but a recycled buffer is not zero-filled first.
 */
export function allocateForOverwrite(dtype: DType, size: number): FloatArray {
  return takePooled(dtype, size) ?? fresh(dtype, size);
}

function fresh(dtype: DType, size: number): FloatArray {
  const data = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  if (collected !== null && size >= POOL_MIN) collected.add(data);
  return data;
}

// ---- the buffer pool ------------------------------------------------------------------------
// A typed array of more than 64 bytes lives outside V8's heap, and a fresh one costs its
// allocation plus a page fault per 4 KB at first write (measured: ~1 µs for 1 KB, ~30 µs for
// 256 KB, against ~5 µs to refill a reused 256 KB buffer). backward() knows which buffers it
// allocated and that nothing can reach afterwards (the gradients flowing between ops), and
// hands them back here for the next allocation of the same size.

/** Buffers below this many elements are not pooled: V8 allocates them cheaply on its heap. */
const POOL_MIN = 16;
/** At most this many bytes wait in the pool, and this many buffers per size. */
const POOL_MAX_BYTES = 64 << 20;
const POOL_MAX_PER_SIZE = 16;

const pool = new Map<number, FloatArray[]>();
let pooledBytes = 0;
/** Buffers allocated while a backward() collects them, or null. */
let collected: Set<FloatArray> | null = null;

function poolKey(dtype: DType, size: number): number {
  return size * 2 + (dtype === 'float64' ? 1 : 0);
}

function takePooled(dtype: DType, size: number): FloatArray | null {
  if (size < POOL_MIN) return null;
  const list = pool.get(poolKey(dtype, size));
  const data = list?.pop();
  if (data === undefined) return null;
  pooledBytes -= data.byteLength;
  if (collected !== null) collected.add(data);
  return data;
}

/**
 * Starts recording the buffers allocated from here on; returns the set they go into and the
 * set that was recording before (pass it to `stopCollecting`), so calls nest.
 */
export function startCollecting(): [Set<FloatArray>, Set<FloatArray> | null] {
  const previous = collected;
  collected = new Set();
  return [collected, previous];
}

/** Stops the recording begun by `startCollecting`, restoring the one before it. */
export function stopCollecting(previous: Set<FloatArray> | null): void {
  collected = previous;
}

/**
 * Hands `data` back for reuse. Only for buffers nothing can reach any more: the caller
 * guarantees it (backward() recycles the gradients it passed between ops).
 */
export function recycle(data: FloatArray): void {
  if (data.length < POOL_MIN || pooledBytes + data.byteLength > POOL_MAX_BYTES) return;
  const key = poolKey(dtypeOf(data), data.length);
  let list = pool.get(key);
  if (list === undefined) {
    list = [];
    pool.set(key, list);
  }
  if (list.length >= POOL_MAX_PER_SIZE) return;
  list.push(data);
  pooledBytes += data.byteLength;
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * The dtype rule for mixing: float64 wins (NumPy's promotion), so a float64 check is never
 * silently rounded through float32. A plain number adopts its tensor partner's dtype.
 */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === undefined) return 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
  }
  return dtype;
}
