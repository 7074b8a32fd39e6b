import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { Rng } from '../autograd/random.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { activate, checkActivation, type ActivationName } from './activations.js';
import type { InitName } from './init.js';
import { checkSizes } from './parameter-count.js';

/** Options of `nn.MLP`: activations, initialiser, seed and dtype of every layer. */
export interface MLPOptions {
  /** Activation of the hidden layers (default `'sigmoid'`, the lecture's). */
  activation?: ActivationName;
  /** Activation of the output layer (default: the same as `activation`). */
  outputActivation?: ActivationName;
  /** Initialiser (default `'normal'`: N(0,1) weights and biases, as the lecture). */
  init?: InitName;
  /** One seed for every layer's initial values (default 0). */
  seed?: number;
  /** dtype of the parameters (default `'float32'`; `'float64'` for gradient checks). */
  dtype?: DType;
}

/**
 * A multilayer perceptron in the lecture's notation: `sizes = [784, 30, 10]` is 784 inputs,
 * one hidden layer of 30 neurons, 10 outputs. Parameters are named `layers.<i>.weight|bias`.
 *
 * In PyTorch's layout (`stateDict({ layout: 'pytorch' })`, `nn.save(..., { layout: 'pytorch' })`)
 * the names are those of the equivalent `torch.nn.Sequential`, which puts each activation
 * module after its linear layer: `Sequential(Linear(784, 30), Sigmoid(), Linear(30, 10),
 * Sigmoid())` has keys `0.weight`, `0.bias`, `2.weight`, `2.bias` — layer i is `2i`
 * (an `'identity'` activation is `nn.Identity()`, so the numbering never shifts; an identity
 * output activation may simply be left out in PyTorch).
 *
 * @example
 * ```ts
 * import { nn, randn } from 'tensorgrad';
 * const net = new nn.MLP([784, 30, 10], { activation: 'sigmoid', seed: 1 });
 * net.forward(randn([10, 784])).shape;                        // [10, 10]
 * net.parameters().reduce((n, p) => n + p.size, 0);          // 23860
 * ```
 */
export class MLP extends Module {
  readonly sizes: readonly number[];
  readonly layers: readonly Linear[];
  readonly activation: ActivationName;
  readonly outputActivation: ActivationName;

  constructor(sizes: readonly number[], opts: MLPOptions = {}) {
    super();
    this.sizes = checkSizes('MLP', sizes);
    this.activation = checkActivation(opts.activation ?? 'sigmoid');
    this.outputActivation = checkActivation(opts.outputActivation ?? this.activation);
    const rng = new Rng(opts.seed ?? 0);
    const layers: Linear[] = [];
    for (let i = 1; i < sizes.length; i++) {
      const layer = new Linear(sizes[i - 1], sizes[i], { init: opts.init, dtype: opts.dtype, rng });
      layers.push(this.registerModule(`layers.${i - 1}`, layer));
    }
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const act = i === last ? this.outputActivation : this.activation;
      // The fused op covers every activation but softmax, which needs the whole row.
      h = act === 'softmax' ? activate(act, layer.forward(h)) : layer.forward(h, act);
    });
    return h;
  }

  /** `layers.<i>` is module `2i` of the equivalent `torch.nn.Sequential` (an activation module after each layer). */
  protected override pytorchChildName(name: string): string {
    const m = /^layers\.(\d+)$/.exec(name);
    return m === null ? name : String(2 * Number(m[1]));
  }
}
