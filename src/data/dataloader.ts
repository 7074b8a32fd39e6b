/**
 * Mini-batches over a dataset, with seeded shuffling that is reproducible per epoch: an
 * image dataset such as MNIST (`{ images, labels, count, features }`, one-hot targets) or any
 * pair of arrays (`{ inputs, targets }`: tensors or typed arrays, examples along the first axis).
 */
import { tensor } from '../autograd/creation.js';
import { Rng } from '../autograd/random.js';
import { allocateResident } from '../autograd/backend/index.js';
import { Tensor } from '../autograd/tensor.js';
import type { FloatArray } from '../autograd/kernels/types.js';
import { fmt } from '../autograd/shape.js';
import type { Dataset } from './mnist.js';
import { gatherColumn, toColumn, type ArrayBatch, type ArrayDataset, type Column } from './columns.js';

/** What a `DataLoader` needs of a dataset: flat images, labels, and their sizes. */
export type BatchSource = Pick<Dataset, 'images' | 'labels' | 'count' | 'features'>;

/**
 * One mini-batch. Every field is a copy: changing it never changes the dataset. Fresh for
 * every batch, unless the loader was made with `reuseBuffers`.
 */
export interface Batch {
  /** The batch's inputs, shape `[b, features]`, float32. */
  inputs: Tensor;
  /** The class of each example. */
  labels: Uint8Array;
  /** The labels one-hot encoded, shape `[b, classes]` (`[b, 10]` by default), float32. */
  targets: Tensor;
  /** Which dataset examples the batch holds, in batch order. */
  indices: Int32Array;
}

/** Options of `DataLoader`. */
export interface DataLoaderOptions {
  /** Examples per batch (a positive integer). The last batch may be smaller unless `dropLast`. */
  batchSize: number;
  /** Visit the examples in a fresh random order each epoch (default `true`). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0): the same seed and epoch give the same order. */
  seed?: number;
  /** Leave out a last batch smaller than `batchSize` (default `false`). */
  dropLast?: boolean;
  /**
   * Image datasets: the number of classes for the one-hot `targets` (default 10); every label
   * must be below it. Array datasets with class-index targets: when given, every index must be
   * below it (the targets stay indices).
   */
  classes?: number;
  /**
   * Image datasets: the shape of one example in `inputs`, e.g. `[1, 28, 28]` for a
   * convolutional network (batches `[b, 1, 28, 28]`); its size must be `features`.
   * Default `[features]` (batches `[b, features]`).
   */
  inputShape?: readonly number[];
  /**
   * Refill one set of arrays for every batch instead of allocating new ones (default
   * `false`): the next batch then overwrites the previous batch's inputs, targets, labels and
   * indices. For loops that are done with a batch before taking the next, like a training
   * step; it spares the allocation of a batch's inputs (~6 µs for 10 MNIST images, several
   * percent of a lecture epoch).
   */
  reuseBuffers?: boolean;
}

/** What a `DataLoader` iterates over: an image dataset (`BatchSource`) or an `ArrayDataset`. */
export type LoaderSource = BatchSource | ArrayDataset;

/** The batches of a loader over `S`: `Batch` for an image dataset, `ArrayBatch` for arrays. */
export type BatchOf<S extends LoaderSource> = S extends BatchSource ? Batch : ArrayBatch;

/**
 * Iterates over a dataset in mini-batches. Each batch gathers its rows into typed arrays
 * (one batch's worth of copying, nothing more) and wraps them in tensors: new arrays per
 * batch, or with `reuseBuffers` one set refilled for every batch.
 *
 * Two kinds of dataset:
 * - an image dataset `{ images, labels, count, features }` (what `loadMnist` gives): batches
 *   `{ inputs [b, features] (or [b, ...inputShape]), labels, targets (one-hot [b, classes]), indices }`;
 * - any arrays `{ inputs, targets }` (see `ArrayDataset`): tensors or typed arrays of any
 *   shape with the examples along the first axis, float targets for regression or integer
 *   class indices (kept as indices, never one-hot): batches `{ inputs, targets, labels, indices }`
 *   (see `ArrayBatch`).
 *
 * With `shuffle` (the default), epoch `e`'s order is a permutation drawn from an `Rng` seeded by
 * `(seed, e)`: reproducible, and different from one epoch to the next. `loader.epoch(e)` gives
 * the batches of epoch `e`; iterating the loader itself (`for (const b of loader)`) runs epoch
 * 0, then 1, 2, … on each new iteration.
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * const { train } = data.loadMnist();
 * const loader = new data.DataLoader(train, { batchSize: 10, seed: 1 });
 * loader.length; // 5000 batches
 * for (let e = 0; e < 2; e++) {
 *   for (const { inputs, targets, labels } of loader.epoch(e)) {
 *     inputs.shape;  // [10, 784]
 *     targets.shape; // [10, 10], one-hot rows of `labels`
 *   }
 * }
 * // any arrays: x [N, 1] and float targets y [N, 1] for regression
 * const x = Float32Array.from({ length: 256 }, (_, i) => -3 + (6 * i) / 255);
 * const ds = { inputs: { data: x, shape: [256, 1] }, targets: { data: x.map(Math.sin), shape: [256, 1] } };
 * for (const b of new data.DataLoader(ds, { batchSize: 32, seed: 1 })) b.targets.shape; // [32, 1]
 * ```
 */
export class DataLoader<S extends LoaderSource = BatchSource> implements Iterable<BatchOf<S>> {
  /** The dataset iterated over. */
  readonly dataset: S;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in a fresh seeded random order. */
  readonly shuffle: boolean;
  /** The shuffling seed. */
  readonly seed: number;
  /** Whether a last partial batch is left out. */
  readonly dropLast: boolean;
  /** Image datasets: the width of the one-hot targets. Array datasets: the `classes` option (0 when not given). */
  readonly classes: number;
  /** Whether every batch refills the same arrays (see `DataLoaderOptions.reuseBuffers`). */
  readonly reuseBuffers: boolean;
  /** Number of batches per epoch. */
  readonly length: number;
  /** The number of examples. */
  readonly count: number;
  /** The epoch that the next `for … of loader` will run. */
  nextEpoch = 0;
  /** The shape of one example in a batch's `inputs`. */
  private readonly exampleShape: readonly number[];
  /** Array datasets: the inputs and targets, checked. */
  private readonly columns: { inputs: Column; targets: Column } | null;

  constructor(dataset: S, opts: DataLoaderOptions) {
    if (dataset === null || typeof dataset !== 'object') {
      throw new Error(`DataLoader: expected a dataset { images, labels, count, features } or { inputs, targets }, got ${describeValue(dataset)}`);
    }
    if (opts === null || typeof opts !== 'object') {
      throw new Error('DataLoader: options { batchSize } are required, e.g. new DataLoader(train, { batchSize: 32 })');
    }
    const { batchSize, shuffle = true, seed = 0, dropLast = false, reuseBuffers = false } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${String(batchSize)}`);
    }
    if (!Number.isFinite(seed)) {
      throw new Error(`DataLoader: seed must be a finite number, got ${String(seed)}`);
    }
    if (opts.classes !== undefined && (!Number.isInteger(opts.classes) || opts.classes < 1)) {
      throw new Error(`DataLoader: classes must be a positive integer, got ${String(opts.classes)}`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    this.reuseBuffers = reuseBuffers === true;
    this.dataset = dataset;
    if (!('images' in dataset) && 'inputs' in dataset) {
      if (opts.inputShape !== undefined)
        throw new Error('DataLoader: inputShape is for image datasets; give an array dataset its shape with a tensor or { data, shape }');
      const inputs = toColumn('inputs', dataset.inputs);
      const targets = toColumn('targets', dataset.targets);
      if (inputs.count !== targets.count) {
        throw new Error(
          `DataLoader: inputs hold ${inputs.count} examples but targets ${targets.count} (shapes ${fmt(inputs.shape)} and ${fmt(targets.shape)})`,
        );
      }
      if (targets.integer) checkClassIndices(targets.data, opts.classes);
      this.columns = { inputs, targets };
      this.classes = opts.classes ?? 0;
      this.count = inputs.count;
      this.exampleShape = inputs.shape.slice(1);
      this.length = dropLast ? Math.floor(this.count / batchSize) : Math.ceil(this.count / batchSize);
      return;
    }
    this.columns = null;
    const classes = opts.classes ?? 10;
    const { images, labels, count, features } = dataset as BatchSource;
    if (!Number.isInteger(count) || count < 0 || !Number.isInteger(features) || features < 1) {
      throw new Error(`DataLoader: dataset count (${count}) and features (${features}) must be non-negative integers, features ≥ 1`);
    }
    if (!(images instanceof Float32Array) || images.length !== count * features) {
      throw new Error(
        `DataLoader: dataset.images must be a Float32Array of count × features = ${count} × ${features} = ` +
          `${count * features} values, got ${images instanceof Float32Array ? images.length + ' values' : describeValue(images)}`,
      );
    }
    if (!(labels instanceof Uint8Array) || labels.length !== count) {
      throw new Error(
        `DataLoader: dataset.labels must be a Uint8Array of ${count} labels, got ` +
          `${labels instanceof Uint8Array ? labels.length + ' labels' : describeValue(labels)}`,
      );
    }
    for (let i = 0; i < count; i++) {
      if (labels[i] >= classes) {
        throw new Error(`DataLoader: label ${labels[i]} of example ${i} is out of range for ${classes} classes (0..${classes - 1})`);
      }
    }
    const shape = opts.inputShape ?? [features];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0) || shape.reduce((a, b) => a * b, 1) !== features) {
      throw new Error(
        `DataLoader: inputShape ${Array.isArray(shape) ? fmt(shape) : String(shape)} must be positive integers multiplying to the ${features} features of an example`,
      );
    }
    this.exampleShape = [...shape];
    this.classes = classes;
    this.count = count;
    this.length = dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
  }

  /**
   * The order in which epoch `epoch` visits the examples: a seeded permutation of
   * `0..count-1` when shuffling, else `0, 1, …, count-1`.
   *
   * @example
   * ```ts
   * import { data } from 'tensorgrad';
   * const ds = { images: new Float32Array(4), labels: new Uint8Array([0, 1, 2, 3]), count: 4, features: 1 };
   * const loader = new data.DataLoader(ds, { batchSize: 2, seed: 7 });
   * loader.order(0); // a permutation of [0, 1, 2, 3], the same on every call
   * ```
   */
  order(epoch: number): Int32Array {
    checkEpoch(epoch);
    const n = this.count;
    if (!this.shuffle) {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      return p;
    }
    return new Rng(epochSeed(this.seed, epoch)).permutation(n);
  }

  /**
   * The batches of epoch `epoch` (a non-negative integer), lazily: each batch is built when the
   * iteration reaches it.
   *
   * @example
   * ```ts
   * import { data } from 'tensorgrad';
   * const ds = { images: new Float32Array(6), labels: new Uint8Array([0, 1, 2]), count: 3, features: 2 };
   * const loader = new data.DataLoader(ds, { batchSize: 2, seed: 3 });
   * const sizes = [...loader.epoch(4)].map((b) => b.labels.length); // [2, 1]
   * ```
   */
  epoch(epoch: number): IterableIterator<BatchOf<S>> {
    const order = this.order(epoch);
    return (this.columns === null ? this.batches(order) : this.arrayBatches(order, this.columns)) as IterableIterator<BatchOf<S>>;
  }

  /**
   * Runs the next epoch: epoch 0 on the first iteration, then 1, 2, … (see `nextEpoch`).
   */
  [Symbol.iterator](): IterableIterator<BatchOf<S>> {
    return this.epoch(this.nextEpoch++);
  }

  private *arrayBatches(order: Int32Array, columns: { inputs: Column; targets: Column }): IterableIterator<ArrayBatch> {
    const n = order.length;
    const bs = this.batchSize;
    const { inputs, targets } = columns;
    const inputShape = inputs.shape.slice(1),
      targetShape = targets.shape.slice(1);
    // Reused arrays, by batch size (a last partial batch has its own).
    const kept = new Map<number, { x: FloatArray; y: FloatArray; labels: Int32Array | null }>();
    for (let b = 0; b < this.length; b++) {
      const start = b * bs;
      const size = Math.min(bs, n - start);
      const indices = order.slice(start, start + size);
      const reuse = this.reuseBuffers ? kept.get(size) : undefined;
      // Reused inputs live in the wasm kernels' memory, as the image path's.
      const x = gatherColumn(inputs, indices, reuse?.x ?? null, this.reuseBuffers);
      const y = gatherColumn(targets, indices, reuse?.y ?? null, false);
      let labels: Int32Array | null = null;
      if (targets.integer) {
        labels = reuse?.labels ?? new Int32Array(size);
        for (let r = 0; r < size; r++) labels[r] = targets.data[indices[r]];
      }
      if (this.reuseBuffers && reuse === undefined) kept.set(size, { x, y, labels });
      yield { inputs: new Tensor(x, [size, ...inputShape]), targets: new Tensor(y, [size, ...targetShape]), labels, indices };
    }
  }

  private *batches(order: Int32Array): IterableIterator<Batch> {
    const { images, labels, features } = this.dataset as BatchSource;
    const n = order.length;
    const bs = this.batchSize;
    const classes = this.classes;
    // Reused arrays, by batch size (a last partial batch has its own).
    const kept = new Map<number, { inputs: Float32Array; labels: Uint8Array; targets: Float32Array }>();
    for (let b = 0; b < this.length; b++) {
      const start = b * bs;
      const size = Math.min(bs, n - start);
      const indices = order.slice(start, start + size);
      let bufs = this.reuseBuffers ? kept.get(size) : undefined;
      if (bufs === undefined) {
        // Reused inputs live in the wasm kernels' memory, where they are read without a copy.
        const inputs = this.reuseBuffers ? (allocateResident('float32', size * features) as Float32Array) : new Float32Array(size * features);
        bufs = { inputs, labels: new Uint8Array(size), targets: new Float32Array(size * classes) };
        if (this.reuseBuffers) kept.set(size, bufs);
      }
      for (let r = 0; r < size; r++) {
        const src = indices[r];
        bufs.inputs.set(images.subarray(src * features, (src + 1) * features), r * features);
        bufs.labels[r] = labels[src];
      }
      fillOneHot(bufs.targets, bufs.labels, classes);
      yield {
        inputs: tensor(bufs.inputs, { shape: [size, ...this.exampleShape] }),
        labels: bufs.labels,
        targets: tensor(bufs.targets, { shape: [size, classes] }),
        indices,
      };
    }
  }
}

/**
 * One-hot rows of `labels` as a flat `[labels.length, classes]` Float32Array.
 * (Internal helper of `DataLoader`; the public one-hot encoder is `nn.oneHot`.)
 */
export function oneHotBatch(labels: ArrayLike<number>, classes = 10): Float32Array {
  const out = new Float32Array(labels.length * classes);
  fillOneHot(out, labels, classes);
  return out;
}

/** Overwrites `out` ([labels.length, classes]) with the one-hot rows of `labels`. */
function fillOneHot(out: Float32Array, labels: ArrayLike<number>, classes: number): void {
  out.fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) {
      throw new Error(`oneHotBatch: label ${c} at position ${i} is out of range for ${classes} classes (0..${classes - 1})`);
    }
    out[i * classes + c] = 1;
  }
}

function checkClassIndices(data: ArrayLike<number>, classes: number | undefined): void {
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c < 0 || (classes !== undefined && c >= classes)) {
      throw new Error(
        `DataLoader: class index ${c} of example ${i} is out of range${classes === undefined ? ' (class indices are >= 0)' : ` for ${classes} classes (0..${classes - 1})`}`,
      );
    }
  }
}

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) {
    throw new Error(`DataLoader: epoch must be a non-negative integer, got ${String(epoch)}`);
  }
}

/**
 * A 32-bit seed for epoch `epoch` of a loader seeded with `seed`: the loader's own stream's first
 * word, xor-ed with the epoch times an odd constant (injective in the epoch), so epochs differ and
 * nearby seeds do not give shifted copies of each other's epochs.
 */
function epochSeed(seed: number, epoch: number): number {
  const base = new Rng(seed).nextUint32();
  return (base ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
}

/** A value named in an error by its kind and size, never by its contents (an array can hold millions). */
function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  const a = (name: string): string => `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
  if (ArrayBuffer.isView(x) || Array.isArray(x)) return `${a(x.constructor.name)} of ${(x as ArrayLike<unknown>).length} values`;
  return typeof x === 'object' ? a(x.constructor?.name ?? 'object') : `${typeof x} ${String(x).slice(0, 40)}`;
}
