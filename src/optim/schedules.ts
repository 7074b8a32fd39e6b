import type { Optimizer } from './optimizer.js';
import { isTracing, liveInTrace } from '../autograd/compile/compile.js';

/** The built-in schedules by name: `stepDecay` and `cosineDecay`. */
export const SCHEDULE_NAMES = ['step', 'cosine'] as const;
/** A learning-rate schedule the command line knows (one of `SCHEDULE_NAMES`). */
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

/** A learning-rate schedule: the rate for step (or epoch) t, given the initial rate. */
export type Schedule = (t: number, baseLr: number) => number;

/**
 * Multiplies the rate by `gamma` every `stepSize` steps.
 * @example
 * ```ts
 * import { optim } from 'tensorgrad';
 * const s = optim.stepDecay({ stepSize: 10, gamma: 0.5 });
 * s(25, 1); // 0.25
 * ```
 */
export function stepDecay(opts: { stepSize: number; gamma?: number }): Schedule {
  if (!Number.isInteger(opts.stepSize) || opts.stepSize <= 0) throw new Error(`stepDecay: stepSize must be a positive integer, got ${opts.stepSize}`);
  const gamma = opts.gamma ?? 0.1;
  return (t, base) => base * Math.pow(gamma, Math.floor(t / opts.stepSize));
}

/**
 * Cosine annealing from the initial rate down to `minLr` over `total` steps.
 * @example
 * ```ts
 * import { optim } from 'tensorgrad';
 * const s = optim.cosineDecay({ total: 100 });
 * s(50, 1); // 0.5
 * ```
 */
export function cosineDecay(opts: { total: number; minLr?: number }): Schedule {
  if (!(opts.total > 0)) throw new Error(`cosineDecay: total must be > 0, got ${opts.total}`);
  const min = opts.minLr ?? 0;
  return (t, base) => min + ((base - min) * (1 + Math.cos((Math.PI * Math.min(t, opts.total)) / opts.total))) / 2;
}

/**
 * Drives an optimizer's learning rate from a schedule: call `step()` once per epoch (or per
 * update — your choice of unit t).
 * @example
 * ```ts
 * import { nn, optim } from 'tensorgrad';
 * const opt = new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 1 });
 * const sched = new optim.LRScheduler(opt, (t, base) => base / (1 + t)); // a user function
 * sched.step(); opt.lr; // 0.5
 * ```
 */
export class LRScheduler {
  readonly baseLr: number;
  t = 0;
  constructor(
    readonly optimizer: Optimizer,
    readonly schedule: Schedule,
  ) {
    this.baseLr = optimizer.lr;
  }
  /** Advances t by one and sets the optimizer's rate; returns the new rate. */
  step(): number {
    // Inside a compiled function the schedule advances live at each replay.
    if (isTracing() && liveInTrace(() => void this.step())) return this.optimizer.lr;
    this.t++;
    const lr = this.schedule(this.t, this.baseLr);
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`LRScheduler: the schedule gave lr ${lr} at t=${this.t}; it must be a finite number >= 0`);
    this.optimizer.lr = lr;
    return lr;
  }
}
