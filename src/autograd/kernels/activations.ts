import type { FloatArray } from './types.js';
import { erfc } from './erf.js';

/** The activations with a parameter or a special function: forward and derivative kernels. */
export enum Activation {
  LeakyRelu,
  Elu,
  Gelu,
  Softplus,
  NormalCdf,
}

const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

/** Φ(x), the standard normal CDF, as ½·erfc(−x/√2): accurate far into the left tail. */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/**
 * out = f(x) elementwise (out may be x). `p` is the parameter: leakyRelu's negative slope,
 * elu's alpha; ignored by the others.
 */
export function applyActivation(act: Activation, out: FloatArray, x: FloatArray, p: number): void {
  const n = x.length;
  switch (act) {
    case Activation.LeakyRelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v * p;
      }
      return;
    case Activation.Elu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : p * Math.expm1(v);
      }
      return;
    case Activation.Gelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * normalCdf(v);
      }
      return;
    // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): never overflows, exact in both tails.
    case Activation.Softplus:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      return;
    case Activation.NormalCdf:
      for (let i = 0; i < n; i++) out[i] = normalCdf(x[i]);
      return;
  }
}

/**
 * out = g · f′(x) elementwise, with the kink conventions of PyTorch: leakyRelu′(0) = slope,
 * elu′(0) = alpha (the x ≤ 0 branch, α·eˣ). softplus′ = sigmoid; gelu′ = Φ(x) + x·φ(x);
 * Φ′ = φ.
 */
export function activationDerivative(act: Activation, out: FloatArray, g: FloatArray, x: FloatArray, p: number): void {
  const n = x.length;
  switch (act) {
    case Activation.LeakyRelu:
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * p;
      return;
    case Activation.Elu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? g[i] : g[i] * p * Math.exp(v);
      }
      return;
    case Activation.Gelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = g[i] * (normalCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
      return;
    case Activation.Softplus:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        out[i] = g[i] * s;
      }
      return;
    case Activation.NormalCdf:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = g[i] * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
      }
      return;
  }
}

/**
 * out = x limited to [lo, hi] (±Infinity for a missing bound); with lo > hi every element is
 * hi, and NaN stays NaN (PyTorch's clamp).
 */
export function clampInto(out: FloatArray, x: FloatArray, lo: number, hi: number): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi);
  }
}
