import { describe, expect, it } from 'vitest';
import { data } from '../../src/index.js';
import { asciiDigit, classCounts, slice } from '../../examples/mnist.js';

const { train, test } = data.loadMnist({ trainSize: 60_000, validationSize: 0 });

describe('examples/mnist', () => {
  it("counts the classes of the training and test files (MNIST's published counts)", () => {
    expect(classCounts(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(classCounts(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('draws an image as 28 lines of 28 characters, ink where the pixels are dark', () => {
    const art = asciiDigit(train, 0);
    expect(art).toHaveLength(28);
    for (const line of art) expect(line).toHaveLength(28);
    const px = train.images.subarray(0, 784);
    const inked = art
      .join('')
      .split('')
      .filter((c) => c !== ' ').length;
    expect(inked).toBe(Array.from(px).filter((v) => v >= 0.1).length);
    expect(art[0]).toBe(' '.repeat(28)); // MNIST digits sit in the middle 20×20
    expect(art.join('')).toContain('@'); // and reach full black
  });

  it('slices a dataset without copying', () => {
    const part = slice(test, 5000, 3);
    expect(part.count).toBe(3);
    expect(Array.from(part.labels)).toEqual(Array.from(test.labels.subarray(5000, 5003)));
    expect(part.images.buffer).toBe(test.images.buffer);
    expect(part.images[0]).toBe(test.images[5000 * 784]);
  });
});
