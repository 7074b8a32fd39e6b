import type { Tensor } from '../autograd/tensor.js';
import { allocateResident } from '../autograd/kernels/dispatch.js';
import { zeroGrads } from '../autograd/engine.js';
import type { FloatArray } from '../autograd/kernels/types.js';

/** An optimizer's state as plain JSON-able data, for saving and resuming training. */
export interface OptimizerState {
  type: string;
  lr: number;
  stepCount: number;
  /** Per parameter (by index), how many updates it has received (absent in older states: stepCount). */
  paramSteps?: number[];
  /** Per parameter (by index), each named buffer's values. */
  buffers: Record<string, number[]>[];
}

export function checkLr(op: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`${op}: lr must be a finite number > 0, got ${String(lr)}`);
  }
  return lr;
}

/** The rate a step may use: a finite number ≥ 0 (a schedule may anneal it to 0). */
function checkStepLr(op: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`${op}: lr must be a finite number >= 0, got ${String(lr)}`);
  }
  return lr;
}

export function checkInRange(op: string, name: string, v: number, lo: number, hi: number, hiOpen = true): number {
  if (!Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new Error(`${op}: ${name} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  }
  return v;
}

/**
 * Base of the optimizers: holds the parameters and the learning rate, updates parameters in
 * place outside the graph (in their own dtype), and exports/restores its state.
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** The learning rate; schedules change it between steps. */
  lr: number;
  /** How many times `step()` has run. */
  stepCount = 0;
  /** Per parameter, how many updates it has received (a parameter without a gradient is skipped; PyTorch's per-parameter `step`). */
  protected readonly paramSteps: number[];
  private readonly state: Map<string, FloatArray>[];

  constructor(readonly type: string, params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${type}: got an empty parameter list; pass model.parameters()`);
    this.params.forEach((p, i) => {
      if (!p.requiresGrad) throw new Error(`${type}: parameter ${i} does not require grad; set requiresGrad: true`);
    });
    this.lr = checkLr(type, lr);
    this.state = this.params.map(() => new Map());
    this.paramSteps = this.params.map(() => 0);
  }

  /** Applies one update from the parameters' current `.grad`; parameters without a gradient are skipped. */
  step(): void {
    // A schedule may anneal the rate to 0 (cosineDecay's default minLr); only the constructor demands > 0.
    checkStepLr(this.type, this.lr);
    this.stepCount++;
    this.params.forEach((p, i) => {
      if (p.grad !== null) {
        this.paramSteps[i]++;
        this.update(p.data, p.grad.data, i);
      }
    });
  }

  /** Updates one parameter's values `p` in place from its gradient `g`. */
  protected abstract update(p: FloatArray, g: FloatArray, index: number): void;

  /** A per-parameter buffer (zeros the first time), in the parameter's dtype. */
  protected buffer(index: number, name: string): FloatArray {
    const s = this.state[index];
    let b = s.get(name);
    if (b === undefined) {
      const p = this.params[index];
      // Resident like the parameter (float32 with the wasm kernels): updated in place.
      b = allocateResident(p.dtype, p.size);
      s.set(name, b);
    }
    return b;
  }

  /**
   * Zeroes every parameter's `.grad` in place, keeping its buffer (PyTorch's
   * `zero_grad(set_to_none=False)`), so the next backward() adds the new gradients straight
   * into it instead of allocating: a tensor you kept from `.grad` reads zeros afterwards
   * (copy it with `clone()` to keep the values). `{ setToNone: true }` sets `.grad` to null
   * instead, freeing the buffers.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    zeroGrads(this.params, opts.setToNone ?? false);
  }

  /** The optimizer's state (learning rate, step count, moment buffers) as JSON-able data. */
  stateDict(): OptimizerState {
    return {
      type: this.type,
      lr: this.lr,
      stepCount: this.stepCount,
      paramSteps: [...this.paramSteps],
      buffers: this.state.map((m) => Object.fromEntries([...m].map(([k, v]) => [k, Array.from(v)]))),
    };
  }

  /**
   * Restores a state saved by `stateDict()` from an optimizer of the same kind over the same
   * parameters. The whole state is checked first: a bad state changes nothing.
   */
  loadStateDict(s: OptimizerState): void {
    if (s.type !== this.type) throw new Error(`${this.type}.loadStateDict: the state is from ${s.type}`);
    if (s.buffers.length !== this.params.length) {
      throw new Error(`${this.type}.loadStateDict: the state has ${s.buffers.length} parameters, this optimizer ${this.params.length}`);
    }
    s.buffers.forEach((bufs, i) => {
      for (const [name, values] of Object.entries(bufs)) {
        if (values.length !== this.params[i].size) {
          throw new Error(`${this.type}.loadStateDict: buffer '${name}' of parameter ${i} has ${values.length} values, expected ${this.params[i].size}`);
        }
      }
    });
    if (s.paramSteps !== undefined && s.paramSteps.length !== this.params.length) {
      throw new Error(`${this.type}.loadStateDict: the state has step counts for ${s.paramSteps.length} parameters, this optimizer ${this.params.length}`);
    }
    checkStepLr(`${this.type}.loadStateDict`, s.lr);
    if (!Number.isInteger(s.stepCount) || s.stepCount < 0) {
      throw new Error(`${this.type}.loadStateDict: stepCount must be a non-negative integer, got ${String(s.stepCount)}`);
    }
    s.buffers.forEach((bufs, i) => {
      for (const [name, values] of Object.entries(bufs)) this.buffer(i, name).set(values);
    });
    this.lr = s.lr;
    this.stepCount = s.stepCount;
    this.params.forEach((_, i) => { this.paramSteps[i] = s.paramSteps?.[i] ?? s.stepCount; });
  }
}

/** The optimizers by name (SGD, Adam, AdamW), as the CLI's `--optimizer` and saved runs spell them. */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
