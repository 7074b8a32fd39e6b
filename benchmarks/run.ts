/**
 * `npm run bench`: runs every benny suite under benchmarks/suites, each measuring tensorgrad,
 * tfjs-cpu and tfjs-wasm side by side in this one process, saves benny's JSON and HTML chart
 * per suite to benchmarks/results/, and prints one summary table.
 *
 *   npm run bench                      all workloads
 *   npm run bench -- --only matmul     only suites whose key contains "matmul"
 *                                      (keys: scalar, matmul, matmul-threads, broadcast, mlp, op, conv)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { execSync } from 'node:child_process';
import { describeTfjs, initTfjs } from './peers/tfjs.js';
import { wasmBuild } from '../src/index.js';
import { RESULTS_DIR, type Row } from './suites/common.js';
import { scalarSuite } from './suites/scalar.js';
import { broadcastSuites, matmulSuites, opOverheadSuites } from './suites/tensor.js';
import { mlpStepSuite } from './suites/mlp.js';
import { convSuites } from './suites/conv.js';
import { renderTable, rowsToJson } from './report.js';

const SUITES: [key: string, run: () => Promise<Row[]>][] = [
  ['scalar', scalarSuite],
  ['matmul', () => matmulSuites()],
  ['matmul-threads', () => matmulSuites([512, 1024], 2)],
  ['broadcast', broadcastSuites],
  ['mlp', mlpStepSuite],
  ['op', opOverheadSuites],
  ['conv', convSuites],
];

const USAGE = `Usage: npm run bench [-- --only KEY]
  --only KEY   only the suites whose key contains KEY (keys: ${SUITES.map(([k]) => k).join(', ')})`;

/**
 * The `--only` key, checked before anything runs: an unknown flag or a key no suite matches is
 * a usage error (exit 2) that leaves the saved results as they are.
 */
function parseArgs(argv: readonly string[]): { only?: string; help: boolean } {
  const fail = (message: string): never => {
    process.stderr.write(`bench: ${message}\n\n${USAGE}\n`);
    process.exit(2);
  };
  let only: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const value = arg.startsWith('--only=') ? arg.slice('--only='.length) : arg === '--only' ? argv[++i] : undefined;
    if (value === undefined) fail(arg === '--only' ? '--only needs a key' : `unknown argument '${arg}'`);
    only = value;
  }
  if (only !== undefined && !SUITES.some(([key]) => key.includes(only as string))) {
    fail(`--only: no suite key contains '${only}'; the keys are ${SUITES.map(([k]) => k).join(', ')}`);
  }
  return { only, help: false };
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { only, help } = parseArgs(process.argv.slice(2));
  if (help) {
    console.log(USAGE);
    return;
  }
  const started = Date.now();
  await initTfjs();
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    tensorgradCommit: commit(),
    tfjs: describeTfjs(),
    tensorgradKernels: wasmBuild() ?? 'TypeScript (no wasm)',
  };
  console.log(`tensorgrad benchmarks — ${env.date}`);
  console.log(`node ${env.node}, ${env.cpu}, tensorgrad @ ${env.tensorgradCommit} (working tree)`);
  console.log(`tensorgrad kernels: ${env.tensorgradKernels}; ${env.tfjs}`);

  const rows: Row[] = [];
  for (const [key, run] of SUITES) {
    if (only !== undefined && !key.includes(only)) continue;
    rows.push(...(await run()));
  }

  const table = renderTable(rows);
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n## Summary (${seconds.toFixed(0)} s)\n`);
  console.log(`${env.tfjs}; node ${env.node}; ${env.cpu}\n`);
  console.log(table);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/summary.json`, JSON.stringify({ env, rows: rowsToJson(rows) }, null, 2));
  writeFileSync(`${RESULTS_DIR}/summary.md`, `${env.tfjs}; node ${env.node}; ${env.cpu}; ${env.date}\n\n${table}\n`);
  console.log(`\nSaved ${RESULTS_DIR}/summary.json and summary.md (per-suite benny JSON and .chart.html alongside).`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
