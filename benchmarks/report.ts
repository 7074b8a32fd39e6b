/**
 * The summary table printed at the end of `npm run bench`: one row per workload, the figure of
 * each system, and ratios of tensorgrad's speed to each peer's (> 1: tensorgrad is faster).
 */
import type { Figure, Row, System } from './suites/common.js';

const PEERS: readonly System[] = ['tfjs-cpu', 'tfjs-wasm'];

/** A number with about three significant digits, thousands separated. */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : 4;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** tensorgrad speed ÷ peer speed, i.e. peer time ÷ tensorgrad time for the same work. */
export function ratio(tg: Figure | undefined, peerSeconds: number | undefined): number | undefined {
  if (tg === undefined || peerSeconds === undefined) return undefined;
  return peerSeconds / tg.seconds;
}

function fmtRatio(r: number | undefined): string {
  if (r === undefined) return 'n/a';
  return `${r >= 10 ? r.toFixed(1) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}×`;
}

function cell(row: Row, f: Figure | undefined): string {
  if (f === undefined) return 'n/a';
  return fmtNum(row.metric.fromSeconds(f.seconds));
}

/** Renders rows as an aligned Markdown table (readable in a terminal, pasteable into docs). */
export function renderTable(rows: readonly Row[]): string {
  const header = ['workload', 'unit', 'tensorgrad', 'tfjs-cpu', 'tfjs-wasm', 'quoted peer*', 'tg÷cpu', 'tg÷wasm', 'tg÷quoted'];
  const body = rows.map((row) => {
    const tg = row.figures.tensorgrad;
    const q = row.quoted;
    return [
      row.workload,
      row.metric.unit,
      cell(row, tg),
      ...PEERS.map((p) => cell(row, row.figures[p])),
      q ? `${q.name} ${fmtNum(row.metric.fromSeconds(q.seconds))}` : '—',
      ...PEERS.map((p) => fmtRatio(ratio(tg, row.figures[p]?.seconds))),
      q ? fmtRatio(ratio(tg, q.seconds)) : '—',
    ];
  });
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...r[c]].length)));
  const numeric = (c: number) => c >= 2;
  const line = (r: string[]) => '| ' + r.map((s, c) => (numeric(c) ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, c) => (numeric(c) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  const lines = [line(header), sep, ...body.map(line)];
  const notes: string[] = [];
  for (const row of rows) {
    if (row.quoted) notes.push(`* ${row.quoted.name}: quoted from ${row.quoted.source}; not measured in this run.`);
    if (row.note && !row.note.startsWith('per ')) notes.push(`  ${row.workload}: ${row.note}.`);
  }
  notes.push(
    'Figures are medians of benny samples. Ratios are tensorgrad speed ÷ peer speed (peer time ÷ tensorgrad time): > 1 means tensorgrad is faster.',
  );
  return [...lines, '', ...notes].join('\n');
}

/** A JSON-friendly form of the rows, with the shown figures and ratios. */
export function rowsToJson(rows: readonly Row[]): unknown[] {
  return rows.map((row) => {
    const tg = row.figures.tensorgrad;
    const out: Record<string, unknown> = { workload: row.workload, unit: row.metric.unit };
    for (const [sys, f] of Object.entries(row.figures)) {
      if (f) out[sys] = { value: row.metric.fromSeconds(f.seconds), secondsPerCall: f.seconds, rmePercent: f.rme, samples: f.samples };
    }
    for (const p of PEERS) out[`ratio_vs_${p}`] = ratio(tg, row.figures[p]?.seconds) ?? null;
    if (row.quoted) {
      out.quoted = { ...row.quoted, value: row.metric.fromSeconds(row.quoted.seconds) };
      out.ratio_vs_quoted = ratio(tg, row.quoted.seconds) ?? null;
    }
    if (row.note) out.note = row.note;
    return out;
  });
}
