import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/index.js';
import { parseTrainArgs } from '../../src/cli/args.js';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from '../../src/cli/checkpoint.js';
import { checkLearning, checkParameters, DivergenceError } from '../../src/cli/divergence.js';
import { bestEpoch, formatSummary } from '../../src/cli/format.js';
import { encodeModel } from '../../src/cli/model-file.js';
import { makeFolder, makeFreshFolder } from '../../src/cli/run-folder.js';
import { Trainer, type EpochMetrics, type TrainSplits } from '../../src/cli/train.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function synthetic(count: number, seed: number): TrainSplits['train'] {
  const rng = new Rng(seed);
  const images = new Float32Array(count * 4);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 4; j++) images[i * 4 + j] = rng.uniform();
    let best = 0;
    for (let j = 1; j < 3; j++) if (images[i * 4 + j] > images[i * 4 + best]) best = j;
    labels[i] = best;
  }
  return { images, labels, count, features: 4 };
}

/** Runs a trainer until `stop(trainer)` says so (or the end); returns whether it finished. */
function runUntil(t: Trainer, stop: (t: Trainer) => boolean): boolean {
  const steps = t.steps();
  for (;;) {
    if (steps.next().done === true) return true;
    if (stop(t)) return false;
  }
}

describe('checkpoint and resume (in process)', () => {
  const splits: TrainSplits = { train: synthetic(300, 1), validation: synthetic(100, 2), test: synthetic(100, 3) };
  for (const flags of [
    ['--optimizer', 'momentum', '--schedule', 'cosine'],
    ['--optimizer', 'adam', '--schedule', 'step', '--lr', '0.01'],
  ]) {
    it(`a run stopped mid-epoch and resumed from its checkpoint ends bit-identical (${flags.join(' ')})`, () => {
      const config = parseTrainArgs(['--sizes', '4,8,3', '--epochs', '4', '--batch', '7', ...flags]);
      const straight = new Trainer(config, splits);
      expect(runUntil(straight, () => false)).toBe(true);

      const first = new Trainer(config, splits);
      expect(runUntil(first, (t) => t.epoch === 1 && t.batch === 17)).toBe(false);
      const bytes = encodeCheckpoint(first);
      const second = new Trainer(config, splits); // fresh weights: everything must come from the checkpoint
      restoreCheckpoint(second, decodeCheckpoint(bytes, 'ckpt'), 'ckpt');
      expect(runUntil(second, () => false)).toBe(true);

      const bytesOf = (t: Trainer): Uint8Array =>
        encodeModel(
          config,
          t.model,
          t.history.map((m) => ({ ...m, seconds: 0, trainSeconds: 0 })),
        );
      expect(Buffer.from(bytesOf(second)).equals(Buffer.from(bytesOf(straight)))).toBe(true);
      expect(second.history.map((m) => [m.cost, m.valCorrect, m.testCorrect, m.lr])).toEqual(
        straight.history.map((m) => [m.cost, m.valCorrect, m.testCorrect, m.lr]),
      );
      expect(second.optimizer.stepCount).toBe(straight.optimizer.stepCount);
    });
  }

  it('refuses a checkpoint that is not one, or whose state does not fit', () => {
    const config = parseTrainArgs(['--sizes', '4,8,3', '--epochs', '2']);
    const t = new Trainer(config, splits);
    expect(() => decodeCheckpoint(encodeModel(config, t.model, []), 'm.safetensors')).toThrow(/m\.safetensors: not a tensorgrad checkpoint/);
    const other = new Trainer(parseTrainArgs(['--sizes', '4,5,3', '--epochs', '2']), splits);
    expect(() => restoreCheckpoint(t, decodeCheckpoint(encodeCheckpoint(other), 'c'), 'c')).toThrow(/c: the checkpoint does not fit the run's model/);
  });
});

describe('divergence', () => {
  const config = parseTrainArgs(['--lr', '5', '--optimizer', 'momentum', '--weight-decay', '0.1']);
  const m = (epoch: number, cost: number, valAccuracy: number): EpochMetrics => ({
    epoch,
    cost,
    valAccuracy,
    testAccuracy: 0.5,
    valCorrect: 0,
    valCount: 100,
    testCorrect: 0,
    testCount: 100,
    lr: 5,
    silentClasses: [],
    trainSeconds: 0,
    seconds: 0,
  });

  it('a NaN or infinite parameter stops the run with advice naming lr, weight decay, momentum and the input scale', () => {
    const splits: TrainSplits = { train: synthetic(20, 1), validation: synthetic(10, 2), test: synthetic(10, 3) };
    const t = new Trainer(parseTrainArgs(['--sizes', '4,3', '--epochs', '1']), splits);
    expect(() => checkParameters(t.model.namedParameters(), config, 0)).not.toThrow();
    t.model.parameters()[1].data[2] = Infinity;
    let err: unknown;
    try {
      checkParameters(t.model.namedParameters(), config, 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toMatch(/parameter layers\.0\.bias holds Infinity \(element 2\) after epoch 1/);
    expect((err as Error).message).toMatch(/--lr 5 → try 0\.5.*--weight-decay 0\.1.*--momentum 0\.9.*input scale/);
  });

  it('two epochs at chance with a flat cost stop the run; a learning run is left alone', () => {
    expect(() => checkLearning([m(1, 0.9, 0.1), m(2, 0.9, 0.101)], 10, config)).toThrow(/not learning: accuracy 10\.10% is at chance/);
    expect(() => checkLearning([m(1, 0.9, 0.1), m(2, 0.8, 0.101)], 10, config)).not.toThrow(); // the cost falls
    expect(() => checkLearning([m(1, 0.9, 0.1), m(2, 0.9, 0.3)], 10, config)).not.toThrow(); // above chance
    expect(() => checkLearning([m(1, 0.9, 0.1)], 10, config)).not.toThrow(); // one epoch says little
  });

  it('the best epoch is chosen on validation, and the test accuracy is reported at it', () => {
    const epochs = [
      { ...m(1, 0.5, 0.9), testAccuracy: 0.95 },
      { ...m(2, 0.4, 0.93), testAccuracy: 0.91 },
      { ...m(3, 0.3, 0.92), testAccuracy: 0.97 },
    ];
    expect(bestEpoch(epochs).epoch).toBe(2);
    expect(formatSummary(epochs)).toMatch(/\(best validation 93\.00% at epoch 2, test 91\.00% there\)/);
  });
});

describe('run folders', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-folders-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('default folders never collide: the same base gives base, base-2, base-3', () => {
    const base = join(dir, 'runs', '2026-01-01T00-00-00');
    const got = [makeFreshFolder(base), makeFreshFolder(base), makeFreshFolder(base)];
    expect(got).toEqual([base, `${base}-2`, `${base}-3`]);
  });

  it('makeFolder creates parents one level at a time and fails (not spins) where mkdir is refused', () => {
    makeFolder(join(dir, 'a', 'b', 'c'));
    expect(existsSync(join(dir, 'a', 'b', 'c'))).toBe(true);
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => makeFolder(join(dir, 'file', 'sub'))).toThrow(/is a file, not a folder/);
    if (existsSync('/proc/self'))
      expect(() => makeFolder('/proc/tensorgrad-no/such')).toThrow(/cannot create the run folder .*mkdir \/proc\/tensorgrad-no/);
  });
});

describe('tensorgrad train: run folder, Ctrl-C, resume, divergence (subprocess)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-runs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 12 short epochs (~60 ms each): the run is still going when the SIGINT sent at 'Epoch 1:' lands.
  const flags = ['--train-limit', '1000', '--epochs', '12'];

  it('12 epochs straight and 12 epochs with a Ctrl-C in the middle plus --resume give byte-identical models', async () => {
    const straight = cli(['train', ...flags, '--out', join(dir, 'straight')]);
    expect(straight.status).toBe(0);

    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...flags, '--out', out], { cwd: ROOT });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && stdout.includes('Epoch 1:')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/Interrupted: finishing the current step and saving a checkpoint/);
    expect(stdout).toContain(`Continue the run with: tensorgrad train --resume ${out}`);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.safetensors', 'curves.svg', 'metrics.json']);

    const resumed = cli(['train', '--resume', out]);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming at epoch \d+, mini-batch \d+ of 100/);
    expect(readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(dir, 'straight', 'model.safetensors')))).toBe(true);
    const acc = (s: string): string | undefined => /Done: test accuracy (\S+)/.exec(s)?.[1];
    expect(acc(resumed.stdout)).toBe(acc(straight.stdout));

    const again = cli(['train', '--resume', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/the run is complete \(12 of 12 epochs\); nothing to resume/);
  }, 120_000);

  it('SIGTERM also saves a checkpoint and exits 143; --force replaces the folder', async () => {
    const out = join(dir, 'terminated');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...flags, '--out', out], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      const announced = stdout.includes('Run       ');
      stdout += d.toString();
      if (!announced && stdout.includes('Run       ')) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(143);
    expect(stdout).toMatch(/Saved a checkpoint (after epoch \d|in epoch \d after mini-batch \d+ of 100)/);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    const forced = cli(['train', '--train-limit', '200', '--epochs', '1', '--out', out, '--force']);
    expect(forced.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.safetensors', 'curves.svg', 'metrics.json', 'model.safetensors']);
  }, 60_000);

  it("refuses a folder holding another run's files unless --force, and --resume without a checkpoint", () => {
    const out = join(dir, 'straight');
    const refused = cli(['train', ...flags, '--out', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr.split('\n')[0]).toMatch(/--out: .* holds another run's files \(.*model\.safetensors.*\); continue it with --resume/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const noCkpt = cli(['train', '--resume', empty]);
    expect(noCkpt.status).toBe(2);
    expect(noCkpt.stderr.split('\n')[0]).toMatch(/--resume: .* holds no checkpoint\.safetensors/);
    const mixed = cli(['train', '--resume', empty, '--epochs', '3']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr.split('\n')[0]).toMatch(/--resume takes the run's flags from its checkpoint; drop --epochs/);
  }, 60_000);

  it('an unwritable run folder fails before any training', () => {
    if (!existsSync('/proc/self')) return;
    const r = cli(['train', ...flags, '--out', '/proc/tensorgrad-test/run']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tensorgrad: error: cannot create the run folder \/proc\/tensorgrad-test\/run/);
    expect(r.stdout).not.toMatch(/Epoch 1/);
  }, 60_000);

  it('--lr 1e308 exits non-zero with advice and saves no model', () => {
    const out = join(dir, 'nan');
    const r = cli(['train', '--train-limit', '500', '--epochs', '2', '--lr', '1e308', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^tensorgrad: error: the loss became (NaN|Infinity|-Infinity) in epoch 1, mini-batch \d+: the run diverged\. Likely causes: lower the learning rate/,
    );
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
  }, 60_000);
});
