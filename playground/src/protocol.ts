/**
 * The messages between the page and the training worker. Plain data only (they cross
 * `postMessage`), so both sides import these types and nothing else from each other.
 */

export type HiddenActivation = 'sigmoid' | 'tanh' | 'relu';
export type CostName = 'quadratic' | 'cross-entropy' | 'mse';
export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export type InitName = 'normal' | 'xavier' | 'he';

/** What the Train panel's form describes: one network and how to train it. */
export interface TrainSettings {
  /** Layer sizes, 784 first and 10 last (the lecture's `[784, 30, 10]`). */
  sizes: number[];
  activation: HiddenActivation;
  cost: CostName;
  optimizer: OptimizerName;
  init: InitName;
  lr: number;
  batch: number;
  /** Training stops by itself after this many epochs. */
  epochs: number;
  seed: number;
}

/** The lecture's network and training run (Nielsen, chapter 1). */
export const LECTURE_SETTINGS: Readonly<TrainSettings> = Object.freeze({
  sizes: [784, 30, 10],
  activation: 'sigmoid',
  cost: 'quadratic',
  optimizer: 'sgd',
  init: 'normal',
  lr: 3,
  batch: 10,
  epochs: 30,
  // The CLI's default seed: 784-30-10 trains smoothly with it (some N(0,1) seeds stall a class).
  seed: 19,
});

export type ToWorker =
  /** The first message: where the data files are (an absolute URL ending in '/'), and the first network. */
  | { type: 'init'; dataUrl: string; settings: TrainSettings }
  | { type: 'reset'; settings: TrainSettings }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'predict'; id: number; pixels: Float32Array };

/** Counts of the three splits the worker loaded. */
export interface SplitCounts {
  train: number;
  validation: number;
  test: number;
}

export type FromWorker =
  | { type: 'ready'; wasm: string; counts: SplitCounts; loadSeconds: number }
  /** `fresh`: a new network was just built (progress messages before this one are of the old one). */
  | { type: 'state'; running: boolean; epoch: number; parameters: number; fresh: boolean }
  /** Mini-batch costs since the last message, and the training speed over that stretch. */
  | { type: 'batches'; costs: Float32Array; examples: number; epoch: number; epochFraction: number; examplesPerSecond: number }
  /** Accuracy on the first `count` validation images, measured during an epoch. */
  | { type: 'probe'; examples: number; accuracy: number; count: number }
  | {
      type: 'epoch';
      epoch: number;
      cost: number;
      validationAccuracy: number;
      testAccuracy: number;
      trainSeconds: number;
      examplesPerSecond: number;
    }
  | { type: 'prediction'; id: number; output: number[]; hidden: number[][] }
  | { type: 'error'; message: string };
