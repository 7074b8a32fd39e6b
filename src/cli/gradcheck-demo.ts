/**
 * `tensorgrad gradcheck`: checks the gradient of the lecture's network against finite
 * differences — the answer to the lecture's closing question, verified.
 *
 * The check runs the real `nn.MLP.forward` (its `Linear` layers and activations): the tensors
 * `gradcheck` perturbs are put in place of the model's weights and biases for each evaluation.
 */
import { gradcheck, tensor, Rng, type GradcheckReport, type Tensor } from '../autograd/index.js';
import * as nn from '../nn/index.js';
import { loadMnist } from '../data/index.js';
import { formatInt } from './format.js';

/** One gradcheck run of the demo, with what was checked. */
export interface GradcheckDemoResult {
  name: string;
  parameters: number;
  tensors: number;
  report: GradcheckReport;
  seconds: number;
}

/**
 * The quadratic cost of `model` on `(x, y)` as a function of the model's parameters, for
 * `gradcheck`: the given tensors stand in for the `Linear` layers' weights and biases (in
 * `parameters()` order) during the call, and the originals are put back afterwards.
 *
 * @example
 * ```ts
 * const model = new nn.MLP([4, 3, 2], { dtype: 'float64' });
 * const f = costOfParameters(model, x, y);
 * gradcheck(f, model.parameters()).ok; // true
 * ```
 */
export function costOfParameters(model: nn.MLP, x: Tensor, y: Tensor): (...params: Tensor[]) => Tensor {
  type Slots = { weight: Tensor; bias: Tensor | null };
  const layers = model.layers as unknown as Slots[];
  return (...params: Tensor[]) => {
    const saved = layers.map((l) => [l.weight, l.bias] as const);
    let k = 0;
    for (const l of layers) {
      l.weight = params[k++];
      if (l.bias !== null) l.bias = params[k++];
    }
    try {
      return nn.quadraticCost(model.forward(x), y);
    } finally {
      layers.forEach((l, i) => {
        l.weight = saved[i][0];
        l.bias = saved[i][1];
      });
    }
  };
}

/** `count` MNIST test images as float64 inputs and one-hot targets; random ones if MNIST is unavailable. */
function sampleBatch(count: number, features: number, seed: number): { x: Tensor; y: Tensor; source: string } {
  if (features === 784) {
    try {
      const { test } = loadMnist({ trainSize: 0, validationSize: 0 });
      const start = new Rng(seed).int(test.count - count);
      const x = tensor(Float64Array.from(test.images.subarray(start * 784, (start + count) * 784)), { shape: [count, 784] });
      return { x, y: nn.oneHot(test.labels.subarray(start, start + count), 10, 'float64'), source: `${count} MNIST test images` };
    } catch {
      // fall through to random data
    }
  }
  const rng = new Rng(seed);
  const xs = new Float64Array(count * features);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.uniform();
  const labels = Array.from({ length: count }, () => rng.int(10));
  return { x: tensor(xs, { shape: [count, features] }), y: nn.oneHot(labels, 10, 'float64'), source: `${count} random inputs` };
}

/**
 * Runs the demo's two checks: the 784-30-10 sigmoid MLP's quadratic cost w.r.t. all 23,860
 * parameters in fast directional mode (`directions` random vᵀJu comparisons), and a small
 * 6-5-10 MLP's cost per element.
 *
 * @example
 * ```ts
 * for (const r of runGradcheckDemo({ seed: 1, directions: 8 })) console.log(r.name, r.report.ok);
 * ```
 */
export function runGradcheckDemo(opts: { seed: number; directions: number }): GradcheckDemoResult[] {
  const results: GradcheckDemoResult[] = [];
  const run = (name: string, sizes: number[], batch: number, mode: 'fast' | 'full'): void => {
    const model = new nn.MLP(sizes, { activation: 'sigmoid', seed: opts.seed, dtype: 'float64' });
    const { x, y, source } = sampleBatch(batch, sizes[0], opts.seed);
    const params = model.parameters();
    const t0 = performance.now();
    const report = gradcheck(costOfParameters(model, x, y), params, { mode, directions: opts.directions, seed: opts.seed });
    results.push({
      name: `${name}: ${sizes.join('-')} sigmoid MLP, quadratic cost on ${source}, ${mode === 'fast' ? `fast mode (${opts.directions} random directions)` : 'every element'}`,
      parameters: params.reduce((n, p) => n + p.size, 0),
      tensors: params.length,
      report,
      seconds: (performance.now() - t0) / 1000,
    });
  };
  run('lecture network', [784, 30, 10], 10, 'fast');
  run('small network', [6, 5, 10], 4, 'full');
  return results;
}

/** A gradcheck report in a few readable lines. */
export function formatGradcheckResult(r: GradcheckDemoResult): string {
  const rep = r.report;
  const lines = [
    `${r.name}`,
    `  ${formatInt(r.parameters)} parameters in ${r.tensors} tensors · ${formatInt(rep.checked)} comparisons · ${r.seconds.toFixed(2)} s`,
    `  ${rep.ok ? 'OK' : 'FAILED'} · max abs error ${rep.maxAbsError.toExponential(2)} · max rel error ${rep.maxRelError.toExponential(2)}`,
  ];
  if (rep.worst !== null) {
    const w = rep.worst;
    const where = rep.mode === 'fast' ? `direction ${w.index[0]}` : `parameter tensor ${w.input} at [${w.index.join(', ')}]`;
    lines.push(`  closest to tolerance: ${where}: analytic ${w.analytic.toExponential(6)} vs numeric ${w.numeric.toExponential(6)}`);
  }
  for (const f of rep.failures) lines.push(`  ✗ ${f}`);
  return lines.join('\n');
}
