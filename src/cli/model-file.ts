/**
 * The model file of a run, `model.safetensors`: the MLP's parameters by name, and metadata
 * (all strings) enough to rebuild it. Written by `tensorgrad train`, read by `evaluate`.
 */
import * as nn from '../nn/index.js';
import { decodeSafetensors, encodeSafetensors } from '../nn/safetensors.js';
import { ACTIVATIONS, INITS, type Activation, type TrainConfig } from './args.js';
import type { EpochMetrics } from './train.js';

/** The metadata stored in `model.safetensors`, enough to rebuild the model (all strings). */
export function modelMetadata(config: TrainConfig, model: nn.MLP, epochs: readonly EpochMetrics[]): Record<string, string> {
  const last = epochs[epochs.length - 1];
  const meta: Record<string, string> = {
    format: 'tensorgrad.mlp',
    sizes: config.sizes.join(','),
    activation: config.activation,
    outputActivation: config.outputActivation,
    init: config.init,
    seed: String(config.seed),
    loss: config.loss,
    optimizer: config.optimizer,
    lr: String(config.lr),
    batch: String(config.batch),
    epochs: String(epochs.length),
    dtype: model.parameters()[0].dtype,
  };
  if (last !== undefined) {
    meta.testAccuracy = String(last.testAccuracy);
    meta.valAccuracy = String(last.valAccuracy);
  }
  return meta;
}

/** The bytes of `model.safetensors` for a trained model. */
export function encodeModel(config: TrainConfig, model: nn.MLP, epochs: readonly EpochMetrics[]): Uint8Array {
  return encodeSafetensors(model.namedParameters(), modelMetadata(config, model, epochs));
}

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
