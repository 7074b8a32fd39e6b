/**
 * Multi-threaded float32 matmul for Node (opt-in, Node-only: it uses `node:worker_threads`,
 * so it is not part of the isomorphic `src/autograd`).
 *
 * `enableThreads(count)` starts `count − 1` worker threads; each instantiates the
 * shared-memory build of the wasm kernels (`binary-shared.ts`) over ONE shared
 * `WebAssembly.Memory`, and the calling thread holds a further instance and computes a share
 * too. It then registers `matmulF32Parallel` and `linearF32Parallel` with the dispatcher, so
 * float32 `matmul` calls (accumulating ones included: weight gradients summed into `.grad`)
 * and dense-layer forwards (`linear`, `nn.Linear`) of at least {@link PARALLEL_MIN_MACS}
 * multiply-adds are split across the threads, with the same bits as on one thread.
 * `disableThreads()` stops the workers and unhooks. `tensorgrad train --threads N` uses it.
 *
 * One call: the calling thread copies the operands into shared memory (each worker's part
 * first, posting it as soon as its operands are in place), computes its own part, copies its
 * rows out, then waits for the workers and copies theirs. The output is split into row
 * blocks of op(A) (or column blocks of op(B) when n > m), so every thread writes disjoint
 * output and packs into its own scratch; a transposed operand's block is gathered into a
 * contiguous slab while copying in, because the kernel takes no leading dimensions.
 * Commands are posted through a 64-byte control slot per worker with Atomics.store/notify and
 * acknowledged the same way; the caller blocks in Atomics.wait (allowed on Node's main
 * thread). The memory only grows between calls, from the calling thread, while every
 * worker is idle; views of it are re-created after each growth. Sizes, growth and copies are
 * the single-thread kernels' own (kernels/wasm/heap.ts): byte addresses, float lengths.
 *
 * @example
 * ```ts
 * // Node only, so a separate entry point rather than part of the isomorphic root.
 * import { randn } from 'tensorgrad';
 * import { enableThreads, disableThreads } from 'tensorgrad/threads';
 * const a = randn([512, 512]), b = randn([512, 512]);
 * if (enableThreads(2)) {
 *   const c = a.matmul(b); // float32 and big enough: runs on both cores
 * }
 * await disableThreads(); // or just exit: the workers never keep the process alive
 * ```
 */
import { Worker } from 'node:worker_threads';
import { setParallelMatmul } from '../autograd/backend/index.js';
import { WASM_SHARED_BASE64 } from '../autograd/kernels/wasm/binary-shared.js';
import { WASM_SHARED_RELAXED_BASE64 } from '../autograd/kernels/wasm/binary-shared-relaxed.js';
import {
  MR,
  NR,
  PAGE,
  TAIL_BYTES,
  WASM32_BYTES,
  checkActivation,
  checkMatmulArgs,
  checkSpan,
  copyIn,
  copyOut,
  decodeBase64,
  heapOf,
  linearForwardF32,
  matmulF32,
  reserve,
  vecBytes,
  wasmBuild,
  type Heap,
  type KernelExports,
  type WasmActivationCode,
} from '../autograd/kernels/wasm/index.js';
import { FLAG, OP_MATMUL, OP_QUIT, SLOT, SLOT_BYTES, WORKER_SOURCE } from './worker-source.js';

/**
 * m·k·n from which the dispatcher sends float32 matmuls to the threads (≈ 161³): at 128³
 * two threads gained only 0–20 % over one in the best case, from 160³ on 10–40 %.
 */
export const PARALLEL_MIN_MACS = 1 << 22;
/** Most threads `enableThreads` accepts (control slots reserved in shared memory). */
export const MAX_THREADS = 64;

// Row blocks are multiples of the kernel's MR, column blocks of its NR (../autograd/kernels/wasm/constants.ts).
/**
 * Time to copy one float into or out of wasm memory, in units of one multiply-add of the
 * kernel (~0.4 ns vs ~0.05 ns). The calling thread copies its own slab in and its block out
 * besides computing, so its share shrinks by that much (to ~0.97 at n = 512).
 */
const COPY_PER_MAC = 8;
/** Loads of DONE before the caller sleeps in Atomics.wait. */
const SPIN = 20000;
/** How long enableThreads waits for the workers to instantiate the module. */
const START_TIMEOUT_MS = 20_000;

/** What the calling thread uses of its own instance of the shared-memory build. */
type SharedKernels = Pick<KernelExports, 'matmul' | 'matmulScratchBytes' | 'heapBase'>;

interface Pool {
  /** The shared memory; its scratch arena starts past the control slots. */
  mem: Heap;
  x: SharedKernels;
  workers: Worker[];
  /** Control slots, one per worker (worker w uses slot w + 1; slot 0 is unused). */
  ctrl: Int32Array;
  /** Byte offset of the first control slot. */
  ctrlBase: number;
  /** Sequence number of the last command posted to each worker. */
  seq: number[];
}

let pool: Pool | null = null;

/** Number of threads (the caller included) matmuls are split across; 1 when threads are off. */
export function threadCount(): number {
  return pool === null ? 1 : pool.workers.length + 1;
}

/**
 * Starts `count − 1` worker threads (the calling thread computes a share too) and routes big
 * float32 matmuls through them (see the module comment). Returns whether threads are now in
 * use: false, without throwing, where worker threads, SharedArrayBuffer, shared wasm memory
 * or WebAssembly SIMD are missing, or a worker failed to start. Calling it again with the
 * same count keeps the running pool; another count restarts it. `count = 1` turns threads off.
 */
export function enableThreads(count = 2): boolean {
  if (!Number.isInteger(count) || count < 1 || count > MAX_THREADS) {
    throw new RangeError(`enableThreads: count must be an integer from 1 to ${MAX_THREADS}, got ${count}`);
  }
  if (pool !== null && pool.workers.length + 1 === count) return true;
  void disableThreads();
  if (count === 1) return false;
  const p = startPool(count - 1);
  if (p === null) return false;
  pool = p;
  setParallelMatmul(matmulF32Parallel, PARALLEL_MIN_MACS, linearF32Parallel);
  return true;
}

/**
 * Stops every worker and unhooks the dispatcher; float32 matmuls run single-threaded again.
 * The workers are told to quit and terminated at once; the returned promise (which never
 * rejects, and may be ignored) resolves when all of them have exited.
 */
export function disableThreads(): Promise<void> {
  const p = pool;
  if (p === null) return Promise.resolve();
  pool = null;
  setParallelMatmul(null);
  const exits: Promise<unknown>[] = [];
  for (let w = 0; w < p.workers.length; w++) {
    // Ask the worker to return from its loop (it then exits by itself) and wait, briefly, for
    // the acknowledgement; terminate() covers a worker that is gone or stuck.
    post(p, w, OP_QUIT);
    waitDone(p, w, 1000);
    exits.push(p.workers[w].terminate().catch(() => undefined));
  }
  return Promise.all(exits).then(() => undefined);
}

function available(): boolean {
  return (
    typeof SharedArrayBuffer === 'function' &&
    typeof Atomics === 'object' &&
    typeof WebAssembly === 'object' &&
    typeof WebAssembly.Memory === 'function' &&
    typeof Worker === 'function'
  );
}

function createMemory(pages: number): { memory: WebAssembly.Memory; maxPages: number } {
  // Shared memories reserve their maximum up front; fall back to smaller reservations.
  let lastError: unknown;
  for (const maximum of [WASM32_BYTES / PAGE, 16384, 4096]) {
    try {
      return { memory: new WebAssembly.Memory({ initial: pages, maximum, shared: true }), maxPages: maximum };
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

/** The relaxed-SIMD shared build when the single-thread kernels run relaxed too, else the plain one. */
function sharedModuleBytes(): Uint8Array<ArrayBuffer> {
  if (wasmBuild() === 'relaxed-simd') {
    const bytes = decodeBase64(WASM_SHARED_RELAXED_BASE64);
    if (WebAssembly.validate(bytes)) return bytes;
  }
  return decodeBase64(WASM_SHARED_BASE64);
}

function startPool(workerCount: number): Pool | null {
  if (!available()) return null;
  const workers: Worker[] = [];
  try {
    const module = new WebAssembly.Module(sharedModuleBytes());
    const { memory, maxPages } = createMemory(64);
    if (!((memory.buffer as unknown) instanceof SharedArrayBuffer)) return null;
    const x = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SharedKernels;
    const ctrlBase = (x.heapBase() + 63) & ~63;
    const base = ctrlBase + (MAX_THREADS + 1) * SLOT_BYTES;
    const ctrl = new Int32Array(memory.buffer, ctrlBase, (MAX_THREADS + 1) * (SLOT_BYTES / 4));
    ctrl.fill(0);
    for (let w = 0; w < workerCount; w++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, slot: ctrlBase + (w + 1) * SLOT_BYTES },
      });
      // Never keep the process alive: the workers only ever run while a call waits for them.
      worker.unref();
      worker.on('error', () => {
        /* reported through READY / the wait timeouts */
      });
      workers.push(worker);
    }
    const p: Pool = {
      mem: heapOf(memory, 'shared wasm memory', base, maxPages * PAGE),
      x,
      workers,
      ctrl,
      ctrlBase,
      seq: new Array<number>(workerCount).fill(0),
    };
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let w = 0; w < workerCount; w++) {
      const ready = slotIndex(w, SLOT.READY);
      while (Atomics.load(ctrl, ready) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('a worker did not start in time');
        Atomics.wait(ctrl, ready, 0, Math.min(left, 100));
      }
      if (Atomics.load(ctrl, ready) !== 1) throw new Error('a worker could not instantiate the module');
    }
    return p;
  } catch {
    for (const worker of workers) void worker.terminate();
    return null;
  }
}

function slotIndex(w: number, field: number): number {
  return (w + 1) * (SLOT_BYTES / 4) + field;
}

function post(p: Pool, w: number, op: number): void {
  const s = (p.seq[w] + 1) | 0;
  p.seq[w] = s;
  p.ctrl[slotIndex(w, SLOT.OP)] = op;
  Atomics.store(p.ctrl, slotIndex(w, SLOT.SEQ), s);
  Atomics.notify(p.ctrl, slotIndex(w, SLOT.SEQ));
}

/** The flags argument of a matmul command (see `SLOT.ARGS`). */
function flagsOf(transA: boolean, transB: boolean, e: Epilogue): number {
  return (transA ? FLAG.TRANS_A : 0) | (transB ? FLAG.TRANS_B : 0) | (e.accumulate ? FLAG.ACCUMULATE : 0) | (e.act << FLAG.ACT_SHIFT);
}

function postMatmul(p: Pool, w: number, q: Part, flags: number): void {
  const at = slotIndex(w, SLOT.ARGS);
  const ctrl = p.ctrl;
  ctrl[at] = q.c;
  ctrl[at + 1] = q.a;
  ctrl[at + 2] = q.b;
  ctrl[at + 3] = q.m;
  ctrl[at + 4] = q.k;
  ctrl[at + 5] = q.n;
  ctrl[at + 6] = flags;
  ctrl[at + 7] = q.scratch;
  ctrl[at + 8] = q.bias;
  post(p, w, OP_MATMUL);
}

/** Blocks until worker w has finished its last command; false on timeout. */
function waitDone(p: Pool, w: number, timeoutMs: number): boolean {
  const ctrl = p.ctrl;
  const done = slotIndex(w, SLOT.DONE);
  const s = p.seq[w];
  for (let i = 0; i < SPIN; i++) if (Atomics.load(ctrl, done) === s) return true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(ctrl, done);
    if (seen === s) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, done, seen, Math.min(left, 1000));
  }
}

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** Copies `rows` runs of `len` floats, `stride` apart in src, into consecutive runs from byte address `ptr`. */
function gatherIn(heap: Float32Array, ptr: number, src: Float32Array, off: number, stride: number, rows: number, len: number): void {
  if (len === stride) {
    copyIn(heap, ptr, src, off, rows * len);
    return;
  }
  for (let r = 0; r < rows; r++) copyIn(heap, ptr + r * len * 4, src, off + r * stride, len);
}

/** Copies `rows` consecutive runs of `len` floats from byte address `ptr` into dst, `stride` apart. */
function scatterOut(heap: Float32Array, ptr: number, dst: Float32Array, off: number, stride: number, rows: number, len: number): void {
  if (len === stride) {
    copyOut(heap, ptr, dst, off, rows * len);
    return;
  }
  for (let r = 0; r < rows; r++) copyOut(heap, ptr + r * len * 4, dst, off + r * stride, len);
}

/**
 * Splits `units` blocks among `threads` threads, where a block costs thread 0 (the caller)
 * `callerCost` times what it costs a worker; returns threads + 1 block boundaries.
 */
function split(units: number, threads: number, callerCost: number): number[] {
  const weight = 1 / callerCost;
  const total = weight + (threads - 1);
  const bounds = [0];
  let acc = weight;
  for (let t = 1; t < threads; t++) {
    bounds.push(Math.min(units, Math.round((units * acc) / total)));
    acc += 1;
  }
  bounds.push(units);
  return bounds;
}

/**
 * What the kernel does to a block after the product: add the block's previous contents
 * (`accumulate`), then a bias row, then an activation. The same per-element arithmetic in any
 * split, which is why results are bit-identical to one thread (see {@link matmulF32Parallel}).
 */
interface Epilogue {
  accumulate: boolean;
  bias: Float32Array | null;
  act: number;
}

const PLAIN: Epilogue = { accumulate: false, bias: null, act: 0 };
const ACCUMULATE: Epilogue = { accumulate: true, bias: null, act: 0 };

/**
 * out[m×n] = op(A)·op(B) (or, when `accumulate`, out += op(A)·op(B)) on float32 data, split
 * across the threads started by {@link enableThreads}; the contract of `matmulF32` (and
 * `matmulInto`): A stored m×k (k×m if `transA`), B stored k×n (n×k if `transB`), `out`
 * overwritten (or added to), and `out` may alias `a` or `b` when not accumulating. Runs
 * `matmulF32` on the calling thread alone when threads are off.
 *
 * Same bits as `matmulF32`: the output is split into blocks of whole rows or whole columns,
 * and each thread runs the same kernel, whose k loop (blocks of KC, summed in order, each
 * block added to the running total) does not depend on m or n; every output element is the
 * same sequence of float32 operations whichever thread computes it.
 */
export function matmulF32Parallel(
  out: Float32Array,
  outOff: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  accumulate = false,
): void {
  const p = pool;
  if (p === null) {
    matmulF32(out, outOff, a, aOff, b, bOff, m, k, n, transA, transB, accumulate);
    return;
  }
  const fn = 'matmulF32Parallel';
  checkMatmulArgs(fn, out, outOff, a, aOff, b, bOff, m, k, n);
  if (m === 0 || n === 0) return;
  const e = accumulate ? ACCUMULATE : PLAIN;
  if (m >= n) rowSplit(p, fn, out, outOff, a, aOff, b, bOff, m, k, n, transA, transB, e);
  else columnSplit(p, fn, out, outOff, a, aOff, b, bOff, m, k, n, transA, transB, e);
}

/**
 * A dense layer's forward pass, out[batch×outF] = act(x·W + bias), split across the threads
 * like {@link matmulF32Parallel}: the contract and the bits of `linearForwardF32` (x
 * [batch×inF], W [inF×outF], bias [outF] or null, `activation` 0 identity, 1 sigmoid, 2 tanh,
 * 3 relu). Runs
 * `linearForwardF32` on the calling thread alone when threads are off.
 */
export function linearF32Parallel(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  inF: number,
  outF: number,
  activation: number,
): void {
  const fn = 'linearF32Parallel';
  checkActivation(fn, activation);
  const p = pool;
  if (p === null) {
    linearForwardF32(out, x, w, bias, batch, inF, outF, activation as WasmActivationCode);
    return;
  }
  checkMatmulArgs(fn, out, 0, x, 0, w, 0, batch, inF, outF);
  if (bias !== null) checkSpan(fn, 'bias', bias, 0, outF);
  if (batch === 0 || outF === 0) return;
  const e: Epilogue = { accumulate: false, bias, act: activation };
  if (batch >= outF) rowSplit(p, fn, out, 0, x, 0, w, 0, batch, inF, outF, false, false, e);
  else columnSplit(p, fn, out, 0, x, 0, w, 0, batch, inF, outF, false, false, e);
}

/** Bytes of the bias row: padded to whole NR-float tiles, which the kernel reads (zeros past n). */
function biasBytes(e: Epilogue, n: number): number {
  return e.bias === null ? 0 : vecBytes(Math.ceil(n / NR) * NR);
}

/** Copies the bias row to byte address `ptr`, zero-padded to whole NR-float tiles; returns its address (0: none). */
function loadBias(heap: Float32Array, ptr: number, e: Epilogue, n: number): number {
  if (e.bias === null) return 0;
  copyIn(heap, ptr, e.bias, 0, n);
  heap.fill(0, (ptr >>> 2) + n, (ptr >>> 2) + Math.ceil(n / NR) * NR);
  return ptr;
}

/** One thread's share of a call: its operands, kernel arguments and output copy. */
interface Part {
  /** Copies this thread's operand slab into shared memory. */
  load(): void;
  c: number;
  a: number;
  b: number;
  m: number;
  k: number;
  n: number;
  scratch: number;
  /** Byte address of this thread's bias values (0: none). */
  bias: number;
  /** Copies this thread's finished output into `out`. */
  store(): void;
}

/**
 * Runs parts[0] on the calling thread and parts[t] on worker t − 1 (null parts are empty).
 * Common operands must already be in place. Workers are posted first, each as soon as its
 * slab is loaded; every posted worker is waited for even when something fails, so the pool
 * is idle again when this returns or throws.
 */
function run(p: Pool, fn: string, parts: (Part | null)[], transA: boolean, transB: boolean, e: Epilogue): void {
  const flags = flagsOf(transA, transB, e);
  const posted: number[] = [];
  for (let t = 1; t < parts.length; t++) {
    const q = parts[t];
    if (q === null) continue;
    q.load();
    postMatmul(p, t - 1, q, flags);
    posted.push(t);
  }
  let error: unknown = null;
  const started = Date.now();
  const own = parts[0];
  try {
    if (own !== null) {
      own.load();
      p.x.matmul(own.c, own.a, own.b, own.m, own.k, own.n, transA ? 1 : 0, transB ? 1 : 0, own.scratch, own.bias, e.act, e.accumulate ? 1 : 0);
      own.store();
    }
  } catch (e) {
    error = e;
  }
  // Generous: a live worker finishes about when the caller does.
  const timeout = 30_000 + 20 * (Date.now() - started);
  for (const t of posted) {
    const w = t - 1;
    if (!waitDone(p, w, timeout)) {
      void disableThreads();
      throw new Error(`${fn}: worker ${t} did not answer within ${timeout} ms; threads disabled`);
    }
    if (p.ctrl[slotIndex(w, SLOT.STATUS)] !== 0) {
      error ??= new Error(`${fn}: the wasm kernel failed in worker ${t}`);
    } else if (error === null) {
      parts[t]!.store();
    }
  }
  if (error !== null) throw error;
}

/** Thread t computes rows [r[t], r[t+1]) of the output from its slab of op(A) and all of B. */
function rowSplit(
  p: Pool,
  fn: string,
  out: Float32Array,
  outOff: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  e: Epilogue,
): void {
  const threads = p.workers.length + 1;
  // Per output row the caller also copies k floats of A in and n floats of C out.
  const callerCost = 1 + (COPY_PER_MAC * (k + n)) / Math.max(1, k * n);
  const rows = split(Math.ceil(m / MR), threads, callerCost).map((u) => Math.min(m, u * MR));
  // Layout: B | bias | A slabs (thread order) | C | scratch per thread.
  const pb = p.mem.base;
  const pbias = align64(pb + vecBytes(k * n) + TAIL_BYTES); // readable bytes after B (see constants.ts)
  const pa: number[] = [];
  let at = pbias + biasBytes(e, n);
  for (let t = 0; t < threads; t++) {
    pa.push(at);
    at += vecBytes((rows[t + 1] - rows[t]) * k);
  }
  const pc = align64(at);
  const ps: number[] = [];
  at = align64(pc + vecBytes(m * n));
  for (let t = 0; t < threads; t++) {
    ps.push(at);
    const mt = rows[t + 1] - rows[t];
    at = align64(at + (mt > 0 ? p.x.matmulScratchBytes(mt, k, n) : 0));
  }
  const heap = reserve(p.mem, at, fn);
  copyIn(heap, pb, b, bOff, k * n);
  const bias = loadBias(heap, pbias, e, n);
  const parts: (Part | null)[] = [];
  for (let t = 0; t < threads; t++) {
    const r0 = rows[t],
      mt = rows[t + 1] - r0;
    if (mt === 0) {
      parts.push(null);
      continue;
    }
    const slab = pa[t],
      c = pc + r0 * n * 4;
    parts.push({
      load: () => {
        // A is k×m when transposed: k runs of mt floats.
        if (transA) gatherIn(heap, slab, a, aOff + r0, m, k, mt);
        else copyIn(heap, slab, a, aOff + r0 * k, mt * k);
        if (e.accumulate) copyIn(heap, c, out, outOff + r0 * n, mt * n);
      },
      c,
      a: slab,
      b: pb,
      m: mt,
      k,
      n,
      scratch: ps[t],
      bias,
      store: () => copyOut(heap, c, out, outOff + r0 * n, mt * n),
    });
  }
  run(p, fn, parts, transA, transB, e);
}

/** Thread t computes columns [c[t], c[t+1]) of the output from all of op(A) and its slab of op(B). */
function columnSplit(
  p: Pool,
  fn: string,
  out: Float32Array,
  outOff: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  e: Epilogue,
): void {
  const threads = p.workers.length + 1;
  // Per output column the caller also copies k floats of B in and m floats of C out.
  const callerCost = 1 + (COPY_PER_MAC * (k + m)) / Math.max(1, k * m);
  const cols = split(Math.ceil(n / NR), threads, callerCost).map((u) => Math.min(n, u * NR));
  // Layout: A | B slabs (thread order) | bias | C blocks (thread order) | scratch per thread.
  // Thread t reads the bias from column cols[t] on: a multiple of NR, so its tiles stay in the row.
  const pa = p.mem.base;
  const pb: number[] = [];
  let at = pa + vecBytes(m * k);
  for (let t = 0; t < threads; t++) {
    pb.push(at);
    at += vecBytes((cols[t + 1] - cols[t]) * k);
  }
  const pbias = align64(at + TAIL_BYTES); // readable bytes after the last B slab (see constants.ts)
  at = align64(pbias + biasBytes(e, n));
  const pc: number[] = [];
  for (let t = 0; t < threads; t++) {
    pc.push(at);
    at = align64(at + vecBytes(m * (cols[t + 1] - cols[t])));
  }
  const ps: number[] = [];
  for (let t = 0; t < threads; t++) {
    ps.push(at);
    const nt = cols[t + 1] - cols[t];
    at = align64(at + (nt > 0 ? p.x.matmulScratchBytes(m, k, nt) : 0));
  }
  const heap = reserve(p.mem, at, fn);
  copyIn(heap, pa, a, aOff, m * k);
  const bias = loadBias(heap, pbias, e, n);
  const parts: (Part | null)[] = [];
  for (let t = 0; t < threads; t++) {
    const c0 = cols[t],
      nt = cols[t + 1] - c0;
    if (nt === 0) {
      parts.push(null);
      continue;
    }
    const slab = pb[t],
      c = pc[t];
    parts.push({
      load: () => {
        // B is n×k when transposed (its rows c0.. are contiguous), else k×n (k runs of nt floats).
        if (transB) copyIn(heap, slab, b, bOff + c0 * k, nt * k);
        else gatherIn(heap, slab, b, bOff + c0, n, k, nt);
        if (e.accumulate) gatherIn(heap, c, out, outOff + c0, n, m, nt);
      },
      c: pc[t],
      a: pa,
      b: pb[t],
      m,
      k,
      n: nt,
      scratch: ps[t],
      bias: bias === 0 ? 0 : bias + c0 * 4,
      store: () => scatterOut(heap, c, out, outOff + c0, n, m, nt),
    });
  }
  run(p, fn, parts, transA, transB, e);
}
