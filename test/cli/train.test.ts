import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/index.js';
import { decodeSafetensors } from '../../src/nn/safetensors.js';
import { parseTrainArgs } from '../../src/cli/args.js';
import { trainMnist, type EpochMetrics, type TrainSplits } from '../../src/cli/train.js';
import { writeRun } from '../../src/cli/run-files.js';
import { formatConfusionMatrix, formatEpochLine, stallWarning } from '../../src/cli/format.js';
import { confusionMatrix, evaluateModel, silentClasses } from '../../src/cli/evaluate.js';
import { loadModel } from '../../src/cli/model-file.js';
import { niceTicks, renderCurves } from '../../src/cli/svg.js';
import { ProgressReporter } from '../../src/cli/progress.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EPOCH_LINE =
  /^Epoch (\d+): cost \d+\.\d{3} · validation \d{1,3}(,\d{3})*\/10,000 \(\d{1,3}\.\d{2}%\) · test \d{1,3}(,\d{3})*\/10,000 \(\d{1,3}\.\d{2}%\) · \d+\.\d s$/;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A synthetic 3-class problem with 4 features: the class is the index of the largest of the first 3 features. */
function synthetic(count: number, seed: number): TrainSplits['train'] {
  const rng = new Rng(seed);
  const images = new Float32Array(count * 4);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let j = 0; j < 4; j++) images[i * 4 + j] = rng.uniform();
    for (let j = 1; j < 3; j++) if (images[i * 4 + j] > images[i * 4 + best]) best = j;
    labels[i] = best;
  }
  return { images, labels, count, features: 4 };
}

describe('tensorgrad train on real MNIST (subprocess)', () => {
  let dir: string;
  let run: ReturnType<typeof cli>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-cli-'));
    run = cli(['train', '--train-limit', '500', '--epochs', '1', '--out', join(dir, 'run')]);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints the configuration, the parameter count and one epoch line in the documented style', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(run.stdout).toMatch(/MLP 784-30-10/);
    expect(run.stdout).toMatch(/23,860 = 30·\(784\+1\) \+ 10·\(30\+1\)/);
    expect(run.stdout).toMatch(/train 500 · validation 10,000 · test 10,000/);
    const epochLines = lines.filter((l) => l.startsWith('Epoch '));
    expect(epochLines).toHaveLength(1);
    expect(epochLines[0]).toMatch(EPOCH_LINE);
    // The run folder is announced before training starts.
    const runLine = lines.findIndex((l) => l.startsWith('Run       '));
    expect(runLine).toBeGreaterThan(0);
    expect(lines[runLine]).toContain(join(dir, 'run'));
    expect(runLine).toBeLessThan(lines.indexOf(epochLines[0]));
    const tail = lines.filter(Boolean).slice(-3);
    expect(tail[0]).toMatch(/^Wrote .*model\.safetensors/);
    expect(tail[1]).toMatch(/^Wrote .*metrics\.json$/);
    expect(tail[2]).toMatch(/^Wrote .*curves\.svg$/);
  });

  it('writes model.safetensors, metrics.json, curves.svg and the checkpoint, nothing else (no temporary files), all parseable', () => {
    const out = join(dir, 'run');
    expect(readdirSync(out).sort()).toEqual(['checkpoint.safetensors', 'curves.svg', 'metrics.json', 'model.safetensors']);
    const { tensors, metadata } = decodeSafetensors(readFileSync(join(out, 'model.safetensors')));
    expect([...tensors].map(([n, t]) => [n, t.shape])).toEqual([
      ['layers.0.weight', [784, 30]],
      ['layers.0.bias', [30]],
      ['layers.1.weight', [30, 10]],
      ['layers.1.bias', [10]],
    ]);
    expect(metadata).toMatchObject({ sizes: '784,30,10', activation: 'sigmoid', outputActivation: 'sigmoid', loss: 'quadratic', epochs: '1' });
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.config).toMatchObject({ sizes: [784, 30, 10], epochs: 1, trainLimit: 500 });
    expect(metrics.epochs).toHaveLength(1);
    expect(metrics.epochs[0]).toMatchObject({ epoch: 1 });
    for (const k of ['cost', 'valAccuracy', 'testAccuracy', 'seconds']) expect(typeof metrics.epochs[0][k]).toBe('number');
    expect(metrics.epochs[0].testAccuracy).toBeGreaterThan(0.15); // 500 images, one epoch: above chance (10%)
    const svg = readFileSync(join(out, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toMatch(/training cost/);
    expect(svg).toMatch(/test accuracy/);
    expect(svg).toMatch(/<title>/);
  });

  it('tensorgrad evaluate rebuilds the model and prints its test accuracy and a 10×10 confusion matrix', () => {
    const model = join(dir, 'run', 'model.safetensors');
    const r = cli(['evaluate', '--model', model]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics.json'), 'utf8'));
    const pct = (100 * metrics.epochs[0].testAccuracy).toFixed(2);
    expect(r.stdout).toMatch(new RegExp(`accuracy ${pct.replace('.', '\\.')}%`));
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.includes('true\\pred'));
    expect(head).toBeGreaterThan(0);
    const rows = lines.slice(head + 2, head + 12);
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const total = rows.reduce(
      (s, l) =>
        s +
        l
          .split('│')[0]
          .trim()
          .split(/\s+/)
          .slice(1)
          .reduce((a, v) => a + Number(v.replace(/,/g, '')), 0),
      0,
    );
    expect(total).toBe(10000);
    expect(new Set(rows.map((l) => l.indexOf('│'))).size).toBe(1); // aligned
  });

  it('evaluate fails clearly on a corrupt model (exit 1) and a missing one (exit 2)', () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, readFileSync(join(dir, 'run', 'model.safetensors')).subarray(0, 500));
    const corrupt = cli(['evaluate', '--model', bad]);
    expect(corrupt.status).toBe(1);
    expect(corrupt.stderr).toMatch(/^tensorgrad: error: decodeSafetensors: .*bad\.safetensors: /);
    const missing = cli(['evaluate', '--model', join(dir, 'nope.safetensors')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--model: file '.*nope\.safetensors' does not exist/);
  }, 30_000);
});

describe('trainMnist (in process, synthetic data)', () => {
  const splits: TrainSplits = { train: synthetic(600, 1), validation: synthetic(200, 2), test: synthetic(300, 3) };
  const config = { ...parseTrainArgs(['--sizes', '4,16,3', '--epochs', '3', '--batch', '20', '--lr', '2']) };

  it('reports progress and epochs through hooks, learns, and is reproducible for a seed', () => {
    const seen: EpochMetrics[] = [];
    let progressCalls = 0;
    const r = trainMnist(config, { onEpoch: (m) => seen.push(m), onProgress: () => progressCalls++ }, splits);
    expect(seen).toHaveLength(3);
    expect(progressCalls).toBe(3 * 30);
    expect(r.parameterCount).toBe(16 * 5 + 3 * 17);
    expect(seen[2].cost).toBeLessThan(seen[0].cost);
    expect(seen[2].testAccuracy).toBeGreaterThan(0.6);
    expect(seen[0].valCount).toBe(200);
    const again = trainMnist(config, {}, splits);
    expect(again.epochs.map((m) => m.cost)).toEqual(seen.map((m) => m.cost));
  });

  it('trains with every loss and optimizer', () => {
    for (const flags of [
      ['--loss', 'cross-entropy', '--lr', '0.5'],
      ['--loss', 'mse'],
      ['--optimizer', 'momentum', '--schedule', 'step'],
      ['--optimizer', 'adam', '--lr', '0.01', '--schedule', 'cosine'],
    ]) {
      const c = parseTrainArgs(['--sizes', '4,8,3', '--epochs', '2', '--batch', '10', ...flags]);
      const r = trainMnist(c, {}, splits);
      expect(r.epochs.every((m) => Number.isFinite(m.cost))).toBe(true);
    }
  });

  it('writeRun writes the three files atomically (no temporary files remain) and loadModel round-trips', () => {
    const r = trainMnist({ ...config, epochs: 2 }, {}, splits);
    const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-run-'));
    try {
      const files = writeRun(join(dir, 'nested', 'out'), r);
      expect(readdirSync(files.dir).sort()).toEqual(['curves.svg', 'metrics.json', 'model.safetensors']);
      const { model } = loadModel(readFileSync(files.model), files.model);
      const a = evaluateModel(model, splits.test, 64, 3);
      const b = evaluateModel(r.model, splits.test, 1000, 3);
      expect(a).toEqual(b);
      expect(a.correct).toBe(r.epochs[1].testCorrect);
      writeRun(files.dir, r); // overwriting is fine too
      expect(readdirSync(files.dir)).toHaveLength(3);
      expect(existsSync(files.curves)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('output formatting', () => {
  const m: EpochMetrics = {
    epoch: 7,
    cost: 0.0412,
    valAccuracy: 0.9412,
    testAccuracy: 0.9398,
    valCorrect: 9412,
    valCount: 10000,
    testCorrect: 9398,
    testCount: 10000,
    lr: 3,
    silentClasses: [],
    trainSeconds: 0.8,
    seconds: 0.94,
  };

  it('prints the epoch line exactly in the documented style', () => {
    expect(formatEpochLine(m)).toBe('Epoch 7: cost 0.041 · validation 9,412/10,000 (94.12%) · test 9,398/10,000 (93.98%) · 0.9 s');
    expect(formatEpochLine(m)).toMatch(EPOCH_LINE);
  });

  it('names the classes a model never predicts, and warns about the stall once it shows', () => {
    expect(silentClasses(new Int32Array([0, 1, 3, 3]), 5)).toEqual([2, 4]);
    expect(silentClasses(new Int32Array([]), 5)).toEqual([]);
    const w = stallWarning([6], { seed: 1, init: 'normal' });
    expect(w).toMatch(/class 6 is never predicted/);
    expect(w).toMatch(/--seed \(this is 1\) or --init xavier/);
    expect(stallWarning([2, 6], { seed: 3, init: 'xavier' })).toMatch(/classes 2, 6 are never predicted.*this is 3\)\.$/);
  });

  it('counts and aligns a confusion matrix', () => {
    const mat = confusionMatrix([0, 1, 1, 2], [0, 1, 0, 2], 3);
    expect(mat).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    const text = formatConfusionMatrix(mat).split('\n');
    expect(text).toHaveLength(5);
    expect(new Set([text[0], ...text.slice(2)].map((l) => l.indexOf('│'))).size).toBe(1);
    expect(text[3]).toMatch(/50\.0%$/);
  });

  it('renders curves for one epoch, many epochs, and none, as well-formed SVG', () => {
    const pts = Array.from({ length: 30 }, (_, i) => ({
      epoch: i + 1,
      cost: 0.1 / (i + 1),
      valAccuracy: 0.9 + i / 1000,
      testAccuracy: 0.89 + i / 1000,
    }));
    for (const p of [pts, pts.slice(0, 1), []]) {
      const svg = renderCurves(p, { title: 'a < b & "c"' });
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
      const opens = (svg.match(/<(g|svg|circle|title)(\s[^>]*)?(?<!\/)>/g) ?? []).length;
      const closes = (svg.match(/<\/(g|svg|circle|title)>/g) ?? []).length;
      expect(opens).toBe(closes);
    }
  });

  it('chooses nice ticks', () => {
    expect(niceTicks(0, 0.087)).toMatchObject({ lo: 0, step: 0.02, ticks: [0, 0.02, 0.04, 0.06, 0.08, 0.1] });
    expect(niceTicks(89.5, 100).ticks).toEqual([85, 90, 95, 100]);
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
  });

  it('progress: redraws with \\r on a TTY, prints plain lines elsewhere, nothing for the last batch', () => {
    const chunks: string[] = [];
    const stream = { write: (s: string) => chunks.push(s), isTTY: true, columns: 120 };
    const p = new ProgressReporter(stream, { ttyIntervalMs: 0 });
    const info = { epoch: 1, epochs: 2, batch: 2, batches: 10, examples: 20, totalExamples: 100, elapsed: 0.5, cost: 0.5 };
    p.update(info);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI erase-line escape is what is tested
    expect(chunks[0]).toMatch(/^\r\x1b\[KEpoch 1\/2 \[█+░+\] {2}20% 20\/100 · 40 ex\/s · ETA 2\.0 s/);
    p.update({ ...info, batch: 10, examples: 100 });
    expect(chunks).toHaveLength(1);
    p.clear();
    expect(chunks[1]).toBe('\r\x1b[K');
    const plain: string[] = [];
    new ProgressReporter({ write: (s: string) => plain.push(s) }, { plainIntervalMs: 0 }).update(info);
    expect(plain).toEqual(['  epoch 1/2: 20/100 · 40 ex/s · ETA 2.0 s · cost 0.500\n']);
  });
});

describe('tensorgrad gradcheck demo', () => {
  it('checks the 784-30-10 network (fast mode) and a small one (per element), both OK', async () => {
    const { runGradcheckDemo, formatGradcheckResult } = await import('../../src/cli/gradcheck-demo.js');
    const results = runGradcheckDemo({ seed: 1, directions: 4 });
    expect(results.map((r) => [r.parameters, r.report.mode, r.report.ok])).toEqual([
      [23860, 'fast', true],
      [95, 'full', true],
    ]);
    expect(results[1].report.checked).toBe(95);
    expect(formatGradcheckResult(results[0])).toMatch(/23,860 parameters in 4 tensors · 4 comparisons/);
  });
});
