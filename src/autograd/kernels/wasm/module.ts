/**
 * Loading the wasm SIMD kernels: which build runs here, compiling it and instantiating it.
 * The module is compiled from `assembly/kernels.ts` by `scripts/build-wasm.mjs` and shipped
 * base64-encoded in `./binary.ts` and `./binary-relaxed.ts`, so nothing is compiled at
 * install time. Loading is synchronous and lazy (first use), except on a browser's main
 * thread, which needs {@link initWasm}. What lives where in the instance's memory is
 * ./memory.ts's business.
 *
 * Isomorphic: no Node-only APIs.
 */
import { WASM_BASE64 } from './binary.js';
import { WASM_RELAXED_BASE64 } from './binary-relaxed.js';

/**
 * The part of a `WebAssembly.Memory` the wrappers use. Declared here so that the published
 * `.d.ts` files need no WebAssembly types: a consumer compiling without the DOM or Node libs
 * (`lib: ["ES2022"]`, `types: []`) has no `WebAssembly` namespace.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

/** The functions assembly/kernels.ts exports; every pointer is a byte address in its memory. */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  matmulScratchBytes(m: number, k: number, n: number): number;
  matmul(
    c: number,
    a: number,
    b: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    scratch: number,
    bias: number,
    act: number,
    accumulate: number,
  ): void;
  sparseMatmulScratchBytes(m: number, k: number, n: number, transA: number, transB: number): number;
  sparseMatmul(
    c: number,
    a: number,
    b: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    scratch: number,
    bias: number,
    act: number,
    accumulate: number,
    minZeros: number,
  ): number;
  activation(out: number, x: number, n: number, act: number): void;
  expArray(out: number, x: number, n: number): void;
  activationBackward(out: number, g: number, y: number, n: number, act: number): void;
  sgdUpdate(p: number, g: number, n: number, lr: number): void;
  sgdMomentum(p: number, g: number, v: number, n: number, lr: number, mu: number, wd: number, nesterov: number, first: number): void;
  adamUpdate(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    l2: number,
    shrink: number,
    c1: number,
    c2: number,
    oneMinusB1: number,
    oneMinusB2: number,
  ): void;
  zero(p: number, bytes: number): void;
  sumMiddle(out: number, x: number, outer: number, r: number, inner: number): void;
  sumRows(out: number, x: number, outer: number, r: number): void;
  binary(op: number, out: number, a: number, b: number, outer: number, inner: number, aMode: number, bMode: number): void;
  elementwiseProgram(code: number, count: number, operands: number, nOperands: number, outer: number, inner: number, scratch: number): void;
}

/** The compiled module (for further instances); null until loaded. */
let compiled: WebAssembly.Module | null = null;
/** The main instance's exports; null until loaded or where unavailable. */
let main: KernelExports | null = null;
/** Whether the synchronous load was attempted (it is attempted once). */
let tried = false;
/** Whether the module in use is the relaxed-SIMD build (set when it loads). */
let relaxed = false;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 to bytes; no Buffer or atob, so it runs in every JS engine. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const lookup = new Uint8Array(128).fill(255);
  for (let i = 0; i < B64.length; i++) lookup[B64.charCodeAt(i)] = i;
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0,
    bits = 0,
    o = 0;
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
 * The main instance's exports, compiled and instantiated on first call; null where the
 * kernels cannot run (no WebAssembly, no SIMD, or synchronous compilation refused).
 */
export function mainKernels(): KernelExports | null {
  if (main !== null || tried) return main;
  tried = true;
  try {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') return null;
    const module = new WebAssembly.Module(moduleBytes());
    main = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    compiled = module;
  } catch {
    // No SIMD (CompileError), or synchronous compilation refused: stay unavailable.
    main = null;
  }
  return main;
}

/**
 * A further instance of the loaded module, with a memory of its own (the overflow arena of
 * ./memory.ts). Call only once {@link mainKernels} has succeeded.
 */
export function extraKernels(): KernelExports {
  if (compiled === null) throw new Error('extraKernels: the wasm kernels are not loaded');
  return new WebAssembly.Instance(compiled, {}).exports as unknown as KernelExports;
}

/**
 * Which build of the kernels runs here: `'relaxed-simd'` (SIMD128 with fused multiply-add,
 * where the engine supports relaxed SIMD: Node ≥ 22, current browsers), `'simd'`, or `null`
 * when WebAssembly SIMD is unavailable. Loads the module on first call.
 *
 * @example
 * import { wasmBuild } from 'tensorgrad';
 * console.log(wasmBuild()); // 'simd' on Node 20, 'relaxed-simd' on Node 22
 */
export function wasmBuild(): 'relaxed-simd' | 'simd' | null {
  if (mainKernels() === null) return null;
  return relaxed ? 'relaxed-simd' : 'simd';
}

/**
 * Whether the wasm SIMD kernels can run here. Loads the module on first call; never throws.
 * When false, callers use the TypeScript twins (`matmulInto` for `matmulF32`, …).
 */
export function wasmAvailable(): boolean {
  return mainKernels() !== null;
}

/**
 * Compiles the module asynchronously. Needed only on a browser's main thread, where
 * synchronous compilation of modules over 4 KB is refused; call it once at start-up and
 * `wasmAvailable()` becomes true if it succeeded. Resolves to the availability; never rejects.
 */
export async function initWasm(): Promise<boolean> {
  if (main !== null) return true;
  try {
    if (typeof WebAssembly !== 'object') return false;
    const module = await WebAssembly.compile(moduleBytes());
    main = (await WebAssembly.instantiate(module, {})).exports as unknown as KernelExports;
    compiled = module;
    tried = true;
    return true;
  } catch {
    return false;
  }
}
