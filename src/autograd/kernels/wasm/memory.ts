/**
 * The single-thread kernels' memory: the resident arena of the main instance, the overflow
 * arena for calls too big for it, and the per-call operand placement ({@link openScratch},
 * {@link Arena}) the wrappers use. Addresses are bytes, lengths floats (as in ./heap.ts).
 *
 * Resident arrays ({@link residentF32}): model parameters and their gradients live in
 * Float32Array views of the main instance's memory, which the wrappers pass to the kernels
 * by address instead of copying them in and out (the copies of a 784×30 weight, its gradient
 * and its SGD update were a third of a training step). Growing a memory detaches its old
 * buffer and every view of it, so this memory never grows: it reserves a fixed arena up front
 * (1 GiB of address space; the OS commits pages only when they are touched), and a call that
 * needs more scratch than is left runs on a second instance of the module (the overflow
 * arena), whose memory grows freely and holds no resident arrays. (A shared memory would
 * survive growth, but JavaScript copies into and fills of shared memory are 3–10× slower.) A
 * resident block is released when its view is garbage-collected.
 *
 * A request too big for wasm32 memory (4 GiB) throws a RangeError naming it and the limit
 * before anything is reserved, and leaves every arena usable.
 *
 * Isomorphic: no Node-only APIs.
 */
import { BlockAllocator } from './blocks.js';
import { TAIL_BYTES } from './constants.js';
import { PAGE, WASM32_BYTES, align16, copyIn, copyOut, overLimit, reserve, vecBytes, type Heap } from './heap.js';
import { extraKernels, mainKernels, type KernelExports, type WasmMemory } from './module.js';

// ---------------------------------------------------------------------------------------
// The arenas of the single-thread kernels

/**
 * A kernel instance and its memory: the main one (a fixed arena with resident blocks) or the
 * overflow one (growable, no blocks). It is also where one call's operands are placed:
 *
 * A wrapper opens the arena with the scratch bytes it needs at most ({@link openScratch}),
 * places each operand in order ({@link Arena.place} and friends: a resident operand by its own
 * address, any other copied into the next scratch slot), calls `s.x.<kernel>` with the
 * addresses, and copies results out with {@link Arena.give}, which skips results the kernel
 * already wrote in place. Every slot is reserved whether or not it is used, so the layout is
 * the one the byte count was made for. Opening resets one integer (the cursor): a call
 * allocates nothing and writes no object references (the training loop makes many small
 * calls). Calls never nest, so a cursor is never shared.
 */
export class Arena implements Heap {
  heap: Float32Array;
  buffer: ArrayBufferLike;
  bytes = 0;
  /** First scratch byte, the top of the resident blocks: addresses below it are used in place. */
  base = 0;
  /** Next free scratch byte of the call in progress. */
  private at = 0;

  /**
   * @param x the instance's kernels (and memory)
   * @param blocks resident blocks, from the module's heap base up to `base`; null where the
   *   memory may grow
   */
  constructor(
    readonly x: KernelExports,
    readonly blocks: BlockAllocator | null,
    readonly limit: number,
  ) {
    this.heap = new Float32Array(x.memory.buffer);
    this.buffer = this.heap.buffer;
    this.bytes = x.memory.buffer.byteLength;
    this.base = x.heapBase();
    this.at = this.base;
  }

  get memory(): WasmMemory {
    return this.x.memory;
  }

  get name(): string {
    return 'wasm memory';
  }

  /** @internal Starts a call: the cursor back to `base` ({@link openScratch} does this). */
  open(): this {
    this.at = this.base;
    return this;
  }

  /** Reserves the next slot, for `floats` floats, and returns its address (contents undefined). */
  slot(floats: number): number {
    const p = this.at;
    this.at = p + vecBytes(floats);
    return p;
  }

  /** Reserves the next `bytes` bytes (rounded up to 16), e.g. the matmul's packing buffers. */
  slotBytes(bytes: number): number {
    const p = this.at;
    this.at = p + align16(bytes);
    return p;
  }

  /** Copies `len` floats of `src` from `off` into the slot at `p`; returns `p`. */
  load(p: number, src: Float32Array, off: number, len: number): number {
    copyIn(this.heap, p, src, off, len);
    return p;
  }

  /** The next slot, holding a copy of `len` floats of `src` from `off`. */
  copy(src: Float32Array, off: number, len: number): number {
    return this.load(this.slot(len), src, off, len);
  }

  /**
   * Where the kernel finds operand `src` (`len` floats from `off`): its own address when it
   * is a whole resident array, else the next slot, holding a copy when `load` (a result that
   * is only written need not be copied in).
   */
  place(src: Float32Array, off: number, len: number, load = true): number {
    const p = this.slot(len);
    if (off === 0 && len === src.length) {
      const r = this.resident(src);
      if (r >= 0) return r;
    }
    if (load) copyIn(this.heap, p, src, off, len);
    return p;
  }

  /**
   * {@link place} for a result that must not share memory with operands at `a` or `b` (a
   * kernel that reads an operand in place while writing): the next slot when `dst` is one of
   * them.
   */
  placeApart(dst: Float32Array, off: number, len: number, load: boolean, a: number, b: number): number {
    const p = this.slot(len);
    if (off === 0 && len === dst.length) {
      const r = this.resident(dst);
      if (r >= 0 && r !== a && r !== b) return r;
    }
    if (load) copyIn(this.heap, p, dst, off, len);
    return p;
  }

  /**
   * The byte address of `arr` when it views the start of a live resident block of this arena
   * big enough for it (so the kernels may read and write it in place, padding included); else -1.
   */
  resident(arr: Float32Array): number {
    if (this.blocks === null || arr.buffer !== this.buffer) return -1;
    const start = arr.byteOffset;
    return this.blocks.sizeOf(start) >= blockBytes(arr.length) ? start : -1;
  }

  /** Copies the result at `p` (`len` floats) into `dst` from `off`, unless `p` is `dst`'s own resident block. */
  give(p: number, dst: Float32Array, off: number, len: number): void {
    if (p >= this.base) copyOut(this.heap, p, dst, off, len);
  }
}

/**
 * Arena sizes tried for the main instance, largest first (wasm pages of 64 KiB).
 * TG_WASM_ARENA_MB (for tests) replaces them; it is read when this module is imported.
 */
const ARENA_PAGES = ((): number[] => {
  const mb = typeof process !== 'undefined' ? Number(process.env?.TG_WASM_ARENA_MB) : NaN;
  return Number.isInteger(mb) && mb > 0 ? [Math.ceil((mb * 1048576) / PAGE)] : [16384, 4096, 1024];
})();

/** The main arena; null until first needed (or where the kernels are unavailable). */
let main: Arena | null = null;
/** The arena for calls too big for the main arena's scratch (growable memory). */
let overflow: Arena | null = null;

/**
 * An arena over instance `x`. With `fixed`, its memory is first grown to an arena it then keeps
 * for good (so resident views are never detached); without (or if no arena size could be
 * reserved), it grows on demand up to 4 GiB and holds no blocks.
 */
function openArena(x: KernelExports, fixed: boolean): Arena {
  const base = x.heapBase();
  let blocks: BlockAllocator | null = null;
  if (fixed) {
    for (const pages of ARENA_PAGES) {
      try {
        const have = x.memory.buffer.byteLength / PAGE;
        if (pages > have) x.memory.grow(pages - have);
        blocks = new BlockAllocator(base);
        break;
      } catch {
        // Not that much address space here: try a smaller arena.
      }
    }
  }
  return new Arena(x, blocks, blocks !== null ? x.memory.buffer.byteLength : WASM32_BYTES);
}

/** The main arena, set up on first call; null where the wasm kernels are unavailable. */
function mainArena(): Arena | null {
  if (main !== null) return main;
  const x = mainKernels();
  if (x !== null) main = openArena(x, true);
  return main;
}

/** The main arena, or a clear error naming `fn` where the kernels are unavailable. */
function needArena(fn: string): Arena {
  const k = mainArena();
  if (k === null) throw new Error(`${fn}: WebAssembly SIMD is not available here (check wasmAvailable() first)`);
  return k;
}

/** The main instance's exports (e.g. to size a call), or a clear error naming `fn`. */
export function kernelsFor(fn: string): KernelExports {
  return (main ?? needArena(fn)).x;
}

/** Bytes of wasm linear memory currently reserved (0 when unavailable); for tests and diagnostics. */
export function wasmMemoryBytes(): number {
  const k = mainArena();
  return k ? k.memory.buffer.byteLength + (overflow ? overflow.memory.buffer.byteLength : 0) : 0;
}

// ---------------------------------------------------------------------------------------
// Resident blocks

/** Bytes a resident block of `floats` floats occupies: whole vectors plus the tail the kernels may read. */
function blockBytes(floats: number): number {
  return vecBytes(floats) + TAIL_BYTES;
}

/** Frees a resident block once the array viewing it is garbage. */
const residentRegistry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<number>((start) => {
        const k = main;
        if (!k?.blocks) return;
        k.blocks.release(start);
        k.base = k.blocks.top;
      })
    : null;

/**
 * A zero-filled Float32Array of `n` elements living in the kernels' linear memory, which the
 * wasm wrappers read and write in place instead of copying; or null where that is not
 * possible (no wasm, arena full: resident blocks may take half of it) or `n` is 0. The block
 * is freed when the returned array is garbage-collected, so keep that array (a subarray or a
 * second view of the same memory does not keep the block alive). Throws a RangeError when
 * `n` floats are more than wasm32 memory can address (4 GiB), and leaves the arena as it was.
 * Callers fall back to an ordinary array on null: `residentF32(n) ?? new Float32Array(n)`.
 */
export function residentF32(n: number): Float32Array | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`residentF32: n must be a non-negative integer, got ${n}`);
  const bytes = blockBytes(n);
  if (bytes > WASM32_BYTES) {
    throw new RangeError(
      `residentF32: a float32 array of ${n} elements needs ${bytes} bytes, more than the ` +
        `${WASM32_BYTES} bytes (4 GiB) wasm32 memory can address`,
    );
  }
  const k = mainArena();
  if (!k?.blocks || !residentRegistry || n === 0) return null;
  // Blocks may take up to half of the arena; the rest stays scratch.
  const cap = k.bytes / 2;
  if (bytes > cap) return null;
  const start = k.blocks.allocate(bytes);
  if (k.blocks.top - k.blocks.floor > cap) {
    k.blocks.release(start);
    return null;
  }
  k.base = k.blocks.top;
  // A reused block still holds its previous owner's numbers.
  k.x.zero(start, bytes);
  const view = new Float32Array(k.memory.buffer, start, n);
  residentRegistry.register(view, start);
  return view;
}

/** Whether `arr` is an array made by {@link residentF32} (or an equal view of its whole block). */
export function isResident(arr: Float32Array): boolean {
  return main !== null && main.resident(arr) >= 0;
}

/** Sets every element of `arr` to 0 (a memset in wasm for a resident array). */
export function zeroF32(arr: Float32Array): void {
  const k = main;
  const at = k !== null ? k.resident(arr) : -1;
  if (at >= 0) k!.x.zero(at, arr.length * 4);
  else arr.fill(0);
}

// ---------------------------------------------------------------------------------------
// Scratch placement: check → place → call → copy out

/**
 * The arena for a call named `fn` needing at most `bytes` bytes of operands and
 * scratch: on the main arena when they fit above its resident blocks, else on the overflow
 * arena, grown to fit. Throws (naming `fn`) where the kernels are unavailable, and a
 * RangeError naming the request and the limit when no wasm32 memory can hold it, leaving
 * every arena usable.
 */
export function openScratch(fn: string, bytes: number): Arena {
  const k = main ?? needArena(fn);
  return (k.base + bytes <= k.bytes ? k : spill(k, fn, bytes)).open();
}

/** The arena for a call too big for the main arena's scratch. */
function spill(k: Arena, fn: string, bytes: number): Arena {
  if (k.blocks === null) {
    reserve(k, k.base + bytes, fn);
    return k;
  }
  // The overflow instance's scratch starts where the main one's blocks do (same module): check
  // before making it, so a request no memory could hold leaves nothing behind.
  const floor = k.blocks.floor;
  if (!(floor + bytes <= WASM32_BYTES)) throw overLimit(fn, 'wasm memory', bytes, WASM32_BYTES - floor, WASM32_BYTES);
  overflow ??= openArena(extraKernels(), false);
  reserve(overflow, overflow.base + bytes, fn);
  return overflow;
}
