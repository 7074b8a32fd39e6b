/**
 * DataLoader over any arrays: inputs of any shape, float targets (a regression fitting sin
 * through the loader), integer class indices kept as indices, seeded shuffling, dropLast,
 * reused buffers; image datasets as [b, 1, 28, 28]; and the errors.
 */
import { describe, expect, it } from 'vitest';
import { data, nn, optim, tensor, randn } from '../../src/index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('regression through a DataLoader with float targets', () => {
  it('an MLP fits sin on [-π, π] from mini-batches of a synthetic dataset', () => {
    const n = 256;
    const x = Float32Array.from(range(n), (i) => -Math.PI + (2 * Math.PI * i) / (n - 1));
    const y = x.map(Math.sin);
    const loader = new data.DataLoader({ inputs: { data: x, shape: [n, 1] }, targets: { data: y, shape: [n, 1] } }, { batchSize: 32, seed: 7 });
    const net = new nn.MLP([1, 16, 1], { activation: 'tanh', outputActivation: 'identity', init: 'xavier', seed: 3 });
    const opt = new optim.Adam(net.parameters(), { lr: 0.02 });
    const all = { x: tensor(x, { shape: [n, 1] }), y: tensor(y, { shape: [n, 1] }) };
    const mse = (): number => nn.mseLoss(net.forward(all.x), all.y).item();
    const before = mse();
    for (let e = 0; e < 60; e++) {
      for (const b of loader.epoch(e)) {
        expect(b.labels).toBeNull();
        opt.zeroGrad();
        nn.mseLoss(net.forward(b.inputs), b.targets).backward();
        opt.step();
      }
    }
    const after = mse();
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeLessThan(0.005);
    // the fit is of sin itself: check points between the training ones
    const probe = tensor([[-2.5], [-1], [0.3], [2]]);
    const got = net.forward(probe).data;
    [-2.5, -1, 0.3, 2].forEach((v, i) => expect(Math.abs(got[i] - Math.sin(v))).toBeLessThan(0.1));
  });
});

describe('array datasets', () => {
  it('gathers rows of any shape, by index, keeping float64', () => {
    const inputs = tensor(
      Float64Array.from(range(7 * 6), (i) => i + 0.5),
      { shape: [7, 2, 3] },
    );
    const targets = tensor(
      Float32Array.from(range(7 * 2), (i) => 0.25 - i),
      { shape: [7, 2] },
    );
    const loader = new data.DataLoader({ inputs, targets }, { batchSize: 3, seed: 2 });
    expect(loader.length).toBe(3);
    expect(loader.count).toBe(7);
    const seen: number[] = [];
    for (const b of loader.epoch(1)) {
      const k = b.indices.length;
      expect(b.inputs.shape).toEqual([k, 2, 3]);
      expect(b.inputs.dtype).toBe('float64');
      expect(b.targets.shape).toEqual([k, 2]);
      expect(b.targets.dtype).toBe('float32');
      b.indices.forEach((src, r) => {
        expect(Array.from(b.inputs.data.subarray(r * 6, r * 6 + 6))).toEqual(range(6).map((j) => src * 6 + j + 0.5));
        expect(Array.from(b.targets.data.subarray(r * 2, r * 2 + 2))).toEqual([0.25 - 2 * src, -0.75 - 2 * src]);
      });
      seen.push(...b.indices);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(range(7));
    // a bare typed array: one value per example, batches [b]
    const [first] = new data.DataLoader(
      { inputs: Float32Array.of(1, 2, 3), targets: Float64Array.of(4, 5, 6) },
      { batchSize: 2, shuffle: false },
    ).epoch(0);
    expect(first.inputs.toArray()).toEqual([1, 2]);
    expect(first.targets.toArray()).toEqual([4, 5]);
    expect(first.targets.dtype).toBe('float64');
  });

  it('integer targets are class indices: labels as Int32Array, targets as indices [b] (never one-hot), crossEntropy takes them', () => {
    const count = 10;
    const inputs = randn([count, 4], { seed: 1 });
    const targets = Uint8Array.from(range(count), (i) => (i * 7) % 3);
    const loader = new data.DataLoader({ inputs, targets }, { batchSize: 4, seed: 5, classes: 3 });
    const net = new nn.Linear(4, 3, { seed: 2 });
    for (const b of loader.epoch(0)) {
      expect(b.labels).toBeInstanceOf(Int32Array);
      expect(Array.from(b.labels!)).toEqual(Array.from(b.indices, (i) => targets[i]));
      expect(b.targets.shape).toEqual([b.indices.length]);
      expect(Array.from(b.targets.data)).toEqual(Array.from(b.labels!));
      const logits = net.forward(b.inputs);
      expect(nn.crossEntropy(logits, b.targets).item()).toBe(nn.crossEntropy(logits, b.labels!).item());
    }
    // token ids as inputs become float32 values, exactly
    const [tok] = new data.DataLoader(
      { inputs: Int32Array.of(5, 70000, 3), targets: Int32Array.of(0, 1, 2) },
      { batchSize: 3, shuffle: false },
    ).epoch(0);
    expect(Array.from(tok.inputs.data)).toEqual([5, 70000, 3]);
  });

  it('shuffles with the same seeded order as an image dataset of the same size; dropLast; reuseBuffers', () => {
    const n = 23;
    const arrays = { inputs: { data: Float32Array.from(range(n)), shape: [n, 1] }, targets: Float32Array.from(range(n)) };
    const images = { images: Float32Array.from(range(n)), labels: new Uint8Array(n), count: n, features: 1 };
    const a = new data.DataLoader(arrays, { batchSize: 5, seed: 11 });
    const b = new data.DataLoader(images, { batchSize: 5, seed: 11 });
    for (const e of [0, 3]) {
      expect([...a.epoch(e)].map((x) => Array.from(x.indices))).toEqual([...b.epoch(e)].map((x) => Array.from(x.indices)));
    }
    expect(Array.from(a.order(0))).not.toEqual(Array.from(a.order(1)));
    expect(Array.from(new data.DataLoader(arrays, { batchSize: 5, shuffle: false }).order(0))).toEqual(range(n));
    const dropped = new data.DataLoader(arrays, { batchSize: 5, dropLast: true, seed: 1 });
    expect(dropped.length).toBe(4);
    expect([...dropped.epoch(0)].map((x) => x.indices.length)).toEqual([5, 5, 5, 5]);

    const fresh = [...new data.DataLoader(arrays, { batchSize: 5, seed: 4 }).epoch(2)].map((x) => [
      Array.from(x.inputs.data),
      Array.from(x.targets.data),
    ]);
    const arraysSeen = new Set<unknown>();
    const reused = [];
    for (const x of new data.DataLoader(arrays, { batchSize: 5, seed: 4, reuseBuffers: true }).epoch(2)) {
      arraysSeen.add(x.inputs.data);
      reused.push([Array.from(x.inputs.data), Array.from(x.targets.data)]);
    }
    expect(reused).toEqual(fresh);
    expect(arraysSeen.size).toBe(2); // one for full batches, one for the last partial batch
  });

  it('rejects mismatched counts, bad columns, negative or out-of-range class indices, inputShape', () => {
    const x = randn([4, 2]);
    expect(() => new data.DataLoader({ inputs: x, targets: new Float32Array(3) }, { batchSize: 2 })).toThrow(
      /DataLoader: inputs hold 4 examples but targets 3 \(shapes \[4,2\] and \[3\]\)/,
    );
    expect(() => new data.DataLoader({ inputs: [1, 2] as never, targets: new Float32Array(2) }, { batchSize: 2 })).toThrow(
      /DataLoader: inputs must be a Tensor, a typed array or \{ data: typed array, shape \}/,
    );
    expect(
      () => new data.DataLoader({ inputs: { data: new Float32Array(5), shape: [2, 2] }, targets: new Float32Array(2) }, { batchSize: 2 }),
    ).toThrow(/DataLoader: inputs has shape \[2,2\] \(4 values\) but 5 values/);
    expect(() => new data.DataLoader({ inputs: tensor(1), targets: new Float32Array(1) }, { batchSize: 2 })).toThrow(/inputs is 0-d/);
    expect(() => new data.DataLoader({ inputs: x, targets: Int8Array.of(0, 1, -1, 0) }, { batchSize: 2 })).toThrow(
      /DataLoader: class index -1 of example 2 is out of range \(class indices are >= 0\)/,
    );
    expect(() => new data.DataLoader({ inputs: x, targets: Uint8Array.of(0, 1, 5, 0) }, { batchSize: 2, classes: 3 })).toThrow(
      /class index 5 of example 2 is out of range for 3 classes \(0\.\.2\)/,
    );
    expect(() => new data.DataLoader({ inputs: x, targets: new Float32Array(4) }, { batchSize: 2, inputShape: [2] })).toThrow(
      /inputShape is for image datasets/,
    );
  });
});

describe('images for convolutional networks', () => {
  const ds = { images: Float32Array.from(range(3 * 6), (i) => i / 100), labels: Uint8Array.of(1, 2, 0), count: 3, rows: 2, cols: 3, features: 6 };

  it('inputShape [1, rows, cols] gives batches [b, 1, rows, cols] of the same values', () => {
    const flat = [...new data.DataLoader(ds, { batchSize: 2, seed: 1 }).epoch(0)];
    const conv = [...new data.DataLoader(ds, { batchSize: 2, seed: 1, inputShape: [1, 2, 3] }).epoch(0)];
    expect(conv.map((b) => b.inputs.shape)).toEqual([
      [2, 1, 2, 3],
      [1, 1, 2, 3],
    ]);
    conv.forEach((b, i) => {
      expect(Array.from(b.inputs.data)).toEqual(Array.from(flat[i].inputs.data));
      expect(b.targets.shape).toEqual([b.labels.length, 10]);
    });
    expect(() => new data.DataLoader(ds, { batchSize: 2, inputShape: [1, 28, 28] })).toThrow(
      /DataLoader: inputShape \[1,28,28\] must be positive integers multiplying to the 6 features/,
    );
  });

  it('imageTensor views a whole split as [N, 1, rows, cols] without copying', () => {
    const t = data.imageTensor(ds);
    expect(t.shape).toEqual([3, 1, 2, 3]);
    expect(t.data).toBe(ds.images);
    expect(() => data.imageTensor({ ...ds, rows: 5 })).toThrow(
      /imageTensor: the dataset's images must be a Float32Array of count × rows × cols = 3 × 5 × 3 values, got 18/,
    );
  });
});
