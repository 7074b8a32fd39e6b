/**
 * `tensorgrad evaluate`: rebuild an MLP from a `model.safetensors` written by `tensorgrad train`,
 * and measure it on the MNIST test set (accuracy and a confusion matrix).
 */
import * as nn from '../nn/index.js';
import { decodeSafetensors } from '../nn/safetensors.js';
import { ACTIVATIONS, INITS, type Activation } from './args.js';
import { confusionMatrix, formatInt, predict, type Split } from './train.js';

/**
 * Rebuilds the MLP stored in safetensors bytes: its sizes and activations come from the
 * `__metadata__` (`sizes`, `activation`, `outputActivation`, `dtype`), its parameters from the
 * tensors (`layers.<i>.weight`, `layers.<i>.bias`).
 *
 * @param source the file name, for error messages.
 * @throws Error naming the file and what is wrong: a corrupt file (see `decodeSafetensors`),
 *   missing or invalid metadata, or tensors that do not match the sizes.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const { model, metadata } = loadModel(readFileSync('runs/x/model.safetensors'), 'runs/x/model.safetensors');
 * model.sizes;  // [784, 30, 10]
 * ```
 */
export function loadModel(bytes: Uint8Array, source = 'model'): { model: nn.MLP; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const bad = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (metadata.sizes === undefined) bad('the metadata has no "sizes"; was this file written by `tensorgrad train`?');
  const sizes = metadata.sizes.split(',').map(Number);
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n <= 0)) bad(`metadata "sizes" is '${metadata.sizes}', expected e.g. '784,30,10'`);
  const act = (key: string, fallback?: string): Activation => {
    const v = metadata[key] ?? fallback;
    if (!(ACTIVATIONS as readonly string[]).includes(v as string)) {
      bad(`metadata "${key}" is ${JSON.stringify(v)}, expected one of ${ACTIVATIONS.join(', ')}`);
    }
    return v as Activation;
  };
  const activation = act('activation');
  const outputActivation = act('outputActivation', activation);
  const init = (INITS as readonly string[]).includes(metadata.init) ? (metadata.init as (typeof INITS)[number]) : 'normal';
  const first = tensors.values().next().value;
  const dtype = metadata.dtype === 'float64' || (metadata.dtype === undefined && first?.dtype === 'float64') ? 'float64' : 'float32';
  const model = new nn.MLP(sizes, { activation, outputActivation, init, dtype });
  try {
    model.loadNamedParameters(tensors);
  } catch (e) {
    bad(`${(e as Error).message} (the metadata says sizes ${metadata.sizes})`);
  }
  return { model, metadata };
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
export function evaluateModel(model: nn.Module, split: Split, batchSize = 1000, classes = 10): Evaluation {
  const pred = predict(model, split, batchSize);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === split.labels[i]) correct++;
  return { correct, count: split.count, accuracy: split.count ? correct / split.count : 0, matrix: confusionMatrix(split.labels, pred, classes) };
}

/**
 * Formats a confusion matrix as an aligned table: rows are true labels, columns predictions,
 * plus each row's recall.
 *
 * @example
 * ```ts
 * formatConfusionMatrix([[5, 1], [0, 4]]);
 * // true\pred     0     1  │  recall
 * //        0      5     1  │  83.3%
 * //        1      0     4  │ 100.0%
 * ```
 */
export function formatConfusionMatrix(matrix: number[][]): string {
  const k = matrix.length;
  const cellW = Math.max(5, ...matrix.flat().map((v) => formatInt(v).length + 1));
  const headW = 10;
  const lines: string[] = [];
  let head = 'true\\pred'.padStart(headW);
  for (let p = 0; p < k; p++) head += String(p).padStart(cellW + 1);
  lines.push(`${head}  │  recall`);
  lines.push('─'.repeat(head.length + 2) + '┼' + '─'.repeat(9));
  for (let t = 0; t < k; t++) {
    let row = String(t).padStart(headW);
    const total = matrix[t].reduce((a, b) => a + b, 0);
    for (let p = 0; p < k; p++) row += formatInt(matrix[t][p]).padStart(cellW + 1);
    const recall = total ? ((100 * matrix[t][t]) / total).toFixed(1) + '%' : '—';
    lines.push(`${row}  │ ${recall.padStart(7)}`);
  }
  return lines.join('\n');
}
