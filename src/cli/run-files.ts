/**
 * A run's files: `model.safetensors`, `metrics.json` and `curves.svg`, each written atomically.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeModel } from './model-file.js';
import { renderCurves } from './svg.js';
import type { TrainResult } from './train.js';

/**
 * Writes `data` to `path` atomically: to a temporary name in the same folder, then renamed over
 * `path`, so a reader never sees a half-written file (and a failure leaves none behind).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The paths `writeRun` wrote. */
export interface RunFiles {
  dir: string;
  model: string;
  metrics: string;
  curves: string;
}

/** A default output folder: `runs/<local timestamp>` such as `runs/2025-01-31T14-05-09`. */
export function defaultOutDir(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return join('runs', stamp);
}

/** The paths of a run's files in `dir`. */
export function runFiles(dir: string): RunFiles {
  const abs = resolve(dir);
  return { dir: abs, model: join(abs, 'model.safetensors'), metrics: join(abs, 'metrics.json'), curves: join(abs, 'curves.svg') };
}

/** The contents of `metrics.json`: the configuration, the parameter count and every epoch's numbers. */
export function metricsJson(result: Pick<TrainResult, 'config' | 'parameterCount' | 'epochs'>): string {
  const metrics = {
    config: result.config,
    parameterCount: result.parameterCount,
    epochs: result.epochs.map((m) => ({
      epoch: m.epoch,
      cost: m.cost,
      valAccuracy: m.valAccuracy,
      testAccuracy: m.testAccuracy,
      seconds: m.seconds,
      trainSeconds: m.trainSeconds,
      lr: m.lr,
      valCorrect: m.valCorrect,
      valCount: m.valCount,
      testCorrect: m.testCorrect,
      testCount: m.testCount,
    })),
  };
  return JSON.stringify(metrics, null, 2) + '\n';
}

/** The contents of `curves.svg`. */
export function curvesSvg(result: Pick<TrainResult, 'config' | 'epochs'>): string {
  const c = result.config;
  return renderCurves(result.epochs, {
    title: `${c.arch === 'cnn' ? `CNN ${c.channels.join('-')}-${c.sizes.slice(1).join('-')}` : `MLP ${c.sizes.join('-')}`} · ${c.activation} · ${c.loss} · ${c.optimizer} η=${c.lr} · batch ${c.batch}`,
  });
}

/** Writes `metrics.json` and `curves.svg` (the numbers so far) into the existing folder `dir`. */
export function writeProgressFiles(dir: string, result: Pick<TrainResult, 'config' | 'parameterCount' | 'epochs'>): RunFiles {
  const files = runFiles(dir);
  writeFileAtomic(files.metrics, metricsJson(result));
  writeFileAtomic(files.curves, curvesSvg(result));
  return files;
}

/**
 * Writes a run's three files into `dir` (created if needed), each atomically:
 * `model.safetensors` (the parameters by name, with metadata to rebuild the model),
 * `metrics.json` (`{ config, parameterCount, epochs: [{ epoch, cost, valAccuracy, testAccuracy, seconds, … }] }`)
 * and `curves.svg` (training cost and accuracies per epoch).
 */
export function writeRun(dir: string, result: TrainResult): RunFiles {
  const files = runFiles(dir);
  mkdirSync(files.dir, { recursive: true });
  writeFileAtomic(files.model, encodeModel(result.config, result.model, result.epochs));
  writeProgressFiles(dir, result);
  return files;
}
