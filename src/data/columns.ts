/**
 * Array datasets for `DataLoader`: columns of examples (tensors or typed arrays, examples along
 * the first axis), checked once, and the gathering of a batch's rows out of them.
 */
import { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import type { FloatArray } from '../autograd/kernels/types.js';
import { allocateResident } from '../autograd/backend/index.js';
import { fmt } from '../autograd/shape.js';

/** Integer typed arrays: class indices as targets (or integer inputs, such as token ids). */
export type IntegerArray = Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;

/** The typed arrays a dataset column may hold. */
export type ColumnArray = Float32Array | Float64Array | IntegerArray;

/**
 * One column of a dataset, examples along the first axis: a tensor (`[N, ...]`), a typed array
 * with its shape (`{ data, shape: [N, ...] }`), or a bare typed array (one value per example,
 * shape `[N]`).
 */
export type DataColumn = Tensor | ColumnArray | { data: ColumnArray; shape: readonly number[] };

/**
 * A dataset of any arrays for `DataLoader`: `inputs` of any shape, and `targets` either
 * floats (a `Tensor`, `Float32Array` or `Float64Array`: regression, or one-hot rows you made)
 * or integers (`Uint8Array`, `Int32Array`, …: class indices, kept as indices).
 */
export interface ArrayDataset {
  inputs: DataColumn;
  targets: DataColumn;
}

/**
 * One mini-batch of an `ArrayDataset`. Fresh arrays for every batch, unless the loader was
 * made with `reuseBuffers`.
 */
export interface ArrayBatch {
  /**
   * The batch's inputs, `[b, ...]` (the column's shape after its first axis): float64 for
   * float64 data, else float32 (integer inputs such as token ids converted exactly up to 2²⁴).
   */
  inputs: Tensor;
  /**
   * The batch's targets, `[b, ...]`: the float targets, or for integer targets the class
   * indices as a float32 tensor `[b]` (which `nn.crossEntropy(logits, targets)` takes as labels).
   */
  targets: Tensor;
  /** Integer targets: the class indices. Float targets: null. */
  labels: Int32Array | null;
  /** Which dataset examples the batch holds, in batch order. */
  indices: Int32Array;
}

/** @internal A checked column. */
export interface Column {
  /** The values, row-major, `count × rowSize`. */
  data: ColumnArray;
  /** The full shape, `[count, ...]`. */
  shape: readonly number[];
  count: number;
  /** Values per example. */
  rowSize: number;
  /** The dtype of the batches' tensors. */
  dtype: DType;
  /** Whether the values are integers (an integer typed array). */
  integer: boolean;
}

const INTEGER_ARRAYS = [Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array];

function isColumnArray(x: unknown): x is ColumnArray {
  return x instanceof Float32Array || x instanceof Float64Array || INTEGER_ARRAYS.some((C) => x instanceof C);
}

/** @internal Checks a column given to `DataLoader`; errors name it (`inputs` / `targets`). */
export function toColumn(name: string, c: DataColumn): Column {
  let data: ColumnArray;
  let shape: readonly number[];
  if (c instanceof Tensor) {
    data = c.data;
    shape = c.shape;
  } else if (isColumnArray(c)) {
    data = c;
    shape = [c.length];
  } else if (c !== null && typeof c === 'object' && 'data' in c && isColumnArray(c.data) && Array.isArray(c.shape)) {
    data = c.data;
    shape = c.shape;
  } else {
    throw new Error(`DataLoader: ${name} must be a Tensor, a typed array or { data: typed array, shape }, got ${c === null ? 'null' : typeof c}`);
  }
  if (shape.length === 0) throw new Error(`DataLoader: ${name} is 0-d; its first axis must index the examples`);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`DataLoader: ${name} has an invalid shape ${fmt(shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new Error(`DataLoader: ${name} has shape ${fmt(shape)} (${size} values) but ${data.length} values`);
  }
  const integer = !(data instanceof Float32Array || data instanceof Float64Array);
  return {
    data,
    shape: [...shape],
    count: shape[0],
    rowSize: shape.slice(1).reduce((a, b) => a * b, 1),
    dtype: data instanceof Float64Array ? 'float64' : 'float32',
    integer,
  };
}

/**
 * @internal Copies the rows `indices` of `col` into `out` (or a new array: resident in the
 * wasm memory when `resident`, where the kernels read it without a copy) and returns it.
 */
export function gatherColumn(col: Column, indices: Int32Array, out: FloatArray | null, resident: boolean): FloatArray {
  const k = col.rowSize,
    n = indices.length;
  const dst = out ?? (resident ? allocateResident(col.dtype, n * k) : col.dtype === 'float64' ? new Float64Array(n * k) : new Float32Array(n * k));
  const src = col.data;
  if (k === 1) {
    for (let r = 0; r < n; r++) dst[r] = src[indices[r]];
  } else {
    for (let r = 0; r < n; r++) {
      const i = indices[r];
      dst.set(src.subarray(i * k, (i + 1) * k), r * k);
    }
  }
  return dst;
}
