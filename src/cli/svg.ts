/**
 * A self-contained SVG plot of a training run: training cost (top panel) and validation / test
 * accuracy (bottom panel) per epoch, with axes, ticks, grid, legend and title. No dependencies,
 * no scripts, no external fonts or styles.
 */

/** The per-epoch numbers `renderCurves` plots. Accuracies are fractions in [0, 1]. */
export interface CurvePoint {
  epoch: number;
  cost: number;
  valAccuracy: number;
  testAccuracy: number;
  /** Number of validation examples; a run without validation data (0) draws no validation curve. */
  valCount?: number;
}

/** Options of `renderCurves`. */
export interface CurveOptions {
  /** The plot's title. */
  title?: string;
  /** Width in pixels (default 760). */
  width?: number;
}

const COLORS = { cost: '#1f6fb2', validation: '#2e9d48', test: '#d2452e', grid: '#e6e6e6', axis: '#444', text: '#222', muted: '#666' };
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';

/** Escapes text for use in SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * "Nice" axis ticks covering [min, max]: about `count` ticks at steps of 1, 2 or 5 × 10ᵏ.
 *
 * @example
 * ```ts
 * niceTicks(0, 0.087); // { lo: 0, hi: 0.1, step: 0.02, ticks: [0, 0.02, 0.04, 0.06, 0.08, 0.1] }
 * ```
 */
export function niceTicks(min: number, max: number, count = 5): { lo: number; hi: number; step: number; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo, i = 0; v <= hi + step * 1e-6 && i < 100; i++, v = lo + i * step) ticks.push(roundTo(v, step));
  return { lo, hi, step, ticks };
}

function roundTo(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(digits, 15)));
}

function tickLabel(v: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(digits, 10));
}

/**
 * Renders the training curves of a run as a standalone SVG document (a string).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * const svg = renderCurves([
 *   { epoch: 1, cost: 0.09, valAccuracy: 0.91, testAccuracy: 0.905 },
 *   { epoch: 2, cost: 0.05, valAccuracy: 0.93, testAccuracy: 0.928 },
 * ], { title: 'MLP 784-30-10' });
 * writeFileSync('curves.svg', svg);
 * ```
 */
export function renderCurves(points: readonly CurvePoint[], opts: CurveOptions = {}): string {
  const W = opts.width ?? 760;
  const H = 600;
  const left = 78,
    right = 28;
  const plotW = W - left - right;
  const top1 = 104,
    h1 = 180; // cost panel
  const top2 = top1 + h1 + 62,
    h2 = 180; // accuracy panel
  const title = opts.title ?? 'Training run';
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="28" text-anchor="middle" font-size="16" font-weight="600" fill="${COLORS.text}">${escapeXml(title)}</text>`,
  );

  const n = points.length;
  const hasVal = points.some((p) => (p.valCount ?? 1) > 0);
  if (n === 0) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="${COLORS.muted}">no epochs were run</text>`, '</svg>');
    return out.join('\n') + '\n';
  }

  // Subtitle: the best test accuracy and the final numbers.
  let best = points[0];
  for (const p of points) if (p.testAccuracy > best.testAccuracy) best = p;
  const last = points[n - 1];
  const subtitle =
    `best test accuracy ${(100 * best.testAccuracy).toFixed(2)}% (epoch ${best.epoch}) · ` +
    `final cost ${formatCost(last.cost)}` +
    (hasVal ? ` · final validation ${(100 * last.valAccuracy).toFixed(2)}%` : '');
  out.push(`<text x="${W / 2}" y="48" text-anchor="middle" font-size="12" fill="${COLORS.muted}">${escapeXml(subtitle)}</text>`);

  // Legend.
  const legend: [string, string, string][] = [['training cost', COLORS.cost, '']];
  if (hasVal) legend.push(['validation accuracy', COLORS.validation, '']);
  legend.push(['test accuracy', COLORS.test, '6 4']);
  const itemW = 168;
  let lx = W / 2 - (legend.length * itemW) / 2;
  for (const [label, color, dash] of legend) {
    out.push(
      `<line x1="${lx}" y1="72" x2="${lx + 26}" y2="72" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<circle cx="${lx + 13}" cy="72" r="3.5" fill="${color}"/>`,
      `<text x="${lx + 34}" y="76" fill="${COLORS.text}">${label}</text>`,
    );
    lx += itemW;
  }

  // X scale shared by both panels.
  const maxEpoch = Math.max(...points.map((p) => p.epoch));
  const minEpoch = Math.min(...points.map((p) => p.epoch));
  const x0 = minEpoch === maxEpoch ? minEpoch - 1 : minEpoch;
  const x1 = minEpoch === maxEpoch ? maxEpoch + 1 : maxEpoch;
  const padX = 12;
  const sx = (e: number): number => left + padX + ((e - x0) / (x1 - x0)) * (plotW - 2 * padX);
  const xStep = Math.max(1, niceTicks(0, maxEpoch - minEpoch || 1, 10).step);
  const xTicks: number[] = [];
  for (let e = minEpoch; e <= maxEpoch; e += Math.round(xStep)) xTicks.push(e);
  if (xTicks[xTicks.length - 1] !== maxEpoch && xTicks.length < 12) xTicks.push(maxEpoch);

  const panel = (
    top: number,
    h: number,
    label: string,
    ticks: ReturnType<typeof niceTicks>,
    fmt: (v: number) => string,
    series: { values: number[]; color: string; dash: string; name: string; show: (v: number) => string }[],
  ): void => {
    const sy = (v: number): number => top + h - ((v - ticks.lo) / (ticks.hi - ticks.lo)) * h;
    out.push(`<g>`);
    for (const t of ticks.ticks) {
      const y = sy(t).toFixed(1);
      out.push(
        `<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="${COLORS.grid}"/>`,
        `<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="${COLORS.axis}"/>`,
        `<text x="${left - 8}" y="${(Number(y) + 4).toFixed(1)}" text-anchor="end" fill="${COLORS.text}">${fmt(t)}</text>`,
      );
    }
    for (const e of xTicks) {
      const x = sx(e).toFixed(1);
      out.push(
        `<line x1="${x}" y1="${top + h}" x2="${x}" y2="${top + h + 5}" stroke="${COLORS.axis}"/>`,
        `<text x="${x}" y="${top + h + 18}" text-anchor="middle" fill="${COLORS.text}">${e}</text>`,
      );
    }
    out.push(
      `<rect x="${left}" y="${top}" width="${plotW}" height="${h}" fill="none" stroke="${COLORS.axis}"/>`,
      `<text transform="translate(${left - 56} ${top + h / 2}) rotate(-90)" text-anchor="middle" fill="${COLORS.text}">${escapeXml(label)}</text>`,
    );
    for (const s of series) {
      const pts = points.map((p, i) => `${sx(p.epoch).toFixed(1)},${sy(s.values[i]).toFixed(1)}`);
      if (pts.length > 1) {
        out.push(
          `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
        );
      }
      points.forEach((p, i) => {
        const [cx, cy] = pts[i].split(',');
        out.push(
          `<circle cx="${cx}" cy="${cy}" r="${n > 60 ? 2 : 3.5}" fill="${s.color}"><title>epoch ${p.epoch}: ${escapeXml(s.name)} ${escapeXml(s.show(s.values[i]))}</title></circle>`,
        );
      });
    }
    out.push(`</g>`);
  };

  const costs = points.map((p) => p.cost);
  const costTicks = niceTicks(0, Math.max(...costs.filter(Number.isFinite), 1e-12), 5);
  panel(top1, h1, 'training cost', costTicks, (v) => tickLabel(v, costTicks.step), [
    { values: costs, color: COLORS.cost, dash: '', name: 'cost', show: formatCost },
  ]);

  const val = points.map((p) => 100 * p.valAccuracy);
  const test = points.map((p) => 100 * p.testAccuracy);
  const accMin = Math.min(...(hasVal ? val : []), ...test);
  const accTicks = niceTicks(Math.max(0, Math.min(accMin - 0.5, 99)), 100, 5);
  accTicks.hi = Math.min(accTicks.hi, 100);
  accTicks.ticks = accTicks.ticks.filter((t) => t <= 100);
  const pct = (v: number): string => `${v.toFixed(2)}%`;
  const accSeries = [];
  if (hasVal) accSeries.push({ values: val, color: COLORS.validation, dash: '', name: 'validation accuracy', show: pct });
  accSeries.push({ values: test, color: COLORS.test, dash: '6 4', name: 'test accuracy', show: pct });
  panel(top2, h2, 'accuracy (%)', accTicks, (v) => tickLabel(v, accTicks.step), accSeries);

  out.push(`<text x="${left + plotW / 2}" y="${top2 + h2 + 42}" text-anchor="middle" fill="${COLORS.text}">epoch</text>`, '</svg>');
  return out.join('\n') + '\n';
}

function formatCost(c: number): string {
  return c >= 0.001 || c === 0 ? c.toFixed(4) : c.toExponential(2);
}
