/**
 * Run by sparse-wasm.test.ts in a child Node started with --experimental-wasm-relaxed-simd:
 * the zero-skipping matmul of the relaxed-SIMD build (fused multiply-add, where a sum can
 * underflow to −0 and the kernel must redo that block) against the dense kernel of the same
 * build, bit for bit. Prints one JSON line: { build, failures, negativeZero }.
 */
import { Rng } from '../../src/autograd/random.js';
import { wasmBuild, type WasmActivationCode } from '../../src/autograd/kernels/wasm/index.js';
import { checkLinearCase, checkMatmulCase, negativeZeroSum, type SparseCase } from './sparse-cases.js';

const failures: string[] = [];
const rng = new Rng(16);
for (let run = 0; run < 60; run++) {
  const c: SparseCase = {
    m: 1 + rng.int(12),
    k: [1, 7, 255, 256, 257, 300, 511, 513, 600][rng.int(9)],
    n: 1 + rng.int(40),
    transA: rng.uniform() < 0.5,
    transB: rng.uniform() < 0.5,
    accumulate: rng.uniform() < 0.5,
    zeros: rng.uniform(),
    bZeros: rng.uniform() * 0.3,
    tiny: rng.uniform() < 0.5 ? 0 : 0.5,
    seed: run,
  };
  const bad = checkMatmulCase(c) ?? checkLinearCase(c, rng.int(4) as WasmActivationCode, rng.uniform() < 0.5);
  if (bad !== null) failures.push(bad);
}
console.log(JSON.stringify({ build: wasmBuild(), failures, negativeZero: negativeZeroSum() }));
