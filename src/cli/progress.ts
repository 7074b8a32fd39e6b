/**
 * Progress reporting for `tensorgrad train`: a redrawn bar on a terminal, plain periodic lines
 * otherwise (logs, pipes, CI).
 */
import type { ProgressInfo } from './train.js';
import { formatDuration, formatInt } from './format.js';

/** Where progress goes: a writable stream with an optional `isTTY`/`columns`. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * The progress line for a terminal `columns` wide: `Epoch 3/30 [████░░░░] 41% 20,500/50,000 · …`,
 * never wider than `columns − 1` characters (a line as wide as the terminal wraps on some
 * terminals, and every redraw would then start a new line). The bar shrinks first (to no fewer
 * than 10 cells), then the statistics are cut, then the bar is dropped.
 */
export function fitLine(p: ProgressInfo, stats: string, columns: number | undefined): string {
  const max = Math.max(1, (columns || 100) - 1); // columns is 0 when the terminal size is unknown
  const prefix = `Epoch ${p.epoch}/${p.epochs} `;
  const pct = ` ${String(Math.floor((100 * p.examples) / p.totalExamples)).padStart(3)}% `;
  const room = max - prefix.length - pct.length - stats.length - 2;
  if (room < 10) {
    // Too narrow for a bar next to the numbers: the numbers alone, cut to fit.
    return `${prefix}${pct.trim()} ${stats}`.slice(0, max);
  }
  const width = Math.min(30, room);
  const filled = Math.round((width * p.examples) / p.totalExamples);
  return `${prefix}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${pct}${stats}`;
}

/**
 * Shows training progress within each epoch. On a TTY it redraws one line with `\r` at most
 * every `ttyIntervalMs` (a bar, examples/s, ETA); elsewhere it prints a plain line at most every
 * `plainIntervalMs` (none at all for epochs shorter than that).
 *
 * @example
 * ```ts
 * const progress = new ProgressReporter(process.stdout);
 * trainMnist(config, { onProgress: (p) => progress.update(p), onEpoch: (m) => { progress.clear(); console.log(formatEpochLine(m)); } });
 * ```
 */
export class ProgressReporter {
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly tty: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private readonly opts: { ttyIntervalMs?: number; plainIntervalMs?: number; tty?: boolean } = {},
  ) {
    this.tty = opts.tty ?? stream.isTTY === true;
  }

  /** Reports progress after a batch; draws only when the throttle interval has passed. */
  update(p: ProgressInfo): void {
    const now = performance.now();
    if (p.batch === 1) this.lastDraw = now; // measure a rate before the first draw
    const interval = this.tty ? (this.opts.ttyIntervalMs ?? 100) : (this.opts.plainIntervalMs ?? 5000);
    if (now - this.lastDraw < interval || p.batch === p.batches) return;
    this.lastDraw = now;
    // A resumed epoch skipped its first examples without training on them: not part of the rate.
    const rate = (p.examples - (p.skippedExamples ?? 0)) / Math.max(p.elapsed, 1e-9);
    const eta = (p.totalExamples - p.examples) / Math.max(rate, 1e-9);
    const stats = `${formatInt(p.examples)}/${formatInt(p.totalExamples)} · ${formatInt(rate)} ex/s · ETA ${formatDuration(eta)} · cost ${p.cost.toFixed(3)}`;
    if (this.tty) {
      this.stream.write(`\r\x1b[K${fitLine(p, stats, this.stream.columns)}`);
      this.drawn = true;
    } else {
      this.stream.write(`  epoch ${p.epoch}/${p.epochs}: ${stats}\n`);
    }
  }

  /** Erases the progress line (TTY) so the next output starts on a clean line. */
  clear(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
