import { Tensor } from '../autograd/tensor.js';
import { fmt } from '../autograd/shape.js';
import type { Optimizer } from './optimizer.js';
import { SGD } from './sgd.js';
import { Adam } from './adam.js';
import { checkLr } from './optimizer.js';
import { withGradMode } from '../autograd/engine.js';

/** Options of `optim.minimize`. */
export interface MinimizeOptions {
  /** Learning rate η (default 0.1). */
  lr?: number;
  /** Maximum number of steps (default 1000). */
  steps?: number;
  /** `'gd'` (default), `'momentum'` (0.9), `'adam'`, or a factory for any optimizer. */
  optimizer?: 'gd' | 'momentum' | 'adam' | ((params: Tensor[], lr: number) => Optimizer);
  /** Stop when ‖∇f‖ falls below this (default 1e-8). */
  tolerance?: number;
}

/** What `optim.minimize` returns: the final point, its value, and how it stopped. */
export interface MinimizeResult {
  /** The final point. */
  x: number[];
  /** f at the final point. */
  value: number;
  /** Every point visited, starting with x0. */
  path: number[][];
  /** f at every point of the path. */
  values: number[];
  /** Steps taken. */
  steps: number;
  /** Whether the gradient norm fell below the tolerance. */
  converged: boolean;
}

/**
 * Minimises a scalar function of a few variables by gradient descent — the lecture's ball
 * rolling down f(x, y), v → v − η∇f — and returns the whole path.
 *
 * @example
 * ```ts
 * import { optim, tensor, type Tensor } from 'tensorgrad';
 * // f(x, y) = x² + 3y²
 * const f = (v: Tensor) => v.square().mul(tensor([1, 3])).sum();
 * const r = optim.minimize(f, [2, 1], { lr: 0.1, steps: 200 });
 * r.x;     // ≈ [0, 0]
 * r.path;  // [[2, 1], [1.6, 0.4], …]
 * ```
 */
export function minimize(f: (x: Tensor) => Tensor, x0: readonly number[], opts: MinimizeOptions = {}): MinimizeResult {
  const lr = checkLr('minimize', opts.lr ?? 0.1);
  const steps = opts.steps ?? 1000;
  const tolerance = opts.tolerance ?? 1e-8;
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`minimize: steps must be a non-negative integer, got ${steps}`);
  if (x0.length === 0 || x0.some((v) => !Number.isFinite(v)))
    throw new Error(`minimize: x0 must be a non-empty list of finite numbers, got ${JSON.stringify(x0)}`);
  const x = new Tensor(Float64Array.from(x0), [x0.length], true);
  const choice = opts.optimizer ?? 'gd';
  const opt: Optimizer =
    typeof choice === 'function'
      ? choice([x], lr)
      : choice === 'adam'
        ? new Adam([x], { lr })
        : choice === 'momentum'
          ? new SGD([x], { lr, momentum: 0.9 })
          : choice === 'gd'
            ? new SGD([x], { lr })
            : (() => {
                throw new Error(`minimize: unknown optimizer '${String(choice)}'; expected 'gd', 'momentum', 'adam' or a factory`);
              })();
  const evaluate = (): number => {
    x.grad = null;
    // Always recorded, as a transform: inside noGrad, f would record nothing and no step be taken.
    const y = withGradMode(true, () => f(x));
    if (!(y instanceof Tensor) || y.size !== 1) {
      throw new Error(`minimize: f must return a one-element tensor, got ${y instanceof Tensor ? fmt(y.shape) : typeof y}`);
    }
    if (y.requiresGrad) y.backward();
    return y.item();
  };
  const path: number[][] = [Array.from(x.data)];
  const values: number[] = [evaluate()];
  let converged = false,
    taken = 0;
  for (; taken < steps; taken++) {
    const g = x.grad?.data;
    const norm = g ? Math.hypot(...g) : 0;
    if (norm < tolerance) {
      converged = true;
      break;
    }
    opt.step();
    path.push(Array.from(x.data));
    values.push(evaluate());
  }
  if (!converged) {
    const g = x.grad?.data;
    converged = (g ? Math.hypot(...g) : 0) < tolerance;
  }
  return { x: Array.from(x.data), value: values[values.length - 1], path, values, steps: taken, converged };
}
