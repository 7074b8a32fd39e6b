/**
 * `tensorgrad train --threads N`: the choice when the flag is absent, the parsing, the run
 * header, and (in subprocesses) that a run on two threads exits by itself, that Ctrl-C still
 * saves a checkpoint and exits 130, and that --resume accepts --threads and ends with the
 * model of a straight one-thread run, byte for byte.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/args.js';
import { chooseThreads, startThreads, stopThreads } from '../../src/cli/threads.js';
import { disableThreads, enableThreads, threadCount } from '../../src/threads/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const threadsWork = enableThreads(2);
void disableThreads();

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('chooseThreads', () => {
  it('takes --threads as given, from 1 to 64', () => {
    const busy = { cores: 1, load: 9 };
    expect(chooseThreads(3, 'mlp', busy)).toEqual({ count: 3, why: '--threads' });
    expect(chooseThreads(1, 'cnn', { cores: 8, load: 0 })).toEqual({ count: 1, why: '--threads' });
    expect(() => chooseThreads(65, 'cnn', busy)).toThrow(UsageError);
    expect(() => chooseThreads(65, 'cnn', busy)).toThrow(/--threads: expected an integer from 1 to 64, got '65'/);
  });

  it('without --threads: 1 for the MLP; 2 for the CNN only with two idle cores', () => {
    expect(chooseThreads(undefined, 'mlp', { cores: 16, load: 0 }).count).toBe(1);
    expect(chooseThreads(undefined, 'cnn', { cores: 2, load: 0.4 })).toEqual({ count: 2, why: 'auto: cnn on 2 cores, load 0.4' });
    expect(chooseThreads(undefined, 'cnn', { cores: 8, load: 6.4 }).count).toBe(2);
    expect(chooseThreads(undefined, 'cnn', { cores: 8, load: 6.6 }).count).toBe(1);
    // One core busy with another process (a training in the background): 1.
    expect(chooseThreads(undefined, 'cnn', { cores: 2, load: 1.0 })).toEqual({
      count: 1,
      why: 'auto: fewer than 2 idle cores (load 1.0 on 2)',
    });
    expect(chooseThreads(undefined, 'cnn', { cores: 1, load: 0 })).toEqual({ count: 1, why: 'auto: one core' });
  });
});

describe('--threads on the command line', () => {
  it('is a run option, not part of the configuration, and allowed with --resume', () => {
    const p = parseCommandLine(['train', '--arch', 'cnn', '--threads', '2']);
    expect(p.command === 'train' && p.run.threads).toBe(2);
    expect(p.command === 'train' && 'threads' in p.config).toBe(false);
    const r = parseCommandLine(['train', '--resume', 'runs/x', '--threads=1']);
    expect(r).toMatchObject({ command: 'train', run: { resume: 'runs/x', threads: 1 } });
    const none = parseCommandLine(['train']);
    expect(none.command === 'train' && none.run.threads).toBe(undefined);
    expect(() => parseCommandLine(['train', '--threads', '0'])).toThrow(/--threads: expected a positive number, got '0'/);
  });

  it.skipIf(!threadsWork)('startThreads starts the pool and says so; stopThreads stops it', async () => {
    const line = startThreads(2, 'cnn');
    expect(line).toMatch(/^Threads {3}2 \(--threads\) for float32 products of ≥ 4\.2M multiply-adds$/);
    expect(threadCount()).toBe(2);
    expect(startThreads(undefined, 'mlp')).toBe("Threads   1 (auto: the MLP's products are too small to split)");
    expect(threadCount()).toBe(1);
    expect(startThreads(undefined, 'cnn', { cores: 2, load: 0 })).toMatch(/^Threads {3}2 \(auto: cnn on 2 cores, load 0\.0\)/);
    await stopThreads();
    expect(threadCount()).toBe(1);
  });
});

describe.skipIf(!threadsWork)('tensorgrad train --threads 2 (subprocess)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-threads-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a process that starts threads and never stops them still exits by itself', () => {
    const code = "import('./src/threads/index.ts').then((m) => { process.stdout.write(String(m.enableThreads(2) && m.threadCount())); })";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined(); // a timeout would be an error here
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('2');
  }, 60_000);

  it('the CNN on 2 threads: Ctrl-C saves a checkpoint and the process exits 130 by itself', async () => {
    const out = join(dir, 'cnn');
    const args = ['train', '--arch', 'cnn', '--train-limit', '640', '--epochs', '1', '--threads', '2', '--out', out];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      const announced = stdout.includes('Run       ');
      stdout += d.toString();
      if (!announced && stdout.includes('Run       ')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(stdout).toMatch(/^Threads {3}2 \(--threads\)/m);
    expect(code).toBe(130);
    expect(stdout).toMatch(/Saved a checkpoint (after epoch 1|in epoch 1 after mini-batch \d+ of 10)/);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
  }, 120_000);

  it('the MLP: interrupted on 2 threads, resumed with --threads 2, ends with the model of a straight 1-thread run', async () => {
    // Enough epochs that the run is still going when the SIGINT sent at 'Epoch 1:' lands (with
    // 2 epochs the compiled step finished the second before the signal arrived).
    const flags = ['--train-limit', '1000', '--epochs', '20'];
    const straight = cli(['train', ...flags, '--threads', '1', '--out', join(dir, 'straight')]);
    expect(straight.status).toBe(0);
    expect(straight.stdout).toMatch(/^Threads {3}1 \(--threads\)$/m);

    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...flags, '--threads', '2', '--out', out], { cwd: ROOT });
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
    expect(stdout).toMatch(/^Threads {3}2 \(--threads\)/m);

    // spawnSync returns only once the process has exited: the workers did not keep it alive.
    const resumed = cli(['train', '--resume', out, '--threads', '2']);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/^Threads {3}2 \(--threads\)/m);
    expect(readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(dir, 'straight', 'model.safetensors')))).toBe(true);
  }, 180_000);
});
