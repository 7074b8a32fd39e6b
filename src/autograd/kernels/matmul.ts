import type { FloatArray } from './types.js';

/**
 * out[m×n] = op(A)·op(B), where op(A) is m×k and op(B) is k×n.
 *
 * A is stored row-major as m×k, or as k×m when `transA` (read transposed in place, never
 * copied); likewise B as k×n, or n×k when `transB`. `out` is overwritten, not accumulated.
 * Offsets let batched matmul address one matrix of a larger buffer.
 */
export function matmulInto(
  out: FloatArray,
  outOff: number,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  out.fill(0, outOff, outOff + m * n);
  if (!transB) {
    // i-p-j order: the inner loop streams a row of B and a row of out.
    const aRowStride = transA ? 1 : k;
    const aColStride = transA ? m : 1;
    for (let i = 0; i < m; i++) {
      const o = outOff + i * n;
      for (let p = 0; p < k; p++) {
        const av = a[aOff + i * aRowStride + p * aColStride];
        if (av === 0) continue;
        const bRow = bOff + p * n;
        for (let j = 0; j < n; j++) out[o + j] += av * b[bRow + j];
      }
    }
    return;
  }
  if (!transA) {
    // A·Bᵀ: each output is a dot product of two contiguous rows.
    for (let i = 0; i < m; i++) {
      const aRow = aOff + i * k;
      const o = outOff + i * n;
      for (let j = 0; j < n; j++) {
        const bRow = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
        out[o + j] = s;
      }
    }
    return;
  }
  // Aᵀ·Bᵀ: rare; (BA)ᵀ element by element.
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + p * m + i] * b[bOff + j * k + p];
      out[outOff + i * n + j] = s;
    }
  }
}
