import { Tensor } from '../autograd/tensor.js';
import type { Dataset } from './mnist.js';

/**
 * A dataset's images as one tensor `[count, 1, rows, cols]` (one channel), the layout of
 * convolutional networks, sharing the dataset's memory (no copy). For mini-batches in that
 * shape use `new DataLoader(ds, { batchSize, inputShape: [1, ds.rows, ds.cols] })`.
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * const { test } = data.loadMnist({ trainSize: 0, validationSize: 0 });
 * data.imageTensor(test).shape; // [10000, 1, 28, 28]
 * ```
 */
export function imageTensor(ds: Pick<Dataset, 'images' | 'count' | 'rows' | 'cols'>): Tensor {
  const { images, count, rows, cols } = ds;
  if (!(images instanceof Float32Array) || images.length !== count * rows * cols) {
    throw new Error(
      `imageTensor: the dataset's images must be a Float32Array of count × rows × cols = ${count} × ${rows} × ${cols} values, got ${images instanceof Float32Array ? images.length : String(images)}`,
    );
  }
  return new Tensor(images, [count, 1, rows, cols]);
}
