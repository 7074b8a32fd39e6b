/**
 * The playground's training loop, run in Node on the real MNIST files: it is the CLI's loop
 * (same weights, bit for bit, as `trainMnist` with the same settings), slicing it in time
 * changes nothing, and its settings are checked with messages that name the field.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/cli/args.js';
import { loadSplits, trainMnist } from '../../src/cli/train.js';
import { LECTURE_SETTINGS, type TrainSettings } from '../../playground/src/protocol.js';
import { checkSettings, type Splits, Trainer } from '../../playground/src/trainer.js';

function smallSplits(): Splits {
  const s = loadSplits({ trainLimit: 1500 });
  const cut = (d: typeof s.test, n: number) => ({ ...d, images: d.images.subarray(0, n * d.features), labels: d.labels.subarray(0, n), count: n });
  return { train: s.train, validation: cut(s.validation, 1000), test: cut(s.test, 1000) };
}

/** Runs whole epochs in slices of `budgetMs` (0: one mini-batch per slice). */
function train(t: Trainer, epochs: number, budgetMs: number) {
  const results = [];
  while (t.epoch < epochs) {
    const r = t.run(budgetMs);
    if (r.epochEnd) results.push(r.epochEnd);
  }
  return results;
}

describe('Trainer', () => {
  const data = smallSplits();

  it('trains the lecture network exactly as the CLI does, and one-batch slices change nothing', () => {
    const settings: TrainSettings = { ...LECTURE_SETTINGS, sizes: [784, 30, 10] };
    const sliced = new Trainer(settings, data);
    const big = new Trainer(settings, data);
    const a = train(sliced, 2, 0);
    const b = train(big, 2, 1e9);
    const cli = trainMnist({ ...DEFAULT_CONFIG, epochs: 2 }, {}, data);
    const weights = (ps: { data: ArrayLike<number> }[]) => ps.map((p) => Array.from(p.data));
    expect(weights(sliced.model.parameters())).toEqual(weights(cli.model.parameters()));
    expect(weights(big.model.parameters())).toEqual(weights(cli.model.parameters()));
    expect(a.map((e) => e.testAccuracy)).toEqual(cli.epochs.map((e) => e.testAccuracy));
    expect(b.map((e) => e.cost)).toEqual(a.map((e) => e.cost));
    expect(a[0].cost).toBeCloseTo(cli.epochs[0].cost, 12);
    // 1,500 examples, two epochs of the slow-starting N(0,1) sigmoid net: well above chance (10%).
    expect(a[1].testAccuracy).toBeGreaterThan(0.3);
    expect(sliced.seen).toBe(3000);
  });

  it('compiles the step, with the eager bits, for every cost', () => {
    for (const cost of ['quadratic', 'mse', 'cross-entropy'] as const) {
      const settings: TrainSettings = { ...LECTURE_SETTINGS, cost, sizes: [784, 20, 10], batch: 32 }; // 1,500 = 46·32 + 28: two shapes
      const compiled = new Trainer(settings, data);
      const eager = new Trainer(settings, data, { compile: false });
      expect([compiled.compiled, eager.compiled]).toEqual([true, false]);
      const a = train(compiled, 1, 1e9),
        b = train(eager, 1, 1e9);
      expect(a).toEqual(b.map((e, i) => ({ ...e, trainSeconds: a[i].trainSeconds })));
      compiled.model.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(eager.model.parameters()[i].data)));
    }
  });

  it('probes validation accuracy every 2,500 examples and reports each mini-batch cost', () => {
    const t = new Trainer({ ...LECTURE_SETTINGS, cost: 'cross-entropy', optimizer: 'adam', lr: 0.003, activation: 'relu', init: 'he' }, data);
    const r = t.run(1e9); // one whole epoch: 150 batches of 10
    expect(r.costs.length).toBe(150);
    expect(r.examples).toBe(1500);
    expect(r.epochEnd?.epoch).toBe(1);
    expect(train(t, 2, 1e9)[0].testAccuracy).toBeGreaterThan(0.7);
    const probes = t.run(1e9).probes.concat(t.run(1e9).probes);
    expect(probes.map((p) => p.examples)).toEqual([5000]);
    // The Draw panel's answer: probabilities for cross-entropy, and the hidden activations (relu: ≥ 0).
    const { output, hidden } = t.predict(data.test.images.subarray(0, 784));
    expect(output.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(hidden.length).toBe(1);
    expect(hidden[0].length).toBe(30);
    expect(Math.min(...hidden[0])).toBeGreaterThanOrEqual(0);
  });

  it('names the wrong setting', () => {
    const bad = (patch: Partial<TrainSettings>) => () => checkSettings({ ...LECTURE_SETTINGS, ...patch });
    expect(bad({ sizes: [100, 10] })).toThrow(/the first size must be 784 \(28×28 pixels\), got 100/);
    expect(bad({ sizes: [784, 30, 9] })).toThrow(/the last size must be 10/);
    expect(bad({ sizes: [784, 0, 10] })).toThrow(/sizes must be at least two whole numbers/);
    expect(bad({ lr: -1 })).toThrow(/learning rate must be a positive number, got -1/);
    expect(bad({ batch: 2.5 })).toThrow(/batch size must be a whole number/);
    expect(bad({ epochs: 0 })).toThrow(/epochs must be a positive whole number/);
    expect(() => new Trainer({ ...LECTURE_SETTINGS, cost: 'cross-entropy', lr: 1e38 }, data).run(1e9)).toThrow(
      /The cost became (NaN|Infinity) in epoch 1.*learning rate 1e\+38/,
    );
  });
});
