/**
 * `tensorgrad bench`: runs the benchmark suites of a tensorgrad checkout (benchmarks/run.ts,
 * through tsx) in a child process, passing the arguments on.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from './io.js';
import { packageInfo } from './package-info.js';

/** Runs the suites and resolves to their exit code (1 when they cannot be started). */
export function benchCommand(rest: string[], io: CliIO): Promise<number> {
  const root = packageInfo().root;
  const script = join(root, 'benchmarks', 'run.ts');
  if (!existsSync(script)) {
    io.err.write(`tensorgrad: error: ${script} not found; run \`npm run bench\` from a checkout of tensorgrad\n`);
    return Promise.resolve(1);
  }
  io.out.write(`Running benchmarks: tsx benchmarks/run.ts ${rest.join(' ')}\n`);
  return new Promise((resolveCode) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...rest], { cwd: root, stdio: 'inherit' });
    child.on('error', (e) => {
      io.err.write(`tensorgrad: error: could not start the benchmarks: ${e.message}\n`);
      resolveCode(1);
    });
    child.on('exit', (code, signal) => resolveCode(code ?? (signal ? 1 : 0)));
  });
}
