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
 * The layer sizes of the MLP whose parameters are `tensors`, read from the tensors' own shapes
 * (`layers.<i>.weight` is `[in, out]`, `layers.<i>.bias` is `[out]`, for i = 0, 1, … with no gap
 * and nothing else), so that nothing is allocated on the word of the metadata.
 */
function sizesFromTensors(tensors: ReadonlyMap<string, { shape: readonly number[] }>, bad: (msg: string) => never): number[] {
  const layers = tensors.size / 2;
  if (tensors.size === 0 || !Number.isInteger(layers)) bad(`holds ${tensors.size} tensors; an MLP has a weight and a bias per layer`);
  const sizes: number[] = [];
  for (let i = 0; i < layers; i++) {
    const w = tensors.get(`layers.${i}.weight`),
      b = tensors.get(`layers.${i}.bias`);
    if (w === undefined || b === undefined)
      bad(`has no tensors layers.${i}.weight and layers.${i}.bias (an MLP's ${layers} layers are layers.0 … layers.${layers - 1})`);
    if (w!.shape.length !== 2 || b!.shape.length !== 1 || b!.shape[0] !== w!.shape[1] || w!.shape[0] === 0 || w!.shape[1] === 0) {
      bad(
        `layers.${i}: weight of shape [${w!.shape.join(', ')}] and bias of shape [${b!.shape.join(', ')}] do not make a layer (expected [in, out] and [out])`,
      );
    }
    if (i === 0) sizes.push(w!.shape[0]);
    else if (w!.shape[0] !== sizes[i]) bad(`layers.${i}.weight takes ${w!.shape[0]} inputs but layers.${i - 1} gives ${sizes[i]}`);
    sizes.push(w!.shape[1]);
  }
  return sizes;
}

/**
 * Rebuilds the MLP stored in safetensors bytes: its sizes from the tensors' shapes
 * (`layers.<i>.weight`, `layers.<i>.bias`), checked against the `__metadata__` (`sizes`,
 * `activation`, `outputActivation`, `dtype`) before the model is built, so a file whose metadata
 * claims more than its tensors hold is refused without allocating for the claim.
 *
 * @param source the file name, for error messages.
 * @throws Error naming the file and what is wrong: a corrupt file (see `decodeSafetensors`),
 *   missing or invalid metadata, or metadata that disagrees with the tensors.
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
  const clip = (v: string): string => (v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (metadata.sizes === undefined) bad('the metadata has no "sizes"; was this file written by `tensorgrad train`?');
  const sizes = sizesFromTensors(tensors, bad);
  if (metadata.sizes !== sizes.join(',')) {
    bad(`the metadata says sizes '${clip(metadata.sizes)}' but the tensors make an MLP ${sizes.join('-')}`);
  }
  const act = (key: string, fallback?: string): Activation => {
    const v = metadata[key] ?? fallback;
    if (!(ACTIVATIONS as readonly string[]).includes(v as string)) {
      bad(`metadata "${key}" is ${clip(JSON.stringify(v) ?? 'undefined')}, expected one of ${ACTIVATIONS.join(', ')}`);
    }
    return v as Activation;
  };
  const activation = act('activation');
  const outputActivation = act('outputActivation', activation);
  const init = (INITS as readonly string[]).includes(metadata.init) ? (metadata.init as (typeof INITS)[number]) : 'normal';
  const dtypes = new Set([...tensors.values()].map((t) => t.dtype));
  if (dtypes.size !== 1) bad('the tensors mix float32 and float64');
  const [dtype] = dtypes;
  if (metadata.dtype !== undefined && metadata.dtype !== dtype) bad(`the metadata says dtype '${clip(metadata.dtype)}' but the tensors are ${dtype}`);
  const model = new nn.MLP(sizes, { activation, outputActivation, init, dtype });
  model.loadNamedParameters(tensors);
  return { model, metadata };
}
