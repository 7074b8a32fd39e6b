import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLoader, oneHotBatch, type Batch, type BatchSource } from '../../src/data/dataloader.js';

/** A dataset whose example i has every feature equal to i + 0.5 and label i % 10. */
function synthetic(count: number, features = 3): BatchSource {
  const images = new Float32Array(count * features);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images.fill(i + 0.5, i * features, (i + 1) * features);
    labels[i] = i % 10;
  }
  return { images, labels, count, features };
}

const indicesOf = (batches: Iterable<Batch>): number[] => [...batches].flatMap((b) => [...b.indices]);

describe('DataLoader batching', () => {
  it('yields full batches then a last partial one', () => {
    const loader = new DataLoader(synthetic(10), { batchSize: 3 });
    expect(loader.length).toBe(4);
    const sizes = [...loader.epoch(0)].map((b) => b.inputs.shape[0]);
    expect(sizes).toEqual([3, 3, 3, 1]);
  });

  it('drops the last partial batch with dropLast', () => {
    const loader = new DataLoader(synthetic(10), { batchSize: 3, dropLast: true });
    expect(loader.length).toBe(3);
    expect([...loader.epoch(0)].map((b) => b.labels.length)).toEqual([3, 3, 3]);
    expect(new DataLoader(synthetic(2), { batchSize: 3, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(synthetic(2), { batchSize: 3, dropLast: true }).epoch(0)]).toEqual([]);
    expect(new DataLoader(synthetic(9), { batchSize: 3, dropLast: true }).length).toBe(3);
    expect(new DataLoader(synthetic(0), { batchSize: 3 }).length).toBe(0);
  });

  it('gathers the rows, labels and one-hot targets of its indices', () => {
    const ds = synthetic(23, 4);
    const loader = new DataLoader(ds, { batchSize: 5, seed: 9 });
    for (const batch of loader.epoch(2)) {
      const b = batch.indices.length;
      expect(batch.inputs.shape).toEqual([b, 4]);
      expect(batch.inputs.dtype).toBe('float32');
      expect(batch.inputs.data).toBeInstanceOf(Float32Array);
      expect(batch.targets.shape).toEqual([b, 10]);
      expect(batch.targets.dtype).toBe('float32');
      for (let r = 0; r < b; r++) {
        const i = batch.indices[r];
        expect([...batch.inputs.data.subarray(r * 4, r * 4 + 4)]).toEqual([i + 0.5, i + 0.5, i + 0.5, i + 0.5]);
        expect(batch.labels[r]).toBe(ds.labels[i]);
        const row = [...batch.targets.data.subarray(r * 10, r * 10 + 10)];
        expect(row).toEqual(row.map((_, c) => (c === ds.labels[i] ? 1 : 0)));
      }
    }
  });

  it('reuseBuffers: the same batches, refilled into one set of arrays per batch size', () => {
    const ds = synthetic(23, 4);
    const snapshot = (b: Batch) => ({ x: [...b.inputs.data], y: [...b.targets.data], labels: [...b.labels], indices: [...b.indices] });
    const fresh = [...new DataLoader(ds, { batchSize: 5, seed: 3 }).epoch(1)].map(snapshot);
    const reused: ReturnType<typeof snapshot>[] = [];
    const buffers = new Set<unknown>();
    for (const b of new DataLoader(ds, { batchSize: 5, seed: 3, reuseBuffers: true }).epoch(1)) {
      reused.push(snapshot(b)); // read before the next batch overwrites it
      buffers.add(b.inputs.data);
    }
    expect(reused).toEqual(fresh);
    expect(buffers.size).toBe(2); // 5-row batches share one array, the last 3-row batch has its own
    // A stale one-hot 1 from an earlier batch must not survive the refill.
    expect(reused.every((b) => b.y.reduce((s, v) => s + v, 0) === b.labels.length)).toBe(true);
  });

  it('copies: changing a batch leaves the dataset as it was', () => {
    const ds = synthetic(4);
    const before = ds.images.slice();
    const [batch] = new DataLoader(ds, { batchSize: 4, shuffle: false }).epoch(0);
    batch.inputs.data.fill(-1);
    batch.labels.fill(9);
    expect(ds.images).toEqual(before);
    expect(ds.labels[0]).toBe(0);
  });

  it('visits 0..n-1 in order without shuffle', () => {
    const loader = new DataLoader(synthetic(7), { batchSize: 2, shuffle: false });
    expect(indicesOf(loader.epoch(0))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(indicesOf(loader.epoch(5))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('DataLoader shuffling', () => {
  it('visits every index exactly once per epoch', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (n, batchSize, seed, epoch, dropLast) => {
          const loader = new DataLoader(synthetic(n), { batchSize, seed, dropLast });
          const seen = indicesOf(loader.epoch(epoch));
          const expectedCount = dropLast ? Math.floor(n / batchSize) * batchSize : n;
          expect(seen.length).toBe(expectedCount);
          expect(new Set(seen).size).toBe(seen.length);
          for (const i of seen) expect(i >= 0 && i < n).toBe(true);
          if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          expect([...loader.order(epoch)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is deterministic per (seed, epoch)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }), (seed, epoch) => {
        const a = new DataLoader(synthetic(50), { batchSize: 8, seed });
        const b = new DataLoader(synthetic(50), { batchSize: 8, seed });
        expect(indicesOf(a.epoch(epoch))).toEqual(indicesOf(b.epoch(epoch)));
        expect(indicesOf(a.epoch(epoch))).toEqual(indicesOf(a.epoch(epoch)));
      }),
      { numRuns: 50 },
    );
  });

  it('differs across epochs and across seeds', () => {
    const loader = new DataLoader(synthetic(100), { batchSize: 10, seed: 3 });
    const orders = Array.from({ length: 20 }, (_, e) => loader.order(e).join(','));
    expect(new Set(orders).size).toBe(20);
    const identity = Array.from({ length: 100 }, (_, i) => i).join(',');
    expect(orders).not.toContain(identity);
    const seeds = Array.from({ length: 20 }, (_, s) => new DataLoader(synthetic(100), { batchSize: 10, seed: s }).order(0).join(','));
    expect(new Set(seeds).size).toBe(20);
    // Epoch e of one seed is not epoch e+1 of a neighbouring seed.
    const other = new DataLoader(synthetic(100), { batchSize: 10, seed: 4 });
    expect(other.order(0).join(',')).not.toBe(loader.order(1).join(','));
  });

  it('runs epoch 0, 1, 2, … on successive for…of loops', () => {
    const loader = new DataLoader(synthetic(30), { batchSize: 7, seed: 11 });
    const runs: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const idx: number[] = [];
      for (const batch of loader) idx.push(...batch.indices);
      runs.push(idx);
    }
    expect(loader.nextEpoch).toBe(3);
    for (let e = 0; e < 3; e++) expect(runs[e]).toEqual(indicesOf(loader.epoch(e)));
  });
});

describe('DataLoader validation', () => {
  const ds = synthetic(5);
  it('requires a positive integer batchSize', () => {
    for (const bad of [0, -2, 1.5, Number.NaN, Infinity]) {
      expect(() => new DataLoader(ds, { batchSize: bad })).toThrow(`DataLoader: batchSize must be a positive integer, got ${bad}`);
    }
    expect(() => new DataLoader(ds, {} as { batchSize: number })).toThrow('DataLoader: batchSize must be a positive integer, got undefined');
    expect(() => new DataLoader(ds, undefined as unknown as { batchSize: number })).toThrow(/options \{ batchSize \} are required/);
  });

  it('checks the seed, the epoch and the dataset', () => {
    expect(() => new DataLoader(ds, { batchSize: 2, seed: Number.NaN })).toThrow('DataLoader: seed must be a finite number, got NaN');
    const loader = new DataLoader(ds, { batchSize: 2 });
    expect(() => loader.epoch(-1)).toThrow('DataLoader: epoch must be a non-negative integer, got -1');
    expect(() => loader.epoch(0.5)).toThrow('DataLoader: epoch must be a non-negative integer, got 0.5');
    expect(() => new DataLoader({ ...ds, count: 6 }, { batchSize: 2 })).toThrow(
      'DataLoader: dataset.images must be a Float32Array of count × features = 6 × 3 = 18 values, got 15 values',
    );
    expect(() => new DataLoader({ ...ds, labels: new Uint8Array(4) }, { batchSize: 2 })).toThrow(
      'DataLoader: dataset.labels must be a Uint8Array of 5 labels, got 4 labels',
    );
    expect(() => new DataLoader({ ...ds, labels: new Uint8Array([0, 1, 12, 3, 4]) }, { batchSize: 2 })).toThrow(
      'DataLoader: label 12 of example 2 is out of range for 10 classes (0..9)',
    );
  });

  it('supports another number of classes', () => {
    const loader = new DataLoader({ ...ds, labels: new Uint8Array([0, 1, 2, 1, 0]) }, { batchSize: 5, classes: 3, shuffle: false });
    const [batch] = loader.epoch(0);
    expect(batch.targets.shape).toEqual([5, 3]);
    expect([...batch.targets.data]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]);
  });
});

describe('oneHotBatch', () => {
  it('encodes labels as rows and rejects labels out of range', () => {
    expect([...oneHotBatch([2, 0], 3)]).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHotBatch([3], 3)).toThrow('oneHotBatch: label 3 at position 0 is out of range for 3 classes (0..2)');
  });
});
