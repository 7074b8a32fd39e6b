/**
 * Before the lecture's sigmoid neurons: perceptrons (Nielsen, chapter 1), the NAND gate, a network
 * of NANDs that adds binary numbers, and the sigmoid neuron as a smoothed perceptron.
 *
 *   npx tsx examples/perceptrons.ts
 *
 * A perceptron outputs 1 when w·x + b > 0 and 0 otherwise. With w = (−2, −2), b = 3 it is a NAND
 * gate, and NAND is universal: any logical function, an adder included, is a network of them.
 * A sigmoid neuron σ(w·x + b) with the same w and b scaled by c → ∞ becomes that perceptron —
 * everywhere except on the hyperplane w·x + b = 0, where σ(c·0) = ½ for every c.
 *
 * Every neuron here is a tensor expression over a whole batch of inputs at once: one call of
 * `nand` evaluates the gate for all 256 pairs of 4-bit numbers.
 */
import { nn, tensor, noGrad, Rng, type Tensor } from '../src/index.js';
import { isMain } from './lib/cli.js';

/** The perceptron step: 1 where z > 0, else 0 (z = 0 gives 0, as in Nielsen's definition). */
export const step = (z: Tensor): Tensor => z.gt(0);

/**
 * A perceptron with weights `w` and bias `b` as a one-neuron `nn.Linear` followed by the step;
 * input `[n, w.length]`, output `[n, 1]` of zeros and ones.
 */
export function perceptron(w: readonly number[], b: number): (x: Tensor) => Tensor {
  const layer = new nn.Linear(w.length, 1, { dtype: 'float64' });
  layer.weight.data.set(w); // weight has shape [in, out] = [w.length, 1]
  layer.bias!.data[0] = b;
  return (x) => noGrad(() => step(layer.forward(x)));
}

/** NAND of two bit vectors (each `[n]` of 0/1): the perceptron w = (−2, −2), b = 3, elementwise. */
export const nand = (a: Tensor, b: Tensor): Tensor => noGrad(() => step(a.mul(-2).add(b.mul(-2)).add(3)));

/** Sum and carry of three bits, from nine NAND gates (the textbook full adder). */
export function fullAdder(a: Tensor, b: Tensor, cin: Tensor): { sum: Tensor; carry: Tensor } {
  const n1 = nand(a, b);
  const n2 = nand(a, n1),
    n3 = nand(b, n1);
  const x = nand(n2, n3); // a XOR b
  const n4 = nand(x, cin);
  const n5 = nand(x, n4),
    n6 = nand(cin, n4);
  const sum = nand(n5, n6); // a XOR b XOR cin
  const carry = nand(n4, n1); // (a AND b) OR (cin AND (a XOR b))
  return { sum, carry };
}

/**
 * Adds two arrays of `bits`-bit numbers with a ripple-carry adder made only of NAND perceptrons:
 * `bits` full adders, 9·bits gates. Returns the sums (`bits + 1` bits wide) and the gate count.
 */
export function addWithNands(xs: readonly number[], ys: readonly number[], bits: number): { sums: number[]; gates: number } {
  const bit = (vs: readonly number[], k: number): Tensor =>
    tensor(
      vs.map((v) => (v >> k) & 1),
      { dtype: 'float64' },
    );
  let carry = tensor(new Array<number>(xs.length).fill(0), { dtype: 'float64' });
  const sums = new Array<number>(xs.length).fill(0);
  for (let k = 0; k < bits; k++) {
    const r = fullAdder(bit(xs, k), bit(ys, k), carry);
    r.sum.data.forEach((s, i) => {
      sums[i] += s << k;
    });
    carry = r.carry;
  }
  carry.data.forEach((c, i) => {
    sums[i] += c << bits;
  });
  return { sums, gates: 9 * bits };
}

/**
 * How far the sigmoid neuron σ(c·(w·x + b)) is from the perceptron with the same w, b, over
 * `samples` random inputs in [0, 1]² whose |w·x + b| is at least `margin`: the largest gap.
 */
export function sigmoidGap(w: readonly [number, number], b: number, c: number, margin: number, samples = 2000, seed = 1): number {
  const rng = new Rng(seed);
  const pts: number[] = [];
  while (pts.length < 2 * samples) {
    const x0 = rng.uniform(),
      x1 = rng.uniform();
    if (Math.abs(w[0] * x0 + w[1] * x1 + b) >= margin) pts.push(x0, x1);
  }
  const x = tensor(pts, { shape: [samples, 2], dtype: 'float64' });
  const z = noGrad(() => x.matmul(tensor([[w[0]], [w[1]]], { dtype: 'float64' })).add(b));
  const sig = noGrad(() => z.mul(c).sigmoid()).data,
    per = step(z).data;
  let worst = 0;
  for (let i = 0; i < samples; i++) worst = Math.max(worst, Math.abs(sig[i] - per[i]));
  return worst;
}

/** σ(c·(w·x + b)) at one input. */
export function sigmoidNeuron(w: readonly number[], b: number, c: number, x: readonly number[]): number {
  const z = w.reduce((s, wi, i) => s + wi * x[i], b);
  return noGrad(() => tensor(c * z, { dtype: 'float64' }).sigmoid()).item();
}

export function main(): void {
  console.log('1. A perceptron: output 1 if w·x + b > 0, else 0. With w = (−2, −2), b = 3 it is a NAND gate:');
  const nandNeuron = perceptron([-2, -2], 3);
  const inputs = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const out = nandNeuron(tensor(inputs, { dtype: 'float64' })).data;
  console.log('   x1 x2   w·x + b   output   NAND(x1, x2)');
  inputs.forEach(([a, b], i) => {
    const expected = a && b ? 0 : 1;
    console.log(`    ${a}  ${b}   ${String(-2 * a - 2 * b + 3).padStart(6)}      ${out[i]}         ${expected} ${out[i] === expected ? '✓' : '✗'}`);
  });

  console.log('\n2. NAND is universal: a network of NAND perceptrons adds binary numbers.');
  console.log("   The half adder of the lecture's book (5 NANDs): sum = x1 ⊕ x2, carry = x1·x2");
  {
    const a = tensor([0, 0, 1, 1], { dtype: 'float64' }),
      b = tensor([0, 1, 0, 1], { dtype: 'float64' });
    const n1 = nand(a, b);
    const sum = nand(nand(a, n1), nand(b, n1));
    const carry = nand(n1, n1); // Nielsen draws it as one perceptron with weight −4 from n1: the same
    console.log('   x1 x2   sum carry   x1 + x2');
    for (let i = 0; i < 4; i++) {
      const ok = sum.data[i] + 2 * carry.data[i] === a.data[i] + b.data[i];
      console.log(`    ${a.data[i]}  ${b.data[i]}    ${sum.data[i]}    ${carry.data[i]}       ${a.data[i] + b.data[i]} ${ok ? '✓' : '✗'}`);
    }
  }
  const BITS = 4;
  const xs: number[] = [],
    ys: number[] = [];
  for (let x = 0; x < 1 << BITS; x++)
    for (let y = 0; y < 1 << BITS; y++) {
      xs.push(x);
      ys.push(y);
    }
  const { sums, gates } = addWithNands(xs, ys, BITS);
  const wrong = sums.filter((s, i) => s !== xs[i] + ys[i]).length;
  console.log(`   A ${BITS}-bit ripple-carry adder of ${BITS} full adders (${gates} NAND perceptrons), on all ${xs.length} pairs:`);
  for (const i of [0, 37, 150, 255])
    console.log(
      `      ${xs[i].toString(2).padStart(BITS, '0')} + ${ys[i].toString(2).padStart(BITS, '0')} = ${sums[i].toString(2).padStart(BITS + 1, '0')}   (${xs[i]} + ${ys[i]} = ${sums[i]})`,
    );
  console.log(`   ${wrong === 0 ? `all ${xs.length} sums right ✓` : `${wrong} sums wrong ✗`}`);

  console.log('\n3. A sigmoid neuron σ(w·x + b) with w, b scaled by c: as c → ∞ it becomes the perceptron.');
  console.log('   NAND weights w = (−2, −2), b = 3; inputs in [0, 1]², "gap" = max |σ(c(w·x + b)) − perceptron(x)|:');
  console.log('        c   σ at (0,0)   σ at (1,1)   gap where |w·x+b| ≥ 0.1   gap where |w·x+b| ≥ 0.01   σ at (¾, ¾) where w·x+b = 0');
  for (const c of [1, 10, 100, 1000, 10000]) {
    const s00 = sigmoidNeuron([-2, -2], 3, c, [0, 0]),
      s11 = sigmoidNeuron([-2, -2], 3, c, [1, 1]);
    const g1 = sigmoidGap([-2, -2], 3, c, 0.1),
      g2 = sigmoidGap([-2, -2], 3, c, 0.01);
    const edge = sigmoidNeuron([-2, -2], 3, c, [0.75, 0.75]);
    console.log(
      `   ${String(c).padStart(6)}   ${s00.toFixed(6)}     ${s11.toFixed(6)}     ${g1.toExponential(2).padStart(9)}                 ${g2.toExponential(2).padStart(9)}                 ${edge.toFixed(6)}`,
    );
  }
  console.log('   The gap away from the boundary falls like e^(−c·margin): the sigmoid neuron *is* the perceptron in the limit.');
  console.log('   The closer to w·x + b = 0, the larger c must be (uniform convergence fails near the hyperplane), and');
  console.log('   on it σ(c·0) = ½ for every c, while the perceptron says 0: there the limit is not the perceptron.');
  console.log('   What the sigmoid buys: a small change in w or b changes the output a little, so learning by');
  console.log("   gradient descent works (the step function's derivative is 0 almost everywhere).");
}

if (isMain(import.meta.url)) main();
