/**
 * No issue-12 op hands out a buffer that a later in-place gradient write could corrupt: the
 * engine lets a leaf keep a gradient buffer as its `.grad` and adds into it in place on the next
 * backward(), and conv2d adds its weight gradient straight into a kept `.grad`. Two backward
 * passes must give exactly twice the gradient of one, the seed must stay untouched, and no two
 * leaves may share a `.grad` buffer.
 */
import { describe, expect, it } from 'vitest';
import { concat, conv2d, gather, maxPool2d, randn, stack, tensor, where, type Tensor } from '../../src/index.js';

type Program = (xs: Tensor[]) => Tensor;

function twiceIsDouble(name: string, shapes: number[][], program: Program, dtype: 'float32' | 'float64' = 'float64'): void {
  const xs = shapes.map((s, i) => randn(s, { seed: 10 + i, dtype, requiresGrad: true }));
  const out = program(xs);
  const seed = randn(out.shape, { seed: 99, dtype });
  const seedCopy = Array.from(seed.data);
  program(xs).backward(seed);
  const first = xs.map((x) => Array.from(x.grad!.data));
  program(xs).backward(seed);
  expect(Array.from(seed.data), `${name}: the seed was written to`).toEqual(seedCopy);
  xs.forEach((x, i) => {
    const tol = dtype === 'float32' ? 1e-5 : 1e-12;
    x.grad!.data.forEach((v, j) => expect(Math.abs(v - 2 * first[i][j]), `${name}: input ${i}[${j}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
  });
  const buffers = new Set(xs.map((x) => x.grad!.data.buffer));
  expect(buffers.size, `${name}: two leaves share a .grad buffer`).toBe(xs.length);
}

describe('gradients of the new ops never alias one another', () => {
  it('slice, split, concat, stack, indexSelect, gather, where, squeeze views', () => {
    twiceIsDouble('slice of a reshape', [[4, 3]], ([x]) => x.reshape([12]).slice(0, 2, 10, 3));
    twiceIsDouble('split pieces used twice', [[6]], ([x]) => {
      const [a, b] = x.split(3);
      return concat([a, b, a.mul(b)]);
    });
    twiceIsDouble('concat of one input with itself', [[2, 2]], ([x]) => concat([x, x, x.unsqueeze(0).squeeze(0)], 1));
    twiceIsDouble('stack of two leaves', [[3], [3]], ([a, b]) => stack([a, b, a]));
    twiceIsDouble('indexSelect with repeats', [[3, 2]], ([x]) => x.indexSelect(0, [2, 2, 0]));
    twiceIsDouble('gather', [[2, 3]], ([x]) =>
      gather(
        x,
        1,
        tensor([
          [0, 0],
          [2, 1],
        ]),
      ),
    );
    twiceIsDouble('where on two leaves', [[2, 2], [2]], ([a, b]) =>
      where(
        tensor([
          [1, 0],
          [0, 1],
        ]),
        a,
        b,
      ),
    );
    twiceIsDouble('flatten view into add', [[2, 3], [6]], ([a, b]) => a.flatten().add(b));
  });

  it('conv2d (weight gradient added into the kept .grad), pools, float32 and float64', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      twiceIsDouble(`conv2d ${dtype}`, [[2, 2, 6, 6], [4, 1, 3, 3], [4]], ([x, w, b]) => conv2d(x, w, b, { groups: 2, padding: 1 }), dtype);
      twiceIsDouble(
        `conv2d → maxPool2d ${dtype}`,
        [
          [2, 3, 8, 8],
          [5, 3, 3, 3],
        ],
        ([x, w]) => maxPool2d(conv2d(x, w).relu(), 2),
        dtype,
      );
    }
    // a batch large enough for several chunks and the wasm matmul
    twiceIsDouble('conv2d, several chunks', [[40, 3, 10, 10], [8, 3, 3, 3], [8]], ([x, w, b]) => conv2d(x, w, b), 'float32');
  });
});
