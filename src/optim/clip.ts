import { Tensor } from '../autograd/tensor.js';

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients of `params` in place so that their total norm is at most
 * `maxNorm`, as PyTorch's `torch.nn.utils.clip_grad_norm_`: the total norm is the
 * `normType`-norm of all the gradients together (as if concatenated into one vector;
 * `Infinity` for the largest absolute value), and when it exceeds `maxNorm` every gradient
 * is multiplied by `maxNorm / (total + 1e-6)`. Parameters without a gradient are skipped.
 * Returns the total norm before clipping (accumulated in float64).
 *
 * Call it between `backward()` and the optimizer's `step()`.
 *
 * @example
 * ```ts
 * import { nn, optim, randn } from 'tensorgrad';
 * const net = new nn.MLP([4, 8, 1]);
 * nn.mseLoss(net.forward(randn([16, 4])), randn([16, 1])).backward();
 * const norm = optim.clipGradNorm(net.parameters(), 1.0); // the norm before; after it is ≤ 1
 * ```
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType: number = 2, opts: ClipGradNormOptions = {}): number {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new Error(`clipGradNorm: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  }
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType <= 0) {
    throw new Error(`clipGradNorm: normType must be a number > 0 or Infinity, got ${String(normType)}`);
  }
  const list = params instanceof Tensor ? [params] : [...params];
  const grads = list
    .map((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`clipGradNorm: parameter ${i} is not a Tensor`);
      return p.grad;
    })
    .filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;

  let total: number;
  if (normType === Infinity) {
    let max = 0,
      nan = false;
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) {
        const a = Math.abs(d[i]);
        if (a > max) max = a;
        else if (Number.isNaN(a)) nan = true; // NaN propagates, as torch's max does
      }
    }
    total = nan ? NaN : max;
  } else {
    let acc = 0;
    for (const g of grads) {
      const d = g.data;
      if (normType === 2) for (let i = 0; i < d.length; i++) acc += d[i] * d[i];
      else if (normType === 1) for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]);
      else for (let i = 0; i < d.length; i++) acc += Math.pow(Math.abs(d[i]), normType);
    }
    total = normType === 2 ? Math.sqrt(acc) : normType === 1 ? acc : Math.pow(acc, 1 / normType);
  }
  if (!Number.isFinite(total) && opts.errorIfNonfinite === true) {
    throw new Error(`clipGradNorm: the total ${normType}-norm of the gradients is ${total}; the gradients cannot be clipped`);
  }
  const coef = maxNorm / (total + 1e-6);
  // PyTorch multiplies by min(coef, 1); multiplying by 1 changes nothing, so skip it. A NaN
  // norm (without errorIfNonfinite) gives NaN gradients, as in PyTorch.
  if (coef < 1 || Number.isNaN(coef)) {
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] *= coef;
    }
  }
  return total;
}
