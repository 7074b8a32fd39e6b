/**
 * WebAssembly SIMD128 float32 kernels: a blocked matmul, a fused dense-layer forward pass,
 * and a few elementwise helpers. The module is compiled from `assembly/kernels.ts` by
 * `scripts/build-wasm.mjs` and shipped base64-encoded in `./binary.ts`, so nothing is
 * compiled at install time.
 *
 * Loading is synchronous and lazy (first call). Operands are copied into a scratch arena in
 * the module's linear memory, which grows when a call needs more and is reused otherwise.
 * The per-call JavaScript work is kept small because the training loop makes many small
 * calls (batch 10): no argument objects, no memory-size queries, and short operands are
 * copied by a loop instead of through a fresh subarray view.
 *
 * Resident arrays ({@link residentF32}): model parameters and their gradients live in
 * Float32Array views of the linear memory, which the wrappers pass to the kernels by address
 * instead of copying them in and out (the copies of a 784×30 weight, its gradient and its SGD
 * update were a third of a training step). Growing a memory detaches its old buffer and every
 * view of it, so this memory never grows: it reserves a fixed arena up front (1 GiB of
 * address space; the OS commits pages only when they are touched), and a call that needs more
 * scratch than is left runs on a second instance of the module, whose memory grows freely
 * and holds no resident arrays. (A shared memory would survive growth, but JavaScript copies
 * into and fills of shared memory are 3–10× slower.) A resident block is released when its
 * view is garbage-collected.
 *
 * Every wrapper has the same contract as its TypeScript twin; when `wasmAvailable()` is false
 * (no WebAssembly, no SIMD, or a browser main thread that forbids synchronous compilation
 * of modules this size, see {@link initWasm}) the wrappers throw and callers should use the
 * TypeScript kernels.
 *
 * Isomorphic: no Node-only APIs.
 */
import { WASM_BASE64 } from './binary.js';
import { WASM_RELAXED_BASE64 } from './binary-relaxed.js';
import { BlockAllocator } from './blocks.js';

/** Activation codes understood by the fused kernels. */
export const WasmActivation = { identity: 0, sigmoid: 1, tanh: 2, relu: 3 } as const;
export type WasmActivationCode = (typeof WasmActivation)[keyof typeof WasmActivation];

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  matmulScratchBytes(m: number, k: number, n: number): number;
  matmul(
    c: number, a: number, b: number, m: number, k: number, n: number,
    transA: number, transB: number, scratch: number, bias: number, act: number, accumulate: number,
  ): void;
  activation(out: number, x: number, n: number, act: number): void;
  expArray(out: number, x: number, n: number): void;
  activationBackward(out: number, g: number, y: number, n: number, act: number): void;
  sgdUpdate(p: number, g: number, n: number, lr: number): void;
  sgdMomentum(p: number, g: number, v: number, n: number, lr: number, mu: number, wd: number, nesterov: number, first: number): void;
  adamUpdate(
    p: number, g: number, m: number, v: number, n: number,
    lr: number, b1: number, b2: number, eps: number, l2: number, shrink: number, c1: number, c2: number,
    oneMinusB1: number, oneMinusB2: number,
  ): void;
  zero(p: number, bytes: number): void;
  sumMiddle(out: number, x: number, outer: number, r: number, inner: number): void;
  sumRows(out: number, x: number, outer: number, r: number): void;
  binary(op: number, out: number, a: number, b: number, outer: number, inner: number, aMode: number, bMode: number): void;
}

/** The instantiated module plus the arena bookkeeping. */
interface Kernels {
  x: KernelExports;
  memory: WebAssembly.Memory;
  /** First scratch-arena byte (16-aligned): the top of the resident blocks. */
  base: number;
  /** Resident blocks, below the scratch arena; null for an instance whose memory may grow. */
  blocks: BlockAllocator | null;
  /** Float32 view of all of linear memory; replaced whenever memory grows. */
  heap: Float32Array;
  /** `heap.buffer`, kept so the resident check does not query the memory on every operand. */
  buffer: ArrayBufferLike;
  /** memory.buffer.byteLength as of the last grow: only arena() grows the memory. */
  bytes: number;
}

const PAGE = 65536;
/** wasm32 cannot address more than 4 GiB. */
const MAX_BYTES = 65536 * PAGE;

/** The main instance (fixed arena, resident blocks). undefined: not tried yet; null: unavailable. */
let kernels: Kernels | null | undefined;
/** The instance for calls too big for the main arena's scratch (growable memory). */
let overflow: Kernels | null = null;
/** The compiled module, for the overflow instance. */
let compiled: WebAssembly.Module | null = null;

/** Arena sizes tried for the main instance, largest first (wasm pages of 64 KiB). */
const ARENA_PAGES = [16384, 4096, 1024];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 to bytes; no Buffer or atob, so it runs in every JS engine. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const lookup = new Uint8Array(128).fill(255);
  for (let i = 0; i < B64.length; i++) lookup[B64.charCodeAt(i)] = i;
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? lookup[c] : 255;
    if (v === 255) throw new Error(`decodeBase64: invalid character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

/**
 * Wraps an instance. With `fixed`, its memory is first grown to an arena it then keeps for good
 * (so resident views are never detached); without, it grows on demand and holds no blocks.
 */
function setUp(instance: WebAssembly.Instance, fixed: boolean): Kernels {
  const x = instance.exports as unknown as KernelExports;
  const memory = x.memory;
  const base = x.heapBase();
  let blocks: BlockAllocator | null = null;
  if (fixed) {
    for (const pages of arenaPages()) {
      try {
        const have = memory.buffer.byteLength / PAGE;
        if (pages > have) memory.grow(pages - have);
        blocks = new BlockAllocator(base);
        break;
      } catch {
        // Not that much address space here: try a smaller arena.
      }
    }
  }
  const heap = new Float32Array(memory.buffer);
  return { x, memory, base, blocks, heap, buffer: heap.buffer, bytes: memory.buffer.byteLength };
}

/** The arena sizes to try; TG_WASM_ARENA_MB (tests) overrides them. */
function arenaPages(): number[] {
  const mb = typeof process !== 'undefined' ? Number(process.env?.TG_WASM_ARENA_MB) : NaN;
  return Number.isInteger(mb) && mb > 0 ? [Math.ceil((mb << 20) / PAGE)] : ARENA_PAGES;
}

/** Whether the module in use is the relaxed-SIMD build (set when it loads). */
let relaxed = false;

/**
 * The relaxed-SIMD build (fused multiply-add in the matmul and the vector math) where this
 * engine validates it, else the plain SIMD128 build. TG_NO_RELAXED_SIMD=1 forces the plain one.
 */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const optOut = typeof process !== 'undefined' && process.env?.TG_NO_RELAXED_SIMD === '1';
  if (!optOut) {
    const bytes = decodeBase64(WASM_RELAXED_BASE64);
    if (WebAssembly.validate(bytes)) {
      relaxed = true;
      return bytes;
    }
  }
  relaxed = false;
  return decodeBase64(WASM_BASE64);
}

/**
 * Which build of the kernels runs here: `'relaxed-simd'` (SIMD128 with fused multiply-add,
 * where the engine supports relaxed SIMD: Node ≥ 22, current browsers), `'simd'`, or `null`
 * when WebAssembly SIMD is unavailable. Loads the module on first call.
 *
 * @example
 * ```ts
 * import { wasmBuild } from 'tensorgrad';
 * console.log(wasmBuild()); // 'simd' on Node 20, 'relaxed-simd' on Node 22
 * ```
 */
export function wasmBuild(): 'relaxed-simd' | 'simd' | null {
  if (load() === null) return null;
  return relaxed ? 'relaxed-simd' : 'simd';
}

function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  try {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') return null;
    compiled = new WebAssembly.Module(moduleBytes());
    kernels = setUp(new WebAssembly.Instance(compiled, {}), true);
  } catch {
    // No SIMD (CompileError), or synchronous compilation refused: stay unavailable.
    kernels = null;
  }
  return kernels;
}

/**
 * Whether the wasm SIMD kernels can run here. Loads the module on first call; never throws.
 *
 * @example
 * ```ts
 * import { matmulF32, wasmAvailable } from './src/autograd/kernels/wasm/index.js';
 * import { matmulInto } from './src/autograd/kernels/matmul.js';
 * const [m, k, n] = [2, 3, 2];
 * const a = new Float32Array(m * k).fill(1), b = new Float32Array(k * n).fill(2), out = new Float32Array(m * n);
 * if (wasmAvailable()) matmulF32(out, 0, a, 0, b, 0, m, k, n, false, false);
 * else matmulInto(out, 0, a, 0, b, 0, m, k, n, false, false);
 * ```
 */
export function wasmAvailable(): boolean {
  return load() !== null;
}

/**
 * Compiles the module asynchronously. Needed where an engine refuses synchronous compilation
 * (browsers' main threads have had size limits on it; Chromium 150 accepts these modules, as
 * `npm run test:package` shows), so call it once at start-up in a page and
 * `wasmAvailable()` becomes true if it succeeded (float32 work then runs on the SIMD
 * kernels). Resolves to the availability; never rejects. Elsewhere (Node, workers) the
 * kernels load by themselves on first use, and calling it is harmless.
 *
 * @example
 * ```ts
 * import { initWasm, wasmBuild } from 'tensorgrad/core';
 * if (await initWasm()) console.log(`SIMD kernels: ${wasmBuild()}`);
 * ```
 */
export async function initWasm(): Promise<boolean> {
  if (kernels) return true;
  try {
    if (typeof WebAssembly !== 'object') return false;
    compiled = await WebAssembly.compile(moduleBytes());
    kernels = setUp(await WebAssembly.instantiate(compiled, {}), true);
    return true;
  } catch {
    return false;
  }
}

function need(fn: string): Kernels {
  const k = load();
  if (!k) throw new Error(`${fn}: WebAssembly SIMD is not available here (check wasmAvailable() first)`);
  return k;
}

/**
 * The instance whose scratch arena (from its `base`) has room for `bytes`: the main one when
 * they fit above its resident blocks, else the overflow instance, grown to fit.
 */
function arena(fn: string, bytes: number): Kernels {
  const k = need(fn);
  if (k.base + bytes <= k.bytes) return k;
  if (k.blocks === null) {
    grow(k, k.base + bytes, bytes, fn);
    return k;
  }
  if (overflow === null) overflow = setUp(new WebAssembly.Instance(compiled!, {}), false);
  if (overflow.base + bytes > overflow.bytes) grow(overflow, overflow.base + bytes, bytes, fn);
  return overflow;
}

function grow(k: Kernels, end: number, bytes: number, fn: string): void {
  const have = k.memory.buffer.byteLength;
  if (end > have) {
    if (end > MAX_BYTES) {
      throw new RangeError(`${fn}: needs ${bytes} bytes of wasm memory, more than wasm32 can address`);
    }
    try {
      k.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      throw new RangeError(`${fn}: could not grow wasm memory to ${end} bytes (${(e as Error).message})`);
    }
  }
  k.heap = new Float32Array(k.memory.buffer);
  k.buffer = k.heap.buffer;
  k.bytes = k.memory.buffer.byteLength;
}

/** Bytes a resident block of `floats` floats occupies: whole vectors plus the 32-byte tail the kernels may read. */
function blockBytes(floats: number): number {
  return vecBytes(floats) + 32;
}

/** Frees a resident block once the array viewing it is garbage. */
const residentRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<number>((start) => {
    const k = kernels;
    if (!k || !k.blocks) return;
    k.blocks.release(start);
    k.base = k.blocks.top;
  })
  : null;

/**
 * A zero-filled Float32Array of `n` elements living in the kernels' linear memory, which the
 * wasm wrappers read and write in place instead of copying; or null where that is not
 * possible (no wasm, arena full: resident blocks may take half of it) or `n` is 0. The block
 * is freed when the returned array is garbage-collected, so keep that array (a subarray or a
 * second view of the same memory does not keep the block alive).
 *
 * @example
 * ```ts
 * import { residentF32 } from './src/autograd/kernels/wasm/index.js';
 * const w = residentF32(784 * 30) ?? new Float32Array(784 * 30);
 * ```
 */
export function residentF32(n: number): Float32Array | null {
  checkDim('residentF32', 'n', n);
  const k = load();
  if (!k || !k.blocks || !residentRegistry || n === 0) return null;
  const bytes = blockBytes(n);
  const start = k.blocks.allocate(bytes);
  if (k.blocks.top - k.blocks.floor > k.bytes / 2) {
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
  const k = kernels;
  return !!k && residentAddress(k, arr) >= 0;
}

/**
 * The byte address of `arr` in linear memory when it views the start of a live resident block
 * big enough for it (so the kernels may read and write it in place, padding included); else -1.
 */
function residentAddress(k: Kernels, arr: Float32Array): number {
  if (k.blocks === null || arr.buffer !== k.buffer) return -1;
  const start = arr.byteOffset;
  return k.blocks.sizeOf(start) >= blockBytes(arr.length) ? start : -1;
}

/** Sets every element of `arr` to 0 (a memset in wasm for a resident array). */
export function zeroF32(arr: Float32Array): void {
  const k = kernels;
  const at = k ? residentAddress(k, arr) : -1;
  if (at >= 0) k!.x.zero(at, arr.length * 4);
  else arr.fill(0);
}

/**
 * Where a kernel finds operand `src` (`len` floats from `off`): its own address when it is a
 * whole resident array, else `scratch`, after copying it there.
 */
function place(k: Kernels, heap: Float32Array, scratch: number, src: Float32Array, off: number, len: number): number {
  if (off === 0 && len === src.length) {
    const at = residentAddress(k, src);
    if (at >= 0) return at;
  }
  copyToHeap(heap, scratch >> 2, src, off, len);
  return scratch;
}

/** Bytes for `floats` float32 values, padded to whole 16-byte vectors. */
function vecBytes(floats: number): number {
  return ((floats + 3) >> 2) << 4;
}

/** Throws a RangeError naming `fn` unless `v` is a non-negative integer. */
export function checkDim(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
}

/** Throws naming `fn` unless `arr` is a Float32Array holding `len` elements from `off`. */
export function checkSpan(fn: string, name: string, arr: Float32Array, off: number, len: number): void {
  if (!(arr instanceof Float32Array)) throw new TypeError(`${fn}: ${name} must be a Float32Array`);
  if (!Number.isInteger(off) || off < 0 || off + len > arr.length) {
    throw new RangeError(`${fn}: ${name} needs ${len} elements from offset ${off} but has length ${arr.length}`);
  }
}

/** Below this many floats a plain loop beats allocating a subarray view for set(). */
const LOOP_COPY_MAX = 64;

/** Copies `len` floats of `src` from `off` into the heap at float index `at`. */
export function copyToHeap(heap: Float32Array, at: number, src: Float32Array, off: number, len: number): void {
  if (off === 0 && len === src.length) {
    heap.set(src, at);
  } else if (len <= LOOP_COPY_MAX) {
    for (let i = 0; i < len; i++) heap[at + i] = src[off + i];
  } else {
    heap.set(src.subarray(off, off + len), at);
  }
}

/** Copies `len` floats from the heap at float index `at` into `dst` from `off`. */
export function copyFromHeap(heap: Float32Array, at: number, dst: Float32Array, off: number, len: number): void {
  if (len <= LOOP_COPY_MAX) {
    for (let i = 0; i < len; i++) dst[off + i] = heap[at + i];
  } else {
    dst.set(heap.subarray(at, at + len), off);
  }
}

function copyIn(heap: Float32Array, ptr: number, src: Float32Array, off: number, len: number): void {
  copyToHeap(heap, ptr >> 2, src, off, len);
}

function copyOut(heap: Float32Array, ptr: number, dst: Float32Array, off: number, len: number): void {
  copyFromHeap(heap, ptr >> 2, dst, off, len);
}

/** Throws naming `fn` unless m, k, n are sizes and a, b, out hold their m×k, k×n, m×n floats. */
export function checkMatmulArgs(
  fn: string, out: Float32Array, outOff: number, a: Float32Array, aOff: number,
  b: Float32Array, bOff: number, m: number, k: number, n: number,
): void {
  checkDim(fn, 'm', m); checkDim(fn, 'k', k); checkDim(fn, 'n', n);
  checkSpan(fn, 'a', a, aOff, m * k);
  checkSpan(fn, 'b', b, bOff, k * n);
  checkSpan(fn, 'out', out, outOff, m * n);
}

/**
 * out[m×n] = op(A)·op(B) on float32 data with WebAssembly SIMD; the same contract as
 * `matmulInto`: A stored m×k (k×m if `transA`), B stored k×n (n×k if `transB`), both read
 * transposed inside the kernel, `out` overwritten, or added to when `accumulate`
 * (out += op(A)·op(B)). `out` may alias `a` or `b`. Resident operands ({@link residentF32})
 * are used in place.
 */
export function matmulF32(
  out: Float32Array, outOff: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate = false,
): void {
  const fn = 'matmulF32';
  checkMatmulArgs(fn, out, outOff, a, aOff, b, bOff, m, k, n);
  if (m === 0 || n === 0) return;
  const K = arena(fn, vecBytes(m * k) + vecBytes(k * n) + vecBytes(m * n) + need(fn).x.matmulScratchBytes(m, k, n));
  const pa = K.base;
  const pb = pa + vecBytes(m * k);
  const pc = pb + vecBytes(k * n);
  const ps = pc + vecBytes(m * n);
  const heap = K.heap;
  const A = place(K, heap, pa, a, aOff, m * k);
  const B = place(K, heap, pb, b, bOff, k * n);
  let C = outOff === 0 && out.length === m * n ? residentAddress(K, out) : -1;
  // B may be read in place while c is written: never let them share memory.
  if (C === A || C === B) C = -1;
  if (C < 0) {
    C = pc;
    if (accumulate) copyIn(heap, pc, out, outOff, m * n);
  }
  K.x.matmul(C, A, B, m, k, n, transA ? 1 : 0, transB ? 1 : 0, ps, 0, 0, accumulate ? 1 : 0);
  if (C === pc) copyOut(heap, pc, out, outOff, m * n);
}

/**
 * A dense layer's forward pass in one call: out[batch×outF] = act(x·W + b), with x
 * [batch×inF], W [inF×outF] row-major (the layout `x.matmul(W)` uses) and b [outF] added to
 * every row (`null` for no bias). `activation`: 0 identity, 1 sigmoid, 2 tanh, 3 relu
 * (see {@link WasmActivation}); sigmoid and tanh use polynomial exp, ~1e-6 relative.
 * Resident W and b ({@link residentF32}) are read in place.
 */
export function linearForwardF32(
  out: Float32Array, x: Float32Array, w: Float32Array, bias: Float32Array | null,
  batch: number, inF: number, outF: number, activation: WasmActivationCode,
): void {
  const fn = 'linearForwardF32';
  checkDim(fn, 'batch', batch); checkDim(fn, 'inF', inF); checkDim(fn, 'outF', outF);
  checkSpan(fn, 'x', x, 0, batch * inF);
  checkSpan(fn, 'w', w, 0, inF * outF);
  checkSpan(fn, 'out', out, 0, batch * outF);
  if (bias !== null) checkSpan(fn, 'bias', bias, 0, outF);
  checkActivation(fn, activation);
  if (batch === 0 || outF === 0) return;
  // The kernel reads bias in 8-wide tiles; the lanes past outF only reach discarded columns.
  const biasLen = (outF + 7) & ~7;
  const K = arena(fn, vecBytes(batch * inF) + vecBytes(inF * outF) + vecBytes(biasLen) + vecBytes(batch * outF) +
    need(fn).x.matmulScratchBytes(batch, inF, outF));
  const px = K.base;
  const pw = px + vecBytes(batch * inF);
  const pbias = pw + vecBytes(inF * outF);
  const pc = pbias + vecBytes(biasLen);
  const ps = pc + vecBytes(batch * outF);
  const heap = K.heap;
  copyIn(heap, px, x, 0, batch * inF);
  const W = place(K, heap, pw, w, 0, inF * outF);
  let B = 0;
  if (bias !== null && bias.length === outF) B = residentAddress(K, bias);
  if (bias !== null && B <= 0) {
    B = pbias;
    copyIn(heap, pbias, bias, 0, outF);
    heap.fill(0, (pbias >> 2) + outF, (pbias >> 2) + biasLen);
  }
  K.x.matmul(pc, px, W, batch, inF, outF, 0, 0, ps, B, activation, 0);
  copyOut(heap, pc, out, 0, batch * outF);
}

function checkActivation(fn: string, act: number): void {
  if (act !== 0 && act !== 1 && act !== 2 && act !== 3) {
    throw new RangeError(`${fn}: activation must be 0 (identity), 1 (sigmoid), 2 (tanh) or 3 (relu), got ${act}`);
  }
}

/** Checks that x and y (and z, if given) are Float32Arrays of one length; returns it. */
function checkSame(fn: string, names: string, x: Float32Array, y: Float32Array, z?: Float32Array): number {
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || (z !== undefined && !(z instanceof Float32Array))) {
    throw new TypeError(`${fn}: ${names} must be Float32Arrays`);
  }
  const n = x.length;
  if (y.length !== n || (z !== undefined && z.length !== n)) {
    const lengths = z === undefined ? [n, y.length] : [n, y.length, z.length];
    throw new RangeError(`${fn}: ${names} must have equal lengths, got ${lengths.join(' vs ')}`);
  }
  return n;
}

/** out = act(x) elementwise (see {@link WasmActivation}). `out` may be `x`. */
export function activationF32(out: Float32Array, x: Float32Array, activation: WasmActivationCode): void {
  const fn = 'activationF32';
  const n = checkSame(fn, 'out and x', out, x);
  checkActivation(fn, activation);
  if (n === 0) return;
  const K = arena(fn, vecBytes(n));
  const p = K.base;
  const heap = K.heap;
  copyIn(heap, p, x, 0, n);
  K.x.activation(p, p, n, activation);
  copyOut(heap, p, out, 0, n);
}

/** out = e^x elementwise (float32, ~1e-7 relative; x clamped to [-87, 88]). `out` may be `x`. */
export function expF32(out: Float32Array, x: Float32Array): void {
  const fn = 'expF32';
  const n = checkSame(fn, 'out and x', out, x);
  if (n === 0) return;
  const K = arena(fn, vecBytes(n));
  const p = K.base;
  const heap = K.heap;
  copyIn(heap, p, x, 0, n);
  K.x.expArray(p, p, n);
  copyOut(heap, p, out, 0, n);
}

/**
 * Gradient through an activation from its saved output y: out = g·y·(1−y) (sigmoid),
 * g·(1−y²) (tanh), g·[y > 0] (relu, so relu'(0) = 0), g (identity). `out` may be `g`.
 */
export function activationBackwardF32(
  out: Float32Array, g: Float32Array, y: Float32Array, activation: WasmActivationCode,
): void {
  const fn = 'activationBackwardF32';
  const n = checkSame(fn, 'out, g and y', out, g, y);
  checkActivation(fn, activation);
  if (n === 0) return;
  const K = arena(fn, 2 * vecBytes(n));
  const pg = K.base;
  const py = pg + vecBytes(n);
  const heap = K.heap;
  copyIn(heap, pg, g, 0, n);
  copyIn(heap, py, y, 0, n);
  K.x.activationBackward(pg, pg, py, n, activation);
  copyOut(heap, pg, out, 0, n);
}

/** In-place SGD step p -= lr·g; resident p and g ({@link residentF32}) are updated in place. */
export function sgdUpdateF32(p: Float32Array, g: Float32Array, lr: number): void {
  const fn = 'sgdUpdateF32';
  const n = checkSame(fn, 'p and g', p, g);
  if (!Number.isFinite(lr)) throw new RangeError(`sgdUpdateF32: lr must be finite, got ${lr}`);
  if (n === 0) return;
  const K = arena(fn, 2 * vecBytes(n));
  const pp = K.base;
  const pg = pp + vecBytes(n);
  const heap = K.heap;
  const P = place(K, heap, pp, p, 0, n);
  K.x.sgdUpdate(P, place(K, heap, pg, g, 0, n), n, lr);
  if (P === pp) copyOut(heap, pp, p, 0, n);
}

/**
 * out[outer×inner] = Σ over the middle axis of x viewed as [outer, r, inner] (float32): for
 * inner > 1 the rows are added in order in float32, bit-identical to the TypeScript
 * `sumAxis`; for inner = 1 each sum is accumulated in double precision and rounded once
 * (it may differ from the TypeScript kernel's sequential double sum in a double's last bits).
 */
export function sumAxisF32(out: Float32Array, x: Float32Array, outer: number, r: number, inner: number): void {
  const fn = 'sumAxisF32';
  checkDim(fn, 'outer', outer); checkDim(fn, 'r', r); checkDim(fn, 'inner', inner);
  checkSpan(fn, 'x', x, 0, outer * r * inner);
  checkSpan(fn, 'out', out, 0, outer * inner);
  if (outer * inner === 0) return;
  const K = arena(fn, vecBytes(outer * r * inner) + vecBytes(outer * inner));
  const px = K.base;
  const po = px + vecBytes(outer * r * inner);
  const X = place(K, K.heap, px, x, 0, outer * r * inner);
  if (inner === 1) K.x.sumRows(po, X, outer, r);
  else K.x.sumMiddle(po, X, outer, r, inner);
  copyOut(K.heap, po, out, 0, outer * inner);
}

/**
 * SGD with momentum in place (PyTorch's rule, in float32): d = g + wd·p;
 * v = first ? d : mu·v + d; p −= lr·(nesterov ? d + mu·v : v). Resident p, g and v
 * ({@link residentF32}) are used in place; others are copied in (and p, v back out).
 */
export function sgdMomentumF32(
  p: Float32Array, g: Float32Array, v: Float32Array,
  lr: number, mu: number, wd: number, nesterov: boolean, first: boolean,
): void {
  const fn = 'sgdMomentumF32';
  const n = checkSame(fn, 'p, g and v', p, g, v);
  for (const [name, x] of [['lr', lr], ['momentum', mu], ['weightDecay', wd]] as const) {
    if (!Number.isFinite(x)) throw new RangeError(`${fn}: ${name} must be finite, got ${x}`);
  }
  if (n === 0) return;
  const K = arena(fn, 3 * vecBytes(n));
  const pp = K.base, pg = pp + vecBytes(n), pv = pg + vecBytes(n);
  const P = place(K, K.heap, pp, p, 0, n);
  const G = place(K, K.heap, pg, g, 0, n);
  const V = place(K, K.heap, pv, v, 0, n);
  K.x.sgdMomentum(P, G, V, n, lr, mu, wd, nesterov ? 1 : 0, first ? 1 : 0);
  if (P === pp) copyOut(K.heap, pp, p, 0, n);
  if (V === pv) copyOut(K.heap, pv, v, 0, n);
}

/** Hyperparameters of one Adam/AdamW update (see {@link adamUpdateF32}). */
export interface AdamStep {
  lr: number; beta1: number; beta2: number; eps: number;
  /** Weight decay added to the gradient (Adam's), or 0. */
  l2: number;
  /** 1 − lr·λ for AdamW's decoupled decay, or 1. */
  shrink: number;
  /** Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  c1: number; c2: number;
}

/**
 * Adam/AdamW in place, in float32 (PyTorch's rule): d = g + l2·p; m = β₁m + (1−β₁)d;
 * v = β₂v + (1−β₂)d²; p = p·shrink − lr·(m/c1) / (√(v/c2) + eps). Resident arrays are used
 * in place; others are copied in (and p, m, v back out).
 */
export function adamUpdateF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamStep): void {
  const fn = 'adamUpdateF32';
  const n = checkSame(fn, 'p, g and m', p, g, m);
  checkSame(fn, 'p and v', p, v);
  for (const [name, x] of Object.entries(h)) {
    if (!Number.isFinite(x)) throw new RangeError(`${fn}: ${name} must be finite, got ${x}`);
  }
  if (n === 0) return;
  const K = arena(fn, 4 * vecBytes(n));
  const pp = K.base, pg = pp + vecBytes(n), pm = pg + vecBytes(n), pv = pm + vecBytes(n);
  const P = place(K, K.heap, pp, p, 0, n);
  const G = place(K, K.heap, pg, g, 0, n);
  const M = place(K, K.heap, pm, m, 0, n);
  const V = place(K, K.heap, pv, v, 0, n);
  K.x.adamUpdate(P, G, M, V, n, h.lr, h.beta1, h.beta2, h.eps, h.l2, h.shrink, h.c1, h.c2, 1 - h.beta1, 1 - h.beta2);
  if (P === pp) copyOut(K.heap, pp, p, 0, n);
  if (M === pm) copyOut(K.heap, pm, m, 0, n);
  if (V === pv) copyOut(K.heap, pv, v, 0, n);
}

/** Binary op codes of {@link binaryF32} (the same numbering as `BinaryOp` Add…Div). */
export const WasmBinaryOp = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type WasmBinaryOpCode = (typeof WasmBinaryOp)[keyof typeof WasmBinaryOp];

/**
 * Operand layouts of {@link binaryF32} for an outer×inner result: `full` outer×inner
 * row-major; `row` inner values repeated for every row; `col` outer values, one per row;
 * `scalar` a single value.
 */
export const WasmOperandMode = { full: 0, row: 1, col: 2, scalar: 3 } as const;
export type WasmOperandModeCode = (typeof WasmOperandMode)[keyof typeof WasmOperandMode];

function modeLength(fn: string, name: string, mode: number, outer: number, inner: number): number {
  switch (mode) {
    case 0: return outer * inner;
    case 1: return inner;
    case 2: return outer;
    case 3: return 1;
    default: throw new RangeError(`${fn}: ${name} must be 0 (full), 1 (row), 2 (col) or 3 (scalar), got ${mode}`);
  }
}

/**
 * out[outer×inner] = a ∘ b elementwise in float32 (`op`: 0 add, 1 sub, 2 mul, 3 div; see
 * {@link WasmBinaryOp}), each operand laid out as its mode says ({@link WasmOperandMode}):
 * a and b must have exactly the mode's length, out exactly outer·inner. Results are
 * bit-identical to the TypeScript `broadcastBinary` (IEEE single ops are correctly rounded).
 * `out` may alias a or b.
 */
export function binaryF32(
  op: WasmBinaryOpCode, out: Float32Array,
  a: Float32Array, aMode: WasmOperandModeCode,
  b: Float32Array, bMode: WasmOperandModeCode,
  outer: number, inner: number,
): void {
  const fn = 'binaryF32';
  if (op !== 0 && op !== 1 && op !== 2 && op !== 3) {
    throw new RangeError(`${fn}: op must be 0 (add), 1 (sub), 2 (mul) or 3 (div), got ${op}`);
  }
  checkDim(fn, 'outer', outer); checkDim(fn, 'inner', inner);
  const n = outer * inner;
  const aLen = modeLength(fn, 'aMode', aMode, outer, inner);
  const bLen = modeLength(fn, 'bMode', bMode, outer, inner);
  if (!(out instanceof Float32Array) || !(a instanceof Float32Array) || !(b instanceof Float32Array)) {
    throw new TypeError(`${fn}: out, a and b must be Float32Arrays`);
  }
  if (out.length !== n) throw new RangeError(`${fn}: out must have ${n} elements, got ${out.length}`);
  if (a.length !== aLen) throw new RangeError(`${fn}: a must have ${aLen} elements for mode ${aMode}, got ${a.length}`);
  if (b.length !== bLen) throw new RangeError(`${fn}: b must have ${bLen} elements for mode ${bMode}, got ${b.length}`);
  if (n === 0) return;
  // The result overwrites a full operand's copy (each element is read before it is written).
  const separate = aMode !== 0 && bMode !== 0;
  const K = arena(fn, vecBytes(aLen) + vecBytes(bLen) + (separate ? vecBytes(n) : 0));
  const pa = K.base;
  const pb = pa + vecBytes(aLen);
  const po = aMode === 0 ? pa : bMode === 0 ? pb : pb + vecBytes(bLen);
  const heap = K.heap;
  copyIn(heap, pa, a, 0, aLen);
  copyIn(heap, pb, b, 0, bLen);
  K.x.binary(op, po, pa, pb, outer, inner, aMode, bMode);
  copyOut(heap, po, out, 0, n);
}

/** Bytes of wasm linear memory currently reserved (0 when unavailable); for tests and diagnostics. */
export function wasmMemoryBytes(): number {
  const k = load();
  return k ? k.memory.buffer.byteLength + (overflow ? overflow.memory.buffer.byteLength : 0) : 0;
}
