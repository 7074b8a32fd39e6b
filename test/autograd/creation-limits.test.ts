import { describe, expect, it } from 'vitest';
import { MLP } from '../../src/nn/mlp.js';
import { ones, randn, tensor, zeros, type Tensor } from '../../src/index.js';

/** The error `f` throws (fails the test if it returns). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('allocation limits: clear Errors, not RangeErrors or stack overflows', () => {
  it('zeros/ones/randn of a huge shape throw an Error naming the op and the shape', () => {
    const e = thrown(() => zeros([1e6, 1e6]));
    expect(e.constructor).toBe(Error);
    expect(e.message).toBe('zeros: shape [1000000,1000000] holds 1000000000000 elements, more than a tensor can (2147483647)');
    expect(thrown(() => ones([2 ** 16, 2 ** 16])).message).toMatch(/^ones: shape \[65536,65536\] holds 4294967296 elements/);
    expect(thrown(() => randn([1e5, 1e5], { seed: 1 })).message).toMatch(/^randn: shape \[100000,100000\]/);
    expect(zeros([3, 2]).size).toBe(6); // and small ones still work
  });

  it('a 100,000-deep nested array is refused with an Error, and nesting to the limit is read without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const e = thrown(() => tensor(deep as number[]));
    expect(e.constructor).toBe(Error);
    expect(e.message).toBe('tensor: the nested arrays are more than 64 levels deep');
    let ok: unknown = 2.5;
    for (let i = 0; i < 64; i++) ok = [ok];
    const t: Tensor = tensor(ok as number[]);
    expect(t.shape).toHaveLength(64);
    expect(t.item()).toBe(2.5);
  });

  it('nested arrays still fill in row-major order and ragged ones are refused', () => {
    expect(
      Array.from(
        tensor([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ]).data,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(thrown(() => tensor([[1, 2], [3]])).message).toMatch(/ragged nested array: expected length 2 at depth 1, found length 1/);
    expect(
      thrown(() =>
        tensor([
          [1, [2]],
          [3, 4],
        ] as unknown as number[][]),
      ).message,
    ).toMatch(/expected a number at depth 2, found an array/);
    expect(tensor([]).shape).toEqual([0]);
  });

  it('the process stays usable after a refused request', () => {
    thrown(() => zeros([1e6, 1e6]));
    expect(new MLP([4, 3], { seed: 1 }).forward(tensor([[1, 2, 3, 4]])).shape).toEqual([1, 3]);
  });
});
