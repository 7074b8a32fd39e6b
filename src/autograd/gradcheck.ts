/**
 * Gradient checking against central finite differences in float64, after PyTorch's
 * gradcheck: per element |analytic − numeric| ≤ atol + rtol·|numeric|, plus structural
 * checks, and a directional (vᵀJu) mode for inputs too large to perturb one by one.
 */
import { Tensor } from './tensor.js';
import { Value } from './value.js';
import { noGrad, runBackward, withGradMode } from './engine.js';
import { engineState } from './state.js';
import { fmt, sameShape } from './shape.js';
import { Rng } from './random.js';

/** Options of `gradcheck`: step, tolerances (PyTorch's defaults), and the fast directional mode. */
export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /** `'full'` perturbs every input element; `'fast'` checks `directions` random directions. Default 'full'. */
  mode?: 'full' | 'fast';
  /** Random directions in fast mode. Default 4. */
  directions?: number;
  /** Seed for the upstream gradient and the directions. Default 0. */
  seed?: number;
}

/** Where the worst disagreement was. `index` is the element's coordinates (fast mode: `[direction]`). */
export interface GradcheckWorst {
  /** Which input (position in `inputs`). */
  input: number;
  /** The element's coordinates in that input (fast mode: `[direction]`). */
  index: number[];
  /** The reverse-mode (backward) derivative. */
  analytic: number;
  /** The central finite-difference estimate. */
  numeric: number;
}

/** What `gradcheck` found: whether it passed, the largest errors, and where the worst one was. */
export interface GradcheckReport {
  /** True only when every check ran and passed. */
  ok: boolean;
  /** Largest |analytic − numeric| over all comparisons. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / |numeric| over all comparisons. */
  maxRelError: number;
  /** The comparison closest to (or furthest past) its tolerance. */
  worst: GradcheckWorst | null;
  /** How many comparisons were made (elements, or directions in fast mode). */
  checked: number;
  /** The mode that ran (see `GradcheckOptions.mode`). */
  mode: 'full' | 'fast';
  /** What failed, in words; empty when ok. */
  failures: string[];
}

type Input = Tensor | Value;

/**
 * Checks the reverse-mode gradient of `f` at `inputs` against central finite differences.
 * Tensor inputs (float32 ones too) are copied to float64; a non-scalar output is contracted
 * with a random upstream gradient, so a rule that forgets to multiply by it is caught.
 * The analytic gradient is recorded whatever the caller's grad mode (gradcheck inside
 * `noGrad` works), and a transform inside `f` (`gradcheck(grad(g), …)`) is differentiated
 * for real, so a wrong second derivative fails.
 *
 * @example
 * ```ts
 * import { gradcheck, randn } from 'tensorgrad';
 * const report = gradcheck((a, b) => a.matmul(b).tanh(), [randn([3, 4]), randn([4, 2])]);
 * report.ok;          // true
 * report.maxAbsError; // ~1e-10
 * ```
 */
export function gradcheck(f: (...args: Tensor[]) => Tensor, inputs: Tensor[], opts?: GradcheckOptions): GradcheckReport;
export function gradcheck(f: (...args: Value[]) => Value, inputs: Value[], opts?: GradcheckOptions): GradcheckReport;
export function gradcheck(f: (...args: never[]) => Input, inputs: Input[], opts: GradcheckOptions = {}): GradcheckReport {
  const eps = opts.eps ?? 1e-6,
    atol = opts.atol ?? 1e-5,
    rtol = opts.rtol ?? 1e-3;
  const mode = opts.mode ?? 'full';
  const report = new ReportBuilder(atol, rtol, mode);
  if (inputs.length === 0) return report.fail('gradcheck: no inputs to check');
  const call = f as (...args: Input[]) => Input;
  if (inputs.every((x) => x instanceof Value)) return checkValues(call, inputs as Value[], eps, mode, opts, report);
  if (!inputs.every((x) => x instanceof Tensor)) return report.fail('gradcheck: inputs must be all Tensors or all Values');
  return checkTensors(call, inputs as Tensor[], eps, mode, opts, report);
}

class ReportBuilder {
  maxAbs = 0;
  maxRel = 0;
  worstRatio = -1;
  worst: GradcheckWorst | null = null;
  checked = 0;
  failures: string[] = [];
  constructor(
    readonly atol: number,
    readonly rtol: number,
    readonly mode: 'full' | 'fast',
  ) {}

  compare(input: number, index: number[], analytic: number, numeric: number): void {
    this.checked++;
    const abs = Math.abs(analytic - numeric);
    const ratio = abs / (this.atol + this.rtol * Math.abs(numeric));
    const finite = Number.isFinite(analytic) && Number.isFinite(numeric);
    if (finite) {
      this.maxAbs = Math.max(this.maxAbs, abs);
      this.maxRel = Math.max(this.maxRel, abs / Math.max(Math.abs(numeric), 1e-12));
    }
    const score = finite ? ratio : Infinity;
    if (score > this.worstRatio) {
      this.worstRatio = score;
      this.worst = { input, index, analytic, numeric };
    }
    if (!(ratio <= 1)) {
      if (this.failures.length < 10) {
        this.failures.push(`input ${input} ${fmt(index)}: analytic ${analytic} vs numeric ${numeric} (|diff| ${abs})`);
      }
    }
  }

  fail(message: string): GradcheckReport {
    this.failures.push(message);
    return this.build();
  }

  build(): GradcheckReport {
    return {
      ok: this.failures.length === 0 && this.checked > 0,
      maxAbsError: this.maxAbs,
      maxRelError: this.maxRel,
      worst: this.worst,
      checked: this.checked,
      mode: this.mode,
      failures: this.checked > 0 || this.failures.length > 0 ? this.failures : ['gradcheck: nothing was checked (inputs with no elements?)'],
    };
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function checkTensors(
  f: (...args: Input[]) => Input,
  inputs: Tensor[],
  eps: number,
  mode: 'full' | 'fast',
  opts: GradcheckOptions,
  report: ReportBuilder,
): GradcheckReport {
  const xs = inputs.map((x) => new Tensor(Float64Array.from(x.data), x.shape, true));
  const call = (): Tensor => {
    const out = f(...xs);
    if (!(out instanceof Tensor)) throw new Error('gradcheck: f must return a Tensor for Tensor inputs');
    return out;
  };
  // The analytic side always records, whatever the caller's mode (gradcheck inside noGrad).
  const evaluate = (): Tensor => withGradMode(true, call);
  const out = evaluate();
  if (out.dtype !== 'float64') {
    return report.fail(
      `gradcheck: f returned ${out.dtype} for float64 inputs, so it cannot be checked in float64 (does it cast or make float32 tensors?)`,
    );
  }
  const rng = new Rng(opts.seed ?? 0);
  const u = new Float64Array(out.size);
  if (out.size === 1) u[0] = 1;
  else for (let i = 0; i < u.length; i++) u[i] = rng.normal();

  const analyticGrads = (): (Float64Array | null)[] | string => {
    const y = evaluate();
    if (!y.requiresGrad) return xs.map(() => null);
    const leaves = runBackward(y, new Tensor(u, y.shape), false);
    const grads: (Float64Array | null)[] = [];
    for (let i = 0; i < xs.length; i++) {
      const g = leaves.get(xs[i]);
      if (g === undefined) {
        grads.push(null);
        continue;
      }
      if (!sameShape(g.shape, xs[i].shape)) return `gradient of input ${i} has shape ${fmt(g.shape)}, the input ${fmt(xs[i].shape)}`;
      if (g.dtype !== 'float64') return `gradient of input ${i} is ${g.dtype}, expected float64`;
      grads.push(g.data as Float64Array);
    }
    return grads;
  };
  const grads = analyticGrads();
  if (typeof grads === 'string') return report.fail(`gradcheck: ${grads}`);

  // Structural: a zero upstream gradient must give zero gradients.
  if (out.requiresGrad) {
    const leaves = runBackward(out, new Tensor(new Float64Array(out.size), out.shape), false);
    for (const [leaf, g] of leaves) {
      const i = xs.indexOf(leaf);
      if (i >= 0 && g.data.some((v) => v !== 0)) report.failures.push(`gradcheck: input ${i}: a zero upstream gradient gave a nonzero gradient`);
    }
  }
  // Structural: a second evaluation gives the same gradients.
  const again = analyticGrads();
  if (typeof again === 'string' || again.some((g, i) => (g === null) !== (grads[i] === null) || g?.some((v, j) => !Object.is(v, grads[i]![j])))) {
    report.failures.push('gradcheck: two backward passes gave different gradients (nondeterministic)');
  }

  const F = (): number => dot(u, noGrad(call).data);
  if (mode === 'full') {
    xs.forEach((x, i) => {
      const data = x.data;
      for (let j = 0; j < data.length; j++) {
        const v = data[j];
        data[j] = v + eps;
        const fp = F();
        data[j] = v - eps;
        const fm = F();
        data[j] = v;
        report.compare(i, unravel(j, x.shape), grads[i] === null ? 0 : grads[i]![j], (fp - fm) / (2 * eps));
      }
    });
  } else {
    const directions = opts.directions ?? 4;
    for (let d = 0; d < directions; d++) {
      const vs = xs.map((x) => Float64Array.from({ length: x.size }, () => rng.normal()));
      const saved = xs.map((x) => Float64Array.from(x.data));
      const shift = (s: number): void =>
        xs.forEach((x, i) => {
          for (let j = 0; j < x.size; j++) x.data[j] = saved[i][j] + s * vs[i][j];
        });
      shift(eps);
      const fp = F();
      shift(-eps);
      const fm = F();
      shift(0);
      const analytic = xs.reduce((acc, _, i) => acc + (grads[i] === null ? 0 : dot(grads[i]!, vs[i])), 0);
      report.compare(-1, [d], analytic, (fp - fm) / (2 * eps));
    }
  }
  return report.build();
}

function checkValues(
  f: (...args: Input[]) => Input,
  inputs: Value[],
  eps: number,
  mode: 'full' | 'fast',
  opts: GradcheckOptions,
  report: ReportBuilder,
): GradcheckReport {
  const point = inputs.map((v) => v.data);
  const evaluate = (at: number[]): Value => {
    const out = f(...at.map((d) => new Value(d)));
    if (!(out instanceof Value)) throw new Error('gradcheck: f must return a Value for Value inputs');
    return out;
  };
  const analyticAt = (): number[] => {
    const vs = point.map((d) => new Value(d));
    // Counted as a transform, so a Value `grad` inside f throws instead of looking constant.
    engineState.transformDepth++;
    let out: Input;
    try {
      out = f(...vs);
    } finally {
      engineState.transformDepth--;
    }
    if (!(out instanceof Value)) throw new Error('gradcheck: f must return a Value for Value inputs');
    out._reversePass();
    return vs.map((v) => v._g);
  };
  const analytic = analyticAt();
  if (analyticAt().some((g, i) => !Object.is(g, analytic[i]))) report.failures.push('gradcheck: two backward passes gave different gradients');
  if (mode === 'full') {
    point.forEach((p, i) => {
      const plus = [...point],
        minus = [...point];
      plus[i] = p + eps;
      minus[i] = p - eps;
      report.compare(i, [], analytic[i], (evaluate(plus).data - evaluate(minus).data) / (2 * eps));
    });
  } else {
    const rng = new Rng(opts.seed ?? 0);
    for (let d = 0; d < (opts.directions ?? 4); d++) {
      const v = point.map(() => rng.normal());
      const fp = evaluate(point.map((p, i) => p + eps * v[i])).data;
      const fm = evaluate(point.map((p, i) => p - eps * v[i])).data;
      report.compare(-1, [d], dot(analytic, v), (fp - fm) / (2 * eps));
    }
  }
  return report.build();
}
