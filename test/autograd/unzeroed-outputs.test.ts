/**
 * Op outputs are not zero-filled (`allocateForOverwrite`: recycled buffers, and in Node fresh
 * ones from 16 KB, come with whatever the memory held), so every op must write every element
 * of its output. Each case runs its op once to learn the output's size, fills the buffer pool
 * with NaN-filled buffers of that size (the next allocations of it take them), and runs the
 * op again: an element it forgot to write shows up as NaN (or, where zeros are the answer,
 * as not 0).
 */
import { describe, expect, it } from 'vitest';
import { allocateForOverwrite, recycle } from '../../src/autograd/backend/memory.js';
import {
  avgPool2d,
  concat,
  conv2d,
  linear,
  maxPool2d,
  randn,
  setWasmKernels,
  stack,
  where,
  zeros,
  type DType,
  type Tensor,
} from '../../src/index.js';

/** Runs `op`, then again with every buffer of its output's size and dtype taken from a NaN-filled pool. */
function poisoned(op: () => Tensor): Tensor {
  const first = op();
  for (let i = 0; i < 16; i++) {
    const junk = first.dtype === 'float64' ? new Float64Array(first.size) : new Float32Array(first.size);
    recycle(junk.fill(NaN));
  }
  return op();
}

const hasNaN = (t: Tensor): boolean => t.data.some((v) => Number.isNaN(v));
const allZero = (t: Tensor): boolean => t.data.every((v) => v === 0);

describe('allocateForOverwrite', () => {
  it('gives each output a buffer of its own, exactly its size', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const size of [1, 16, 2047, 2048, 4096, 65536]) {
        const a = allocateForOverwrite(dtype, size);
        const b = allocateForOverwrite(dtype, size);
        expect(a.length).toBe(size);
        expect(a).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
        expect(a.byteOffset).toBe(0);
        expect(a.buffer.byteLength).toBe(a.byteLength);
        expect(a.buffer).not.toBe(b.buffer);
      }
    }
  });

  it("throws the typed array constructor's RangeError for a size no array can have", () => {
    for (const size of [2 ** 40, -1]) {
      const expected = ((): unknown => {
        try {
          return new Float32Array(size);
        } catch (e) {
          return e;
        }
      })();
      expect(expected).toBeInstanceOf(RangeError);
      expect(() => allocateForOverwrite('float32', size)).toThrow((expected as Error).message);
    }
  });
});

describe.each([
  ['wasm kernels', true],
  ['TypeScript kernels', false],
])('every op writes its whole output (%s)', (_name, wasm) => {
  const run = (f: () => void): void => {
    const was = setWasmKernels(wasm);
    try {
      f();
    } finally {
      setWasmKernels(was);
    }
  };

  it('elementwise, broadcasting and activations', () => {
    run(() => {
      for (const dtype of ['float32', 'float64'] as DType[]) {
        const x = randn([128, 128], { seed: 1, dtype });
        const row = randn([128], { seed: 2, dtype });
        const col = randn([128, 1], { seed: 3, dtype });
        for (const op of [
          () => x.mul(row),
          () => x.add(col),
          () => row.sub(col),
          () => col.div(row.abs().add(1)),
          () => x.abs().pow(row),
          () => x.maximum(col),
          () => x.sigmoid(),
          () => x.tanh(),
          () => x.relu(),
          () => x.exp(),
          () => x.gelu(),
          () => x.clamp(-0.5, 0.5),
          () => x.astype(dtype === 'float32' ? 'float64' : 'float32'),
          () => x.clone(),
          () => where(x.gt(0), x, col),
        ] as (() => Tensor)[]) {
          expect(hasNaN(poisoned(op))).toBe(false);
        }
      }
    });
  });

  it('matmul, linear, reductions, softmax and movement', () => {
    run(() => {
      const x = randn([64, 128], { seed: 4 });
      const w = randn([128, 96], { seed: 5 });
      const b = randn([96], { seed: 6 });
      const cube = randn([16, 32, 64], { seed: 7 });
      for (const op of [
        () => x.matmul(w),
        () => linear(x, w, b, 'sigmoid'),
        () => cube.sum(1),
        () => cube.max(2, true),
        () => cube.mean(0),
        () => cube.softmax(1),
        () => cube.logSoftmax(-1),
        () => cube.transpose([2, 0, 1]),
        () => b.expand([64, 96]),
        () => concat([x, x], 1),
        () => stack([x, x]),
        () => x.indexSelect(0, [3, 1, 4, 1, 5, 9, 2, 6]).unsqueeze(1).expand([8, 64, 128]),
      ] as (() => Tensor)[]) {
        expect(hasNaN(poisoned(op))).toBe(false);
      }
    });
  });

  it('a product over an empty axis and a sum of nothing are zeros', () => {
    run(() => {
      expect(allZero(poisoned(() => zeros([128, 0]).matmul(zeros([0, 128]))))).toBe(true);
      expect(allZero(poisoned(() => zeros([128, 0], { dtype: 'float64' }).matmul(zeros([0, 64], { dtype: 'float64' }))))).toBe(true);
      expect(allZero(poisoned(() => zeros([64, 0, 128]).sum(1)))).toBe(true);
    });
  });

  it('convolution and pooling with padding, and their gradients', () => {
    run(() => {
      const x = randn([4, 3, 20, 20], { seed: 8, requiresGrad: true });
      const w = randn([8, 3, 3, 3], { seed: 9, requiresGrad: true });
      const y = poisoned(() => conv2d(x, w, null, { padding: 2, stride: 1 }));
      const p = poisoned(() => maxPool2d(y, 2, { padding: 1 }));
      const a = poisoned(() => avgPool2d(y, 3, { padding: 1, stride: 2 }));
      for (const t of [y, p, a]) expect(hasNaN(t)).toBe(false);
      x.grad = w.grad = null;
      poisoned(() => x); // the gradients have the inputs' sizes
      poisoned(() => w);
      p.sum().add(a.sum()).backward();
      expect(hasNaN(x.grad!)).toBe(false);
      expect(hasNaN(w.grad!)).toBe(false);
    });
  });
});
