/**
 * Lecture item 5 (exercise): a layer of 4 sigmoid neurons after the 10 digit outputs that turns
 * the one-hot answer into the digit's binary code (0 = 0000 … 9 = 1001).
 *
 *   npx tsx examples/binary-output-layer.ts
 *
 * Bit b's neuron gets weight K from each digit whose code has bit b set and 0 from the others,
 * and bias −K/2: the threshold sits halfway between "the right digit fires at ≥ 0.99" (z ≥ 0.99K −
 * K/2) and "no digit with this bit fires" (z ≈ 0 − K/2). We verify it on all 10 digits, with
 * random noise on the other nine activations.
 */
import { nn, tensor, Rng, noGrad } from '../src/index.js';

const K = 20; // weight scale: the larger, the closer the outputs get to exactly 0 and 1
const layer = new nn.Linear(10, 4);
// weight[d][b] = K when bit b of digit d is 1 (bit 0 is the least significant), else 0.
const w = new Float32Array(40);
for (let d = 0; d < 10; d++) for (let b = 0; b < 4; b++) w[d * 4 + b] = (d >> b) & 1 ? K : 0;
layer.weight.data.set(w);
layer.bias!.data.fill(-K / 2);

console.log(`Weights (rows: digit neuron 0–9, columns: output bits 3 2 1 0), bias ${-K / 2} on every bit:`);
for (let d = 0; d < 10; d++) {
  const row = [3, 2, 1, 0].map((b) => String(w[d * 4 + b]).padStart(4)).join('');
  console.log(`   digit ${d}: ${row}`);
}

const rng = new Rng(7);
const noiseMax = 0.05; // the other nine activations are "small": uniform in [0, 0.05]
const trials = 2000;
let worstMargin = Infinity;
let failures = 0;
console.log(`\nOne noisy example per digit (right neuron in [0.99, 1], the others in [0, ${noiseMax}]):`);
console.log('   digit   output activations (bit 3 … bit 0)      bits   expected');
for (let d = 0; d < 10; d++) {
  for (let t = 0; t < trials; t++) {
    const a = new Float32Array(10);
    for (let i = 0; i < 10; i++) a[i] = i === d ? 0.99 + 0.01 * rng.uniform() : noiseMax * rng.uniform();
    const out = noGrad(() => layer.forward(tensor(a, { shape: [1, 10] })).sigmoid()).data;
    let bits = '';
    for (const b of [3, 2, 1, 0]) {
      bits += out[b] > 0.5 ? '1' : '0';
      worstMargin = Math.min(worstMargin, Math.abs(out[b] - 0.5));
    }
    const expected = d.toString(2).padStart(4, '0');
    if (bits !== expected) failures++;
    if (t === 0) {
      const acts = [3, 2, 1, 0].map((b) => out[b].toFixed(5)).join('  ');
      console.log(`   ${d}       ${acts}   ${bits}   ${expected} ${bits === expected ? '✓' : '✗'}`);
    }
  }
}
console.log(
  `\n${10 * trials} noisy examples: ${failures === 0 ? 'every one' : `${10 * trials - failures}`} decoded to the right binary code` +
    `${failures ? ` (${failures} wrong)` : ''}; the outputs never came closer than ${worstMargin.toFixed(4)} to the 0.5 threshold.`,
);
console.log(
  `Why: with bit set, z ≥ ${K}·0.99 − ${K / 2} = ${(0.99 * K - K / 2).toFixed(1)} (σ ≥ ${(1 / (1 + Math.exp(-(0.99 * K - K / 2)))).toFixed(5)}); ` +
    `without, z ≤ ${K}·(5·${noiseMax}) − ${K / 2} = ${(K * 5 * noiseMax - K / 2).toFixed(1)} (σ ≤ ${(1 / (1 + Math.exp(-(K * 5 * noiseMax - K / 2)))).toFixed(5)}).`,
);
