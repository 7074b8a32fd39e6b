/**
 * Activations beyond the fused four: leakyRelu, elu, gelu, softplus, and clamp. Each forward
 * is one kernel loop; a plain backward() uses one derivative kernel, a recorded one
 * (createGraph) builds the same derivative from differentiable ops so it can be
 * differentiated again.
 */
import { Tensor } from '../tensor.js';
import { Activation, allocateForOverwrite, applyActivation, activationDerivative, clampInto } from '../backend/index.js';
import { record, type RuleContext } from '../engine.js';
import { ge, gt, le } from './binary.js';
import { where } from './indexing.js';

function forward(act: Activation, x: Tensor, p: number): Tensor {
  const out = new Tensor(allocateForOverwrite(x.dtype, x.size), x.shape);
  applyActivation(act, out.data, x.data, p);
  return out;
}

/** g·f′(x) with one kernel (not recorded). */
function derivative(act: Activation, g: Tensor, x: Tensor, p: number): Tensor {
  const gx = g.dtype === x.dtype ? g : g.astype(x.dtype);
  const out = new Tensor(allocateForOverwrite(x.dtype, x.size), x.shape);
  activationDerivative(act, out.data, gx.data, x.data, p);
  return out;
}

function checkFinite(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number, got ${String(v)}`);
}

/** x for x > 0, slope·x otherwise; the derivative at 0 is slope (PyTorch). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkFinite('leakyRelu', 'slope', slope);
  const out = forward(Activation.LeakyRelu, x, slope);
  return record(out, 'leakyRelu', [x], (g, ctx: RuleContext) => [
    ctx.createGraph ? g.mul(where(gt(x, 0), 1, slope)) : derivative(Activation.LeakyRelu, g, x, slope),
  ]);
}

/** x for x > 0, alpha·(eˣ − 1) otherwise; the derivative at 0 is alpha (PyTorch). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkFinite('elu', 'alpha', alpha);
  const out = forward(Activation.Elu, x, alpha);
  // For x ≤ 0, elu′ = α·eˣ = out + α: written with the output so a recorded backward differentiates again.
  return record(out, 'elu', [x], (g, ctx) => [ctx.createGraph ? g.mul(where(gt(x, 0), 1, out.add(alpha))) : derivative(Activation.Elu, g, x, alpha)]);
}

/** Φ(x), the standard normal CDF (internal: gelu's recorded derivative uses it). */
function normalCdf(x: Tensor): Tensor {
  return record(forward(Activation.NormalCdf, x, 0), 'normalCdf', [x], (g, ctx) => [
    ctx.createGraph ? g.mul(normalPdf(x)) : derivative(Activation.NormalCdf, g, x, 0),
  ]);
}

/** φ(x) = e^(−x²/2)/√(2π), from differentiable ops. */
function normalPdf(x: Tensor): Tensor {
  return x.square().mul(-0.5).exp().mul(0.3989422804014327);
}

/** x·Φ(x) with the exact erf (PyTorch's default gelu, not the tanh approximation). */
export function gelu(x: Tensor): Tensor {
  const out = forward(Activation.Gelu, x, 0);
  return record(out, 'gelu', [x], (g, ctx) => [
    ctx.createGraph ? g.mul(normalCdf(x).add(x.mul(normalPdf(x)))) : derivative(Activation.Gelu, g, x, 0),
  ]);
}

/** log(1 + eˣ), computed without overflow; its derivative is sigmoid(x). */
export function softplus(x: Tensor): Tensor {
  const out = forward(Activation.Softplus, x, 0);
  return record(out, 'softplus', [x], (g, ctx) => [ctx.createGraph ? g.mul(x.sigmoid()) : derivative(Activation.Softplus, g, x, 0)]);
}

/**
 * x limited to [min, max] (either bound may be omitted, not both). As PyTorch: the gradient
 * is 1 on the closed interval (at a bound too) and 0 outside; with min > max every element
 * becomes max; NaN stays NaN.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) throw new Error(`clamp: give min, max or both (got neither) for shape [${x.shape.join(',')}]`);
  if (min !== undefined && (typeof min !== 'number' || Number.isNaN(min))) throw new Error(`clamp: min must be a number, got ${String(min)}`);
  if (max !== undefined && (typeof max !== 'number' || Number.isNaN(max))) throw new Error(`clamp: max must be a number, got ${String(max)}`);
  const result = new Tensor(allocateForOverwrite(x.dtype, x.size), x.shape);
  clampInto(result.data, x.data, min ?? -Infinity, max ?? Infinity);
  return record(result, 'clamp', [x], (g) => {
    let mask = min === undefined ? null : ge(x, min);
    if (max !== undefined) mask = mask === null ? le(x, max) : mask.mul(le(x, max));
    return [g.mul(mask as Tensor)];
  });
}
