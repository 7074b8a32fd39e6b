import { Rng } from '../../src/autograd/random.js';

/** `len` float32 values uniform in [lo, hi) from a seeded generator: cheap, reproducible kernel operands. */
export function randomF32(len: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}
