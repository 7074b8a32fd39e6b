/**
 * The scalar engine (micrograd-style `Value`): one neuron, its backward pass, and its gradients.
 *
 *   npx tsx examples/value-engine.ts
 *
 * Each `Value` remembers the op that made it; `backward()` walks the graph in reverse and fills
 * every ancestor's `.grad` with ∂out/∂(that value). We compare with derivatives by hand and by
 * finite differences, then train a tiny Value-based neuron.
 */
import { Value, gradcheck } from '../src/index.js';

// A neuron with two inputs: out = tanh(x1·w1 + x2·w2 + b).
const x1 = new Value(2.0, 'x1'),
  x2 = new Value(0.0, 'x2');
const w1 = new Value(-3.0, 'w1'),
  w2 = new Value(1.0, 'w2');
const b = new Value(6.8813735870195432, 'b');
const n = x1.mul(w1).add(x2.mul(w2)).add(b);
const out = n.tanh();
out.backward();

console.log(`out = tanh(x1·w1 + x2·w2 + b) = tanh(${n.data.toFixed(4)}) = ${out.data.toFixed(4)}\n`);
const dTanh = 1 - out.data ** 2; // tanh'(n)
const rows: [string, Value, number][] = [
  ['x1', x1, dTanh * w1.data],
  ['w1', w1, dTanh * x1.data],
  ['x2', x2, dTanh * w2.data],
  ['w2', w2, dTanh * x2.data],
  ['b', b, dTanh],
];
console.log('value   data      grad (backward)   by hand: (1 − out²)·…');
for (const [name, v, hand] of rows) {
  console.log(`${name.padEnd(6)} ${v.data.toFixed(4).padStart(7)}   ${v.grad.toFixed(6).padStart(12)}      ${hand.toFixed(6).padStart(10)}`);
}

const report = gradcheck(
  (a: Value, c: Value, d: Value, e: Value, f: Value) => a.mul(c).add(d.mul(e)).add(f).tanh(),
  [new Value(2), new Value(-3), new Value(0), new Value(1), new Value(6.8813735870195432)],
);
console.log(`\ngradcheck against finite differences: ${report.ok ? 'OK ✓' : 'FAILED ✗'} (max abs error ${report.maxAbsError.toExponential(2)})`);

// backward() accumulates: calling it twice doubles the grads unless you zeroGrad() in between.
out.backward();
console.log(`\nbackward() accumulates, as in PyTorch: after a second backward(), w1.grad = ${w1.grad.toFixed(6)} (twice the above)`);
for (const v of [x1, x2, w1, w2, b]) v.zeroGrad();

// Train a single sigmoid neuron to compute OR with plain gradient descent on Values.
console.log('\nTraining one sigmoid neuron on OR with gradient descent (η = 2):');
const w = [new Value(0.1, 'wa'), new Value(-0.1, 'wb')],
  bias = new Value(0, 'bias');
const data: [number, number, number][] = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 1],
];
for (let step = 0; step <= 300; step++) {
  let loss = new Value(0);
  for (const [a, c, t] of data) {
    const p = w[0].mul(a).add(w[1].mul(c)).add(bias).sigmoid();
    loss = loss.add(p.sub(t).pow(2));
  }
  loss = loss.div(2 * data.length); // the lecture's quadratic cost
  for (const p of [...w, bias]) p.grad = 0;
  loss.backward();
  for (const p of [...w, bias]) p.data -= 2 * p.grad;
  if (step % 100 === 0) console.log(`   step ${String(step).padStart(3)}: C = ${loss.data.toFixed(5)}`);
}
for (const [a, c, t] of data) {
  const p = w[0].mul(a).add(w[1].mul(c)).add(bias).sigmoid().data;
  console.log(`   OR(${a}, ${c}) = ${t}: neuron says ${p.toFixed(3)}`);
}
