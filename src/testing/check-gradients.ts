/**
 * `checkGradients`: gradcheck over searched inputs. fast-check draws input values (and shapes,
 * where a spec asks for them), runs `gradcheck` (or `gradgradcheck`) on each draw, and shrinks
 * a failing draw to a minimal one — fewer axes, smaller sizes, simpler numbers — so the report
 * shows the smallest input that exposes the wrong gradient, with the seed to replay it.
 */
import fc from 'fast-check';
import { gradcheck, gradgradcheck, tensor, type Tensor, type DType, type GradcheckOptions, type GradcheckReport } from '../autograd/index.js';
import { realArb, sizeOf, tensorArb } from './arbitraries.js';

/** One input drawn from a shape (fixed, or an arbitrary of shapes) and a range of values. */
export interface InputSpec {
  /** A fixed shape, or an arbitrary of shapes (`shapeArb()`) to search shapes too. */
  shape: readonly number[] | fc.Arbitrary<number[]>;
  /** Smallest element value. Default −3. */
  min?: number;
  /** Largest element value. Default 3. */
  max?: number;
  /** Points to keep away from (kinks, poles): a drawn value within `margin` of one is pushed out. */
  avoid?: readonly number[];
  /** How far from each `avoid` point values stay. Default 1e-3. */
  margin?: number;
}

/** An input: a shape (values in [−3, 3]), a spec, or any arbitrary of tensors. */
export type InputArg = readonly number[] | InputSpec | fc.Arbitrary<Tensor>;

export interface CheckGradientsOptions {
  /** One entry per argument of `f`, or one arbitrary of the whole argument list (e.g. `broadcastTensorsArb()`). */
  inputs: readonly InputArg[] | fc.Arbitrary<Tensor[]>;
  /** How many draws to check. Default 100. */
  runs?: number;
  /** fast-check's seed; default random (the report prints it, to replay a failure). */
  seed?: number;
  /** fast-check's path to one counterexample (printed in a report), to replay exactly that case. */
  path?: string;
  /** The dtype of the drawn tensors. Default 'float64'. (gradcheck itself always evaluates in float64.) */
  dtype?: DType;
  /** Tolerances, step, `mode: 'fast'` etc., passed to `gradcheck`. */
  gradcheck?: GradcheckOptions;
  /** Check second derivatives too (`gradgradcheck` on each draw). Default false. */
  secondOrder?: boolean;
}

export interface CheckGradientsResult {
  /** True when every draw passed. */
  ok: boolean;
  /** How many draws ran (up to and including the first failure). */
  runs: number;
  /** The shrunk failing inputs. */
  counterexample?: Tensor[];
  /** The gradcheck report at the counterexample. */
  gradcheck?: GradcheckReport;
  /** Readable text: what failed, where, analytic vs numeric, and how to replay it. */
  report: string;
  /** The seed used (pass it back as `seed`, with `path`, to replay). */
  seed: number;
}

/**
 * Checks the gradient of `f` (against central finite differences, with `gradcheck`) on `runs`
 * random inputs drawn from `inputs`, and shrinks a failure to a minimal counterexample.
 *
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { checkGradients, shapeArb } from 'tensorgrad/testing';
 * it('my op has exact gradients', () => {
 *   const r = checkGradients((a, b) => a.matmul(b).tanh(), { inputs: [[3, 4], [4, 2]], seed: 1 });
 *   expect(r.ok, r.report).toBe(true);
 *   // values and shapes searched; kink of abs at 0 avoided
 *   const s = checkGradients((x) => x.abs().sum(), { inputs: [{ shape: shapeArb(), avoid: [0] }] });
 *   expect(s.ok, s.report).toBe(true);
 * });
 * ```
 */
export function checkGradients(f: (...args: Tensor[]) => Tensor, opts: CheckGradientsOptions): CheckGradientsResult {
  if (typeof f !== 'function') throw new Error('checkGradients: f must be a function of Tensors');
  const dtype = opts.dtype ?? 'float64';
  const arb = inputsArb(opts.inputs, dtype);
  const runs = opts.runs ?? 100;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`checkGradients: runs must be a positive integer, got ${runs}`);
  const check = (xs: readonly Tensor[]): GradcheckReport =>
    opts.secondOrder ? gradgradcheck(f, [...xs], opts.gradcheck) : gradcheck(f, [...xs], opts.gradcheck);
  const details = fc.check(
    fc.property(arb, (xs) => check(xs).ok),
    {
      numRuns: runs,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.path !== undefined ? { path: opts.path } : {}),
    },
  );
  const what = opts.secondOrder ? 'second derivatives' : 'gradients';
  if (!details.failed) {
    return {
      ok: true,
      runs: details.numRuns,
      seed: details.seed,
      report: `checkGradients: ${what} agree with finite differences on ${details.numRuns} random inputs (seed ${details.seed})`,
    };
  }
  const counterexample = details.counterexample?.[0];
  const replay = `replay with { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)} }`;
  if (counterexample === undefined) {
    return {
      ok: false,
      runs: details.numRuns,
      seed: details.seed,
      report: `checkGradients: failed without a counterexample (${replay}): ${String(details.errorInstance)}`,
    };
  }
  const lines = [
    `checkGradients: wrong ${what}, found after ${details.numRuns} run(s) and shrunk ${details.numShrinks} time(s) to:`,
    ...counterexample.map((x, i) => `  input ${i}: ${describeTensor(x)}`),
  ];
  let report: GradcheckReport | undefined;
  try {
    report = check(counterexample);
    lines.push(...describeReport(report, opts.secondOrder === true, counterexample.length));
  } catch (e) {
    lines.push(`  f threw: ${(e as Error)?.message ?? String(e)}`);
  }
  lines.push(`  (${replay})`);
  return {
    ok: false,
    runs: details.numRuns,
    seed: details.seed,
    counterexample,
    report: lines.join('\n'),
    ...(report !== undefined ? { gradcheck: report } : {}),
  };
}

/**
 * Like `checkGradients`, but throws an Error whose message is the report when a gradient is
 * wrong: the one-liner for any test runner (vitest, jest, node:test).
 * @example
 * ```ts
 * import { assertGradients } from 'tensorgrad/testing';
 * assertGradients((x) => x.sigmoid().sum(), { inputs: [[5]], runs: 20, seed: 3 });
 * ```
 */
export function assertGradients(f: (...args: Tensor[]) => Tensor, opts: CheckGradientsOptions): CheckGradientsResult {
  const result = checkGradients(f, opts);
  if (!result.ok) throw new Error(result.report);
  return result;
}

/** What a custom matcher returns to vitest's or jest's `expect`. */
export interface MatcherResult {
  /** Whether the expectation held. */
  pass: boolean;
  /** The failure text (for `.not`, why it unexpectedly held). */
  message: () => string;
}

/**
 * A matcher for `expect.extend` (vitest and jest): `expect(checkGradients(f, opts)).toHaveExactGradients()`
 * fails with the report as its message.
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * import { checkGradients, gradientMatchers } from 'tensorgrad/testing';
 * expect.extend(gradientMatchers);
 * // For the types, once in a .d.ts of your tests:
 * // declare module 'vitest' { interface Assertion { toHaveExactGradients(): void } }
 * const check = checkGradients((x) => x.exp().sum(), { inputs: [[3]] });
 * expect(gradientMatchers.toHaveExactGradients(check).pass).toBe(true);
 * ```
 */
export const gradientMatchers = {
  /** Passes when `received` (a `checkGradients` result) found no wrong gradient; the message is its report. */
  toHaveExactGradients(received: CheckGradientsResult): MatcherResult {
    const valid = typeof received === 'object' && received !== null && typeof received.ok === 'boolean' && typeof received.report === 'string';
    if (!valid) return { pass: false, message: () => 'toHaveExactGradients: expected the result of checkGradients(...)' };
    return { pass: received.ok, message: () => (received.ok ? `expected a gradient failure, but: ${received.report}` : received.report) };
  },
};

/** The arbitrary of f's whole argument list. */
function inputsArb(inputs: CheckGradientsOptions['inputs'], dtype: DType): fc.Arbitrary<Tensor[]> {
  if (inputs instanceof fc.Arbitrary) return inputs;
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw new Error('checkGradients: inputs must be a non-empty list of input specs (or one arbitrary of the argument list)');
  return fc.tuple(...inputs.map((spec: InputArg, i: number) => inputArb(spec, i, dtype)));
}

function inputArb(spec: InputArg, i: number, dtype: DType): fc.Arbitrary<Tensor> {
  if (spec instanceof fc.Arbitrary) return spec;
  const s: InputSpec = Array.isArray(spec) ? { shape: spec as readonly number[] } : (spec as InputSpec);
  if (typeof s !== 'object' || s === null || !('shape' in s)) {
    throw new Error(`checkGradients: input ${i} must be a shape (number[]), { shape, min?, max?, avoid? } or an arbitrary of tensors`);
  }
  const min = s.min ?? -3,
    max = s.max ?? 3;
  if (!(min < max)) throw new Error(`checkGradients: input ${i}: min ${min} must be below max ${max}`);
  const margin = s.margin ?? 1e-3;
  const avoid = s.avoid ?? [];
  const elem = realArb(min, max).map((v) => pushOut(v, avoid, margin, min, max));
  if (s.shape instanceof fc.Arbitrary) {
    // Shape and values drawn side by side (values cycled to fill the shape), not chained: a
    // chained draw redraws every value when the shape shrinks, so shapes would rarely shrink.
    return fc.tuple(s.shape, fc.array(elem, { minLength: 1, maxLength: 128 })).map(([shape, values]) => {
      const data = Float64Array.from({ length: sizeOf(shape) }, (_, k) => values[k % values.length]);
      return tensor(data, { shape, dtype });
    });
  }
  const shape = s.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`checkGradients: input ${i}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return tensorArb(shape, elem, dtype);
}

/** `v` moved to `margin` from any point of `avoid` it is closer to (kept inside [min, max] when it can be). */
function pushOut(v: number, avoid: readonly number[], margin: number, min: number, max: number): number {
  for (const a of avoid) {
    if (Math.abs(v - a) < margin) {
      const up = a + margin,
        down = a - margin;
      v = (v >= a && up <= max) || down < min ? up : down;
    }
  }
  return v;
}

function describeTensor(x: Tensor): string {
  const body = x.size <= 64 ? JSON.stringify(x.toArray()) : `${x.size} elements`;
  return `shape [${x.shape.join(', ')}] ${x.dtype} ${body}`;
}

function describeReport(r: GradcheckReport, secondOrder: boolean, inputs: number): string[] {
  const lines: string[] = [];
  const w = r.worst;
  if (w !== null) {
    const who =
      w.input < 0
        ? `direction ${w.index[0]} (fast mode)`
        : secondOrder && w.input === inputs
          ? `the upstream gradient, element [${w.index.join(', ')}]`
          : `input ${w.input}, element [${w.index.join(', ')}]`;
    lines.push(`  worst: ${who}: analytic ${w.analytic} vs numeric ${w.numeric} (|diff| ${Math.abs(w.analytic - w.numeric).toExponential(3)})`);
  }
  lines.push(`  max abs error ${r.maxAbsError.toExponential(3)}, max rel error ${r.maxRelError.toExponential(3)}, ${r.checked} comparison(s)`);
  for (const f of r.failures.slice(0, 5)) lines.push(`  ✗ ${f}`);
  return lines;
}
