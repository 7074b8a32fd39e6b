/**
 * `tensorgrad gradcheck FILE#EXPORT`: checks the gradient of a user's own exported function
 * (or module) against central finite differences, and prints a table of results.
 *
 *   tensorgrad gradcheck src/my-op.ts#loss --shapes 3x4,4x2 [--dtype float64] [--runs N] [--seed S]
 *
 * A function export is called with random tensors of the given shapes (`--runs` draws, each a
 * full `gradcheck`); a module export (anything with `forward` and `parameters()`, e.g. an
 * `nn.MLP` built with `dtype: 'float64'`) is run on a random input of the one given shape and
 * every parameter's gradient is checked, per element, or along random directions for a
 * parameter of more than `--full-limit` elements. Exit 0 when every gradient holds, 1 when one
 * does not, 2 for a usage mistake (missing file or export, bad shapes or flags).
 *
 * `tensorgrad gradcheck --demo` runs the built-in demo of `gradcheck-demo.ts` (the lecture's
 * network), which `tensorgrad gradcheck` ran before it took a file.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineOp, gradcheck, isGradEnabled, noGrad, Rng, Tensor, type DType, type GradcheckReport } from '../autograd/index.js';
import { formatGradcheckResult, runGradcheckDemo } from './gradcheck-demo.js';
import { loadUserModule } from './load-user-module.js';

/** Where the command writes. */
export interface GradcheckIO {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

export const GRADCHECK_FILE_USAGE = `Usage: tensorgrad gradcheck FILE#EXPORT --shapes SHAPES [flags]

Checks the gradient of your exported function (or module) against finite differences (float64).
EXPORT defaults to the default export. SHAPES is one shape per argument: 3x4,4x2 (use 'scalar'
for a 0-d tensor); a module takes the shape of its input.

  --shapes S        argument shapes, e.g. 3x4,4x2
  --dtype D         float64 (default) or float32: the dtype of the random inputs
  --runs N          random draws of the inputs to check (default 3)
  --seed S          seed of the inputs, upstream gradients and directions (default 0)
  --full-limit N    a module parameter with more elements is checked along random
                    directions instead of per element (default 2000)
  --directions N    directions per parameter in that mode (default 8)

Exit status: 0 every gradient holds, 1 one does not, 2 a usage mistake.

tensorgrad gradcheck --demo [--seed N] [--directions N]
  the built-in demo: the lecture's 784-30-10 network (fast mode) and a small one (per element).`;

class UsageError extends Error {}

interface Options {
  target: string;
  exportName: string;
  shapes: number[][] | null;
  dtype: DType;
  runs: number;
  seed: number;
  fullLimit: number;
  directions: number;
}

/**
 * Runs `tensorgrad gradcheck FILE#EXPORT …` with `argv` (the words after `gradcheck`) and
 * resolves to the exit code; never throws.
 *
 * @example
 * ```ts
 * const code = await runGradcheckCommand(['examples/custom-op.ts#softplusSum', '--shapes', '4x3']);
 * ```
 */
export async function runGradcheckCommand(argv: string[], io: GradcheckIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let opts: Options;
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out.write(GRADCHECK_FILE_USAGE + '\n');
      return 0;
    }
    if (argv.includes('--demo'))
      return runDemo(
        argv.filter((a) => a !== '--demo'),
        io,
      );
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    io.err.write(`tensorgrad gradcheck: error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
  let exported: unknown;
  try {
    exported = await loadExport(opts.target, opts.exportName);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    io.err.write(`tensorgrad gradcheck: error: could not load ${opts.target}: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
  try {
    if (isModule(exported)) return checkModule(exported, opts, io);
    if (typeof exported === 'function') return checkFunction(exported as (...xs: Tensor[]) => unknown, opts, io);
    return usage(io, `${opts.target}#${opts.exportName} is ${describe(exported)}, not a function of tensors or a module`);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    io.err.write(`tensorgrad gradcheck: error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

/** The built-in demo (what `tensorgrad gradcheck` ran before it took a file). */
function runDemo(argv: readonly string[], io: GradcheckIO): number {
  let seed = 0,
    directions = 8;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split('=', 2);
    if (name !== '--seed' && name !== '--directions')
      throw new UsageError(`unknown argument '${argv[i]}' for --demo (it takes --seed and --directions)`);
    const raw = inline ?? argv[++i];
    if (name === '--seed') seed = int('seed', raw, 0, -(2 ** 31));
    else directions = int('directions', raw, 8, 1);
  }
  io.out.write('Gradient check: reverse-mode gradients vs central finite differences (float64)\n\n');
  let ok = true;
  for (const r of runGradcheckDemo({ seed, directions })) {
    io.out.write(formatGradcheckResult(r) + '\n\n');
    ok &&= r.report.ok;
  }
  io.out.write(ok ? 'All gradients agree with finite differences.\n' : 'Some gradients disagree with finite differences.\n');
  return ok ? 0 : 1;
}

function usage(io: GradcheckIO, message: string): number {
  io.err.write(`tensorgrad gradcheck: ${message}\n\n${GRADCHECK_FILE_USAGE}\n`);
  return 2;
}

// ---- arguments ----

/** @internal Parses the words after `gradcheck`. */
export function parseArgs(argv: readonly string[]): Options {
  let target: string | undefined;
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (target !== undefined) throw new UsageError(`unexpected argument '${arg}' (one FILE#EXPORT only)`);
      target = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!['shapes', 'dtype', 'runs', 'seed', 'full-limit', 'directions'].includes(name)) throw new UsageError(`unknown flag --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (eq >= 0) flags.set(name, arg.slice(eq + 1));
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, argv[++i]);
    }
  }
  if (target === undefined) throw new UsageError('missing FILE#EXPORT: which function to check');
  const hash = target.lastIndexOf('#');
  const file = hash >= 0 ? target.slice(0, hash) : target;
  const exportName = hash >= 0 ? target.slice(hash + 1) : 'default';
  if (file === '' || exportName === '') throw new UsageError(`'${target}' is not FILE#EXPORT`);
  const dtype = flags.get('dtype') ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw new UsageError(`--dtype: expected float64 or float32, got '${dtype}'`);
  return {
    target: file,
    exportName,
    shapes: flags.has('shapes') ? parseShapes(flags.get('shapes') as string) : null,
    dtype,
    runs: int('runs', flags.get('runs'), 3, 1),
    seed: int('seed', flags.get('seed'), 0, -(2 ** 31)),
    fullLimit: int('full-limit', flags.get('full-limit'), 2000, 1),
    directions: int('directions', flags.get('directions'), 8, 1),
  };
}

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got '${raw}'`);
  return n;
}

/** `3x4,4x2` → [[3, 4], [4, 2]]; `scalar` (or `[]`) is a 0-d shape. */
export function parseShapes(raw: string): number[][] {
  return raw.split(',').map((part) => {
    const s = part.trim();
    if (s === 'scalar' || s === '[]') return [];
    const dims = s.split('x');
    if (s === '' || dims.some((d) => !/^\d+$/.test(d) || Number(d) < 1)) {
      throw new UsageError(`--shapes: '${s}' is not a shape like 3x4 (positive integers joined by x, or 'scalar')`);
    }
    return dims.map(Number);
  });
}

// ---- loading the user's file ----

async function loadExport(file: string, name: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`file '${file}' does not exist`);
  if (!statSync(path).isFile()) throw new UsageError(`'${file}' is not a file`);
  const mod = (await loadUserModule(path)).exports;
  if (!(name in mod) || mod[name] === undefined) {
    const names = Object.keys(mod)
      .filter((k) => k !== '__esModule')
      .sort();
    throw new UsageError(`${file} has no export '${name}' (it exports: ${names.length > 0 ? names.join(', ') : 'nothing'})`);
  }
  return mod[name];
}

// ---- checking ----

interface ModuleLike {
  forward(x: Tensor): Tensor;
  parameters(): Tensor[];
  namedParameters?(): [string, Tensor][];
}

function isModule(x: unknown): x is ModuleLike {
  return typeof x === 'object' && x !== null && typeof (x as ModuleLike).forward === 'function' && typeof (x as ModuleLike).parameters === 'function';
}

interface Row {
  name: string;
  shape: string;
  report: GradcheckReport;
}

function randomTensor(shape: readonly number[], dtype: DType, rng: Rng): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal();
  return new Tensor(data, shape);
}

function checkFunction(f: (...xs: Tensor[]) => unknown, opts: Options, io: GradcheckIO): number {
  const shapes = opts.shapes;
  if (shapes === null)
    throw new UsageError(`--shapes is needed: one shape per argument of ${opts.exportName}${f.length > 0 ? ` (it takes ${f.length})` : ''}`);
  if (f.length > 0 && f.length !== shapes.length) {
    throw new UsageError(`${opts.exportName} takes ${f.length} argument(s) but --shapes gives ${shapes.length}`);
  }
  const call = (...xs: Tensor[]): Tensor => {
    const out = f(...xs);
    if (!(out instanceof Tensor)) throw new Error(`${opts.exportName} returned ${describe(out)}, not a Tensor`);
    return out;
  };
  const rng = new Rng(opts.seed);
  const rows: Row[] = [];
  for (let r = 0; r < opts.runs; r++) {
    const inputs = shapes.map((s) => randomTensor(s, opts.dtype, rng));
    rows.push({ name: `run ${r + 1}`, shape: shapes.map(fmtShape).join(' '), report: gradcheck(call, inputs, { seed: opts.seed + r }) });
  }
  return printTable(`${opts.target}#${opts.exportName}`, 'run', 'input shapes', rows, opts, io);
}

function checkModule(m: ModuleLike, opts: Options, io: GradcheckIO): number {
  if (opts.shapes === null || opts.shapes.length !== 1)
    throw new UsageError(`a module takes one input shape: --shapes N${'x'}M (got ${opts.shapes?.length ?? 'none'})`);
  const named = m.namedParameters ? m.namedParameters() : m.parameters().map((p, i): [string, Tensor] => [`parameter ${i}`, p]);
  if (named.length === 0) throw new UsageError(`${opts.exportName} has no parameters to check`);
  const f32 = named.find(([, p]) => p.dtype !== 'float64');
  if (f32 !== undefined) {
    throw new UsageError(
      `parameter '${f32[0]}' is ${f32[1].dtype}: finite differences need float64 parameters (build the module with { dtype: 'float64' })`,
    );
  }
  const rng = new Rng(opts.seed);
  const x = randomTensor(opts.shapes[0], 'float64', rng);
  const out = noGrad(() => m.forward(x));
  if (!(out instanceof Tensor)) throw new Error(`${opts.exportName}.forward returned ${describe(out)}, not a Tensor`);
  const u = randomTensor(out.shape, 'float64', rng);
  // Each check runs backward() through the whole module: every parameter's .grad is put back after.
  const grads = named.map(([, p]) => p.grad);
  let rows: Row[];
  try {
    rows = named.map(([name, p], k): Row => {
      const full = p.size <= opts.fullLimit;
      const report = checkParameter(m, x, u, p, full ? 'full' : 'fast', opts.directions, opts.seed + k);
      return { name, shape: fmtShape(p.shape), report };
    });
  } finally {
    named.forEach(([, p], i) => {
      p.grad = grads[i];
    });
  }
  return printTable(`${opts.target}#${opts.exportName}`, 'parameter', 'shape', rows, opts, io);
}

/**
 * gradcheck of ⟨u, m.forward(x)⟩ with respect to parameter `p`: the function handed to
 * `gradcheck` copies its argument's values into `p` (in place) before each forward pass — so
 * the module's real forward runs — and hands the gradient that reached `p` back through a
 * custom op, so gradcheck's comparisons, modes and report apply unchanged.
 */
function checkParameter(m: ModuleLike, x: Tensor, u: Tensor, p: Tensor, mode: 'full' | 'fast', directions: number, seed: number): GradcheckReport {
  const saved = Float64Array.from(p.data);
  try {
    const contracted = (q: Tensor): Tensor => {
      p.data.set(q.data);
      if (!isGradEnabled()) return m.forward(x).mul(u).sum(); // a finite-difference evaluation
      p.grad = null;
      const y = m.forward(x).mul(u).sum();
      y.backward();
      const g = p.grad === null ? new Tensor(new Float64Array(p.size), p.shape) : (p.grad as Tensor).detach();
      // y as a function of q whose derivative is the gradient that reached p
      return defineOp('module', { forward: () => y.detach(), backward: (gy) => [g.mul(gy)] })(q);
    };
    return gradcheck(contracted, [new Tensor(Float64Array.from(p.data), p.shape)], { mode, directions, seed });
  } finally {
    p.data.set(saved);
  }
}

// ---- output ----

function printTable(title: string, what: string, shapeTitle: string, rows: Row[], opts: Options, io: GradcheckIO): number {
  const say = (s: string): void => void io.out.write(s + '\n');
  say(`gradcheck ${title} · reverse-mode vs central finite differences (float64) · inputs ${opts.dtype} · seed ${opts.seed}`);
  say('');
  const header = [what, shapeTitle, 'mode', 'checked', 'max abs err', 'max rel err', 'result'];
  const body = rows.map((r) => [
    r.name,
    r.shape,
    r.report.mode,
    String(r.report.checked),
    r.report.maxAbsError.toExponential(2),
    r.report.maxRelError.toExponential(2),
    r.report.ok ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  say(line(header));
  say(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) say(line(b));
  const failed = rows.filter((r) => !r.report.ok);
  for (const r of failed) {
    say('');
    say(`${r.name} (${r.shape}):`);
    const w = r.report.worst;
    if (w !== null) {
      const where = w.input < 0 ? `direction ${w.index[0]}` : `input ${w.input} at [${w.index.join(', ')}]`;
      say(`  worst: ${where}: analytic ${w.analytic} vs numeric ${w.numeric}`);
    }
    for (const f of r.report.failures.slice(0, 3)) say(`  ✗ ${f}`);
    if (r.report.failures.length > 3) say(`  … ${r.report.failures.length - 3} more`);
  }
  say('');
  say(failed.length === 0 ? `All ${rows.length} gradient check(s) hold.` : `${failed.length} of ${rows.length} gradient check(s) FAILED.`);
  return failed.length === 0 ? 0 : 1;
}

function fmtShape(s: readonly number[]): string {
  return s.length === 0 ? 'scalar' : s.join('x');
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return typeof x === 'function' ? 'a function' : `a ${typeof x}`;
}
