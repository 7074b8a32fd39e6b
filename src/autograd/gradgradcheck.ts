/**
 * `gradgradcheck`: PyTorch's check of second derivatives. It gradchecks the backward pass
 * itself — the map (inputs, upstream gradient) ↦ gradients — so a derivative rule whose value
 * is right but whose own derivative is wrong (built from `.data`, or with a wrong term that
 * vanishes at first order) is caught, though `gradcheck` passes it.
 */
import { Tensor } from './tensor.js';
import { Value } from './value.js';
import { withGradMode } from './engine.js';
import { Rng } from './random.js';
import { gradcheck, type GradcheckOptions, type GradcheckReport } from './gradcheck.js';
import { vjp, type TensorFn } from './vjp.js';

/**
 * Checks the second derivatives of `f` at `inputs` against finite differences of its first
 * derivatives (float64). The function checked is F(x…, u) = Σᵢ ⟨uᵀ∂f/∂xᵢ, wᵢ⟩ with a random
 * upstream gradient u and random weights wᵢ; `gradcheck` then compares its derivatives with
 * respect to every input and to u (input index `inputs.length` in the report) with central
 * differences. Options as `gradcheck`'s; `mode: 'fast'` checks random directions, for inputs
 * too large to perturb one element at a time.
 *
 * @example
 * ```ts
 * import { gradgradcheck, randn } from 'tensorgrad';
 * const x = randn([3, 4], { dtype: 'float64', seed: 1 });
 * gradgradcheck((a) => a.tanh().matmul(a.transpose()), [x]).ok; // true
 * ```
 */
export function gradgradcheck(f: TensorFn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckReport {
  if (inputs.length > 0 && inputs.every((x) => x instanceof Value)) {
    return failed(
      opts,
      'gradgradcheck: Value functions have no second derivatives (the scalar engine records first derivatives as numbers); use float64 tensors',
    );
  }
  if (inputs.length === 0 || !inputs.every((x) => x instanceof Tensor)) {
    return failed(opts, 'gradgradcheck: inputs must be a non-empty list of Tensors');
  }
  const xs = inputs.map((x) => new Tensor(Float64Array.from(x.data), x.shape));
  const probe = withGradMode(false, () => f(...xs));
  if (!(probe instanceof Tensor)) return failed(opts, 'gradgradcheck: f must return a Tensor');
  const rng = new Rng((opts.seed ?? 0) + 7919);
  const normal = (shape: readonly number[]): Tensor => {
    const size = shape.reduce((a, b) => a * b, 1);
    return new Tensor(
      Float64Array.from({ length: size }, () => rng.normal()),
      shape,
    );
  };
  const upstream = normal(probe.shape);
  const weights = xs.map((x) => normal(x.shape));
  const n = xs.length;
  const contracted = (...args: Tensor[]): Tensor => {
    const [, pullback] = vjp(f, ...args.slice(0, n));
    const grads = pullback(args[n]);
    return grads.map((g, i) => g.mul(weights[i]).sum()).reduce((a, b) => a.add(b));
  };
  return gradcheck(contracted, [...xs, upstream], opts);
}

function failed(opts: GradcheckOptions, message: string): GradcheckReport {
  return {
    ok: false,
    maxAbsError: 0,
    maxRelError: 0,
    worst: null,
    checked: 0,
    mode: opts.mode ?? 'full',
    failures: [message],
  };
}
