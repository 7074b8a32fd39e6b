/**
 * The training loop of the Train panel, written against the library alone (no worker or DOM
 * globals), so the worker drives it in slices and a unit test can drive it in Node. One
 * mini-batch is the CLI's step exactly (`src/cli/train.ts`): forward, cost, zeroGrad,
 * backward, step — compiled with `compile()` as the CLI compiles the MLP's step, with the same
 * bits as the eager step.
 */
import { type Tensor, compile, noGrad, nn, optim, tensor } from '../../src/core.js';
import { type Batch, DataLoader } from '../../src/data/dataloader.js';
import type { TrainSettings } from './protocol.js';

/** Images (row-major, [0, 1]) and their labels, the shape `DataLoader` takes. */
export interface Split {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  features: number;
}

export interface Splits {
  train: Split;
  validation: Split;
  test: Split;
}

/** What `Trainer.run` did in one slice of time. */
export interface SliceResult {
  /** The cost of each mini-batch run, in order. */
  costs: number[];
  /** Training examples in those mini-batches. */
  examples: number;
  /** Milliseconds spent training (probes and epoch evaluations excluded). */
  trainMs: number;
  /** Validation-subset accuracies measured during the slice, at `examples` seen since reset. */
  probes: { examples: number; accuracy: number }[];
  /** Set when the slice finished an epoch. */
  epochEnd: EpochResult | null;
}

export interface EpochResult {
  /** 1-based. */
  epoch: number;
  /** Mean mini-batch cost over the epoch. */
  cost: number;
  validationAccuracy: number;
  testAccuracy: number;
  trainSeconds: number;
}

/** Images of the validation split used for the live accuracy probe during an epoch. */
export const PROBE_IMAGES = 1000;
/** Training examples between two probes. */
export const PROBE_EVERY = 2500;

/** `settings` checked: each wrong field named, with what was expected. */
export function checkSettings(s: TrainSettings): TrainSettings {
  const fail = (what: string): never => {
    throw new Error(`Train settings: ${what}`);
  };
  if (s.sizes.length < 2 || s.sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 4096)) {
    fail(`sizes must be at least two whole numbers from 1 to 4096, got '${s.sizes.join(',')}'`);
  }
  if (s.sizes[0] !== 784) fail(`the first size must be 784 (28×28 pixels), got ${s.sizes[0]}`);
  if (s.sizes[s.sizes.length - 1] !== 10) fail(`the last size must be 10 (one output per digit), got ${s.sizes[s.sizes.length - 1]}`);
  if (!(Number.isFinite(s.lr) && s.lr > 0)) fail(`the learning rate must be a positive number, got ${s.lr}`);
  if (!Number.isInteger(s.batch) || s.batch < 1 || s.batch > 10000) fail(`the batch size must be a whole number from 1 to 10000, got ${s.batch}`);
  if (!Number.isInteger(s.epochs) || s.epochs < 1) fail(`epochs must be a positive whole number, got ${s.epochs}`);
  if (!Number.isInteger(s.seed) || s.seed < 0) fail(`the seed must be a non-negative whole number, got ${s.seed}`);
  return s;
}

/** The cost function the settings name, of the network's output and the batch. */
function costFunction(s: TrainSettings): (output: Tensor, batch: Batch) => Tensor {
  switch (s.cost) {
    case 'quadratic':
      return (output, batch) => nn.quadraticCost(output, batch.targets);
    case 'mse':
      return (output, batch) => nn.mseLoss(output, batch.targets);
    case 'cross-entropy':
      // The one-hot targets, not the labels: the same bits, and a tensor a compiled step takes.
      return (output, batch) => nn.crossEntropy(output, batch.targets);
  }
}

function buildOptimizer(s: TrainSettings, params: Tensor[]): optim.Optimizer {
  switch (s.optimizer) {
    case 'sgd':
      return new optim.SGD(params, { lr: s.lr });
    case 'momentum':
      return new optim.SGD(params, { lr: s.lr, momentum: 0.9 });
    case 'adam':
      return new optim.Adam(params, { lr: s.lr });
  }
}

/**
 * One network and its training run, advanced a slice at a time by `run` so that the caller
 * can answer messages (pause, draw-panel predictions) between slices.
 */
export class Trainer {
  readonly settings: TrainSettings;
  readonly model: nn.MLP;
  readonly parameterCount: number;
  /** Completed epochs. */
  epoch = 0;
  /** Training examples seen since the network was built. */
  seen = 0;
  private readonly data: Splits;
  private readonly opt: optim.Optimizer;
  private readonly loader: DataLoader;
  /** One training step on a mini-batch: its cost, after the parameters were updated. */
  private readonly step: (batch: Batch) => Tensor;
  /** Whether `step` replays a compiled program (see the constructor). */
  readonly compiled: boolean;
  private batches: Iterator<Batch> | null = null;
  private epochCost = 0;
  private epochBatches = 0;
  private epochMs = 0;
  private nextProbe = PROBE_EVERY;

  /** `compile: false` runs every step eagerly (the same bits; slower). */
  constructor(settings: TrainSettings, data: Splits, opts: { compile?: boolean } = {}) {
    this.settings = checkSettings(settings);
    this.data = data;
    const logits = settings.cost === 'cross-entropy';
    this.model = new nn.MLP(settings.sizes, {
      activation: settings.activation,
      // Cross-entropy takes logits; the quadratic costs compare the activations with one-hot targets.
      outputActivation: logits ? 'identity' : settings.activation,
      init: settings.init,
      seed: settings.seed,
    });
    const params = this.model.parameters();
    this.parameterCount = params.reduce((n, p) => n + p.size, 0);
    this.opt = buildOptimizer(settings, params);
    const costOf = costFunction(settings);
    const model = this.model,
      opt = this.opt;
    const eager = (batch: Batch): Tensor => {
      const cost = costOf(model.forward(batch.inputs), batch);
      opt.zeroGrad();
      cost.backward();
      opt.step();
      return cost;
    };
    this.compiled = opts.compile ?? true;
    if (this.compiled) {
      const none = { labels: new Uint8Array(0), indices: new Int32Array(0) };
      const compiled = compile((inputs: Tensor, targets: Tensor) => eager({ inputs, targets, ...none }));
      this.step = (batch) => compiled(batch.inputs, batch.targets);
    } else {
      this.step = eager;
    }
    // Each step is done with its batch before the next, so one set of batch arrays serves.
    this.loader = new DataLoader(data.train, { batchSize: settings.batch, shuffle: true, seed: settings.seed, reuseBuffers: true });
  }

  /** Mini-batches per epoch. */
  get batchesPerEpoch(): number {
    return this.loader.length;
  }

  /** How far into the current epoch training is, from 0 to 1. */
  get epochFraction(): number {
    return this.epochBatches / this.loader.length;
  }

  /**
   * Trains mini-batches until `budgetMs` milliseconds have passed or the epoch ends (at
   * least one batch), probing validation accuracy every `PROBE_EVERY` examples.
   */
  run(budgetMs: number): SliceResult {
    const result: SliceResult = { costs: [], examples: 0, trainMs: 0, probes: [], epochEnd: null };
    const start = performance.now();
    let t = start;
    if (this.batches === null) this.batches = this.loader.epoch(this.epoch);
    while (t - start < budgetMs || result.costs.length === 0) {
      const next = this.batches.next();
      if (next.done) {
        result.epochEnd = this.finishEpoch();
        break;
      }
      const batch = next.value;
      const value = this.step(batch).item();
      if (!Number.isFinite(value)) {
        throw new Error(`The cost became ${value} in epoch ${this.epoch + 1}: the learning rate ${this.settings.lr} is probably too large`);
      }
      const n = batch.labels.length;
      result.costs.push(value);
      result.examples += n;
      this.seen += n;
      this.epochCost += value;
      this.epochBatches++;
      const now = performance.now();
      result.trainMs += now - t;
      this.epochMs += now - t;
      t = now;
      if (this.seen >= this.nextProbe) {
        this.nextProbe += PROBE_EVERY;
        const probe = Math.min(PROBE_IMAGES, this.data.validation.count);
        result.probes.push({ examples: this.seen, accuracy: this.accuracy(this.data.validation, probe) });
        t = performance.now();
      }
    }
    return result;
  }

  private finishEpoch(): EpochResult {
    const r: EpochResult = {
      epoch: this.epoch + 1,
      cost: this.epochCost / Math.max(1, this.epochBatches),
      validationAccuracy: this.accuracy(this.data.validation),
      testAccuracy: this.accuracy(this.data.test),
      trainSeconds: this.epochMs / 1000,
    };
    this.epoch++;
    this.batches = null;
    this.epochCost = 0;
    this.epochBatches = 0;
    this.epochMs = 0;
    return r;
  }

  /** The fraction of the first `count` images of `split` the network classifies right. */
  accuracy(split: Split, count = split.count): number {
    if (count === 0) return 0;
    const f = split.features;
    let right = 0;
    noGrad(() => {
      for (let s = 0; s < count; s += 1000) {
        const n = Math.min(1000, count - s);
        const x = tensor(split.images.subarray(s * f, (s + n) * f), { shape: [n, f] });
        const pred = nn.argmax(this.model.forward(x), -1);
        for (let i = 0; i < n; i++) if (pred[i] === split.labels[s + i]) right++;
      }
    });
    return right / count;
  }

  /**
   * The network's answer for one 784-pixel image: the ten outputs (as probabilities for
   * cross-entropy, whose outputs are logits) and every hidden layer's activations.
   */
  predict(pixels: Float32Array): { output: number[]; hidden: number[][] } {
    return noGrad(() => {
      let h = tensor(pixels, { shape: [1, pixels.length] });
      const hidden: number[][] = [];
      const layers = this.model.layers;
      layers.forEach((layer, i) => {
        const last = i === layers.length - 1;
        h = layer.forward(h, last && this.settings.cost === 'cross-entropy' ? 'identity' : this.settings.activation);
        if (!last) hidden.push(Array.from(h.data));
      });
      const out = this.settings.cost === 'cross-entropy' ? h.softmax(-1) : h;
      return { output: Array.from(out.data), hidden };
    });
  }
}
