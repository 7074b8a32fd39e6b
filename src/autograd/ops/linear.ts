/**
 * A dense layer as one op, act(x·W + b): the hot path of an MLP. One forward kernel instead
 * of three ops, and a backward that goes through the activation from its saved output and
 * then into the two products, reading operands transposed in place.
 */
import { Tensor } from '../tensor.js';
import { allocateForOverwrite, promote } from '../dtype.js';
import { fmt } from '../shape.js';
import { linearForward, matmul as matmulKernel, sumAxis, type FusedActivation } from '../kernels/dispatch.js';
import type { FloatArray } from '../kernels/types.js';
import { gradSink, record } from '../engine.js';
import { activationGrad } from './activation-grad.js';
import { matmulT } from './matmul.js';

export type { FusedActivation };

const ACTIVATIONS: readonly FusedActivation[] = ['identity', 'sigmoid', 'tanh', 'relu'];

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
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`linear: unknown activation '${String(activation)}'; expected one of ${ACTIVATIONS.join(', ')}`);
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
  return record(y, 'linear', inputs, (g) => {
    const dPre = activationGrad(g, y, activation);
    const d2 = dPre.reshape([batch, outF]);
    // A parameter that already has a .grad gets its gradient added straight into it.
    const wSink = w.requiresGrad ? gradSink(w) : null;
    const bSink = b !== null && b.requiresGrad ? gradSink(b) : null;
    if (wSink !== null) matmulKernel(wSink, 0, x.data, 0, d2.data, 0, inF, batch, outF, true, false, true);
    if (bSink !== null) addColumnSums(bSink, d2.data, batch, outF);
    return [
      x.requiresGrad ? matmulT(d2, w, false, true).reshape(x.shape) : null,
      w.requiresGrad && wSink === null ? matmulT(x.reshape([batch, inF]), d2, true, false) : null,
      b !== null && b.requiresGrad && bSink === null ? d2.sum(0) : null,
    ];
  });
}

/**
 * sink[j] += Σ_r g[r, j]: the bias gradient added into its .grad. The sums come from the
 * same kernel as `g.sum(0)`, so a step gives the same bits whether or not the parameter had
 * a .grad to add into.
 */
function addColumnSums(sink: FloatArray, g: FloatArray, rows: number, cols: number): void {
  const sums = sink instanceof Float64Array ? new Float64Array(cols) : new Float32Array(cols);
  sumAxis(sums, g, 1, rows, cols);
  for (let j = 0; j < cols; j++) sink[j] += sums[j];
}
