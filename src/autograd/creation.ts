/** Making tensors: from arrays, filled, or random with an explicit seed. */
import { Tensor, type NestedArray } from './tensor.js';
import { checkDType, type DType } from './dtype.js';
import { allocate } from './backend/index.js';
import { checkShape, fmt, sizeOf } from './shape.js';
import { Rng } from './random.js';
import { engineState } from './state.js';
import type { FloatArray } from './kernels/types.js';

/** Options of `tensor`, `zeros`, `ones` and `full`. */
export interface TensorOptions {
  /** The shape; required to give a flat typed array more than one axis. */
  shape?: readonly number[];
  /** `'float32'` (default) or `'float64'`; a Float64Array input defaults to float64. */
  dtype?: DType;
  /** Whether gradients should flow to this tensor (a leaf/parameter). */
  requiresGrad?: boolean;
}

/** Options of `randn` and `rand`: those of `tensor` plus a seed. */
export interface RandomOptions extends TensorOptions {
  /** Seed for this call; without it, the shared generator set by `manualSeed` is used. */
  seed?: number;
}

/**
 * The most elements a tensor may hold: 2³¹ − 1, the longest typed array every JavaScript engine
 * allocates (and what 32-bit wasm memory can address). A larger request throws an Error naming
 * the shape instead of a bare RangeError from deep inside the engine.
 */
export const MAX_TENSOR_SIZE = 2 ** 31 - 1;

/** The most axes a tensor may have (NumPy's limit): nested arrays deeper than this are refused. */
export const MAX_TENSOR_RANK = 64;

/** Storage for a new tensor of `shape`, with a clear Error for a request too large to allocate. */
function storage(op: string, shape: readonly number[], dtype: DType): FloatArray {
  const size = sizeOf(shape);
  if (size > MAX_TENSOR_SIZE) {
    throw new Error(`${op}: shape ${fmt(shape)} holds ${size} elements, more than a tensor can (${MAX_TENSOR_SIZE})`);
  }
  try {
    return allocate(dtype, size);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new Error(`${op}: cannot allocate ${dtype} storage for shape ${fmt(shape)} (${size} elements): ${e.message}`);
  }
}

/** The typed arrays `tensor` accepts (integer ones are converted to the float dtype). */
export type NumericArray = FloatArray | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * Makes a tensor from a number, nested arrays of numbers, or a typed array.
 *
 * A Float32Array/Float64Array of the requested dtype is used as the tensor's storage without
 * copying; other inputs are copied. Nested arrays must be rectangular.
 *
 * @example
 * ```ts
 * import { tensor } from 'tensorgrad';
 * tensor(3.5).shape;                                   // []
 * tensor([[1, 2, 3], [4, 5, 6]]).shape;                // [2, 3]
 * tensor(new Float64Array(6), { shape: [3, 2] }).dtype; // 'float64'
 * ```
 */
export function tensor(values: NestedArray | NumericArray | readonly number[], opts: TensorOptions = {}): Tensor {
  const requiresGrad = opts.requiresGrad ?? false;
  if (ArrayBuffer.isView(values)) {
    const typed = values as NumericArray;
    const dtype = opts.dtype !== undefined ? checkDType('tensor', opts.dtype) : typed instanceof Float64Array ? 'float64' : 'float32';
    const shape = opts.shape !== undefined ? checkShape('tensor', opts.shape) : [typed.length];
    if (sizeOf(shape) !== typed.length) {
      throw new Error(`tensor: shape ${fmt(shape)} holds ${sizeOf(shape)} elements but the array has ${typed.length}`);
    }
    const own = (dtype === 'float64' && typed instanceof Float64Array) || (dtype === 'float32' && typed instanceof Float32Array);
    const data = own ? (typed as FloatArray) : allocate(dtype, typed.length);
    if (!own) data.set(typed);
    return new Tensor(data, shape, requiresGrad);
  }
  const dtype = checkDType('tensor', opts.dtype);
  const shape = inferShape(values as NestedArray);
  const data = storage('tensor', shape, dtype);
  fill(values as NestedArray, shape, data);
  if (opts.shape !== undefined) {
    const target = checkShape('tensor', opts.shape);
    if (sizeOf(target) !== data.length) {
      throw new Error(`tensor: shape ${fmt(target)} holds ${sizeOf(target)} elements but the values have ${data.length}`);
    }
    return new Tensor(data, target, requiresGrad);
  }
  return new Tensor(data, shape, requiresGrad);
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let probe: NestedArray = values;
  while (Array.isArray(probe)) {
    if (shape.length === MAX_TENSOR_RANK) throw new Error(`tensor: the nested arrays are more than ${MAX_TENSOR_RANK} levels deep`);
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  if (!Array.isArray(probe) && typeof probe !== 'number') {
    throw new Error(`tensor: expected numbers or nested arrays of numbers, found ${typeof probe}`);
  }
  return shape;
}

/** Copies rectangular nested arrays into `out` in row-major order, with an explicit stack (no recursion). */
function fill(values: NestedArray, shape: readonly number[], out: FloatArray): void {
  if (shape.length === 0) {
    out[0] = values as number;
    return;
  }
  const arrays: (readonly NestedArray[])[] = [values as readonly NestedArray[]];
  const index: number[] = [0];
  let pos = 0;
  while (arrays.length > 0) {
    const depth = arrays.length - 1;
    const arr = arrays[depth];
    if (index[depth] === 0 && arr.length !== shape[depth]) {
      throw new Error(`tensor: ragged nested array: expected length ${shape[depth]} at depth ${depth}, found length ${arr.length}`);
    }
    if (index[depth] === arr.length) {
      arrays.pop();
      index.pop();
      continue;
    }
    const v = arr[index[depth]++];
    if (depth + 1 === shape.length) {
      if (typeof v !== 'number')
        throw new Error(`tensor: ragged nested array: expected a number at depth ${depth + 1}, found ${Array.isArray(v) ? 'an array' : typeof v}`);
      out[pos++] = v;
    } else {
      if (!Array.isArray(v))
        throw new Error(`tensor: ragged nested array: expected length ${shape[depth + 1]} at depth ${depth + 1}, found ${typeof v}`);
      arrays.push(v);
      index.push(0);
    }
  }
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return filled('full', shape, value, opts);
}

function filled(op: string, shape: readonly number[], value: number, opts: TensorOptions): Tensor {
  const s = checkShape(op, shape);
  const data = storage(op, s, checkDType(op, opts.dtype));
  if (value !== 0) data.fill(value);
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

/**
 * A tensor of zeros.
 * @example
 * ```ts
 * import { zeros } from 'tensorgrad';
 * zeros([2, 3]).toArray(); // [[0, 0, 0], [0, 0, 0]]
 * ```
 */
export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}

/**
 * A tensor of ones.
 * @example
 * ```ts
 * import { ones } from 'tensorgrad';
 * ones([2]).toArray(); // [1, 1]
 * ```
 */
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, opts);
}

let sharedRng = new Rng(0);

/**
 * Reseeds the generator that `rand`/`randn` use when no `seed` is given.
 * @example
 * ```ts
 * import { manualSeed, randn } from 'tensorgrad';
 * manualSeed(1); const a = randn([3]);
 * manualSeed(1); const b = randn([3]); // same numbers as a
 * ```
 */
export function manualSeed(seed: number): void {
  sharedRng = new Rng(seed);
}

function randomTensor(op: string, shape: readonly number[], opts: RandomOptions, draw: (rng: Rng) => number): Tensor {
  const s = checkShape(op, shape);
  if (engineState.tracer !== null) {
    throw new Error(
      `compile: ${op} inside a compiled function would replay the numbers of the traced call (dropout its mask); draw them outside and pass the tensor as an argument, or call the function without compile`,
    );
  }
  const rng = opts.seed !== undefined ? new Rng(opts.seed) : sharedRng;
  const data = storage(op, s, checkDType(op, opts.dtype));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

/**
 * Uniform random numbers in [0, 1). The same `seed` gives the same numbers on every platform.
 * @example
 * ```ts
 * import { rand } from 'tensorgrad';
 * rand([2, 2], { seed: 7 });
 * ```
 */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return randomTensor('rand', shape, opts, (rng) => rng.uniform());
}

/**
 * Standard normal random numbers (mean 0, std 1), seeded.
 * @example
 * ```ts
 * import { randn } from 'tensorgrad';
 * const w = randn([784, 30], { seed: 1, requiresGrad: true });
 * ```
 */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return randomTensor('randn', shape, opts, (rng) => rng.normal());
}
