/**
 * Shared pieces of the benchmark suites: the row model of the summary table and a wrapper that
 * runs one benny suite (one workload, several systems side by side) and saves its results.
 */
import { add, complete, configure, cycle, save, suite } from 'benny';

/** What benny's `suite` resolves to. */
type Summary = Awaited<ReturnType<typeof suite>>;

/** Where benny writes its JSON and chart files (gitignored). */
export const RESULTS_DIR = 'benchmarks/results';

/**
 * The systems a workload is measured on, in the column order of the summary table.
 * `tensorgrad-compiled` is the same code run through `compile()`; a suite that measures it
 * reports it as a row of its own (see `compiledRow`), beside the same run's peers.
 */
export type System = 'tensorgrad' | 'tensorgrad-compiled' | 'tfjs-cpu' | 'tfjs-wasm';

/** How a figure is shown: its unit, and how to turn seconds per benchmark call into it. */
export interface Metric {
  /** e.g. 'ns/node', 'GFLOP/s', 'µs/step'. */
  unit: string;
  /** Converts seconds per benchmark call into the figure shown. */
  fromSeconds: (secondsPerCall: number) => number;
  /** True when a larger figure is better (throughput), false for a time. */
  higherIsBetter: boolean;
}

/** One measured (or quoted) figure. */
export interface Figure {
  /** Median seconds per benchmark call (one call = one unit of the workload's work). */
  seconds: number;
  /** Relative margin of error of the mean, in percent (benny's `margin`); NaN when quoted. */
  rme: number;
  /** Number of samples benny took; 0 when quoted. */
  samples: number;
}

/** A row of the summary table. */
export interface Row {
  workload: string;
  metric: Metric;
  figures: Partial<Record<System, Figure>>;
  /** A peer not measured in this run, quoted from PEERS.md (e.g. micrograd). */
  quoted?: { name: string; seconds: number; source: string };
  /** Why a peer column is empty, or anything the reader must know. */
  note?: string;
}

/**
 * The row of a suite's `tensorgrad-compiled` figure: the same peers' figures (from the same
 * run), with the compiled figure in tensorgrad's column.
 */
export function compiledRow(workload: string, metric: Metric, figures: Partial<Record<System, Figure>>): Row {
  const { 'tensorgrad-compiled': compiled, tensorgrad: _eager, ...peers } = figures;
  return { workload, metric, figures: { ...peers, tensorgrad: compiled } };
}

/** A benchmark case: a system and a body that does one unit of work per call. */
export interface Case {
  system: System;
  /**
   * Called once (lazily, the first time benny asks for the case) to prepare inputs; returns the
   * timed body. The setup is memoised because benny calls a case's factory more than once to
   * detect whether it is sync or async.
   */
  setup: () => () => unknown;
  /** Overrides of the suite's benny case options. */
  options?: CaseOptions;
}

export interface CaseOptions {
  minSamples?: number;
  maxTime?: number;
  minTime?: number;
  initCount?: number;
  delay?: number;
}

/** Default benny options: short, so the whole `npm run bench` stays within a few minutes. */
export const DEFAULT_CASE_OPTIONS: CaseOptions = { minSamples: 8, maxTime: 1, delay: 0.005 };

/** Seconds per call → microseconds. */
export const microseconds: Metric = { unit: 'µs', fromSeconds: (s) => s * 1e6, higherIsBetter: false };

/** Seconds per call of `flops` floating-point operations → GFLOP/s. */
export function gflops(flops: number): Metric {
  return { unit: 'GFLOP/s', fromSeconds: (s) => flops / s / 1e9, higherIsBetter: true };
}

/** The median of a list of numbers (benchmark.js samples: seconds per call of each cycle). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A file-name-safe slug of a suite name. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Runs one benny suite with the given cases, saves `<slug>.json` and `<slug>.chart.html` under
 * `benchmarks/results/`, and returns each system's figure (median seconds per call).
 */
export async function runSuite(name: string, cases: readonly Case[], options: CaseOptions = {}): Promise<Partial<Record<System, Figure>>> {
  const file = slug(name);
  const entries = cases.map((c) => {
    let body: (() => unknown) | null = null;
    const factory = () => {
      if (body === null) body = c.setup();
      return body;
    };
    return add(c.system, factory, c.options);
  });
  const summary: Summary = await suite(
    name,
    configure({ cases: { ...DEFAULT_CASE_OPTIONS, ...options }, minDisplayPrecision: 2 }),
    ...entries,
    cycle(),
    complete(),
    save({ file, folder: RESULTS_DIR, format: 'json', details: true }),
    save({ file, folder: RESULTS_DIR, format: 'chart.html' }),
  );
  const figures: Partial<Record<System, Figure>> = {};
  for (const r of summary.results) {
    const samples = r.details.sampleResults;
    figures[r.name as System] = {
      seconds: samples.length > 0 ? median(samples) : 1 / r.ops,
      rme: r.margin,
      samples: r.samples,
    };
  }
  return figures;
}
