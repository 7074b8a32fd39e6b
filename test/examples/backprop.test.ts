import { describe, expect, it } from 'vitest';
import { checkPartials, setup } from '../../examples/backprop.js';

describe('examples/backprop', () => {
  it('one backward pass gives every partial derivative of C, each matching central differences', () => {
    const { net, x, y } = setup(10, 3);
    const { partials, count } = checkPartials(net, x, y, 10, 5);
    expect(count).toBe(23_860);
    expect(partials).toHaveLength(10);
    expect(new Set(partials.map((p) => `${p.name}#${p.index}`)).size).toBe(10);
    for (const p of partials) expect(Math.abs(p.backprop - p.numeric)).toBeLessThanOrEqual(1e-9 + 1e-6 * Math.abs(p.numeric));
    expect(partials.some((p) => Math.abs(p.numeric) > 1e-4)).toBe(true); // not all trivially zero
  });
});
