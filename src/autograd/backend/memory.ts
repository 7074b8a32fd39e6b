/**
 * Who owns tensor memory: ordinary typed arrays for op outputs (recycled through a pool
 * once a backward() proves nobody can reach them), and resident storage in the wasm
 * kernels' memory for long-lived tensors (parameters, their gradients, optimizer state,
 * batch buffers), which the kernels read and update in place.
 */
import type { FloatArray } from '../kernels/types.js';
import { dtypeOf, type DType } from '../dtype.js';
import { engineState } from '../state.js';
import { isResident, residentF32, zeroF32 } from '../kernels/wasm/index.js';
import { useWasm } from './dispatch.js';

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
 * it (an op's output): like `allocate`, but not zero-filled, neither a recycled buffer nor
 * (in Node, from 16 KB) a fresh one; its contents are unspecified.
 *
 * Op outputs are ordinary arrays, not resident blocks of wasm memory, although a fresh large
 * one costs its page faults: nothing tells the engine when an eager op's output dies except
 * the garbage collector, and a FinalizationRegistry hears of dead views only after a full
 * (mark-compact) collection, whereas dead typed arrays are freed by the cheap young-generation
 * ones. Tried on the 256×256 broadcast chain: resident outputs had to force a full collection
 * every 64 MiB or so to get their blocks back, which cost what the page faults did and slowed
 * everything else in the process (tfjs-wasm beside it ran 1.5–2× slower).
 */
export function allocateForOverwrite(dtype: DType, size: number): FloatArray {
  return takePooled(dtype, size) ?? freshUnzeroed(dtype, size);
}

/**
 * Zero-filled storage for a long-lived tensor (a parameter, its gradient, optimizer state, a
 * reused batch buffer): resident in the wasm kernels' memory when they are in use for this
 * dtype, so they work on it in place without copying; otherwise an ordinary typed array.
 * This is the one call `nn`, `optim` and `data` use to ask for such storage.
 *
 * Keep the returned array (or a tensor over it) rather than a `subarray` of it: a resident
 * block is released when the array itself is garbage-collected.
 */
export function allocateResident(dtype: DType, size: number): FloatArray {
  if (dtype === 'float32' && useWasm()) {
    const r = residentF32(size);
    if (r !== null) return r;
  }
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** Whether `data` lives in the wasm kernels' memory (see `allocateResident`). */
export function isResidentData(data: FloatArray): boolean {
  return data instanceof Float32Array && isResident(data);
}

/** Sets every element of `data` to 0 (quickly, also for resident data). */
export function zeroFill(data: FloatArray): void {
  if (data instanceof Float32Array) zeroF32(data);
  else data.fill(0);
}

function fresh(dtype: DType, size: number): FloatArray {
  return collected(dtype === 'float64' ? new Float64Array(size) : new Float32Array(size));
}

/** `data`, added to the set of buffers being recorded (see `startCollecting`) if it is poolable. */
function collected(data: FloatArray): FloatArray {
  const collecting = engineState.collecting;
  if (collecting !== null && data.length >= POOL_MIN) collecting.add(data);
  return data;
}

// ---- fresh storage that is not zero-filled --------------------------------------------------
// A new typed array is zero-filled: the engine asks the C allocator for calloc'd memory, which
// for memory it recycles means a memset of the whole buffer, just before the op overwrites it.
// An op output needs no zeros, and Node can skip them: Buffer.allocUnsafeSlow(n) is an
// ArrayBuffer of its own, of exactly n bytes, malloc'd (still zero-filled when node runs with
// --zero-fill-buffers). Elsewhere (browsers) op outputs are ordinary zero-filled arrays.
// Measured on x[256,256]·y[256]+z[256,1] → sigmoid (three fresh 256 KB outputs per call, Node
// 20, tfjs loaded in the process, 40 interleaved rounds ×3): 327 → 290, 298 → 275, 291 →
// 269 µs median per call.

/** Below this many bytes the saved memset is worth less than the call to Node's allocator. */
const UNZEROED_MIN_BYTES = 16384;

type UnsafeAlloc = (bytes: number) => { readonly buffer: ArrayBufferLike; readonly byteOffset: number };

/** Node's Buffer.allocUnsafeSlow, bound; null where there is no such function. */
const allocUnsafeSlow = ((): UnsafeAlloc | null => {
  const B = (globalThis as { Buffer?: { allocUnsafeSlow?: unknown } }).Buffer;
  const f = B?.allocUnsafeSlow;
  return typeof f === 'function' ? (f.bind(B) as UnsafeAlloc) : null;
})();

/** A new array of `size` elements whose contents are unspecified (zeros where that is all there is). */
function freshUnzeroed(dtype: DType, size: number): FloatArray {
  const f64 = dtype === 'float64';
  const bytes = size * (f64 ? 8 : 4);
  if (allocUnsafeSlow === null || bytes < UNZEROED_MIN_BYTES) return fresh(dtype, size);
  let raw: ReturnType<UnsafeAlloc>;
  try {
    raw = allocUnsafeSlow(bytes);
  } catch {
    // Too big (or no memory): the typed array constructor throws its usual RangeError.
    return fresh(dtype, size);
  }
  // A buffer of its own, starting at 0, exactly as long as asked: `data.buffer` must not
  // reach memory other arrays use (a pooling polyfill would hand out slices of a shared one).
  if (raw.byteOffset !== 0 || raw.buffer.byteLength !== bytes || !(raw.buffer instanceof ArrayBuffer)) return fresh(dtype, size);
  return collected(f64 ? new Float64Array(raw.buffer, 0, size) : new Float32Array(raw.buffer, 0, size));
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

function poolKey(dtype: DType, size: number): number {
  return size * 2 + (dtype === 'float64' ? 1 : 0);
}

function takePooled(dtype: DType, size: number): FloatArray | null {
  if (size < POOL_MIN) return null;
  const list = pool.get(poolKey(dtype, size));
  const data = list?.pop();
  if (data === undefined) return null;
  pooledBytes -= data.byteLength;
  engineState.collecting?.add(data);
  return data;
}

/**
 * Starts recording the buffers allocated from here on; returns the set they go into and the
 * set that was recording before (pass it to `stopCollecting`), so calls nest.
 */
export function startCollecting(): [Set<FloatArray>, Set<FloatArray> | null] {
  const previous = engineState.collecting;
  const created = new Set<FloatArray>();
  engineState.collecting = created;
  return [created, previous];
}

/** Stops the recording begun by `startCollecting`, restoring the one before it. */
export function stopCollecting(previous: Set<FloatArray> | null): void {
  engineState.collecting = previous;
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
