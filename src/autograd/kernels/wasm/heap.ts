/**
 * A wasm linear memory as JavaScript sees it ({@link Heap}): growing it within its limit,
 * sizing regions in it, and copying floats in and out. Used for the single-thread kernels'
 * arenas (./memory.ts) and for src/threads' shared memory alike.
 *
 * Every address here is a byte address, every length a count of floats. Sizes are computed
 * exactly whatever their size (no 32-bit shifts, which wrap past 2 GiB) and checked against
 * the limit before anything is reserved: a request too big throws a RangeError naming it and
 * the limit, and leaves the memory as it was.
 *
 * Isomorphic: no Node-only APIs.
 */
import type { WasmMemory } from './module.js';

/** Bytes per wasm page. */
export const PAGE = 65536;
/** wasm32 addresses at most 4 GiB. */
export const WASM32_BYTES = 65536 * PAGE;

/** A wasm linear memory: a float32 view of all of it, and a scratch region from `base`. */
export interface Heap {
  readonly memory: WasmMemory;
  /** What the memory is, for error messages ("wasm memory", "shared wasm memory"). */
  readonly name: string;
  /** Float32 view of all of the memory; replaced whenever it grows. */
  heap: Float32Array;
  /** `heap.buffer`, kept so the resident check does not query the memory on every operand. */
  buffer: ArrayBufferLike;
  /** memory.buffer.byteLength as of the last growth (only {@link reserve} grows a heap). */
  bytes: number;
  /** First scratch byte (16-aligned). */
  base: number;
  /** Most bytes the memory may grow to: its maximum; `bytes` for one that must never grow. */
  readonly limit: number;
}

/** A {@link Heap} over `memory` (its current size), scratch from `base`, growing up to `limit` bytes. */
export function heapOf(memory: WasmMemory, name: string, base: number, limit: number): Heap {
  const heap = new Float32Array(memory.buffer);
  return { memory, name, heap, buffer: heap.buffer, bytes: memory.buffer.byteLength, base, limit };
}

/**
 * Makes `h` span the bytes [0, end), growing it if needed, and returns its (current) float32
 * view. Throws a RangeError naming `fn`, the request and the limit when `end` is past
 * `h.limit` or the engine refuses the growth; `h` is then unchanged.
 */
export function reserve(h: Heap, end: number, fn: string): Float32Array {
  if (end <= h.bytes) return h.heap;
  if (!(end <= h.limit)) throw overLimit(fn, h.name, end - h.base, h.limit - h.base, h.limit);
  const have = h.memory.buffer.byteLength;
  if (end > have) {
    try {
      h.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      throw new RangeError(`${fn}: could not grow ${h.name} to ${end} bytes (${(e as Error).message})`);
    }
  }
  h.heap = new Float32Array(h.memory.buffer);
  h.buffer = h.heap.buffer;
  h.bytes = h.memory.buffer.byteLength;
  return h.heap;
}

/** The error for `fn` needing `bytes` of scratch in a memory that has room for `room` (`limit` in all). */
export function overLimit(fn: string, name: string, bytes: number, room: number, limit: number): RangeError {
  const why = limit === WASM32_BYTES ? ': wasm32 addresses 4 GiB' : '';
  return new RangeError(
    `${fn}: needs ${bytes} bytes of ${name} for its operands and scratch; the limit is ${room} ` + `(${limit} bytes in all${why})`,
  );
}

/** Bytes for `floats` float32 values, padded to whole 16-byte vectors. */
export function vecBytes(floats: number): number {
  // Exact for any size (shifts would wrap past 2 GiB), and small-integer arithmetic for the
  // sizes calls really have (Math.ceil measured a few ns slower per call).
  const r = floats + 3;
  return (r - (r % 4)) * 4;
}

/** Rounds a byte count up to a multiple of 16. */
export function align16(bytes: number): number {
  const r = bytes + 15;
  return r - (r % 16); // as vecBytes: exact, and small-integer arithmetic where it can be
}

/** Below this many floats a plain loop beats allocating a subarray view for set(). */
const LOOP_COPY_MAX = 64;

/** Copies `len` floats of `src` from index `off` into the memory `heap` views, at byte address `ptr`. */
export function copyIn(heap: Float32Array, ptr: number, src: Float32Array, off: number, len: number): void {
  const at = ptr >>> 2; // addresses are below 4 GiB: >>> stays exact where >> would wrap
  if (off === 0 && len === src.length) {
    heap.set(src, at);
  } else if (len <= LOOP_COPY_MAX) {
    for (let i = 0; i < len; i++) heap[at + i] = src[off + i];
  } else {
    heap.set(src.subarray(off, off + len), at);
  }
}

/** Copies `len` floats at byte address `ptr` of the memory `heap` views into `dst` from index `off`. */
export function copyOut(heap: Float32Array, ptr: number, dst: Float32Array, off: number, len: number): void {
  const at = ptr >>> 2;
  if (len <= LOOP_COPY_MAX) {
    for (let i = 0; i < len; i++) dst[off + i] = heap[at + i];
  } else if (dst.buffer === heap.buffer) {
    // A resident destination: a move within the memory, without a view object per call.
    heap.copyWithin(dst.byteOffset / 4 + off, at, at + len);
  } else {
    dst.set(heap.subarray(at, at + len), off);
  }
}
