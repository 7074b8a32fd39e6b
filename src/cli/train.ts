/**
 * Training an MLP on MNIST: the reusable loop (`trainMnist`, no printing), evaluation helpers,
 * and writing a run's files (`writeRun`). The `tensorgrad train` command (main.ts) adds the
 * printing on top.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { noGrad, tensor, type Tensor } from '../autograd/index.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { DataLoader, loadMnist, type Dataset, type MnistSplits } from '../data/index.js';
import { encodeSafetensors } from '../nn/safetensors.js';
import type { TrainConfig } from './args.js';
import { renderCurves } from './svg.js';

/** The subset of `Dataset` the training loop needs. */
export type Split = Pick<Dataset, 'images' | 'labels' | 'count' | 'features'>;

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
  /** Seconds since the epoch started. */
  elapsed: number;
  /** Mean loss of the batches so far. */
  cost: number;
}

/** Callbacks of `trainMnist`. */
export interface TrainHooks {
  /** Called once the data are loaded and the model built, before the first epoch. */
  onStart?: (info: { model: nn.MLP; splits: TrainSplits; parameterCount: number }) => void;
  /** Called after every mini-batch (cheap: compute nothing heavy in it). */
  onProgress?: (p: ProgressInfo) => void;
  /** Called after each epoch's evaluation. */
  onEpoch?: (m: EpochMetrics) => void;
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
  model: nn.MLP;
  epochs: EpochMetrics[];
  parameterCount: number;
}

/** Batch size used for evaluation (large: no gradients are recorded). */
export const EVAL_BATCH = 1000;

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
 * Builds the MLP a configuration describes (sizes, activations, initialiser, seed).
 *
 * @example
 * ```ts
 * const model = buildModel({ ...DEFAULT_CONFIG, sizes: [784, 30, 10] });
 * model.parameters().length; // 4
 * ```
 */
export function buildModel(config: Pick<TrainConfig, 'sizes' | 'activation' | 'outputActivation' | 'init' | 'seed'>): nn.MLP {
  return new nn.MLP(config.sizes, {
    activation: config.activation,
    outputActivation: config.outputActivation,
    init: config.init,
    seed: config.seed,
  });
}

/**
 * The loss a configuration names, as a function of the network's output and the batch:
 * `quadratic` = the lecture's C = 1/(2n)·Σ‖y − a‖², `mse` = mean over all elements,
 * `cross-entropy` = softmax cross-entropy of logits.
 */
export function lossFunction(loss: TrainConfig['loss']): (output: Tensor, targets: Tensor, labels: Uint8Array) => Tensor {
  switch (loss) {
    case 'quadratic':
      return (output, targets) => nn.quadraticCost(output, targets);
    case 'mse':
      return (output, targets) => nn.mseLoss(output, targets);
    case 'cross-entropy':
      return (output, _targets, labels) => nn.crossEntropy(output, labels);
    default:
      throw new Error(`unknown loss '${String(loss)}'`);
  }
}

/** The optimizer a configuration names, over `params`. */
export function buildOptimizer(config: TrainConfig, params: Tensor[]): optim.Optimizer {
  switch (config.optimizer) {
    case 'sgd':
    case 'momentum':
      return new optim.SGD(params, { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay });
    case 'adam':
      return new optim.Adam(params, { lr: config.lr, weightDecay: config.weightDecay });
    default:
      throw new Error(`unknown optimizer '${String(config.optimizer)}'`);
  }
}

/**
 * The learning rate of epoch `epoch` (0-based) under the configured schedule: constant for
 * `none`; for `step`, ×0.1 every ⌈epochs/3⌉ epochs; for `cosine`, cosine annealing from `lr`
 * towards 0 over the run.
 */
export function learningRate(config: Pick<TrainConfig, 'lr' | 'schedule' | 'epochs'>, epoch: number): number {
  switch (config.schedule) {
    case 'none':
      return config.lr;
    case 'step':
      return optim.stepDecay({ stepSize: Math.max(1, Math.ceil(config.epochs / 3)), gamma: 0.1 })(epoch, config.lr);
    case 'cosine':
      return optim.cosineDecay({ total: config.epochs })(epoch, config.lr);
    default:
      throw new Error(`unknown schedule '${String(config.schedule)}'`);
  }
}

/**
 * The model's predicted class for every example of `split`, computed under `noGrad` in batches
 * of `batchSize`.
 *
 * @example
 * ```ts
 * const pred = predict(model, splits.test);            // Int32Array of 10000 classes
 * ```
 */
export function predict(model: nn.Module, split: Split, batchSize = EVAL_BATCH): Int32Array {
  const out = new Int32Array(split.count);
  const f = split.features;
  noGrad(() => {
    for (let start = 0; start < split.count; start += batchSize) {
      const n = Math.min(batchSize, split.count - start);
      const x = tensor(split.images.subarray(start * f, (start + n) * f), { shape: [n, f] });
      out.set(nn.argmax(model.forward(x), -1), start);
    }
  });
  return out;
}

/** How many of `split`'s examples `model` classifies right. */
export function countCorrect(model: nn.Module, split: Split, batchSize = EVAL_BATCH): number {
  return countMatches(predict(model, split, batchSize), split.labels);
}

function countMatches(pred: Int32Array, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) right++;
  return right;
}

/** The classes in 0..classes−1 that no prediction names (none for an empty set). */
export function silentClasses(pred: Int32Array, classes: number): number[] {
  if (pred.length === 0) return [];
  const seen = new Uint8Array(classes);
  for (let i = 0; i < pred.length; i++) seen[pred[i]] = 1;
  const out: number[] = [];
  for (let c = 0; c < classes; c++) if (seen[c] === 0) out.push(c);
  return out;
}

/**
 * The confusion matrix of predictions: `m[t][p]` counts examples of true class `t` predicted as
 * `p`.
 *
 * @example
 * ```ts
 * confusionMatrix(new Uint8Array([0, 1, 1]), new Int32Array([0, 1, 0]), 2); // [[1, 0], [1, 1]]
 * ```
 */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predictions[i]]++;
  return m;
}


/**
 * Trains an MLP on MNIST as the configuration says, and returns the model and per-epoch metrics.
 * Prints nothing: progress and results go to the hooks.
 *
 * Each epoch visits the training split in mini-batches of `config.batch` in a seeded random
 * order (different every epoch, the same for the same seed), and for each batch runs forward,
 * loss, `zeroGrad`, `backward`, `step`. After the epoch it measures validation and test accuracy
 * under `noGrad` in batches of 1000.
 *
 * @param config the run's configuration (see `parseTrainArgs` for the defaults).
 * @param hooks progress and per-epoch callbacks.
 * @param splits data to use instead of loading MNIST (for tests, or another dataset).
 *
 * @example
 * ```ts
 * const result = trainMnist({ ...DEFAULT_CONFIG, epochs: 1, trainLimit: 1000 }, {
 *   onEpoch: (m) => console.log(m.epoch, m.cost, m.testAccuracy),
 * });
 * result.model;  // the trained nn.MLP
 * ```
 */
export function trainMnist(config: TrainConfig, hooks: TrainHooks = {}, splits?: TrainSplits): TrainResult {
  const data: TrainSplits = splits ?? loadSplits(config);
  if (data.train.count === 0) throw new Error('trainMnist: the training split is empty');
  const inputs = config.sizes[0], classes = config.sizes[config.sizes.length - 1];
  if (data.train.features !== inputs) {
    throw new Error(`trainMnist: the network takes ${inputs} inputs but the images have ${data.train.features} pixels; use --sizes ${data.train.features},…`);
  }
  const model = buildModel(config);
  const params = model.parameters();
  const parameterCount = params.reduce((n, p) => n + p.size, 0);
  const opt = buildOptimizer(config, params);
  const lossOf = lossFunction(config.loss);
  // Each step is done with its batch before the next: one set of batch arrays serves the epoch.
  const loader = new DataLoader(data.train, { batchSize: config.batch, shuffle: true, seed: config.seed, classes, reuseBuffers: true });
  hooks.onStart?.({ model, splits: data, parameterCount });

  const epochs: EpochMetrics[] = [];
  for (let e = 0; e < config.epochs; e++) {
    const lr = learningRate(config, e);
    opt.lr = lr;
    const t0 = performance.now();
    let costSum = 0, batches = 0, examples = 0;
    for (const batch of loader.epoch(e)) {
      const output = model.forward(batch.inputs);
      const loss = lossOf(output, batch.targets, batch.labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      const value = loss.item();
      if (!Number.isFinite(value)) {
        throw new Error(`trainMnist: the loss became ${value} in epoch ${e + 1}, batch ${batches + 1}; the learning rate ${lr} is probably too large`);
      }
      costSum += value;
      batches++;
      examples += batch.labels.length;
      hooks.onProgress?.({
        epoch: e + 1, epochs: config.epochs, batch: batches, batches: loader.length, examples,
        totalExamples: data.train.count, elapsed: (performance.now() - t0) / 1000, cost: costSum / batches,
      });
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const valPred = predict(model, data.validation);
    const testPred = predict(model, data.test);
    const valCorrect = countMatches(valPred, data.validation.labels);
    const testCorrect = countMatches(testPred, data.test.labels);
    const m: EpochMetrics = {
      epoch: e + 1,
      cost: costSum / batches,
      valAccuracy: data.validation.count > 0 ? valCorrect / data.validation.count : 0,
      testAccuracy: data.test.count > 0 ? testCorrect / data.test.count : 0,
      valCorrect, valCount: data.validation.count,
      testCorrect, testCount: data.test.count,
      lr,
      silentClasses: silentClasses(data.validation.count > 0 ? valPred : testPred, classes),
      trainSeconds,
      seconds: (performance.now() - t0) / 1000,
    };
    epochs.push(m);
    hooks.onEpoch?.(m);
  }
  return { config, model, epochs, parameterCount };
}

/** Formats an integer with thousands separators: 10000 → `10,000`. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * The one-line summary of an epoch:
 * `Epoch 7: cost 0.041 · validation 9,412/10,000 (94.12%) · test 9,398/10,000 (93.98%) · 0.9 s`.
 */
export function formatEpochLine(m: EpochMetrics): string {
  const cost = m.cost >= 0.001 || m.cost === 0 ? m.cost.toFixed(3) : m.cost.toExponential(2);
  const part = (name: string, right: number, count: number): string =>
    `${name} ${formatInt(right)}/${formatInt(count)} (${((100 * right) / Math.max(count, 1)).toFixed(2)}%)`;
  const parts = [`Epoch ${m.epoch}: cost ${cost}`];
  if (m.valCount > 0) parts.push(part('validation', m.valCorrect, m.valCount));
  parts.push(part('test', m.testCorrect, m.testCount));
  parts.push(`${m.seconds.toFixed(1)} s`);
  return parts.join(' · ');
}

/** The metadata stored in `model.safetensors`, enough to rebuild the model (all strings). */
export function modelMetadata(result: TrainResult): Record<string, string> {
  const c = result.config;
  const last = result.epochs[result.epochs.length - 1];
  const meta: Record<string, string> = {
    format: 'tensorgrad.mlp',
    sizes: c.sizes.join(','),
    activation: c.activation,
    outputActivation: c.outputActivation,
    init: c.init,
    seed: String(c.seed),
    loss: c.loss,
    optimizer: c.optimizer,
    lr: String(c.lr),
    batch: String(c.batch),
    epochs: String(result.epochs.length),
    dtype: result.model.parameters()[0].dtype,
  };
  if (last !== undefined) {
    meta.testAccuracy = String(last.testAccuracy);
    meta.valAccuracy = String(last.valAccuracy);
  }
  return meta;
}

/**
 * Writes `data` to `path` atomically: to a temporary name in the same folder, then renamed over
 * `path`, so a reader never sees a half-written file (and a failure leaves none behind).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The paths `writeRun` wrote. */
export interface RunFiles {
  dir: string;
  model: string;
  metrics: string;
  curves: string;
}

/** A default output folder: `runs/<local timestamp>` such as `runs/2025-01-31T14-05-09`. */
export function defaultOutDir(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return join('runs', stamp);
}

/**
 * Writes a run's three files into `dir` (created if needed), each atomically:
 * `model.safetensors` (the parameters by name, with metadata to rebuild the model),
 * `metrics.json` (`{ config, parameterCount, epochs: [{ epoch, cost, valAccuracy, testAccuracy, seconds, … }] }`)
 * and `curves.svg` (training cost and accuracies per epoch).
 */
export function writeRun(dir: string, result: TrainResult): RunFiles {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const files: RunFiles = {
    dir: abs,
    model: join(abs, 'model.safetensors'),
    metrics: join(abs, 'metrics.json'),
    curves: join(abs, 'curves.svg'),
  };
  writeFileAtomic(files.model, encodeSafetensors(result.model.namedParameters(), modelMetadata(result)));
  const metrics = {
    config: result.config,
    parameterCount: result.parameterCount,
    epochs: result.epochs.map((m) => ({
      epoch: m.epoch,
      cost: m.cost,
      valAccuracy: m.valAccuracy,
      testAccuracy: m.testAccuracy,
      seconds: m.seconds,
      trainSeconds: m.trainSeconds,
      lr: m.lr,
      valCorrect: m.valCorrect,
      valCount: m.valCount,
      testCorrect: m.testCorrect,
      testCount: m.testCount,
    })),
  };
  writeFileAtomic(files.metrics, JSON.stringify(metrics, null, 2) + '\n');
  const c = result.config;
  writeFileAtomic(
    files.curves,
    renderCurves(result.epochs, {
      title: `MLP ${c.sizes.join('-')} · ${c.activation} · ${c.loss} · ${c.optimizer} η=${c.lr} · batch ${c.batch}`,
    }),
  );
  return files;
}
