/**
 * Formatting for the `tensorgrad` command's output: numbers, durations, the configuration
 * header, epoch lines, the summary, the stall warning and the confusion matrix. Pure functions
 * from values to text; nothing here prints.
 */
import { parameterCount } from '../nn/index.js';
import type { TrainConfig } from './args.js';
import { buildConvNet } from './cnn.js';
import type { EpochMetrics } from './train.js';

/** Formats an integer with thousands separators: 10000 → `10,000`. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Formats seconds as `4.2 s`, `1 min 05 s`, `2 h 03 min`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A percentage with two decimals: 0.9511 → `95.11%`. */
export function formatPercent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

/**
 * The CNN's header: the network line, its layer table (output shape of one example and
 * parameters per layer) and the parameter count.
 */
function describeConvNet(config: TrainConfig): string[] {
  const net = buildConvNet(config);
  const rows = net.layerTable();
  const total = rows.reduce((n, r) => n + r.params, 0);
  const cells = rows.map((r) => [String(r.index), r.layer, `[${r.output.join(', ')}]`, r.params === 0 ? '' : formatInt(r.params)]);
  const head = ['#', 'layer', 'output', 'params'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string =>
    `          ${c[0].padStart(widths[0])}  ${c[1].padEnd(widths[1])}  ${c[2].padEnd(widths[2])}  ${c[3].padStart(widths[3])}`.trimEnd();
  return [
    `Network   ${net.describe()} · seed ${config.seed}`,
    line(head),
    ...cells.map(line),
    `Params    ${formatInt(total)} (convolutions PyTorch's default U(±1/√fan_in), linear layers init ${config.init})`,
  ];
}

/** The header lines of `tensorgrad train`: network (the CNN's layer table), parameter count, training setup. */
export function describeConfig(config: TrainConfig): string[] {
  const s = config.sizes;
  const terms = s
    .slice(1)
    .map((n, i) => `${n}·(${s[i]}+1)`)
    .join(' + ');
  const opt =
    config.optimizer === 'adam'
      ? 'Adam'
      : config.optimizer === 'adamw'
        ? 'AdamW'
        : config.momentum > 0
          ? `SGD with momentum ${config.momentum}`
          : 'SGD';
  const cost =
    config.loss === 'cross-entropy'
      ? 'softmax cross-entropy'
      : config.loss === 'quadratic'
        ? 'quadratic cost C = 1/(2n)·Σ‖y−a‖²'
        : 'mean squared error';
  const network =
    config.arch === 'cnn'
      ? describeConvNet(config)
      : [
          `Network   MLP ${s.join('-')} · ${config.activation} hidden · ${config.outputActivation} output · init ${config.init} · seed ${config.seed}`,
          `Params    ${formatInt(parameterCount(s))} = ${terms}`,
        ];
  return [
    ...network,
    `Training  ${cost}` +
      ` · ${opt} η = ${config.lr}${config.schedule !== 'none' ? ` (${config.schedule} schedule)` : ''}` +
      `${config.weightDecay > 0 ? ` · weight decay ${config.weightDecay}` : ''} · mini-batch ${config.batch} · ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`,
  ];
}

/**
 * The one-line summary of an epoch:
 * `Epoch 7: cost 0.041 · validation 9,412/10,000 (94.12%) · test 9,398/10,000 (93.98%) · 0.9 s`.
 */
export function formatEpochLine(m: EpochMetrics): string {
  const cost = m.cost >= 0.001 || m.cost === 0 ? m.cost.toFixed(3) : m.cost.toExponential(2);
  const part = (name: string, right: number, count: number): string =>
    `${name} ${formatInt(right)}/${formatInt(count)} (${((100 * right) / Math.max(count, 1)).toFixed(2)}%)`;
  const parts = [`Epoch ${m.epoch}: cost ${cost}`];
  if (m.valCount > 0) parts.push(part('validation', m.valCorrect, m.valCount));
  parts.push(part('test', m.testCorrect, m.testCount));
  parts.push(`${m.seconds.toFixed(1)} s`);
  return parts.join(' · ');
}

/**
 * The epoch a run would keep: the best validation accuracy (the earliest on a tie), or the best
 * test accuracy when there is no validation set. The test set only reports; it never chooses.
 */
export function bestEpoch(epochs: readonly EpochMetrics[]): EpochMetrics {
  const hasVal = epochs.some((m) => m.valCount > 0);
  const score = (m: EpochMetrics): number => (hasVal ? m.valAccuracy : m.testAccuracy);
  return epochs.reduce((a, b) => (score(b) > score(a) ? b : a));
}

/** The closing line of `tensorgrad train`: final accuracy, the best epoch (on validation), total time, seconds per epoch. */
export function formatSummary(epochs: readonly EpochMetrics[]): string {
  const last = epochs[epochs.length - 1];
  const best = bestEpoch(epochs);
  const total = epochs.reduce((s, m) => s + m.seconds, 0);
  const bestText =
    best.valCount > 0
      ? `best validation ${formatPercent(best.valAccuracy)} at epoch ${best.epoch}, test ${formatPercent(best.testAccuracy)} there`
      : `best test ${formatPercent(best.testAccuracy)} at epoch ${best.epoch}`;
  return (
    `Done: test accuracy ${formatPercent(last.testAccuracy)} after ${epochs.length} epoch${epochs.length === 1 ? '' : 's'}` +
    ` (${bestText}) · ${formatDuration(total)} · ` +
    `${(epochs.reduce((s, m) => s + m.trainSeconds, 0) / epochs.length).toFixed(2)} s/epoch training`
  );
}

/**
 * Said once when, from the third epoch on, some class is never predicted: with N(0,1) weights a
 * sigmoid output neuron can saturate at 0 for every input, and the quadratic cost's gradient
 * (∝ σ′ ≈ 0) revives it slowly if at all, so accuracy sits near 87% meanwhile.
 */
export function stallWarning(silent: number[], config: Pick<TrainConfig, 'seed' | 'init'>): string {
  const which = silent.length === 1 ? `class ${silent[0]} is` : `classes ${silent.join(', ')} are`;
  const hint = config.init === 'normal' ? ` or --init xavier` : '';
  return (
    `Warning: ${which} never predicted: an output neuron has saturated, and accuracy stays on a plateau ` +
    `until it recovers, which may take many epochs or never happen (the known stall of N(0,1)-initialised ` +
    `sigmoid nets). Try another --seed (this is ${config.seed})${hint}.`
  );
}

/**
 * Formats a confusion matrix as an aligned table: rows are true labels, columns predictions,
 * plus each row's recall.
 *
 * @example
 * ```ts
 * formatConfusionMatrix([[5, 1], [0, 4]]);
 * // true\pred     0     1  │  recall
 * //        0      5     1  │  83.3%
 * //        1      0     4  │ 100.0%
 * ```
 */
export function formatConfusionMatrix(matrix: number[][]): string {
  const k = matrix.length;
  const cellW = Math.max(5, ...matrix.flat().map((v) => formatInt(v).length + 1));
  const headW = 10;
  const lines: string[] = [];
  let head = 'true\\pred'.padStart(headW);
  for (let p = 0; p < k; p++) head += String(p).padStart(cellW + 1);
  lines.push(`${head}  │  recall`);
  lines.push('─'.repeat(head.length + 2) + '┼' + '─'.repeat(9));
  for (let t = 0; t < k; t++) {
    let row = String(t).padStart(headW);
    const total = matrix[t].reduce((a, b) => a + b, 0);
    for (let p = 0; p < k; p++) row += formatInt(matrix[t][p]).padStart(cellW + 1);
    const recall = total ? ((100 * matrix[t][t]) / total).toFixed(1) + '%' : '—';
    lines.push(`${row}  │ ${recall.padStart(7)}`);
  }
  return lines.join('\n');
}
