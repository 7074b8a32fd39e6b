/**
 * A convolutional network on MNIST, written with the library's public API only: the model as
 * an `nn.Module` of `Conv2d`, `MaxPool2d`, `Dropout` and `Linear` layers, images as
 * [N, 1, 28, 28] batches from a `DataLoader`, Adam, `train()` / `eval()` around evaluation,
 * and the trained model saved to and loaded from a `.safetensors` file in PyTorch's layout.
 *
 *   npx tsx examples/cnn-mnist.ts            # 3 epochs on the 50,000 training images (~99%)
 *   npx tsx examples/cnn-mnist.ts --quick    # 1 epoch on 5,000 images (~96%)
 *
 * (`tensorgrad train --arch cnn` trains the same kind of network from the command line, with
 * checkpoints and a cosine schedule.)
 */
import { data, nn, noGrad, optim, type Tensor } from '../src/index.js';
import { hasFlag, isMain } from './lib/cli.js';

/**
 * LeNet-style: two blocks of 5×5 convolution → relu → 2×2 max-pool (28 → 24 → 12 → 8 → 4), then
 * a hidden linear layer with dropout, and 10 logits.
 */
export class LeNet extends nn.Module {
  conv1: nn.Conv2d;
  conv2: nn.Conv2d;
  pool = this.registerModule('pool', new nn.MaxPool2d(2));
  fc1: nn.Linear;
  drop: nn.Dropout;
  fc2: nn.Linear;

  constructor(seed = 0) {
    super();
    this.conv1 = this.registerModule('conv1', new nn.Conv2d(1, 16, 5, { seed }));
    this.conv2 = this.registerModule('conv2', new nn.Conv2d(16, 32, 5, { seed: seed + 1 }));
    this.fc1 = this.registerModule('fc1', new nn.Linear(32 * 4 * 4, 128, { init: 'he', seed: seed + 2 }));
    this.drop = this.registerModule('drop', new nn.Dropout(0.5, { seed: seed + 3 }));
    this.fc2 = this.registerModule('fc2', new nn.Linear(128, 10, { init: 'he', seed: seed + 4 }));
  }

  /** x: [N, 1, 28, 28] → logits [N, 10]. */
  forward(x: Tensor): Tensor {
    let h = this.pool.forward(this.conv1.forward(x).relu());
    h = this.pool.forward(this.conv2.forward(h).relu());
    h = this.fc1.forward(h.flatten(1), 'relu'); // the relu fused into the layer's kernel
    return this.fc2.forward(this.drop.forward(h));
  }
}

/** The fraction of `set` the model classifies right (evaluation mode, no graph). */
export function accuracy(model: nn.Module, set: data.Dataset): number {
  model.eval();
  const images = data.imageTensor(set); // [count, 1, 28, 28], sharing the dataset's memory
  let right = 0;
  noGrad(() => {
    for (let start = 0; start < set.count; start += 1000) {
      const end = Math.min(start + 1000, set.count);
      const logits = model.forward(images.slice(0, start, end));
      right += nn.accuracy(logits, set.labels.subarray(start, end)) * (end - start);
    }
  });
  model.train();
  return right / set.count;
}

/** Trains a fresh `LeNet` for `epochs` passes over `train` with Adam; reports each epoch's test accuracy. */
export function trainLeNet(
  train: data.Dataset,
  test: data.Dataset,
  opts: { epochs: number; seed?: number; onEpoch?: (epoch: number, cost: number, acc: number, seconds: number) => void },
): LeNet {
  const model = new LeNet(opts.seed ?? 1);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: opts.seed ?? 1, inputShape: [1, 28, 28] });
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const t0 = performance.now();
    let cost = 0;
    for (const batch of loader.epoch(epoch)) {
      const loss = nn.crossEntropy(model.forward(batch.inputs), batch.labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      cost += loss.item();
    }
    opts.onEpoch?.(epoch + 1, cost / loader.length, accuracy(model, test), (performance.now() - t0) / 1000);
  }
  return model;
}

function main(): void {
  const quick = hasFlag('quick');
  const { train, test } = data.loadMnist({ trainSize: quick ? 5000 : 50_000 });
  const model = trainLeNet(train, test, {
    epochs: quick ? 1 : 3,
    onEpoch: (e, cost, acc, s) => console.log(`epoch ${e}: cost ${cost.toFixed(4)} · test accuracy ${(100 * acc).toFixed(2)}% · ${s.toFixed(1)} s`),
  });
  console.log(`${model.parameters().reduce((n, p) => n + p.size, 0)} parameters:\n${String(model)}`);

  // Save in PyTorch's names and layout (torch.nn.Linear weights [out, in]), load into a new model.
  const bytes = nn.moduleToBytes(model, { layout: 'pytorch' });
  const copy = new LeNet(99);
  nn.moduleFromBytes(copy, bytes);
  console.log(`saved ${bytes.length} bytes; the reloaded model scores ${(100 * accuracy(copy, test)).toFixed(2)}%`);
}

if (isMain(import.meta.url)) main();
