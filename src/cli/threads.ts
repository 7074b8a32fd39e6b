/**
 * How many threads `tensorgrad train` splits its large float32 matrix products across
 * (`--threads N`, or chosen when the flag is absent), and starting them (`tensorgrad/threads`).
 *
 * The choice when `--threads` is absent, from measurements (README, "Speed"):
 * - the lecture MLP: 1. Its largest product (10×784·784×30, 235k multiply-adds) is 18× below
 *   the threads module's `PARALLEL_MIN_MACS`, so a second thread would never be woken;
 * - the CNN: 2 where the machine has at least 2 cores and, by the 1-minute load average, two
 *   of them free (other processes use at most {@link MAX_BUSY} of a core beyond the first two).
 *   Its conv and linear products (up to 64×800·800×512) are then split. Where another process
 *   keeps a core busy, our two threads share the one left: each split CNN product ran at
 *   0.42–0.86× the speed of one thread (measured beside a CNN training on a 2-core machine),
 *   so a busy machine stays at 1.
 */
import { availableParallelism, loadavg } from 'node:os';
import { MAX_THREADS, PARALLEL_MIN_MACS, disableThreads, enableThreads, threadCount } from '../threads/index.js';
import type { Arch } from './args.js';
import { UsageError } from './args.js';

/** Load (runnable processes) other than ours that still leaves two cores to our two threads. */
export const MAX_BUSY = 0.5;

/** The machine as the choice sees it. */
export interface Machine {
  cores: number;
  /** 1-minute load average: runnable processes, read before training (so mostly others'). */
  load: number;
}

/** The thread count for `--threads` (undefined: absent) and why, in words for the run header. */
export function chooseThreads(requested: number | undefined, arch: Arch, machine: Machine): { count: number; why: string } {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_THREADS) {
      throw new UsageError(`--threads: expected an integer from 1 to ${MAX_THREADS}, got '${requested}'`, 'train');
    }
    return { count: requested, why: '--threads' };
  }
  if (arch === 'mlp') return { count: 1, why: "auto: the MLP's products are too small to split" };
  if (machine.cores < 2) return { count: 1, why: 'auto: one core' };
  if (machine.cores - machine.load < 2 - MAX_BUSY) {
    return { count: 1, why: `auto: fewer than 2 idle cores (load ${machine.load.toFixed(1)} on ${machine.cores})` };
  }
  return { count: 2, why: `auto: cnn on ${machine.cores} cores, load ${machine.load.toFixed(1)}` };
}

/** This machine's cores and load. */
export function thisMachine(): Machine {
  return { cores: availableParallelism(), load: loadavg()[0] };
}

/**
 * Starts the chosen threads; returns the run header's line (`Threads   2 (auto: …)`). Where
 * worker threads or shared wasm memory are missing it runs on one and says so.
 */
export function startThreads(requested: number | undefined, arch: Arch, machine: Machine = thisMachine()): string {
  const { count, why } = chooseThreads(requested, arch, machine);
  if (count === 1) {
    void disableThreads();
    return `Threads   1 (${why})`;
  }
  if (!enableThreads(count)) return `Threads   1 (${why}; ${count} asked, but worker threads with shared wasm memory are unavailable here)`;
  return `Threads   ${threadCount()} (${why}) for float32 products of ≥ ${(PARALLEL_MIN_MACS / 1e6).toFixed(1)}M multiply-adds`;
}

/** Stops the worker threads (they never keep the process alive, but a finished run should not leave them idle either). */
export function stopThreads(): Promise<void> {
  return disableThreads();
}
