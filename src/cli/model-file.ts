/**
 * The model file of a run, `model.safetensors`: the network's parameters by name, and metadata
 * (all strings) enough to rebuild it — `arch` says which network (`mlp` when absent, as in
 * files from before the CNN). Written by `tensorgrad train`, read by `evaluate`.
 */
import type { Tensor } from '../autograd/index.js';
import * as nn from '../nn/index.js';
import { decodeSafetensors, encodeSafetensors } from '../nn/safetensors.js';
import { ACTIVATIONS, INITS, type Activation, type TrainConfig } from './args.js';
import type { EpochMetrics } from './train.js';
import { ConvNet } from './cnn.js';

/** The metadata stored in `model.safetensors`, enough to rebuild the model (all strings). */
export function modelMetadata(config: TrainConfig, model: nn.Module, epochs: readonly EpochMetrics[]): Record<string, string> {
  const last = epochs[epochs.length - 1];
  const meta: Record<string, string> = {
    format: config.arch === 'cnn' ? 'tensorgrad.cnn' : 'tensorgrad.mlp',
    arch: config.arch,
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
  if (config.arch === 'cnn') {
    meta.channels = config.channels.join(',');
    meta.dropout = String(config.dropout);
  }
  if (last !== undefined) {
    meta.testAccuracy = String(last.testAccuracy);
    meta.valAccuracy = String(last.valAccuracy);
  }
  return meta;
}

/** The bytes of `model.safetensors` for a trained model. */
export function encodeModel(config: TrainConfig, model: nn.Module, epochs: readonly EpochMetrics[]): Uint8Array {
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
 * Rebuilds the network stored in safetensors bytes: the `ConvNet` when the metadata says
 * `arch: cnn` (see `loadConvNet`), otherwise the MLP, its sizes from the tensors' shapes
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
export function loadModel(bytes: Uint8Array, source = 'model'): { model: nn.MLP | ConvNet; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const bad = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  const clip = (v: string): string => (v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (metadata.arch === 'cnn') return { model: loadConvNet(tensors, metadata, bad, clip), metadata };
  if (metadata.arch !== undefined && metadata.arch !== 'mlp') bad(`metadata "arch" is ${clip(JSON.stringify(metadata.arch))}, expected mlp or cnn`);
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

/**
 * Rebuilds the `ConvNet` of a file whose metadata says `arch: cnn`: its channels and widths
 * come from the tensors' shapes (`0.weight` [c1, 1, 5, 5], `3.weight` [c2, c1, 5, 5],
 * `7.weight` [flat, hidden], `10.weight` [hidden, classes]), the image size from the metadata's
 * `sizes`, checked against the first linear layer's inputs; then the parameters are loaded
 * strictly (every key and shape).
 */
function loadConvNet(
  tensors: ReadonlyMap<string, Tensor>,
  metadata: Record<string, string>,
  bad: (msg: string) => never,
  clip: (v: string) => string,
): ConvNet {
  const shapeOf = (key: string, rank: number): readonly number[] => {
    const t = tensors.get(key);
    if (t === undefined) bad(`has no tensor ${key}; a cnn file holds 0.weight, 3.weight, 7.weight and 10.weight with their biases`);
    if (t!.shape.length !== rank) bad(`${key} has shape [${t!.shape.join(', ')}], expected ${rank} axes`);
    return t!.shape;
  };
  const [c1] = shapeOf('0.weight', 4);
  const [c2] = shapeOf('3.weight', 4);
  const [flat, hidden] = shapeOf('7.weight', 2);
  const [, classes] = shapeOf('10.weight', 2);
  const inputs = Number((metadata.sizes ?? '').split(',')[0]);
  const side = Math.round(Math.sqrt(inputs));
  if (!Number.isInteger(inputs) || side * side !== inputs || side < 12 || side > 4096) {
    bad(`the metadata's "sizes" ${clip(JSON.stringify(metadata.sizes) ?? 'undefined')} does not start with a square image's pixel count`);
  }
  const out = Math.floor((Math.floor((side - 4) / 2) - 4) / 2);
  if (flat !== c2 * out * out) bad(`7.weight takes ${flat} inputs but ${c2} channels of a ${side}×${side} image give ${c2 * out * out}`);
  const dtypes = new Set([...tensors.values()].map((t) => t.dtype));
  if (dtypes.size !== 1) bad('the tensors mix float32 and float64');
  const [dtype] = dtypes;
  const dropout = Number(metadata.dropout ?? '0');
  const model = new ConvNet({
    sizes: [inputs, hidden, classes],
    channels: [c1, c2],
    dropout: dropout >= 0 && dropout < 1 ? dropout : 0,
    dtype: dtype as 'float32' | 'float64',
  });
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    bad((e as Error).message);
  }
  return model.eval();
}
