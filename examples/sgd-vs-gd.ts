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
import { isMain } from './lib/cli.js';

/** One training run: batch size, learning rate, passes, and the seeds of the net and the shuffling. */
export interface RunSpec {
  m: number;
  eta: number;
  passes: number;
  netSeed?: number;
  shuffleSeed?: number;
}

/**
 * Trains a 784-30-10 sigmoid net with the quadratic cost on `train` and returns C over the whole
 * of `train` at the start and after every third of a pass (1 + 3·passes values).
 *
 * "After ⅓ of a pass" means: the parameters as left by every update whose mini-batch lies
 * entirely within the first third of the pass's examples. A full-batch GD step needs the whole
 * pass, so at ⅓ and ⅔ GD still has its parameters from before that pass's one update; only at
 * 3⁄3 has it moved. (Recording after the first update that *reaches* a checkpoint instead would
 * credit GD's one update to the ⅓ mark, which is the bug this example once had.)
 */
export function costAtThirds(train: data.Dataset, spec: RunSpec): { costs: number[]; updates: number; net: nn.MLP } {
  const n = train.count;
  const X = tensor(train.images, { shape: [n, train.features] });
  const Y = nn.oneHot(train.labels, 10);
  const fullCost = (): number => noGrad(() => nn.quadraticCost(net.forward(X), Y).item());
  const net = new nn.MLP([train.features, 30, 10], { seed: spec.netSeed ?? 1 });
  const opt = new optim.SGD(net.parameters(), { lr: spec.eta });
  const loader = new data.DataLoader(train, { batchSize: spec.m, seed: spec.shuffleSeed ?? 3 });
  const costs = [fullCost()];
  let updates = 0;
  for (let e = 0; e < spec.passes; e++) {
    const marks = [n / 3, (2 * n) / 3]; // the 3⁄3 mark is recorded after the pass
    let seen = 0; // examples whose update has been applied in this pass
    for (const b of loader.epoch(e)) {
      const end = seen + b.labels.length;
      // Every mark this batch's update would cross is recorded before the update.
      while (marks.length > 0 && marks[0] < end) {
        costs.push(fullCost());
        marks.shift();
      }
      const loss: Tensor = nn.quadraticCost(net.forward(b.inputs), b.targets);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      updates++;
      seen = end;
    }
    for (const _ of marks) costs.push(fullCost());
    costs.push(fullCost());
  }
  return { costs, updates, net };
}

/** Cosine similarity between mini-batch gradients (first `batches` batches) and the full gradient. */
export function gradientCosines(train: data.Dataset, m: number, batches: number): number[] {
  const n = train.count;
  const net = new nn.MLP([train.features, 30, 10], { seed: 1 });
  const params = net.parameters();
  const flatGrad = (): Float64Array => {
    const out = new Float64Array(params.reduce((s, p) => s + p.size, 0));
    let at = 0;
    for (const p of params) {
      out.set(p.grad!.data, at);
      at += p.size;
    }
    return out;
  };
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };
  net.zeroGrad();
  nn.quadraticCost(net.forward(tensor(train.images, { shape: [n, train.features] })), nn.oneHot(train.labels, 10)).backward();
  const full = flatGrad();
  const cos: number[] = [];
  for (const b of new data.DataLoader(train, { batchSize: m, seed: m }).epoch(0)) {
    if (cos.length >= batches) break;
    net.zeroGrad();
    nn.quadraticCost(net.forward(b.inputs), b.targets).backward();
    const g = flatGrad();
    cos.push(dot(g, full) / Math.sqrt(dot(g, g) * dot(full, full)));
  }
  return cos;
}

function main(): void {
  const N = 2000,
    PASSES = 3,
    ETA = 3;
  const { train, test } = data.loadMnist({ trainSize: N, validationSize: 0 });
  const testX = tensor(test.images.subarray(0, 2000 * 784), { shape: [2000, 784] });
  const testLabels = test.labels.subarray(0, 2000);

  // ---- How noisy is a mini-batch gradient? (item 10: ∇C ≈ (1/m) Σⱼ ∇C_Xⱼ) ----
  console.log(`Gradient noise: cosine similarity between the mini-batch gradient and the full gradient over ${N} examples`);
  for (const m of [1, 10, 100, 1000]) {
    const cos = gradientCosines(train, m, 50);
    const mean = cos.reduce((a, b) => a + b, 0) / cos.length;
    const sd = Math.sqrt(cos.reduce((a, b) => a + (b - mean) ** 2, 0) / cos.length);
    console.log(`   m = ${String(m).padStart(4)}: cos = ${mean.toFixed(3)} ± ${sd.toFixed(3)}  ${'█'.repeat(Math.max(0, Math.round(mean * 40)))}`);
  }
  console.log('   (1 = the exact direction of −∇C; a larger mini-batch estimates it better, a single example poorly)\n');

  // ---- Training: same data, same passes, different batch sizes ----
  const runs = [
    { name: 'full-batch GD', m: N },
    { name: 'mini-batch SGD', m: 10 },
    { name: 'online (m = 1)', m: 1 },
  ];
  console.log(`Training 784-30-10 sigmoid, quadratic cost, η = ${ETA}, ${PASSES} passes over ${N} MNIST training images (a subset: the`);
  console.log(`point is the shape of the curves, not the final accuracy). C over all ${N} at the start and after each ⅓ pass;`);
  console.log('"after ⅓ pass" = the parameters left by the updates whose mini-batches fit in the first third of the pass:\n');
  console.log(
    '   method            m      updates   start' + [1, 2, 3].map((p) => `   ${`pass ${p} (⅓ ⅔ 3⁄3)`.padEnd(17)}`).join('') + '   accuracy*  time',
  );
  for (const run of runs) {
    const t0 = performance.now();
    const r = costAtThirds(train, { m: run.m, eta: ETA, passes: PASSES });
    const seconds = (performance.now() - t0) / 1000;
    const acc = noGrad(() => nn.accuracy(r.net.forward(testX), testLabels));
    const cs = r.costs.map((c) => c.toFixed(3));
    const passes = [0, 1, 2].map((p) => '   ' + cs.slice(1 + 3 * p, 4 + 3 * p).join(' ')).join('');
    console.log(
      `   ${run.name.padEnd(16)} ${String(run.m).padStart(5)} ${String(r.updates).padStart(10)}   ${cs[0]}${passes}   ${(100 * acc).toFixed(1).padStart(5)}%   ${seconds.toFixed(1)} s`,
    );
  }
  console.log('   * on the first 2,000 test images');
  console.log("   Full-batch GD moves once per pass: its cost at ⅓ and ⅔ is the cost before that pass's update.");

  // Cost along the updates of the online run, to see its noise: the per-example cost jumps around.
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
    const rows = 8,
      maxC = Math.max(...per);
    const cols: [number, number][] = [];
    for (let i = 0; i < per.length; i += 10) {
      const chunk = per.slice(i, i + 10);
      cols.push([Math.min(...chunk), Math.max(...chunk)]);
    }
    for (let r = rows - 1; r >= 0; r--) {
      const lo = (r / rows) * maxC,
        hi = ((r + 1) / rows) * maxC;
      const line = cols.map(([mn, mx]) => (mx >= lo && mn < hi ? '█' : ' ')).join('');
      console.log(`   ${hi.toFixed(2).padStart(5)} │${line}`);
    }
    console.log(`         └${'─'.repeat(cols.length)} updates 1…300`);
  }
  console.log('\nFull-batch GD takes one careful step per pass and barely moves in 3 passes; mini-batches make many');
  console.log('cheap, slightly noisy steps and get much further for the same work; single examples are noisier still.');
  console.log('(examples/online-learning.ts shows what mislabelled examples do to each batch size.)');
}

if (isMain(import.meta.url)) main();
