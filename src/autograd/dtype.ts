import type { FloatArray } from './kernels/types.js';

/** The element types a tensor can hold. `float32` is the default; `float64` is for exact checks. */
export type DType = 'float32' | 'float64';

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * The dtype rule for mixing: float64 wins (NumPy's promotion), so a float64 check is never
 * silently rounded through float32. A plain number adopts its tensor partner's dtype.
 */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === undefined) return 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
  }
  return dtype;
}
