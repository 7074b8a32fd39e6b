/**
 * The browser-safe part of the data pipeline, exported as `data` from `tensorgrad/core`: IDX
 * parsing and writing of bytes, and mini-batching with seeded shuffling. (The file readers
 * and `loadMnist` of `./index.ts` need `node:fs`.)
 */
export { readIdx, writeIdx, IDX_TYPE_CODES } from './idx.js';
export type { IdxArray, IdxDtype, IdxInput, IdxTypedArrays } from './idx.js';
export type { Dataset } from './mnist.js';
export { DataLoader } from './dataloader.js';
export type { Batch, BatchSource, DataLoaderOptions } from './dataloader.js';
