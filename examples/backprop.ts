/**
 * Lecture item 13: the slides end on "how do we compute the gradient with respect to all the
 * weights and biases?" The answer this library implements: reverse-mode automatic
 * differentiation (backpropagation) over the computation graph recorded by the forward pass.
 *
 *   npx tsx examples/backprop.ts
 *
 * For the lecture's 784-30-10 network and the quadratic cost on 100 MNIST images, one
 * `backward()` fills the gradient of C for all 23,860 parameters. We check a random sample of
 * those partial derivatives against central finite differences (C(θ + h) − C(θ − h)) / 2h in
 * float64, and compare the cost: finite differences need 2 forward passes *per parameter*, the
 * reverse pass costs a small multiple of one forward pass for all of them at once.
 */
import { nn, data, noGrad, tensor, Rng, type Tensor } from '../src/index.js';
import { isMain } from './lib/cli.js';

/** A 784-30-10 float64 network and a batch to differentiate its cost on. */
export function setup(batch: number, seed = 1): { net: nn.MLP; x: Tensor; y: Tensor } {
  const { train } = data.loadMnist({ trainSize: batch, validationSize: 0 });
  const net = new nn.MLP([784, 30, 10], { seed, dtype: 'float64' });
  const x = tensor(train.images, { shape: [batch, 784], dtype: 'float64' });
  return { net, x, y: nn.oneHot(train.labels, 10).astype('float64') };
}

/** One parameter element: which tensor (by name) and which index, with both derivatives. */
export interface Partial {
  name: string;
  index: number;
  backprop: number;
  numeric: number;
}

/**
 * Runs one backward pass, then checks `samples` random parameter elements by central differences.
 * Returns the checked partials and the time of the forward, the backward, and the checks.
 */
export function checkPartials(
  net: nn.MLP,
  x: Tensor,
  y: Tensor,
  samples: number,
  seed = 2,
): { partials: Partial[]; count: number; forwardMs: number; backwardMs: number } {
  const named = net.namedParameters();
  let forwardMs = Infinity,
    backwardMs = Infinity;
  for (let r = 0; r < 5; r++) {
    // best of 5: the machine may be busy
    net.zeroGrad();
    let t0 = performance.now();
    const loss = nn.quadraticCost(net.forward(x), y);
    forwardMs = Math.min(forwardMs, performance.now() - t0);
    t0 = performance.now();
    loss.backward();
    backwardMs = Math.min(backwardMs, performance.now() - t0);
  }
  const cost = (): number => noGrad(() => nn.quadraticCost(net.forward(x), y).item());
  const rng = new Rng(seed);
  const h = 1e-4; // float64: the O(h²) truncation error is ~1e-10 here, while rounding in C grows like 1/h below that
  const partials: Partial[] = [];
  const picked = new Set<string>();
  while (partials.length < samples) {
    const [name, p] = named[rng.int(named.length)];
    const index = rng.int(p.size);
    if (picked.has(`${name}#${index}`)) continue;
    picked.add(`${name}#${index}`);
    const keep = p.data[index];
    p.data[index] = keep + h;
    const up = cost();
    p.data[index] = keep - h;
    const down = cost();
    p.data[index] = keep;
    partials.push({ name, index, backprop: p.grad!.data[index], numeric: (up - down) / (2 * h) });
  }
  return { partials, count: named.reduce((n, [, p]) => n + p.size, 0), forwardMs, backwardMs };
}

function main(): void {
  const BATCH = 100,
    SAMPLES = 12;
  const { net, x, y } = setup(BATCH);
  const { partials, count, forwardMs, backwardMs } = checkPartials(net, x, y, SAMPLES);
  console.log(`784-30-10 sigmoid network (float64), quadratic cost C on ${BATCH} MNIST images.`);
  console.log(
    `One backward() gave ∂C/∂θ for all ${count.toLocaleString('en-US')} parameters (= nn.parameterCount([784, 30, 10]) = ${nn.parameterCount([784, 30, 10]).toLocaleString('en-US')}).\n`,
  );
  console.log(`${SAMPLES} of them, checked by central differences (h = 1e-4):`);
  console.log('   parameter          index     backprop            finite difference    relative error');
  let worst = 0;
  for (const p of partials) {
    const rel = Math.abs(p.backprop - p.numeric) / Math.max(1e-12, Math.abs(p.numeric), Math.abs(p.backprop));
    if (Math.abs(p.numeric) > 1e-12) worst = Math.max(worst, rel);
    console.log(
      `   ${p.name.padEnd(16)} ${String(p.index).padStart(7)}   ${p.backprop.toExponential(8).padStart(16)}   ${p.numeric.toExponential(8).padStart(16)}   ${rel.toExponential(1).padStart(10)}`,
    );
  }
  console.log(`   worst relative error (where the derivative is not ~0): ${worst.toExponential(1)} ${worst < 1e-6 ? '✓' : '✗'}\n`);
  const fdMs = 2 * count * forwardMs;
  console.log(
    `Cost: forward pass ${forwardMs.toFixed(2)} ms, backward pass ${backwardMs.toFixed(2)} ms (${(backwardMs / forwardMs).toFixed(1)}× a forward).`,
  );
  console.log(
    `Finite differences for every parameter would take 2 × ${count.toLocaleString('en-US')} forward passes ≈ ${(fdMs / 1000).toFixed(0)} s,`,
  );
  console.log(
    `about ${Math.round(fdMs / (forwardMs + backwardMs)).toLocaleString('en-US')}× the forward + backward. That is why training uses backpropagation:`,
  );
  console.log('the reverse pass reuses every intermediate value of the forward pass and applies the chain rule once per');
  console.log('operation, so the whole gradient costs a small constant times one evaluation of C, however many parameters.');
  console.log('(examples/value-engine.ts shows the same reverse pass on a graph of scalars, one neuron at a time.)');
}

if (isMain(import.meta.url)) main();
