/**
 * `tensorgrad train` compiles its training step by default: the same bits as `--no-compile`
 * (parameters, per-epoch costs and accuracies), for the optimizers and schedules the CLI has,
 * including the smaller last batch of an epoch (a second signature).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/index.js';
import { parseCommandLine, parseTrainArgs } from '../../src/cli/args.js';
import { Trainer, type TrainSplits } from '../../src/cli/train.js';

function synthetic(count: number, seed: number): TrainSplits['train'] {
  const rng = new Rng(seed);
  const images = new Float32Array(count * 6);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 6; j++) images[i * 6 + j] = rng.uniform();
    labels[i] = images[i * 6] > images[i * 6 + 1] ? (images[i * 6 + 2] > 0.5 ? 2 : 1) : 0;
  }
  return { images, labels, count, features: 6 };
}

function train(args: string[], compile: boolean): Trainer {
  const splits: TrainSplits = { train: synthetic(303, 1), validation: synthetic(50, 2), test: synthetic(50, 3) };
  const t = new Trainer(parseTrainArgs(['--sizes', '6,9,3', '--epochs', '3', '--batch', '10', ...args]), splits, {}, { compile });
  const steps = t.steps();
  while (steps.next().done !== true);
  return t;
}

describe('tensorgrad train: compiled steps', () => {
  for (const args of [
    [],
    ['--optimizer', 'momentum', '--schedule', 'cosine'],
    ['--optimizer', 'adam', '--loss', 'mse', '--schedule', 'step'],
    ['--optimizer', 'adam', '--loss', 'cross-entropy', '--activation', 'relu', '--lr', '0.01'],
  ]) {
    it(`gives the bits of the eager steps (${args.join(' ') || 'the lecture defaults'})`, () => {
      const c = train(args, true),
        e = train(args, false);
      expect(c.compiled).toBe(true);
      expect(e.compiled).toBe(false);
      const pc = c.model.parameters(),
        pe = e.model.parameters();
      pc.forEach((p, i) => {
        const a = p.data,
          b = pe[i].data;
        for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) expect.fail(`parameter ${i} element ${j}: ${a[j]} vs ${b[j]}`);
      });
      expect(c.history.map((m) => [m.cost, m.testCorrect, m.valCorrect, m.lr])).toEqual(
        e.history.map((m) => [m.cost, m.testCorrect, m.valCorrect, m.lr]),
      );
    });
  }
  it('--no-compile turns it off', () => {
    const parsed = parseCommandLine(['train', '--no-compile']);
    expect(parsed.command === 'train' && parsed.run.noCompile).toBe(true);
    const resumed = parseCommandLine(['train', '--resume', 'runs/x', '--no-compile']);
    expect(resumed.command === 'train' && resumed.run.resume).toBe('runs/x');
  });
});
