/**
 * Lecture items 1–2: how many parameters does a neuron, and an MLP, have?
 *
 *   npx tsx examples/parameter-count.ts
 *
 * A neuron with n inputs has n weights and 1 bias: n + 1 parameters. An MLP with layer sizes
 * N₁…N_k has Σᵢ₌₂..k Nᵢ·(Nᵢ₋₁ + 1). We check the formula against counting the scalars in the
 * parameter tensors of a real `nn.MLP`.
 */
import { nn } from '../src/index.js';

console.log('1. A neuron with n inputs has n weights + 1 bias = n + 1 parameters:');
for (const n of [1, 3, 784]) {
  const neuron = new nn.Linear(n, 1); // one neuron = a linear layer with one output
  const counted = neuron.parameters().reduce((s, p) => s + p.size, 0);
  console.log(
    `   n = ${String(n).padStart(3)}: weight ${JSON.stringify(neuron.weight.shape)} + bias ${JSON.stringify(neuron.bias!.shape)} → ${counted} parameters (n + 1 = ${n + 1})`,
  );
}

console.log('\n2. An MLP with sizes N₁…N_k has Σ Nᵢ·(Nᵢ₋₁ + 1) parameters:');
const nets = [
  [784, 30, 10],
  [784, 100, 10],
  [784, 10],
  [784, 30, 30, 10],
  [2, 3, 1],
  [10, 4],
];
console.log('   sizes            formula                                   nn.parameterCount   counted in new nn.MLP(sizes)');
for (const sizes of nets) {
  const formula = sizes
    .slice(1)
    .map((n, i) => `${n}·(${sizes[i]}+1)`)
    .join(' + ');
  const mlp = new nn.MLP(sizes);
  const counted = mlp.parameters().reduce((s, p) => s + p.size, 0);
  const expected = nn.parameterCount(sizes);
  const ok = counted === expected ? '✓' : '✗ MISMATCH';
  console.log(
    `   ${sizes.join('-').padEnd(16)} ${formula.padEnd(41)} ${expected.toLocaleString('en-US').padStart(17)}   ${counted.toLocaleString('en-US').padStart(10)} ${ok}`,
  );
}

console.log("\nThe lecture's network, parameter by parameter:");
for (const [name, p] of new nn.MLP([784, 30, 10]).namedParameters()) {
  console.log(`   ${name.padEnd(16)} shape [${p.shape.join(', ')}]`.padEnd(42) + `${p.size.toLocaleString('en-US').padStart(7)} scalars`);
}
console.log(`   total${' '.repeat(36)}${nn.parameterCount([784, 30, 10]).toLocaleString('en-US').padStart(7)} = 30·785 + 10·31`);
