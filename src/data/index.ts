/**
 * The data pipeline: the IDX format, MNIST-format loaders, mini-batching with seeded shuffling.
 *
 * `readIdx` and `writeIdx` are browser-safe; `readIdxFile`, `loadMnist`, `defaultMnistDir` and
 * `module-file.ts` (`nn.save` / `nn.load` of the package root) use the file system (Node only).
 */
export { readIdx, readIdxHeader, writeIdx, IDX_TYPE_CODES } from './idx.js';
export type { IdxArray, IdxDtype, IdxHeader, IdxInput, IdxTypedArrays } from './idx.js';
export { readIdxFile, IDX_MAX_BYTES, type ReadIdxFileOptions } from './files.js';
export { loadMnist, defaultMnistDir, MNIST_FILES } from './mnist.js';
export type { Dataset, LoadMnistOptions, MnistSplits } from './mnist.js';
export { DataLoader } from './dataloader.js';
export type { Batch, BatchSource, BatchOf, LoaderSource, DataLoaderOptions } from './dataloader.js';
export type { ArrayDataset, ArrayBatch, DataColumn, ColumnArray, IntegerArray } from './columns.js';
export { imageTensor } from './images.js';
