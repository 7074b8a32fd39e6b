import { describe, expect, it } from 'vitest';
import { data, nn, noGrad, optim, tensor } from '../../src/index.js';

// A test of learning, not of speed, on real MNIST. 200 updates are too few for the lecture's
// N(0,1) sigmoid net with quadratic cost (it sits near 40–45% after them); a relu net with He
// initialisation and softmax cross-entropy learns from so little data (≈83% for seeds 1–3).
describe('MNIST learning', () => {
  it('one epoch on 2,000 training images beats 80% on 1,000 held-out test images', () => {
    const { train, test } = data.loadMnist({ trainSize: 2000, validationSize: 0 });
    const net = new nn.MLP([784, 30, 10], { activation: 'relu', outputActivation: 'identity', init: 'he', seed: 1 });
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    for (const batch of new data.DataLoader(train, { batchSize: 10, seed: 1 })) {
      const cost = nn.crossEntropy(net.forward(batch.inputs), batch.labels);
      opt.zeroGrad();
      cost.backward();
      opt.step();
    }
    const n = 1000;
    const inputs = tensor(test.images.subarray(0, n * 784), { shape: [n, 784] });
    const acc = noGrad(() => nn.accuracy(net.forward(inputs), test.labels.subarray(0, n)));
    console.log(`1 epoch on 2,000 images: ${(acc * 100).toFixed(1)}% on 1,000 test images`);
    expect(acc).toBeGreaterThan(0.8);
  });
});
