import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressReporter } from '../../src/cli/progress.js';
import { propertyRuns } from '../helpers/arbitraries.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function spawnTsx(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command-line conventions', () => {
  it('tensorgrad --version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-v']) {
      const r = spawnTsx('src/cli/main.ts', [flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`tensorgrad ${version}\n`);
    }
  });

  it('tensorgrad bench --help prints the help and starts nothing', () => {
    const r = spawnTsx('src/cli/main.ts', ['bench', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tensorgrad bench \[--only KEY\]/);
    expect(r.stdout).not.toMatch(/Running benchmarks/);
  });

  it('an unknown --only key is an error that lists the keys, and leaves the saved results alone', () => {
    const summary = join(ROOT, 'benchmarks', 'results', 'summary.json');
    const before = existsSync(summary) ? statSync(summary).mtimeMs : undefined;
    const r = spawnTsx('benchmarks/run.ts', ['--only', 'nosuchsuite']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--only: no suite key contains 'nosuchsuite'; the keys are scalar, matmul, matmul-threads, broadcast, mlp, op/);
    expect(r.stdout).toBe('');
    expect(existsSync(summary) ? statSync(summary).mtimeMs : undefined).toBe(before);
  }, 60_000);

  it('the progress bar is never wider than the terminal (columns − 1, so it cannot wrap)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 250 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.double({ min: 1e-3, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (columns, epochs, total, elapsed, cost) => {
          const chunks: string[] = [];
          const reporter = new ProgressReporter({ write: (s: string) => chunks.push(s), isTTY: true, columns }, { ttyIntervalMs: 0 });
          const examples = Math.max(1, Math.floor(total / 3));
          reporter.update({ epoch: epochs, epochs, batch: 2, batches: 10, examples, totalExamples: total, elapsed, cost });
          expect(chunks).toHaveLength(1);
          const visible = chunks[0].replace('\r\x1b[K', '');
          expect(visible.length).toBeLessThanOrEqual(Math.max(1, columns - 1));
          if (columns >= 160) expect(visible).toMatch(/\[[█░]+\]/); // wide enough: the bar is there
        },
      ),
      { numRuns: propertyRuns() * 10 },
    );
  });

  it('a resumed epoch measures its rate on the examples it trained, not the ones it skipped', () => {
    const chunks: string[] = [];
    const info = { epoch: 4, epochs: 30, batch: 60, batches: 100, examples: 600, totalExamples: 1000, elapsed: 1, cost: 0.1 };
    const reporter = new ProgressReporter({ write: (s: string) => chunks.push(s) }, { plainIntervalMs: 0 });
    reporter.update({ ...info, skippedExamples: 500 });
    expect(chunks[0]).toBe('  epoch 4/30: 600/1,000 · 100 ex/s · ETA 4.0 s · cost 0.100\n');
  });
});
