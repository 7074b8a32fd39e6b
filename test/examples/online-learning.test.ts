import { describe, expect, it } from 'vitest';
import { data } from '../../src/index.js';
import { continueOnStream, jumpStats, mislabel, pretrain, roughness } from '../../examples/online-learning.js';

const loaded = data.loadMnist({ trainSize: 4000, validationSize: 0 });
const part = (set: data.Dataset, from: number, count: number): data.Dataset => ({
  ...set,
  count,
  images: set.images.subarray(from * 784, (from + count) * 784),
  labels: set.labels.subarray(from, from + count),
});

describe('examples/online-learning', () => {
  it('mislabel changes exactly the chosen labels, each to another digit', () => {
    const set = part(loaded.train, 0, 500);
    const { set: noisy, wrong } = mislabel(set, 7, 3);
    expect(wrong.size).toBe(7);
    for (let i = 0; i < 500; i++) {
      if (wrong.has(i)) expect(noisy.labels[i]).not.toBe(set.labels[i]);
      else expect(noisy.labels[i]).toBe(set.labels[i]);
    }
  });

  it('with m = 1 a mislabelled example jumps far more than a clean one; in batches of 10 it is averaged away', () => {
    // A pretrained net, then a stream of 1,000 images, 20 mislabelled.
    const start = pretrain(part(loaded.train, 0, 2000), 6);
    const { set: stream, wrong } = mislabel(part(loaded.train, 3000, 1000), 20, 2);
    const test = part(loaded.test, 0, 500);
    const online = continueOnStream(start, stream, wrong, test, { m: 1, eta: 1, evalEvery: 100, probeEvery: 1e9 });
    const batched = continueOnStream(start, stream, wrong, test, { m: 10, eta: 1, evalEvery: 100, probeEvery: 1e9 });
    expect(online.jumps.length).toBe(1000);
    expect(batched.jumps.length).toBe(100);
    const s1 = jumpStats(online),
      s10 = jumpStats(batched);
    expect(s1.outlierUpdates).toBe(20);
    expect(s1.outlier).toBeGreaterThan(2 * s1.clean); // measured 2.8×; a wrong outlier flag gives ≈ 1
    expect(s10.outlier / s10.clean).toBeLessThan(1.5);
    expect(online.accuracy).toHaveLength(11);
    expect(roughness(online.accuracy)).toBeGreaterThan(2 * roughness(batched.accuracy));
    expect(online.outlierEffect).toHaveLength(20); // probed around every mislabelled update
    expect(online.cleanEffect).toHaveLength(1); // and around update 0 only (probeEvery = 1e9)
  });
});
