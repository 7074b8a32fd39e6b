import { Tensor } from '../autograd/tensor.js';
import { allocateResident } from '../autograd/backend/index.js';
import { zeroGrads } from '../autograd/engine.js';
import { isTracing, liveInTrace } from '../autograd/compile/compile.js';
import type { FloatArray } from '../autograd/kernels/types.js';

/** An optimizer's state as plain JSON-able data, for saving and resuming training. */
export interface OptimizerState {
  type: string;
  /** The learning rate of the first parameter group. */
  lr: number;
  /** Each parameter group's learning rate (absent in older states: `lr` for all). */
  groupLrs?: number[];
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

/** The hyperparameters every parameter group has: its learning rate. */
export interface GroupHyperparameters {
  lr: number;
}

/**
 * A parameter group as given to an optimizer's constructor (PyTorch's `param_groups`):
 * its parameters, and any of the optimizer's options to use for them instead of the
 * defaults, e.g. `{ params: head.parameters(), lr: 1e-2 }`.
 */
export type ParamGroupSpec<O> = { params: Iterable<Tensor> } & Partial<O>;

/** What an optimizer's constructor takes: a list of parameters (one group), or parameter groups. */
export type ParamsArgument<O> = Iterable<Tensor> | readonly ParamGroupSpec<O>[];

/** A parameter group inside an optimizer: its parameters and its resolved hyperparameters (change `lr` freely). */
export type ParamGroup<H extends GroupHyperparameters> = H & {
  readonly params: readonly Tensor[];
  /** The group's rate when the optimizer was made; assigning `optimizer.lr` scales each group from it. */
  readonly initialLr: number;
};

/** Splits a constructor's first argument into groups of parameters with their option overrides. */
function splitGroups<O>(type: string, params: ParamsArgument<O>): { params: Tensor[]; overrides: Partial<O> }[] {
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new Error(`${type}: expected a list of parameters or of parameter groups { params, ... }, got ${String(params)}`);
  }
  const items = [...(params as Iterable<unknown>)];
  if (items.length > 0 && items.every((x) => x !== null && typeof x === 'object' && !(x instanceof Tensor) && 'params' in x)) {
    return (items as ParamGroupSpec<O>[]).map((g, i) => {
      const { params: ps, ...overrides } = g;
      if (ps === null || typeof ps !== 'object' || !(Symbol.iterator in ps)) throw new Error(`${type}: parameter group ${i} has no list of params`);
      return { params: [...ps], overrides: overrides as Partial<O> };
    });
  }
  const isGroup = (x: unknown): boolean => x !== null && typeof x === 'object' && !(x instanceof Tensor);
  const odd = items.findIndex((x) => isGroup(x) && !('params' in (x as object)));
  if (odd >= 0) throw new Error(`${type}: item ${odd} of the parameter list is neither a Tensor nor a group { params, ... }`);
  if (items.some(isGroup)) throw new Error(`${type}: the parameter list mixes tensors and parameter groups; put every tensor in a group`);
  return [{ params: items as Tensor[], overrides: {} }];
}

/**
 * Base of the optimizers: holds the parameters in groups, each with its own learning rate
 * and hyperparameters, updates parameters in place outside the graph (in their own dtype),
 * and exports/restores its state.
 */
export abstract class Optimizer<H extends GroupHyperparameters = GroupHyperparameters> {
  /** Every parameter, group after group (the indices of `stateDict().buffers`). */
  readonly params: readonly Tensor[];
  /** The parameter groups, in the order given (one group for a plain parameter list). */
  readonly paramGroups: readonly ParamGroup<H>[];
  /** How many times `step()` has run. */
  stepCount = 0;
  /** Per parameter, how many updates it has received (a parameter without a gradient is skipped; PyTorch's per-parameter `step`). */
  protected readonly paramSteps: number[];
  /** Per parameter, its group's index. */
  private readonly groupOf: number[];
  private readonly state: Map<string, FloatArray>[];

  /**
   * @param resolve the hyperparameters of a group from its overrides (the defaults filled in
   *   and everything checked; called once per group).
   */
  constructor(
    readonly type: string,
    params: ParamsArgument<Partial<H>>,
    resolve: (overrides: Partial<H>, group: number) => H,
  ) {
    const groups = splitGroups<Partial<H>>(type, params);
    const all: Tensor[] = [];
    const groupOf: number[] = [];
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      for (const p of g.params) {
        if (!(p instanceof Tensor)) throw new Error(`${type}: parameter ${all.length}${groups.length > 1 ? ` (group ${gi})` : ''} is not a Tensor`);
        if (!p.requiresGrad) throw new Error(`${type}: parameter ${all.length} does not require grad; set requiresGrad: true`);
        if (seen.has(p))
          throw new Error(`${type}: parameter ${all.length} appears twice${groups.length > 1 ? ' (a parameter may be in one group only)' : ''}`);
        seen.add(p);
        all.push(p);
        groupOf.push(gi);
      }
      const h = resolve(g.overrides, gi);
      checkLr(groups.length > 1 ? `${type} (group ${gi})` : type, h.lr);
      return { ...h, params: g.params, initialLr: h.lr };
    });
    this.params = all;
    if (all.length === 0) throw new Error(`${type}: got an empty parameter list; pass model.parameters()`);
    this.groupOf = groupOf;
    this.state = all.map(() => new Map());
    this.paramSteps = all.map(() => 0);
  }

  /**
   * The learning rate of the first group. Assigning it sets the first group's rate, and every
   * other group's in proportion to their initial rates (as PyTorch's schedulers scale each
   * group from its own initial rate), so a schedule keeps the groups' ratios. Set
   * `paramGroups[i].lr` to change one group alone.
   */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  set lr(value: number) {
    const base = this.paramGroups[0].initialLr;
    for (const g of this.paramGroups) (g as GroupHyperparameters).lr = value * (g.initialLr / base);
  }

  /** The hyperparameters of parameter `index`'s group. */
  protected hyper(index: number): ParamGroup<H> {
    return this.paramGroups[this.groupOf[index]];
  }

  /** Applies one update from the parameters' current `.grad`; parameters without a gradient are skipped. */
  step(): void {
    // Inside a compiled function the update runs live at each replay (its rate may change).
    if (isTracing() && liveInTrace(() => this.step())) return;
    // A schedule may anneal the rate to 0 (cosineDecay's default minLr); only the constructor demands > 0.
    // Plain loops: a replayed compiled step runs this live, and closures would allocate per step.
    const groups = this.paramGroups;
    for (let i = 0; i < groups.length; i++) checkStepLr(groups.length > 1 ? `${this.type} (group ${i})` : this.type, groups[i].lr);
    this.stepCount++;
    const params = this.params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p.grad !== null) {
        this.paramSteps[i]++;
        this.update(p.data, p.grad.data, i);
      }
    }
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

  /** The optimizer's state (learning rates, step counts, moment buffers) as JSON-able data. */
  stateDict(): OptimizerState {
    return {
      type: this.type,
      lr: this.lr,
      groupLrs: this.paramGroups.map((g) => g.lr),
      stepCount: this.stepCount,
      paramSteps: [...this.paramSteps],
      buffers: this.state.map((m) => Object.fromEntries([...m].map(([k, v]) => [k, Array.from(v)]))),
    };
  }

  /**
   * Restores a state saved by `stateDict()` from an optimizer of the same kind over the same
   * parameters (and groups). The whole state is checked first: a bad state changes nothing.
   */
  loadStateDict(s: OptimizerState): void {
    if (s.type !== this.type) throw new Error(`${this.type}.loadStateDict: the state is from ${s.type}`);
    if (s.buffers.length !== this.params.length) {
      throw new Error(`${this.type}.loadStateDict: the state has ${s.buffers.length} parameters, this optimizer ${this.params.length}`);
    }
    s.buffers.forEach((bufs, i) => {
      for (const [name, values] of Object.entries(bufs)) {
        if (values.length !== this.params[i].size) {
          throw new Error(
            `${this.type}.loadStateDict: buffer '${name}' of parameter ${i} has ${values.length} values, expected ${this.params[i].size}`,
          );
        }
      }
    });
    if (s.paramSteps !== undefined && s.paramSteps.length !== this.params.length) {
      throw new Error(
        `${this.type}.loadStateDict: the state has step counts for ${s.paramSteps.length} parameters, this optimizer ${this.params.length}`,
      );
    }
    checkStepLr(`${this.type}.loadStateDict`, s.lr);
    if (s.groupLrs !== undefined) {
      if (!Array.isArray(s.groupLrs) || s.groupLrs.length !== this.paramGroups.length) {
        throw new Error(
          `${this.type}.loadStateDict: the state has ${Array.isArray(s.groupLrs) ? s.groupLrs.length : 'no'} parameter groups, this optimizer ${this.paramGroups.length}`,
        );
      }
      s.groupLrs.forEach((lr) => checkStepLr(`${this.type}.loadStateDict`, lr));
    }
    if (!Number.isInteger(s.stepCount) || s.stepCount < 0) {
      throw new Error(`${this.type}.loadStateDict: stepCount must be a non-negative integer, got ${String(s.stepCount)}`);
    }
    s.buffers.forEach((bufs, i) => {
      for (const [name, values] of Object.entries(bufs)) this.buffer(i, name).set(values);
    });
    if (s.groupLrs !== undefined)
      this.paramGroups.forEach((g, i) => {
        (g as GroupHyperparameters).lr = s.groupLrs![i];
      });
    else this.lr = s.lr;
    this.stepCount = s.stepCount;
    this.params.forEach((_, i) => {
      this.paramSteps[i] = s.paramSteps?.[i] ?? s.stepCount;
    });
  }
}

/** The optimizers by name (SGD, Adam, AdamW), as the CLI's `--optimizer` and saved runs spell them. */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw'] as const;
/** An optimizer the command line can train with (one of `OPTIMIZER_NAMES`). */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
