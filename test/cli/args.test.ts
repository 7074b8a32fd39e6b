import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import {
  ACTIVATIONS,
  DEFAULT_CONFIG,
  INITS,
  LOSSES,
  OPTIMIZERS,
  SCHEDULES,
  USAGE,
  parseCommandLine,
  parseTrainArgs,
  UsageError,
} from '../../src/cli/args.js';
import { nn, optim } from '../../src/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the CLI as a subprocess (node + tsx loader), returning its exit code and output. */
function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('train flags', () => {
  it('defaults to the lecture: 784-30-10 sigmoid, quadratic cost, SGD batch 10, η = 3, 30 epochs, N(0,1)', () => {
    const c = parseTrainArgs([]);
    expect(c).toEqual({
      arch: 'mlp',
      sizes: [784, 30, 10],
      channels: [],
      dropout: 0,
      activation: 'sigmoid',
      outputActivation: 'sigmoid',
      loss: 'quadratic',
      optimizer: 'sgd',
      lr: 3,
      batch: 10,
      epochs: 30,
      seed: 19,
      init: 'normal',
      momentum: 0,
      schedule: 'none',
      weightDecay: 0,
    });
    expect(c).toMatchObject(DEFAULT_CONFIG);
  });

  it('accepts --flag value and --flag=value alike', () => {
    const a = parseTrainArgs(['--sizes', '784,100,10', '--lr', '0.5', '--batch', '32', '--epochs', '2', '--seed', '7', '--out', 'x']);
    const b = parseTrainArgs(['--sizes=784,100,10', '--lr=0.5', '--batch=32', '--epochs=2', '--seed=7', '--out=x']);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ sizes: [784, 100, 10], lr: 0.5, batch: 32, epochs: 2, seed: 7, out: 'x' });
  });

  it('parses every flag', () => {
    const c = parseTrainArgs([
      '--activation',
      'relu',
      '--loss',
      'mse',
      '--optimizer',
      'momentum',
      '--init',
      'he',
      '--data',
      '/d',
      '--train-limit',
      '500',
      '--momentum',
      '0.8',
      '--schedule',
      'cosine',
      '--weight-decay',
      '1e-4',
      '--lr=0.25',
    ]);
    expect(c).toMatchObject({
      activation: 'relu',
      outputActivation: 'relu',
      loss: 'mse',
      optimizer: 'momentum',
      init: 'he',
      data: '/d',
      trainLimit: 500,
      momentum: 0.8,
      schedule: 'cosine',
      weightDecay: 1e-4,
      lr: 0.25,
    });
  });

  it('cross-entropy trains logits: the output activation becomes identity', () => {
    expect(parseTrainArgs(['--loss', 'cross-entropy'])).toMatchObject({ loss: 'cross-entropy', activation: 'sigmoid', outputActivation: 'identity' });
  });

  it('defaults momentum and lr by optimizer', () => {
    expect(parseTrainArgs(['--optimizer', 'momentum'])).toMatchObject({ momentum: 0.9, lr: 0.3 });
    expect(parseTrainArgs(['--optimizer', 'adam'])).toMatchObject({ momentum: 0, lr: 0.001 });
    expect(parseTrainArgs(['--optimizer', 'adam', '--lr', '0.01']).lr).toBe(0.01);
  });

  const bad: [string[], RegExp][] = [
    [['--bogus'], /unknown flag --bogus for 'train'/],
    [['--bogus=1'], /unknown flag --bogus/],
    [['--activation', 'softplus'], /--activation: expected one of sigmoid, tanh, relu, identity, got 'softplus'/],
    [['--loss', 'hinge'], /--loss: expected one of quadratic, mse, cross-entropy/],
    [['--optimizer=rmsprop'], /--optimizer: expected one of sgd, momentum, adam/],
    [['--init', 'zeros'], /--init: expected one of normal, xavier, he/],
    [['--schedule', 'linear'], /--schedule: expected one of none, step, cosine/],
    [['--lr', 'fast'], /--lr: expected a number, got 'fast'/],
    [['--lr', '-1'], /--lr: expected a positive number, got '-1'/],
    [['--lr='], /--lr: expected a number, got ''/],
    [['--epochs', '2.5'], /--epochs: expected an integer, got '2.5'/],
    [['--batch', '0'], /--batch: expected a positive number/],
    [['--sizes', '784,x,10'], /--sizes: expected at least two comma-separated positive integers/],
    [['--sizes', '784'], /--sizes: expected at least two/],
    [['--epochs'], /--epochs needs a value/],
    [['--epochs', '--lr', '1'], /--epochs needs a value/],
    [['--momentum', '1.5'], /--momentum: expected a number in \[0, 1\)/],
    [['--optimizer', 'adam', '--momentum', '0.9'], /not used by --optimizer adam/],
    [['--weight-decay', '-1'], /--weight-decay: expected a non-negative number/],
    [['--lr', '1', '--lr', '2'], /--lr given twice/],
    [['epochs', '3'], /unexpected argument 'epochs'/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      let err: unknown;
      try {
        parseTrainArgs(argv);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    });
  }
});

describe('the flag table', () => {
  it('takes its name lists from nn and optim', () => {
    expect(ACTIVATIONS).toEqual(nn.ACTIVATION_NAMES.filter((n) => n !== 'softmax'));
    expect(INITS).toBe(nn.INIT_NAMES);
    expect(LOSSES).toBe(nn.LOSS_NAMES);
    expect([...OPTIMIZERS].sort()).toEqual([...optim.OPTIMIZER_NAMES, 'momentum'].sort());
    expect(SCHEDULES).toEqual(['none', ...optim.SCHEDULE_NAMES]);
  });

  it('generates the usage from the same table the parser reads: every flag listed, with its choices and default', () => {
    const flags = [...USAGE.train.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
    expect(flags).toEqual([
      'arch',
      'sizes',
      'channels',
      'dropout',
      'activation',
      'loss',
      'optimizer',
      'lr',
      'batch',
      'epochs',
      'seed',
      'init',
      'momentum',
      'schedule',
      'weight-decay',
      'data',
      'out',
      'train-limit',
      'resume',
      'force',
      'threads',
      'no-compile',
    ]);
    // Every listed flag parses (none is documented but unknown to the parser).
    for (const f of flags.filter((f) => f !== 'resume' && f !== 'force' && f !== 'no-compile')) {
      expect(() => parseTrainArgs([`--${f}`])).toThrow(new RegExp(`--${f} needs a value`));
    }
    expect(USAGE.train).toMatch(/--activation NAME\s+sigmoid \| tanh \| relu \| identity: .*\(default sigmoid\s+\[relu\]\)/);
    expect(USAGE.train).toMatch(/--epochs N\s+passes over the training set \(default 30\s+\[12\]\)/);
    expect(USAGE.train).toMatch(/--sizes LIST\s+.*\(default 784,30,10\s+\[784,128,10\]\)/);
    expect(USAGE.train).toMatch(/--lr X .*\(default 3 sgd, 0\.3 momentum, 0\.001 adam, 0\.001 adamw\)/);
    expect(USAGE.evaluate).toMatch(/--batch N\s+evaluation batch size \(default 1000\)/);
    expect(USAGE.gradcheck).toMatch(/--directions N\s+.*\(default 8\)/);
  });

  it('trains with adamw (an optim name the CLI now reads from optim)', () => {
    expect(parseTrainArgs(['--optimizer', 'adamw'])).toMatchObject({ optimizer: 'adamw', lr: 0.001, momentum: 0 });
  });
});

describe('command line', () => {
  it('dispatches subcommands', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help', topic: undefined });
    expect(parseCommandLine(['help', 'train'])).toEqual({ command: 'help', topic: 'train' });
    expect(parseCommandLine(['train', '--help'])).toEqual({ command: 'help', topic: 'train' });
    expect(parseCommandLine(['evaluate', '--model', 'm.safetensors'])).toEqual({
      command: 'evaluate',
      options: { model: 'm.safetensors', batch: 1000 },
    });
    expect(parseCommandLine(['gradcheck', 'f.ts#g', '--seed=3'])).toEqual({ command: 'gradcheck', rest: ['f.ts#g', '--seed=3'] });
    expect(parseCommandLine(['bench', '--filter', 'matmul'])).toEqual({ command: 'bench', rest: ['--filter', 'matmul'] });
  });

  it('rejects an unknown command and an evaluate without --model', () => {
    expect(() => parseCommandLine(['fit'])).toThrow(/unknown command 'fit'; expected one of train, evaluate, gradcheck, bench, help/);
    expect(() => parseCommandLine(['evaluate'])).toThrow(/--model FILE is required/);
    expect(() => parseCommandLine(['evaluate', '--model', 'm', '--epochs', '3'])).toThrow(/unknown flag --epochs for 'evaluate'/);
  });
});

describe('the tensorgrad command as a subprocess', () => {
  it('exits 2 with a one-line error and the usage on stderr for a bad flag', () => {
    const r = cli(['train', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe("tensorgrad: unknown flag --bogus for 'train'");
    expect(lines[1]).toBe('');
    expect(lines[2]).toMatch(/^Usage: tensorgrad train/);
    expect(r.stderr).toMatch(/--sizes LIST/);
  });

  it('exits 2 for a non-number, an unknown value and a missing data folder', () => {
    const nonNumber = cli(['train', '--lr', 'abc']);
    expect(nonNumber.status).toBe(2);
    expect(nonNumber.stderr.split('\n')[0]).toBe("tensorgrad: --lr: expected a number, got 'abc'");
    const missing = cli(['train', '--data', '/nonexistent/mnist', '--epochs', '1']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe("tensorgrad: --data: folder '/nonexistent/mnist' does not exist");
    expect(missing.stderr).toMatch(/Usage: tensorgrad train/);
  }, 30_000);

  it('prints help with exit code 0', () => {
    const r = cli(['help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: tensorgrad <command>/);
    expect(r.stdout).toMatch(/gradcheck/);
  });
});

describe('tensorgrad gradcheck FILE#EXPORT through the command', () => {
  it('exits 0 for a right gradient, 1 for a planted error, 2 for a missing export', async () => {
    const { run } = await import('../../src/cli/main.js');
    let text = '';
    const sink = {
      write: (s: string): boolean => {
        text += s;
        return true;
      },
    };
    const io = { out: sink, err: sink };
    const file = 'test/verify/fixtures/user-ops.ts';
    expect(await run(['gradcheck', `${file}#softplusLoss`, '--shapes', '3x4,4x2', '--runs', '1'], io)).toBe(0);
    expect(await run(['gradcheck', `${file}#softplusLossPlanted`, '--shapes', '3x4,4x2', '--runs', '1'], io)).toBe(1);
    expect(await run(['gradcheck', `${file}#nothing`, '--shapes', '3'], io)).toBe(2);
    expect(text).toContain("no export 'nothing'");
  });
});
