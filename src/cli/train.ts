/**
 * The training loop: an MLP trained on MNIST (or any split of the same shape) as a
 * configuration says. No printing and no files: progress and results go to hooks, and the
 * loop runs step by step (`Trainer.steps()`) so that a driver can pause between steps — to
 * let signals in, or to write a checkpoint.
 */
import type * as nn from '../nn/index.js';
import type * as optim from '../optim/index.js';
import { compile, type Tensor } from '../autograd/index.js';
import { DataLoader, loadMnist, type MnistSplits } from '../data/index.js';
import type { TrainConfig } from './args.js';
import { buildNetwork, buildOptimizer, buildScheduler, lossFunction } from './build.js';
import { ConvNet } from './cnn.js';
import { checkLoss, checkParameters } from './divergence.js';
import { countMatches, predict, silentClasses, type Split } from './evaluate.js';

export type { Split } from './evaluate.js';

/** What one epoch achieved. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's mini-batches. */
  cost: number;
  /** Fraction of the validation set classified right (0 when there is no validation set). */
  valAccuracy: number;
  /** Fraction of the test set classified right. */
  testAccuracy: number;
  valCorrect: number;
  valCount: number;
  testCorrect: number;
  testCount: number;
  /** Learning rate used during the epoch. */
  lr: number;
  /**
   * Classes the model never predicts on the validation set (test set if there is none): the
   * sign of an output neuron saturated for good, the known stall of N(0,1) sigmoid nets.
   */
  silentClasses: number[];
  /** Wall-clock seconds of the training pass (no evaluation). */
  trainSeconds: number;
  /** Wall-clock seconds of the whole epoch: training plus evaluation. */
  seconds: number;
}

/** Progress within an epoch, reported by `trainMnist` after each mini-batch. */
export interface ProgressInfo {
  /** 1-based epoch number. */
  epoch: number;
  epochs: number;
  /** Mini-batches done in this epoch. */
  batch: number;
  batches: number;
  /** Training examples done in this epoch. */
  examples: number;
  totalExamples: number;
  /** Seconds since the epoch started (or, in a resumed epoch, since it resumed). */
  elapsed: number;
  /** Examples a resumed epoch skipped because the interrupted run had trained on them (0 or absent otherwise). */
  skippedExamples?: number;
  /** Mean loss of the batches so far. */
  cost: number;
}

/** Callbacks of `trainMnist` and `Trainer`. */
export interface TrainHooks {
  /** Called once the data are loaded and the model built, before the first epoch. */
  onStart?: (info: { model: nn.MLP | ConvNet; splits: TrainSplits; parameterCount: number }) => void;
  /** Called after every mini-batch (cheap: compute nothing heavy in it). */
  onProgress?: (p: ProgressInfo) => void;
  /** Called after each epoch's evaluation. */
  onEpoch?: (m: EpochMetrics) => void;
}

/** How `Trainer` runs its steps (not part of the configuration: the results are the same). */
export interface TrainerOptions {
  /**
   * Replay the training step as a compiled program (`compile`) where the model allows it (the
   * MLP, with any loss; not the CNN, whose dropout draws new masks); default true. The same bits
   * as the eager step.
   */
  compile?: boolean;
}

/** The data `trainMnist` trains and evaluates on. */
export interface TrainSplits {
  train: Split;
  validation: Split;
  test: Split;
}

/** The outcome of `trainMnist`. */
export interface TrainResult {
  config: TrainConfig;
  model: nn.MLP | ConvNet;
  epochs: EpochMetrics[];
  parameterCount: number;
}

/** What `Trainer.steps()` yields: after every mini-batch, and after every epoch's evaluation. */
export type TrainEvent = { kind: 'step' } | { kind: 'epoch'; metrics: EpochMetrics };

/**
 * Loads MNIST as `trainMnist` uses it: the lecture's split (50,000 train / 10,000 validation /
 * 10,000 test), the training split cut to its first `trainLimit` examples when given.
 *
 * @example
 * ```ts
 * const splits = loadSplits({ trainLimit: 500 });
 * splits.train.count;      // 500
 * splits.validation.count; // 10000
 * ```
 */
export function loadSplits(opts: { data?: string; trainLimit?: number } = {}): MnistSplits {
  const splits = loadMnist(opts.data === undefined ? {} : { dir: opts.data });
  if (opts.trainLimit !== undefined && opts.trainLimit < splits.train.count) {
    const n = opts.trainLimit;
    const t = splits.train;
    splits.train = { ...t, images: t.images.subarray(0, n * t.features), labels: t.labels.subarray(0, n), count: n };
  }
  return splits;
}

/**
 * One training run, advanced step by step. Each epoch visits the training split in mini-batches
 * of `config.batch` in a seeded random order (different every epoch, the same for the same
 * seed), and for each batch runs forward, loss, `zeroGrad`, `backward`, `step`. After the epoch
 * it measures validation and test accuracy under `noGrad` in batches of 1000, and the scheduler
 * (if any) sets the next epoch's rate.
 *
 * Where the run stands is `epoch` (0-based, the one in progress) and `batch` (mini-batches of it
 * done): between two yields of `steps()` the model, the optimizer and these fields agree, which
 * is what a checkpoint saves. A NaN or infinite loss or parameter throws a `DivergenceError`.
 */
export class Trainer {
  readonly model: nn.MLP | ConvNet;
  readonly optimizer: optim.Optimizer;
  readonly scheduler: optim.LRScheduler | null;
  readonly loader: DataLoader;
  readonly parameterCount: number;
  /** The epoch in progress (0-based); `config.epochs` when the run is over. */
  epoch = 0;
  /** Mini-batches of `epoch` done. */
  batch = 0;
  /** Sum of the losses of `epoch`'s mini-batches so far. */
  costSum = 0;
  /** The metrics of the epochs done. */
  readonly history: EpochMetrics[] = [];
  private readonly classes: number;

  /** Whether the training step runs compiled (see `TrainerOptions.compile`). */
  readonly compiled: boolean;

  constructor(
    readonly config: TrainConfig,
    readonly data: TrainSplits,
    private readonly hooks: TrainHooks = {},
    options: TrainerOptions = {},
  ) {
    if (data.train.count === 0) throw new Error('trainMnist: the training split is empty');
    const inputs = config.sizes[0];
    this.classes = config.sizes[config.sizes.length - 1];
    if (data.train.features !== inputs) {
      throw new Error(
        `trainMnist: the network takes ${inputs} inputs but the images have ${data.train.features} pixels; use --sizes ${data.train.features},…`,
      );
    }
    this.model = buildNetwork(config);
    const params = this.model.parameters();
    this.parameterCount = params.reduce((n, p) => n + p.size, 0);
    this.optimizer = buildOptimizer(config, params);
    this.scheduler = buildScheduler(config, this.optimizer);
    // Compiled where every op of the step replays: not the CNN (its dropout draws new masks).
    this.compiled = (options.compile ?? true) && config.arch === 'mlp';
    // Each step is done with its batch before the next: one set of batch arrays serves the epoch.
    this.loader = new DataLoader(data.train, {
      batchSize: config.batch,
      shuffle: true,
      seed: config.seed,
      classes: this.classes,
      reuseBuffers: true,
      ...(this.model instanceof ConvNet ? { inputShape: [1, this.model.side, this.model.side] } : {}),
    });
  }

  /** Whether every epoch has run. */
  get done(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** The run so far as a `TrainResult`. */
  result(): TrainResult {
    return { config: this.config, model: this.model, epochs: [...this.history], parameterCount: this.parameterCount };
  }

  /**
   * Trains from where the run stands to the end, yielding after every mini-batch and after every
   * epoch; returns the result. A driver that stops pulling leaves the run at a step boundary.
   */
  *steps(): Generator<TrainEvent, TrainResult> {
    const lossOf = lossFunction(this.config.loss);
    if (this.epoch === 0 && this.batch === 0) this.hooks.onStart?.({ model: this.model, splits: this.data, parameterCount: this.parameterCount });
    const { model, optimizer: opt, data } = this;
    const eagerStep = (x: Tensor, targets: Tensor, labels: Uint8Array): Tensor => {
      const output = model.forward(x);
      const loss = lossOf(output, targets, labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    const NO_LABELS = new Uint8Array(0);
    const compiledStep = this.compiled ? compile((x: Tensor, targets: Tensor) => eagerStep(x, targets, NO_LABELS)) : null;
    while (this.epoch < this.config.epochs) {
      const e = this.epoch;
      const lr = opt.lr;
      const t0 = performance.now();
      let seen = 0,
        examples = 0,
        skipped = 0;
      for (const batch of this.loader.epoch(e)) {
        // Resuming inside an epoch: its order is a function of (seed, epoch), so skip what was done.
        if (seen++ < this.batch) {
          examples += batch.labels.length;
          skipped += batch.labels.length;
          continue;
        }
        // Dropout masks from (seed, epoch, step): a resumed run draws the ones it would have.
        if (model instanceof ConvNet) model.reseed(stepSeed(this.config.seed, e, this.batch));
        const loss = compiledStep !== null ? compiledStep(batch.inputs, batch.targets) : eagerStep(batch.inputs, batch.targets, batch.labels);
        const value = loss.item();
        checkLoss(value, this.config, e, this.batch + 1);
        this.costSum += value;
        this.batch++;
        examples += batch.labels.length;
        this.hooks.onProgress?.({
          epoch: e + 1,
          epochs: this.config.epochs,
          batch: this.batch,
          batches: this.loader.length,
          examples,
          totalExamples: data.train.count,
          elapsed: (performance.now() - t0) / 1000,
          cost: this.costSum / this.batch,
          skippedExamples: skipped,
        });
        yield { kind: 'step' };
      }
      checkParameters(this.model.namedParameters(), this.config, e);
      const m = this.evaluateEpoch(e, lr, t0);
      this.history.push(m);
      this.epoch++;
      this.batch = 0;
      this.costSum = 0;
      this.scheduler?.step();
      this.hooks.onEpoch?.(m);
      yield { kind: 'epoch', metrics: m };
    }
    return this.result();
  }

  private evaluateEpoch(e: number, lr: number, t0: number): EpochMetrics {
    const trainSeconds = (performance.now() - t0) / 1000;
    const { validation, test } = this.data;
    this.model.eval();
    const valPred = predict(this.model, validation);
    const testPred = predict(this.model, test);
    this.model.train();
    const valCorrect = countMatches(valPred, validation.labels);
    const testCorrect = countMatches(testPred, test.labels);
    return {
      epoch: e + 1,
      cost: this.costSum / this.batch,
      valAccuracy: validation.count > 0 ? valCorrect / validation.count : 0,
      testAccuracy: test.count > 0 ? testCorrect / test.count : 0,
      valCorrect,
      valCount: validation.count,
      testCorrect,
      testCount: test.count,
      lr,
      silentClasses: silentClasses(validation.count > 0 ? valPred : testPred, this.classes),
      trainSeconds,
      seconds: (performance.now() - t0) / 1000,
    };
  }
}

/** A seed for one training step's random draws, mixed from the run's seed, the epoch and the step. */
function stepSeed(seed: number, epoch: number, step: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f) ^ Math.imul(step + 1, 0x165667b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Trains the configuration's network (MLP or CNN) on MNIST, and returns the model and per-epoch metrics.
 * Prints nothing: progress and results go to the hooks. (The `Trainer` class runs the same loop
 * step by step.)
 *
 * @param config the run's configuration (see `parseTrainArgs` for the defaults).
 * @param hooks progress and per-epoch callbacks.
 * @param splits data to use instead of loading MNIST (for tests, or another dataset).
 * @param options how the steps run (compiled by default where the model allows; same results).
 *
 * @example
 * ```ts
 * const result = trainMnist({ ...DEFAULT_CONFIG, epochs: 1, trainLimit: 1000 }, {
 *   onEpoch: (m) => console.log(m.epoch, m.cost, m.testAccuracy),
 * });
 * result.model;  // the trained nn.MLP
 * ```
 */
export function trainMnist(config: TrainConfig, hooks: TrainHooks = {}, splits?: TrainSplits, options: TrainerOptions = {}): TrainResult {
  const steps = new Trainer(config, splits ?? loadSplits(config), hooks, options).steps();
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}
