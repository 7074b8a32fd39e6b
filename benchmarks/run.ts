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

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const only = argValue('--only');
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
