/**
 * A custom model beyond the MLP, written with the public API only: fit y = sin(x) on a
 * synthetic dataset through a DataLoader with float targets, with LayerNorm and BatchNorm1d,
 * parameter groups, gradient clipping, train/eval modes, and the model saved and loaded in
 * this library's layout and in PyTorch's.
 *
 *   npx tsx examples/regression-sin.ts
 *
 * The PyTorch file loads into the equivalent torch module:
 *
 *   model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.LayerNorm(32), torch.nn.Tanh(),
 *                               torch.nn.Linear(32, 32), torch.nn.BatchNorm1d(32), torch.nn.Tanh(),
 *                               torch.nn.Linear(32, 1))
 *   model.load_state_dict(safetensors.torch.load_file('sin-torch.safetensors'))
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data, nn, noGrad, optim, tensor } from '../src/index.js';

// The dataset: 1,024 points of sin on [-π, π], inputs and targets as [N, 1].
const n = 1024;
const xs = Float32Array.from({ length: n }, (_, i) => -Math.PI + (2 * Math.PI * i) / (n - 1));
const ys = xs.map(Math.sin);
const loader = new data.DataLoader(
  { inputs: { data: xs, shape: [n, 1] }, targets: { data: ys, shape: [n, 1] } },
  { batchSize: 64, seed: 1, dropLast: true },
);

const build = (seed: number): nn.Sequential =>
  new nn.Sequential(
    new nn.Linear(1, 32, { init: 'xavier', seed }),
    new nn.LayerNorm(32),
    new nn.Tanh(),
    new nn.Linear(32, 32, { init: 'xavier', seed: seed + 1 }),
    new nn.BatchNorm1d(32),
    new nn.Tanh(),
    new nn.Linear(32, 1, { init: 'xavier', seed: seed + 2 }),
  );
const model = build(7);

// Two parameter groups: the output layer learns at a tenth of the rate of the rest.
const [head, ...body] = [...model.layers].reverse();
const opt = new optim.Adam([{ params: body.flatMap((m) => m.parameters()) }, { params: head.parameters(), lr: 1e-3 }], { lr: 1e-2 });
// Cosine annealing over the epochs; assigning the rate scales both groups, keeping their 10:1 ratio.
const epochs = 40;
const schedule = new optim.LRScheduler(opt, optim.cosineDecay({ total: epochs }));

const all = { x: tensor(xs, { shape: [n, 1] }), y: tensor(ys, { shape: [n, 1] }) };
const testMse = (m: nn.Module): number => noGrad(() => nn.mseLoss(m.eval().forward(all.x), all.y).item());

console.log(
  `parameters: ${model.parameters().reduce((s, p) => s + p.size, 0)}, buffers: ${model
    .buffers()
    .map((b) => b.size)
    .reduce((a, b) => a + b, 0)} values`,
);
for (let epoch = 0; epoch < epochs; epoch++) {
  model.train();
  let sum = 0,
    maxNorm = 0;
  for (const batch of loader.epoch(epoch)) {
    const loss = nn.mseLoss(model.forward(batch.inputs), batch.targets);
    opt.zeroGrad();
    loss.backward();
    maxNorm = Math.max(maxNorm, optim.clipGradNorm(model.parameters(), 1.0));
    opt.step();
    sum += loss.item();
  }
  schedule.step();
  // The training loss uses each batch's statistics in BatchNorm (noisier); the eval MSE the running ones.
  if (epoch % 10 === 9) {
    console.log(
      `epoch ${epoch + 1}: train loss ${(sum / loader.length).toExponential(2)} · eval MSE ${testMse(model).toExponential(2)} · largest gradient norm ${maxNorm.toFixed(3)} · rates ${opt.paramGroups.map((g) => g.lr.toExponential(1)).join(', ')}`,
    );
  }
}

// Save in both layouts and load each into a fresh model: the same predictions, bit for bit.
const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-sin-'));
for (const layout of ['tensorgrad', 'pytorch'] as const) {
  const path = join(dir, layout === 'pytorch' ? 'sin-torch.safetensors' : 'sin.safetensors');
  nn.save(model, path, { layout });
  const copy = build(99);
  const { missingKeys, unexpectedKeys } = nn.load(copy, path);
  const same = testMse(copy) === testMse(model) && missingKeys.length + unexpectedKeys.length === 0;
  const keys = [...model.stateDict({ layout }).keys()];
  console.log(
    `${layout}: ${path} (${statSync(path).size} bytes), keys ${keys.slice(0, 3).join(', ')}, … ${keys[keys.length - 1]} · reloaded model identical: ${same}`,
  );
}
