/**
 * The wasm sum kernel against its TypeScript twin `sumAxis` on random [outer, r, inner]
 * views: bit-identical when inner > 1 (both add rows in order in float32); within a
 * float32 rounding when inner = 1 (both accumulate in a double, in different orders). And the
 * sum op through the dispatcher agrees with the TypeScript path on large tensors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sumAxis } from '../../src/autograd/kernels/reduce.js';
import { sumAxisF32, wasmAvailable } from '../../src/autograd/kernels/wasm/index.js';
import { setWasmKernels } from '../../src/autograd/backend/index.js';
import { randomF32 } from '../helpers/arrays.js';
import { randn } from '../../src/index.js';

const RUNS = Number(process.env.TG_PROPERTY_RUNS ?? 30);

describe.runIf(wasmAvailable())('sumAxisF32', () => {
  it('matches the TypeScript kernel: exactly for inner > 1, to float32 rounding for inner = 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 37 }),
        fc.nat(),
        (outer, r, inner, seed) => {
          const x = randomF32(outer * r * inner, seed, -2, 2);
          const want = new Float32Array(outer * inner),
            got = new Float32Array(outer * inner).fill(NaN);
          sumAxis(want, x, outer, r, inner);
          sumAxisF32(got, x, outer, r, inner);
          if (inner > 1) {
            expect(Array.from(got)).toEqual(Array.from(want));
          } else {
            for (let i = 0; i < want.length; i++) {
              expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 1.2e-7 + 1e-30);
            }
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('rejects spans that do not fit, naming the operand', () => {
    expect(() => sumAxisF32(new Float32Array(2), new Float32Array(5), 1, 3, 2)).toThrow(/sumAxisF32: x needs 6 elements/);
    expect(() => sumAxisF32(new Float32Array(1), new Float32Array(6), 1, 3, 2)).toThrow(/sumAxisF32: out needs 2 elements/);
  });

  it('sum() over any axes gives the TypeScript answer on tensors big enough for the kernel', () => {
    const x = randn([6, 40, 50], { seed: 7 });
    const cases: (number | number[] | undefined)[] = [undefined, 0, 1, 2, [0, 1], [1, 2], [0, 2]];
    for (const axis of cases) {
      const wasm = x.sum(axis).toArray();
      setWasmKernels(false);
      try {
        const ts = x.sum(axis).toArray();
        expect(wasm).toBeDefined();
        const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
        const a = flat(wasm),
          b = flat(ts);
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(b[i]) * 2.4e-7 + 1e-6);
      } finally {
        setWasmKernels(true);
      }
    }
  });
});
