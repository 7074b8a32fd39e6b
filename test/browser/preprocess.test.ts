/**
 * The Draw panel's MNIST preprocessing: the ink's box scaled to 20 pixels on its long side,
 * the centre of mass moved to the field's centre, and the result independent of where and
 * how large the digit was drawn.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMnist } from '../../playground/src/preprocess.js';
import { propertyRuns } from '../helpers/arbitraries.js';

/** A W×W image with a filled rectangle of ink. */
function rect(size: number, x0: number, y0: number, w: number, h: number): Float32Array {
  const img = new Float32Array(size * size);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img[y * size + x] = 1;
  return img;
}

/** Bounding box [x0, y0, x1, y1] (inclusive) of pixels above 0.05, and the centre of mass. */
function measure(out: Float32Array): { box: number[]; cx: number; cy: number } {
  let x0 = 28,
    y0 = 28,
    x1 = -1,
    y1 = -1,
    m = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = out[y * 28 + x];
      if (v > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return { box: [x0, y0, x1, y1], cx: mx / m, cy: my / m };
}

describe('toMnist', () => {
  it('gives zeros for a blank drawing', () => {
    expect(toMnist(new Float32Array(280 * 280), 280, 280).every((v) => v === 0)).toBe(true);
  });

  it('turns a vertical bar into a 20-pixel-tall stroke centred in the field', () => {
    const out = toMnist(rect(280, 130, 40, 20, 200), 280, 280);
    const { box, cx, cy } = measure(out);
    expect(box[3] - box[1] + 1).toBe(20);
    expect(box[2] - box[0] + 1).toBe(2);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out)).toBe(1);
  });

  it('rejects an image whose size does not match', () => {
    expect(() => toMnist(new Float32Array(10), 4, 4)).toThrow(/expected 4×4 = 16 intensities, got 10/);
  });

  it('(property) any rectangle, anywhere, any size: long side 20 ± 1, centre of mass within half a pixel of the centre; position does not matter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 200 }), fc.integer({ min: 4, max: 200 }), fc.nat(), fc.nat(), (w, h, px, py) => {
        const size = 240;
        const x0 = px % (size - w),
          y0 = py % (size - h);
        const out = toMnist(rect(size, x0, y0, w, h), size, size);
        const { box, cx, cy } = measure(out);
        const long = Math.max(box[2] - box[0], box[3] - box[1]) + 1;
        expect(Math.abs(long - 20)).toBeLessThanOrEqual(1);
        expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5 + 1e-9);
        expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5 + 1e-9);
        // The same rectangle at the origin gives the same input.
        expect(toMnist(rect(size, 0, 0, w, h), size, size)).toEqual(out);
      }),
      { numRuns: propertyRuns(40) },
    );
  });
});
