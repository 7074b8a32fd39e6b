/**
 * Measuring a model on a split: predictions in batches under `noGrad`, accuracy, the classes it
 * never predicts, and the confusion matrix.
 */
import { noGrad, tensor } from '../autograd/index.js';
import * as nn from '../nn/index.js';
import type { Dataset } from '../data/index.js';

/** The subset of `Dataset` training and evaluation need. */
export type Split = Pick<Dataset, 'images' | 'labels' | 'count' | 'features'>;

/** Batch size used for evaluation (large: no gradients are recorded). */
export const EVAL_BATCH = 1000;

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

/** How many predictions equal their labels. */
export function countMatches(pred: Int32Array, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) right++;
  return right;
}

/** How many of `split`'s examples `model` classifies right. */
export function countCorrect(model: nn.Module, split: Split, batchSize = EVAL_BATCH): number {
  return countMatches(predict(model, split, batchSize), split.labels);
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
 * @throws Error when a label or prediction is not a class in 0..classes−1.
 *
 * @example
 * ```ts
 * confusionMatrix(new Uint8Array([0, 1, 1]), new Int32Array([0, 1, 0]), 2); // [[1, 0], [1, 1]]
 * ```
 */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i],
      p = predictions[i];
    if (!(t >= 0 && t < classes) || !(p >= 0 && p < classes)) {
      throw new Error(`confusionMatrix: example ${i} has label ${t} and prediction ${p}; both must be classes 0..${classes - 1}`);
    }
    m[t][p]++;
  }
  return m;
}

/** Accuracy and confusion matrix of a model on a split. */
export interface Evaluation {
  correct: number;
  count: number;
  accuracy: number;
  /** `matrix[t][p]`: examples of true class `t` predicted as `p`. */
  matrix: number[][];
}

/**
 * Evaluates `model` on `split` under `noGrad`, in batches of `batchSize`.
 *
 * @example
 * ```ts
 * const ev = evaluateModel(model, loadMnist().test);
 * ev.accuracy;  // e.g. 0.9512
 * ```
 */
export function evaluateModel(model: nn.Module, split: Split, batchSize = EVAL_BATCH, classes = 10): Evaluation {
  const pred = predict(model, split, batchSize);
  const correct = countMatches(pred, split.labels);
  return { correct, count: split.count, accuracy: split.count ? correct / split.count : 0, matrix: confusionMatrix(split.labels, pred, classes) };
}
