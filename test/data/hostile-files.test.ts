import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { data } from '../../src/index.js';

/** An IDX header declaring `shape` of uint8, followed by `body` (which need not match it). */
function idx(shape: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  out[2] = 0x08;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((d, i) => view.setInt32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * shape.length);
  return out;
}

describe('IDX and gzip files within bounded memory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-hostile-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a gzip bomb (a 50 KB .gz of 64 MB) is refused once it inflates past the size its header declares', () => {
    const path = join(dir, 'bomb-idx3-ubyte.gz');
    writeFileSync(path, gzipSync(idx([100, 28, 28], new Uint8Array(64 << 20)), { level: 9 }));
    expect(() => data.readIdxFile(path)).toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the gzip data inflates to more than the 78416 bytes its IDX header declares`),
    );
  });

  it('a header declaring more than the limit is refused before inflating', () => {
    const path = join(dir, 'huge-idx3-ubyte.gz');
    writeFileSync(path, gzipSync(idx([60000, 1000, 1000], new Uint8Array(100))));
    expect(() => data.readIdxFile(path)).toThrow(
      /huge-idx3-ubyte\.gz: the IDX header declares 60000×1000×1000 uint8 = 60000\.0 MB, above the 1073\.7 MB limit/,
    );
    const small = join(dir, 'small-idx1-ubyte');
    writeFileSync(small, idx([1000], new Uint8Array(1000)));
    expect(() => data.readIdxFile(small, { maxBytes: 500 })).toThrow(/small-idx1-ubyte: the file is 0\.0 MB, above the 0\.0 MB limit/);
    expect(data.readIdxFile(small).shape).toEqual([1000]);
    const gz = join(dir, 'ok-idx1-ubyte.gz');
    writeFileSync(gz, gzipSync(idx([1000], new Uint8Array(1000).fill(7))));
    expect(data.readIdxFile(gz).data[999]).toBe(7);
  });

  describe('loadMnist checks labels and image sizes', () => {
    /** Writes a 4-file MNIST folder: n train and m test images of rows×cols, with the given labels. */
    function folder(name: string, trainLabels: number[], testLabels: number[], testRows = 2): string {
      const d = join(dir, name);
      mkdirSync(d);
      writeFileSync(join(d, 'train-images-idx3-ubyte'), idx([trainLabels.length, 2, 2], new Uint8Array(trainLabels.length * 4)));
      writeFileSync(join(d, 'train-labels-idx1-ubyte'), idx([trainLabels.length], Uint8Array.from(trainLabels)));
      writeFileSync(join(d, 't10k-images-idx3-ubyte'), idx([testLabels.length, testRows, 2], new Uint8Array(testLabels.length * testRows * 2)));
      writeFileSync(join(d, 't10k-labels-idx1-ubyte'), idx([testLabels.length], Uint8Array.from(testLabels)));
      return d;
    }
    const sizes = { trainSize: 2, validationSize: 1 };

    it('accepts labels 0..9 and refuses a label above 9 in the training file (validation part included) and the test file', () => {
      expect(data.loadMnist({ dir: folder('ok', [0, 9, 3], [1, 2]), ...sizes }).test.count).toBe(2);
      expect(() => data.loadMnist({ dir: folder('badval', [0, 1, 12], [1, 2]), ...sizes })).toThrow(
        /badval\/train-labels-idx1-ubyte: label 12 of example 2 is not a class 0\.\.9/,
      );
      expect(() => data.loadMnist({ dir: folder('badtest', [0, 1, 2], [1, 200]), ...sizes })).toThrow(
        /badtest\/t10k-labels-idx1-ubyte: label 200 of example 1 is not a class 0\.\.9/,
      );
      expect(() => data.loadMnist({ dir: folder('fewer', [0, 1, 2], [1, 4]), ...sizes, classes: 3 })).toThrow(
        /label 4 of example 1 is not a class 0\.\.2/,
      );
    });

    it('refuses training and test images of different sizes', () => {
      expect(() => data.loadMnist({ dir: folder('sizes', [0, 1, 2], [1, 2], 3), ...sizes })).toThrow(
        /t10k-images-idx3-ubyte holds 3×2 images but .*train-images-idx3-ubyte holds 2×2/,
      );
    });
  });
});

describe('DataLoader type errors', () => {
  it('name the wrong array by kind and size, not by its contents', () => {
    const images = new Float64Array(1_000_000).fill(0.123456789);
    let message = '';
    try {
      new data.DataLoader(
        { images: images as unknown as Float32Array, labels: new Uint8Array(1000), count: 1000, features: 1000 },
        { batchSize: 10 },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'DataLoader: dataset.images must be a Float32Array of count × features = 1000 × 1000 = 1000000 values, got a Float64Array of 1000000 values',
    );
    expect(
      () => new data.DataLoader({ images: new Float32Array(2), labels: [0, 1] as unknown as Uint8Array, count: 2, features: 1 }, { batchSize: 1 }),
    ).toThrow(/dataset\.labels must be a Uint8Array of 2 labels, got an Array of 2 values$/);
  });
});
