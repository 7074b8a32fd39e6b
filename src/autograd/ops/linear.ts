/**
 * A dense layer as one op, act(x·W + b): the hot path of an MLP. One forward kernel instead
 * of three ops, and a backward that goes through the activation from its saved output and
 * then into the two products, reading operands transposed in place.
 */
import { Tensor } from '../tensor.js';
import { promote } from '../dtype.js';
import { fmt } from '../shape.js';
import { FUSED_ACTIVATIONS, addColumnSums, allocateForOverwrite, linearForward, type FusedActivation } from '../backend/index.js';
import { record } from '../engine.js';
import { activationGrad } from './activation-grad.js';
import { matmulT } from './matmul.js';

export type { FusedActivation };

/**
 * act(x·W + b) for x of shape [..., inFeatures], W [inFeatures, outFeatures] and b
 * [outFeatures] (or null), with `activation` one of identity, sigmoid, tanh, relu. Same
 * values and gradients as `x.matmul(w).add(b).sigmoid()` (etc.), computed by fused kernels.
 *
 * @example
 * ```ts
 * import { linear, randn } from 'tensorgrad';
 * const x = randn([10, 784]), w = randn([784, 30], { requiresGrad: true }), b = randn([30], { requiresGrad: true });
 * const h = linear(x, w, b, 'sigmoid'); // [10, 30]
 * h.sum().backward();                   // w.grad, b.grad
 * ```
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null, activation: FusedActivation = 'identity'): Tensor {
  if (!FUSED_ACTIVATIONS.includes(activation)) {
    throw new Error(`linear: unknown activation '${String(activation)}'; expected one of ${FUSED_ACTIVATIONS.join(', ')}`);
  }
  if (w.ndim !== 2) throw new Error(`linear: the weight must have shape [in, out], got ${fmt(w.shape)}`);
  const [inF, outF] = w.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input ${fmt(x.shape)} @ weight ${fmt(w.shape)}: inner dimensions ${x.shape[x.ndim - 1] ?? 'none'} and ${inF} differ`);
  }
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== outF)) {
    throw new Error(`linear: the bias must have shape [${outF}] for weight ${fmt(w.shape)}, got ${fmt(b.shape)}`);
  }
  const dtype = b === null ? promote(x.dtype, w.dtype) : promote(promote(x.dtype, w.dtype), b.dtype);
  if (x.dtype !== dtype || w.dtype !== dtype || (b !== null && b.dtype !== dtype)) {
    return linear(x.astype(dtype), w.astype(dtype), b === null ? null : b.astype(dtype), activation);
  }
  const batch = x.size / inF;
  const y = new Tensor(allocateForOverwrite(dtype, batch * outF), [...x.shape.slice(0, -1), outF]);
  linearForward(y.data, x.data, w.data, b === null ? null : b.data, batch, inF, outF, activation);
  const inputs = b === null ? [x, w] : [x, w, b];
  return record(y, 'linear', inputs, (g, ctx) => {
    const d = activationGrad(g, y, activation, ctx).reshape([batch, outF]);
    return [
      x.requiresGrad ? matmulT(d, w, false, true).reshape(x.shape) : null,
      w.requiresGrad ? matmulT(x.ndim === 2 ? x : x.reshape([batch, inF]), d, true, false, ctx.into(1)) : null,
      b?.requiresGrad ? columnSums(d, ctx.into(2)) : null,
    ];
  });
}

/** Σ over the rows of d [rows, cols]: the bias gradient, added into `into` when the engine offers it. */
function columnSums(d: Tensor, into: Tensor | null): Tensor {
  if (into === null || into.dtype !== d.dtype) return d.sum(0);
  addColumnSums(into.data, d.data, d.shape[0], d.shape[1]);
  return into;
}
