/**
 * The convolutional network of `tensorgrad train --arch cnn`: LeNet-style, two blocks of
 * 5×5 convolution → relu → 2×2 max-pool, then flatten → linear → relu → dropout → linear
 * (logits). Built from `nn` layers only, as a user would.
 */
import { noGrad, zeros, type Tensor } from '../autograd/index.js';
import { Rng } from '../autograd/random.js';
import * as nn from '../nn/index.js';
import type { TrainConfig } from './args.js';

/** What a `ConvNet` is made of. */
export interface ConvNetSpec {
  /** `[inputs, hidden, classes]`: a square one-channel image of `inputs` pixels, the hidden linear width, the classes. */
  sizes: readonly number[];
  /** Output channels of the two conv blocks. */
  channels: readonly number[];
  /** Dropout probability before the last layer. */
  dropout: number;
  /** Initialiser of the linear layers (the convolutions use PyTorch's default). */
  init?: nn.InitName;
  seed?: number;
  dtype?: 'float32' | 'float64';
}

const KERNEL = 5;
const POOL = 2;

/** The side of the square image of `inputs` pixels, and of the feature map after both blocks. */
function geometry(inputs: number): { side: number; out: number } {
  const side = Math.round(Math.sqrt(inputs));
  if (side * side !== inputs) throw new Error(`ConvNet: ${inputs} inputs are not a square one-channel image`);
  const out = Math.floor((Math.floor((side - KERNEL + 1) / POOL) - KERNEL + 1) / POOL);
  if (out < 1) throw new Error(`ConvNet: a ${side}×${side} image is too small for two 5×5 conv + 2×2 pool blocks`);
  return { side, out };
}

/**
 * A LeNet-style network as an `nn.Sequential` (PyTorch's names: `0.weight` is the first
 * convolution, `7.weight` the first linear layer, …). It takes images as
 * [N, 1, side, side] or flat [N, side·side] (reshaped), and gives logits [N, classes].
 *
 * @example
 * ```ts
 * const net = new ConvNet({ sizes: [784, 128, 10], channels: [16, 32], dropout: 0.5 });
 * net.forward(zeros([2, 784])).shape; // [2, 10]
 * ```
 */
export class ConvNet extends nn.Sequential {
  readonly side: number;
  /** `[inputs, hidden, classes]`, as `MLP.sizes` gives inputs first and classes last. */
  readonly sizes: readonly number[];

  constructor(readonly spec: ConvNetSpec) {
    const [inputs, hidden, classes] = spec.sizes;
    const [c1, c2] = spec.channels;
    const { side, out } = geometry(inputs);
    const rng = new Rng(spec.seed ?? 0);
    const dtype = spec.dtype ?? 'float32';
    super(
      new nn.Conv2d(1, c1, KERNEL, { rng, dtype }),
      new nn.ReLU(),
      new nn.MaxPool2d(POOL),
      new nn.Conv2d(c1, c2, KERNEL, { rng, dtype }),
      new nn.ReLU(),
      new nn.MaxPool2d(POOL),
      new nn.Flatten(),
      new nn.Linear(c2 * out * out, hidden, { init: spec.init ?? 'he', rng, dtype }),
      new nn.ReLU(),
      new nn.Dropout(spec.dropout, { seed: spec.seed ?? 0 }),
      new nn.Linear(hidden, classes, { init: spec.init ?? 'he', rng, dtype }),
    );
    this.side = side;
    this.sizes = [...spec.sizes];
  }

  override forward(x: Tensor): Tensor {
    return super.forward(x.ndim === 2 ? x.reshape([x.shape[0], 1, this.side, this.side]) : x);
  }

  /** Reseeds the dropout masks (the trainer does it before every step from seed, epoch and step, so resuming repeats them). */
  reseed(seed: number): void {
    for (const m of this.layers) if (m instanceof nn.Dropout) m.manualSeed(seed);
  }

  /** One line: `CNN conv5×5 16 → pool → conv5×5 32 → pool → 512→128 → dropout 0.5 → 10`. */
  describe(): string {
    const [inputs, hidden, classes] = this.sizes;
    const [c1, c2] = this.spec.channels;
    const flat = (this.layers[7] as nn.Linear).inFeatures;
    return `CNN ${this.side}×${this.side}(${inputs}) → conv5×5 ${c1} → relu → maxpool 2 → conv5×5 ${c2} → relu → maxpool 2 → linear ${flat}→${hidden} → relu → dropout ${this.spec.dropout} → linear ${hidden}→${classes}`;
  }

  /** One row per layer: its index, its description, the output shape of one example, and its parameter count. */
  layerTable(): { index: number; layer: string; output: number[]; params: number }[] {
    const rows: { index: number; layer: string; output: number[]; params: number }[] = [];
    noGrad(() => {
      let h: Tensor = zeros([1, 1, this.side, this.side], { dtype: this.parameters()[0].dtype });
      this.layers.forEach((m, index) => {
        h = m instanceof nn.Dropout ? h : m.forward(h);
        rows.push({ index, layer: shortName(m), output: h.shape.slice(1), params: m.parameters().reduce((n, p) => n + p.size, 0) });
      });
    });
    return rows;
  }
}

/** A layer in a few characters: `Conv2d(1→16, 5×5)`, `MaxPool2d(2)`, `Linear(512→128)`. */
function shortName(m: nn.Module): string {
  if (m instanceof nn.Conv2d) return `Conv2d(${m.inChannels}→${m.outChannels}, ${m.kernelSize.join('×')})`;
  if (m instanceof nn.MaxPool2d) return `MaxPool2d(${m.kernelSize[0] === m.kernelSize[1] ? m.kernelSize[0] : m.kernelSize.join('×')})`;
  if (m instanceof nn.Linear) return `Linear(${m.inFeatures}→${m.outFeatures})`;
  if (m instanceof nn.Dropout) return `Dropout(${m.p})`;
  return m.constructor.name;
}

/** The CNN a configuration describes. */
export function buildConvNet(config: Pick<TrainConfig, 'sizes' | 'channels' | 'dropout' | 'init' | 'seed'>, dtype?: 'float32' | 'float64'): ConvNet {
  return new ConvNet({ sizes: config.sizes, channels: config.channels, dropout: config.dropout, init: config.init, seed: config.seed, dtype });
}
