/**
 * Lecture items 9, 10 and 12: full-batch gradient descent vs mini-batch SGD vs online learning.
 *
 *   npx tsx examples/sgd-vs-gd.ts
 *
 * Item 9: the gradient of C = (1/n) Σ C_x needs every training example, so one GD step costs a
 * whole pass. Item 10: SGD estimates ∇C from a mini-batch of m examples, taking n/m steps per
 * pass. Item 12: online learning (m = 1) updates fastest but follows a noisy estimate.
 *
 * We train the lecture's 784-30-10 sigmoid network with the quadratic cost on 2,000 MNIST
 * images for the same 3 passes over the data, and first measure how noisy the mini-batch
 * gradient is for m = 1, 10, 100 compared with the full gradient.
 */
import { nn, optim, data, noGrad, tensor, type Tensor } from '../src/index.js';

const N = 2000, PASSES = 3, ETA = 3;
const { train, test } = data.loadMnist({ trainSize: N, validationSize: 0 });
const X = tensor(train.images, { shape: [N, 784] });
const Y = nn.oneHot(train.labels, 10);
const testX = tensor(test.images.subarray(0, 2000 * 784), { shape: [2000, 784] });
const testLabels = test.labels.subarray(0, 2000);

const fullCost = (net: nn.MLP): number => noGrad(() => nn.quadraticCost(net.forward(X), Y).item());
const accuracy = (net: nn.MLP): number => noGrad(() => nn.accuracy(net.forward(testX), testLabels));
const flatGrad = (net: nn.MLP): Float64Array => Float64Array.from(net.parameters().flatMap((p) => Array.from(p.grad!.data)));

// ---- How noisy is a mini-batch gradient? (item 10: ∇C ≈ (1/m) Σⱼ ∇C_Xⱼ) ----
console.log(`Gradient noise: cosine similarity between the mini-batch gradient and the full gradient over ${N} examples`);
{
  const net = new nn.MLP([784, 30, 10], { seed: 1 });
  net.zeroGrad();
  nn.quadraticCost(net.forward(X), Y).backward();
  const full = flatGrad(net);
  const norm = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const loader = (m: number) => new data.DataLoader(train, { batchSize: m, seed: m });
  for (const m of [1, 10, 100, 1000]) {
    const cos: number[] = [];
    let k = 0;
    for (const b of loader(m).epoch(0)) {
      if (k++ >= 50) break;
      net.zeroGrad();
      nn.quadraticCost(net.forward(b.inputs), b.targets).backward();
      const g = flatGrad(net);
      cos.push(g.reduce((s, x, i) => s + x * full[i], 0) / (norm(g) * norm(full)));
    }
    const mean = cos.reduce((a, b) => a + b, 0) / cos.length;
    const sd = Math.sqrt(cos.reduce((a, b) => a + (b - mean) ** 2, 0) / cos.length);
    console.log(`   m = ${String(m).padStart(4)}: cos = ${mean.toFixed(3)} ± ${sd.toFixed(3)}  ${'█'.repeat(Math.max(0, Math.round(mean * 40)))}`);
  }
}
console.log('   (1 = the exact direction of −∇C; a larger mini-batch estimates it better, a single example poorly)\n');

// ---- Training: same data, same passes, different batch sizes ----
interface Run { name: string; m: number; eta: number }
const runs: Run[] = [
  { name: 'full-batch GD', m: N, eta: ETA },
  { name: 'mini-batch SGD', m: 10, eta: ETA },
  { name: 'online (m = 1)', m: 1, eta: ETA },
];
console.log(`Training 784-30-10 sigmoid, quadratic cost, η = ${ETA}, ${PASSES} passes over ${N} images (cost C over all ${N} after each ⅓ pass):`);
const results: { run: Run; updates: number; costs: number[]; acc: number; seconds: number }[] = [];
for (const run of runs) {
  const net = new nn.MLP([784, 30, 10], { seed: 1 });
  const opt = new optim.SGD(net.parameters(), { lr: run.eta });
  const loader = new data.DataLoader(train, { batchSize: run.m, seed: 3 });
  const costs = [fullCost(net)];
  let updates = 0;
  const t0 = performance.now();
  // Measure C after each third of a pass (GD, with one update per pass, only moves at the end of one).
  const checkpoints = [1, 2, 3].map((k) => Math.max(1, Math.round((k * loader.length) / 3)));
  for (let e = 0; e < PASSES; e++) {
    let i = 0;
    for (const b of loader.epoch(e)) {
      const loss: Tensor = nn.quadraticCost(net.forward(b.inputs), b.targets);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      updates++;
      i++;
      for (const c of checkpoints) if (c === i) costs.push(fullCost(net));
    }
  }
  results.push({ run, updates, costs, acc: accuracy(net), seconds: (performance.now() - t0) / 1000 });
}
console.log('\n   method            m      updates   cost after each ⅓ pass' + ' '.repeat(38) + 'accuracy*  time');
for (const r of results) {
  const cs = r.costs.map((c) => c.toFixed(3)).join(' ');
  console.log(`   ${r.run.name.padEnd(16)} ${String(r.run.m).padStart(5)} ${String(r.updates).padStart(10)}   ${cs}   ${(100 * r.acc).toFixed(1).padStart(5)}%   ${r.seconds.toFixed(1)} s`);
}

// Cost along the updates of the online run, to see its noise: the per-example cost jumps around.
console.log(`   * on the first 2,000 test images`);
console.log('\nOnline learning: the cost of the example just used, over the first 300 updates (one column = 10 updates, max and min):');
{
  const net = new nn.MLP([784, 30, 10], { seed: 1 });
  const opt = new optim.SGD(net.parameters(), { lr: ETA });
  const per: number[] = [];
  for (const b of new data.DataLoader(train, { batchSize: 1, seed: 5 }).epoch(0)) {
    if (per.length >= 300) break;
    const loss = nn.quadraticCost(net.forward(b.inputs), b.targets);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    per.push(loss.item());
  }
  const rows = 8, maxC = Math.max(...per);
  const cols: [number, number][] = [];
  for (let i = 0; i < per.length; i += 10) {
    const chunk = per.slice(i, i + 10);
    cols.push([Math.min(...chunk), Math.max(...chunk)]);
  }
  for (let r = rows - 1; r >= 0; r--) {
    const lo = (r / rows) * maxC, hi = ((r + 1) / rows) * maxC;
    const line = cols.map(([mn, mx]) => (mx >= lo && mn < hi ? '█' : ' ')).join('');
    console.log(`   ${hi.toFixed(2).padStart(5)} │${line}`);
  }
  console.log(`         └${'─'.repeat(cols.length)} updates 1…300`);
}
console.log('\nFull-batch GD takes one careful step per pass and barely moves in 3 passes; mini-batches make many');
console.log('cheap, slightly noisy steps and get much further for the same work; single examples are noisier still.');
