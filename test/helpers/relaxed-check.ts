/**
 * Run by test/kernels/relaxed.test.ts in a child Node started with
 * --experimental-wasm-relaxed-simd (Node 20 validates relaxed SIMD only behind that flag):
 * checks that the relaxed build loads and that its kernels (and the two-thread matmul on the
 * shared-memory build) agree with the TypeScript twins.
 * Prints one JSON line: { build, failures }.
 */
import { matmulInto } from '../../src/autograd/kernels/matmul.js';
import { WasmFusedOp, activationF32, fusedElementwiseF32, linearForwardF32, matmulF32, wasmBuild } from '../../src/autograd/kernels/wasm/index.js';
import { disableThreads, enableThreads, matmulF32Parallel } from '../../src/threads/index.js';
import { randomF32 } from './arrays.js';

const failures: string[] = [];
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [10, 784, 30],
  [784, 10, 30],
  [33, 257, 19],
  [64, 64, 64],
];
for (const [i, [m, k, n]] of shapes.entries()) {
  for (const [transA, transB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const a = randomF32(m * k, i),
      b = randomF32(k * n, i + 100);
    const want = new Float32Array(m * n),
      got = new Float32Array(m * n);
    matmulInto(want, 0, a, 0, b, 0, m, k, n, transA, transB);
    matmulF32(got, 0, a, 0, b, 0, m, k, n, transA, transB);
    for (let j = 0; j < want.length; j++) {
      if (!(Math.abs(got[j] - want[j]) <= 1e-5 * Math.max(k, 1))) {
        failures.push(`matmul ${m}×${k}×${n} tA=${transA} tB=${transB} [${j}]: ${got[j]} vs ${want[j]}`);
        break;
      }
    }
  }
}
const x = randomF32(10 * 50, 7, -8, 8),
  w = randomF32(50 * 12, 8),
  bias = randomF32(12, 9);
const out = new Float32Array(120);
linearForwardF32(out, x, w, bias, 10, 50, 12, 1);
for (let r = 0; r < 10; r++) {
  for (let j = 0; j < 12; j++) {
    let z = bias[j];
    for (let p = 0; p < 50; p++) z += x[r * 50 + p] * w[p * 12 + j];
    const want = 1 / (1 + Math.exp(-z));
    if (!(Math.abs(out[r * 12 + j] - want) <= 1e-5)) failures.push(`linear sigmoid [${r},${j}]: ${out[r * 12 + j]} vs ${want}`);
  }
}
const t = randomF32(1000, 10, -10, 10),
  th = new Float32Array(1000);
activationF32(th, t, 2);
for (let i = 0; i < 1000; i++) {
  if (!(Math.abs(th[i] - Math.tanh(t[i])) <= 2e-6 * Math.max(1, Math.abs(Math.tanh(t[i]))))) failures.push(`tanh(${t[i]}): ${th[i]}`);
}
// The fused kernel's sigmoid and tanh (fused multiply-add in this build's polynomials) give
// the activation kernel's bits, through a register and with the stores straight to operands.
{
  const op = WasmFusedOp;
  const code = Int32Array.from(
    [
      [op.sigmoid, 0, -1, 0],
      [op.store, 1, 0, 0],
      [op.tanh, 1, -1, 0],
      [op.mul, 2, 1, 1],
      [op.store, 2, 2, 0],
    ].flat(),
  );
  const fs = new Float32Array(1000),
    ft = new Float32Array(1000),
    ws = new Float32Array(1000),
    wt = new Float32Array(1000);
  fusedElementwiseF32(code, [t, fs, ft], [0, 0, 0], 1, 1000);
  activationF32(ws, t, 1);
  activationF32(wt, t, 2);
  for (let i = 0; i < 1000; i++) wt[i] *= wt[i];
  const bad = fs.findIndex((v, i) => !Object.is(v, ws[i]) || !Object.is(ft[i], wt[i]));
  if (bad >= 0) failures.push(`fused sigmoid/tanh [${bad}]: ${fs[bad]}, ${ft[bad]} vs ${ws[bad]}, ${wt[bad]}`);
}
// The two-thread matmul runs the shared-memory build of the same flavour.
if (await enableThreads(2)) {
  const n = 300;
  const a = randomF32(n * n, 11),
    b = randomF32(n * n, 12);
  const want = new Float32Array(n * n),
    got = new Float32Array(n * n);
  matmulInto(want, 0, a, 0, b, 0, n, n, n, false, true);
  matmulF32Parallel(got, 0, a, 0, b, 0, n, n, n, false, true);
  const bad = want.findIndex((v, j) => !(Math.abs(got[j] - v) <= 1e-5 * n));
  if (bad >= 0) failures.push(`threads matmul [${bad}]: ${got[bad]} vs ${want[bad]}`);
  await disableThreads();
} else {
  failures.push('enableThreads(2) failed');
}
console.log(JSON.stringify({ build: wasmBuild(), failures: failures.slice(0, 5) }));
