import { describe, expect, it } from 'vitest';
import { data, nn } from '../../src/index.js';
import { accuracy, LeNet, trainLeNet } from '../../examples/cnn-mnist.js';

describe('examples/cnn-mnist', () => {
  it('trains its LeNet on 1,000 images for an epoch well past chance, and reloads it from PyTorch layout', () => {
    const { train, test } = data.loadMnist({ trainSize: 1000, validationSize: 0 });
    const few = { ...test, count: 1000, images: test.images.subarray(0, 1000 * 784), labels: test.labels.subarray(0, 1000) };
    const seen: number[] = [];
    const model = trainLeNet(train, few, { epochs: 1, onEpoch: (_e, _cost, acc) => seen.push(acc) });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThan(0.5); // chance is 0.1; measured 0.65
    const copy = new LeNet(42);
    nn.moduleFromBytes(copy, nn.moduleToBytes(model, { layout: 'pytorch' }));
    expect(accuracy(copy, few)).toBe(seen[0]);
    expect([...copy.stateDict({ layout: 'pytorch' }).keys()]).toEqual([
      'conv1.weight',
      'conv1.bias',
      'conv2.weight',
      'conv2.bias',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
  });
});
