/**
 * A run's checkpoint, `checkpoint.safetensors`: everything needed to continue the run as if it
 * had never stopped. The tensors are the model's parameters (`model.<name>`) and the optimizer's
 * buffers (`optimizer.<parameter index>.<buffer>`), bit for bit; the metadata entry `state` is
 * JSON with the configuration, where the run stands (epoch, mini-batch, the running loss sum),
 * the optimizer's counters, the scheduler's step, and the metrics of the epochs done.
 *
 * The run has no random stream to save: the weights are drawn once, at the start, and each
 * epoch's data order is a permutation seeded by (seed, epoch), so (seed, epoch, mini-batch) is
 * the whole random and data-order state.
 */
import { tensor, type Tensor } from '../autograd/index.js';
import type { OptimizerState } from '../optim/index.js';
import { decodeSafetensors, encodeSafetensors } from '../nn/safetensors.js';
import { parseTrainArgs, type TrainConfig } from './args.js';
import type { EpochMetrics, Trainer } from './train.js';

/** The file name of a run's checkpoint. */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

const FORMAT = 'tensorgrad.checkpoint';
const VERSION = '1';

/** The JSON `state` of a checkpoint. */
export interface CheckpointState {
  config: TrainConfig;
  /** The epoch in progress (0-based); `config.epochs` when the run is complete. */
  epoch: number;
  /** Mini-batches of `epoch` done. */
  batch: number;
  /** Sum of those mini-batches' losses. */
  costSum: number;
  /** The data order: epoch `e`'s permutation is seeded by (seed, e). */
  dataOrder: { seed: number; epoch: number; batch: number };
  optimizer: Omit<OptimizerState, 'buffers'>;
  /** The scheduler's step count (null without a schedule). */
  scheduler: number | null;
  history: EpochMetrics[];
}

/** The bytes of a checkpoint of `trainer` as it stands. */
export function encodeCheckpoint(trainer: Trainer): Uint8Array {
  const tensors: [string, Tensor][] = trainer.model.namedParameters().map(([n, t]) => [`model.${n}`, t]);
  const opt = trainer.optimizer.stateDict();
  const params = trainer.optimizer.params;
  opt.buffers.forEach((bufs, i) => {
    for (const [name, values] of Object.entries(bufs)) {
      const dtype = params[i].dtype;
      const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
      tensors.push([`optimizer.${i}.${name}`, tensor(data, { shape: [data.length], dtype })]);
    }
  });
  const state: CheckpointState = {
    config: trainer.config,
    epoch: trainer.epoch,
    batch: trainer.batch,
    costSum: trainer.costSum,
    dataOrder: { seed: trainer.config.seed, epoch: trainer.epoch, batch: trainer.batch },
    optimizer: { type: opt.type, lr: opt.lr, stepCount: opt.stepCount, ...(opt.paramSteps ? { paramSteps: opt.paramSteps } : {}) },
    scheduler: trainer.scheduler?.t ?? null,
    history: trainer.history,
  };
  return encodeSafetensors(tensors, { format: FORMAT, version: VERSION, state: JSON.stringify(state) });
}

/** A decoded checkpoint: its state, and its tensors by name. */
export interface Checkpoint {
  state: CheckpointState;
  tensors: Map<string, Tensor>;
}

/**
 * Decodes and checks a checkpoint (not yet applied to a trainer).
 *
 * @throws Error naming `source` for a file that is not a tensorgrad checkpoint, or whose state
 *   is malformed.
 */
export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const bad = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (metadata.format !== FORMAT) bad(`not a tensorgrad checkpoint (metadata format ${JSON.stringify(metadata.format ?? null).slice(0, 60)})`);
  if (metadata.version !== VERSION) bad(`checkpoint version ${JSON.stringify(metadata.version).slice(0, 20)} is not supported (expected ${VERSION})`);
  let raw: unknown;
  try {
    raw = JSON.parse(metadata.state ?? '');
  } catch (e) {
    return bad(`the checkpoint state is not valid JSON (${(e as Error).message.slice(0, 100)})`);
  }
  const s = raw as Partial<CheckpointState> | null;
  if (s === null || typeof s !== 'object' || s.config === undefined || typeof s.config !== 'object') bad('the checkpoint state has no configuration');
  const st = s as CheckpointState;
  // The configuration goes through the same checks as the command line.
  let config: TrainConfig;
  try {
    config = configFromJson(st.config);
  } catch (e) {
    return bad(`the checkpoint's configuration is invalid: ${(e as Error).message}`);
  }
  const int = (v: unknown, lo: number, hi: number): boolean => Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;
  if (!int(st.epoch, 0, config.epochs)) bad(`the checkpoint's epoch ${String(st.epoch)} is not in 0..${config.epochs}`);
  if (!int(st.batch, 0, Number.MAX_SAFE_INTEGER)) bad(`the checkpoint's mini-batch ${String(st.batch)} is not a count`);
  if (typeof st.costSum !== 'number' || !Number.isFinite(st.costSum)) bad("the checkpoint's running loss is not a finite number");
  if (!Array.isArray(st.history) || st.history.length !== st.epoch)
    bad(`the checkpoint has metrics for ${Array.isArray(st.history) ? st.history.length : 0} epochs, expected ${st.epoch}`);
  if (st.optimizer === null || typeof st.optimizer !== 'object') bad('the checkpoint has no optimizer state');
  return { state: { ...st, config }, tensors };
}

/** A configuration read back from JSON, checked as the command line would check it. */
function configFromJson(c: TrainConfig): TrainConfig {
  const argv: string[] = [
    '--arch',
    String(c.arch ?? 'mlp'),
    '--sizes',
    (c.sizes as unknown[]).join(','),
    '--activation',
    String(c.activation),
    '--loss',
    String(c.loss),
    '--optimizer',
    String(c.optimizer),
    '--lr',
    String(c.lr),
    '--batch',
    String(c.batch),
    '--epochs',
    String(c.epochs),
    '--seed',
    String(c.seed),
    '--init',
    String(c.init),
    '--schedule',
    String(c.schedule),
    '--weight-decay',
    String(c.weightDecay),
  ];
  if (c.optimizer !== 'adam' && c.optimizer !== 'adamw') argv.push('--momentum', String(c.momentum));
  if (c.arch === 'cnn') argv.push('--channels', (c.channels as unknown[]).join(','), '--dropout', String(c.dropout));
  if (c.data !== undefined) argv.push('--data', String(c.data));
  if (c.out !== undefined) argv.push('--out', String(c.out));
  if (c.trainLimit !== undefined) argv.push('--train-limit', String(c.trainLimit));
  return parseTrainArgs(argv);
}

/**
 * Puts a checkpoint's state into a freshly built trainer of the same configuration: parameters,
 * optimizer buffers and counters, scheduler step, position in the data, metrics so far.
 *
 * @throws Error naming `source` when the tensors do not fit the trainer's model or optimizer.
 */
export function restoreCheckpoint(trainer: Trainer, ckpt: Checkpoint, source: string): void {
  const { state, tensors } = ckpt;
  const model: [string, Tensor][] = [];
  const buffers: Record<string, number[]>[] = trainer.optimizer.params.map(() => ({}));
  for (const [name, t] of tensors) {
    if (name.startsWith('model.')) {
      model.push([name.slice('model.'.length), t]);
      continue;
    }
    const m = /^optimizer\.(\d+)\.([A-Za-z0-9_]+)$/.exec(name);
    if (m === null || Number(m[1]) >= buffers.length) throw new Error(`${source}: unexpected tensor "${name.slice(0, 80)}" in the checkpoint`);
    buffers[Number(m[1])][m[2]] = Array.from(t.data);
  }
  try {
    trainer.model.loadNamedParameters(model);
    trainer.optimizer.loadStateDict({ ...state.optimizer, buffers });
  } catch (e) {
    throw new Error(`${source}: the checkpoint does not fit the run's model: ${(e as Error).message}`);
  }
  if (trainer.scheduler !== null) trainer.scheduler.t = state.scheduler ?? state.epoch;
  trainer.epoch = state.epoch;
  trainer.batch = state.batch;
  trainer.costSum = state.costSum;
  trainer.history.splice(0, trainer.history.length, ...state.history);
}
