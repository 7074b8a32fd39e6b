/**
 * Lecture item 7: the quadratic cost C(w, b) = 1/(2n) · Σₓ ‖y(x) − a‖².
 *
 *   npx tsx examples/quadratic-cost.ts
 *
 * Shows that C ≥ 0, that C ≈ 0 exactly when the outputs a match the targets y, and how
 * `nn.quadraticCost` relates to `nn.mseLoss` (PyTorch's mean over all elements): for outputs of
 * width k, quadraticCost = (k / 2) · mseLoss.
 */
import { nn, rand, Rng } from '../src/index.js';

const n = 50,
  k = 10;
const rng = new Rng(3);
const labels = Array.from({ length: n }, () => rng.int(k));
const y = nn.oneHot(labels, k); // one-hot targets, as in the lecture (item 6)

console.log('C ≥ 0: the cost of 1,000 random output batches (outputs uniform in [0, 1)):');
let min = Infinity,
  max = -Infinity;
for (let s = 0; s < 1000; s++) {
  const c = nn.quadraticCost(rand([n, k], { seed: s }), y).item();
  min = Math.min(min, c);
  max = Math.max(max, c);
}
console.log(`   min ${min.toFixed(4)}, max ${max.toFixed(4)}: a sum of squares is never negative.\n`);

console.log('C ≈ 0 exactly when a ≈ y: move the outputs from random towards the targets, a = (1 − t)·random + t·y:');
const a0 = rand([n, k], { seed: 99 });
for (const t of [0, 0.5, 0.9, 0.99, 0.999, 1]) {
  const a = a0.mul(1 - t).add(y.mul(t));
  const maxDiff = Math.max(...Array.from(a.sub(y).abs().data));
  console.log(
    `   t = ${String(t).padEnd(5)}  C = ${nn.quadraticCost(a, y).item().toExponential(3).padStart(10)}   max |y − a| = ${maxDiff.toExponential(2)}`,
  );
}

console.log('\nAnd in the other direction: C = 0 forces every output to equal its target.');
const nearly = y.clone();
nearly.data[0] += 0.1; // one wrong output is enough to make C > 0
console.log(`   one output off by 0.1 → C = ${nn.quadraticCost(nearly, y).item().toExponential(3)} = 0.1² / (2·${n})`);

console.log(`\nquadraticCost vs mseLoss for outputs of width k = ${k}:`);
const a = rand([n, k], { seed: 5 });
const q = nn.quadraticCost(a, y).item(),
  m = nn.mseLoss(a, y).item();
console.log(`   quadraticCost = 1/(2n)·Σ‖y−a‖²     = ${q.toFixed(6)}`);
console.log(`   mseLoss       = 1/(n·k)·Σ (y−a)²    = ${m.toFixed(6)}`);
console.log(`   ratio = ${(q / m).toFixed(6)} = k/2 = ${k / 2}: same minimiser, gradients scaled by k/2, so η must be scaled too.`);
