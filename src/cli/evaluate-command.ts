/**
 * `tensorgrad evaluate`: rebuilds the network (MLP or CNN) of a `model.safetensors` written by `tensorgrad
 * train`, and measures it on the MNIST test set (accuracy and a confusion matrix).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadMnist } from '../data/index.js';
import { UsageError, type EvaluateOptions } from './args.js';
import { evaluateModel } from './evaluate.js';
import { formatConfusionMatrix, formatInt } from './format.js';
import { checkDataDir, type CliIO } from './io.js';
import { loadModel } from './model-file.js';
import { ConvNet } from './cnn.js';

/** Runs `tensorgrad evaluate`; returns the exit code (errors are thrown). */
export function evaluateCommand(opts: EvaluateOptions, io: CliIO): number {
  if (!existsSync(opts.model)) throw new UsageError(`--model: file '${opts.model}' does not exist`, 'evaluate');
  if (!statSync(opts.model).isFile()) throw new UsageError(`--model: '${opts.model}' is not a file`, 'evaluate');
  checkDataDir(opts.data, 'evaluate');
  const { model, metadata } = loadModel(readFileSync(opts.model), opts.model);
  const classes = model.sizes[model.sizes.length - 1];
  // Labels are checked against the model's classes as the files are read.
  const { test } = loadMnist({
    ...(opts.data === undefined ? {} : { dir: opts.data }),
    trainSize: 0,
    validationSize: 0,
    classes: Math.min(classes, 256),
  });
  if (test.features !== model.sizes[0]) {
    throw new Error(`${opts.model}: the model takes ${model.sizes[0]} inputs but the test images have ${test.features} pixels`);
  }
  const ev = evaluateModel(model, test, opts.batch, classes);
  const say = (s: string): void => void io.out.write(s + '\n');
  say(
    `Model     ${opts.model}: ${model instanceof ConvNet ? model.describe() : `MLP ${model.sizes.join('-')} · ${model.activation} hidden · ${model.outputActivation} output`}` +
      (metadata.epochs ? ` · trained ${metadata.epochs} epoch(s) with ${metadata.loss ?? '?'} / ${metadata.optimizer ?? '?'}` : ''),
  );
  say(`Test      ${formatInt(ev.correct)}/${formatInt(ev.count)} correct · accuracy ${(100 * ev.accuracy).toFixed(2)}%`);
  say('');
  say('Confusion matrix (rows: true label, columns: predicted label)');
  say(formatConfusionMatrix(ev.matrix));
  return 0;
}
