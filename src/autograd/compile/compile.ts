/**
 * `compile(fn)`: trace a function of tensors once per signature of its arguments (shapes,
 * dtypes, requiresGrad; other arguments by value), then replay the recorded kernel calls on the
 * same buffers: no graph, no Tensor objects, no op dispatch per call.
 */
import { Tensor } from '../tensor.js';
import { Value } from '../value.js';
import type { DType } from '../dtype.js';
import type { FloatArray } from '../kernels/types.js';
import { fmt } from '../shape.js';
import { engineState } from '../state.js';
import * as memory from '../backend/memory.js';
import { useWasm } from '../backend/dispatch.js';
import { Tracer, compileError, type Step } from './trace.js';
import { planBuffers } from './plan.js';
import { fuseElementwise, isFusedStep } from './fuse.js';

/** Options of `compile`. */
export interface CompileOptions {
  /**
   * How many argument signatures keep their traced program (default 8); the least recently
   * used one is dropped when a new signature would exceed it.
   */
  maxCached?: number;
}

/** What `compile` returns: a function with `fn`'s signature, and its trace statistics. */
export type CompiledFunction<A extends unknown[], R> = ((...args: A) => R) & {
  /** How many times `fn` has been traced (a new signature, or a call that was not yet a steady state). */
  readonly traceCount: number;
  /** How many signatures have a program cached now. */
  readonly cacheSize: number;
};

/** One argument of a signature: a tensor's dtype, shape and requiresGrad, or a value. */
type ArgSpec = { readonly dtype: DType; readonly shape: readonly number[]; readonly requiresGrad: boolean } | { readonly value: unknown };

/** A traced program, or the count of traces that were not steady yet. */
interface Entry {
  readonly specs: readonly ArgSpec[];
  readonly gradEnabled: boolean;
  /** Whether the wasm kernels were in use: the kernels a program calls were chosen by it. */
  readonly wasm: boolean;
  program: Program | null;
  unsteadyTraces: number;
  lastReason: string;
}

/** A recorded call: its steps, the buffers its tensor arguments are copied into, and what it returns. */
class Program {
  constructor(
    readonly steps: readonly Step[],
    /** The shared blocks the steps' intermediates live in (kept alive here: steps hold views). */
    readonly blocks: readonly FloatArray[],
    /** How many intermediate buffers the program still writes after fusion (sharing `blocks`). */
    readonly buffers: number,
    /** Per argument position: the program's buffer for a tensor argument, or null. */
    private readonly inputs: readonly (FloatArray | null)[],
    private readonly output: unknown,
    /** The tensors whose `.grad` the program writes into, and those `.grad` tensors. */
    private readonly gradOwners: readonly Tensor[],
    private readonly grads: readonly (Tensor | null)[],
  ) {}

  /** Whether the state the program was traced against still holds: each `.grad` it writes is still its tensor's. */
  valid(): boolean {
    const owners = this.gradOwners;
    for (let i = 0; i < owners.length; i++) if (owners[i].grad !== this.grads[i]) return false;
    return true;
  }

  run(args: readonly unknown[]): unknown {
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const buf = inputs[i];
      if (buf !== null) buf.set((args[i] as Tensor).data);
    }
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      (s.fn as (...a: readonly unknown[]) => unknown)(...s.args);
    }
    return this.output;
  }
}

/**
 * Compiles `fn`, a function of tensors (typically a training step: forward, loss, `backward()`,
 * an optimizer's `step()`), in the spirit of JAX's `jit` and `torch.compile`. The returned
 * function has `fn`'s signature. Its first call with a new signature (the shapes, dtypes and
 * requiresGrad of its tensor arguments, the values of its other arguments, and whether grad
 * mode and the wasm kernels are on) runs `fn` once while recording, at the backend's kernel door, every kernel call
 * with its arrays and numbers and every allocation; later calls with that signature replay the
 * recording on the same buffers, writing the new arguments into the traced input buffers — no
 * graph recording, no Tensor objects, no op dispatch. The results are bit-identical to calling
 * `fn` itself.
 *
 * What the recording replays, and what it refuses:
 * - An optimizer's `step()` and an `LRScheduler`'s `step()` inside `fn` run live, as
 *   JavaScript, at their place in every replay (learning rates and Adam's step counts change).
 *   Any other JavaScript in `fn` runs only while tracing (as in JAX).
 * - Reading a value computed inside `fn` (`item()`, `toArray()`, `.data[i]`, so also control
 *   flow on it), a write into such data outside the kernels, creating a tensor from values
 *   (`tensor()`, `ones()`, `rand()`, `dropout`) inside `fn`: an Error naming compile and what
 *   was done. Pass such tensors as arguments instead. Numbers (`x.mul(2)`) are constants.
 *   The values of tensors made before the call (parameters, their `.grad`) are not guarded:
 *   a number read from them in `fn` is frozen into the program. A call that refuses has run
 *   `fn` up to the refusal.
 * - A call that creates state a replay would not create again — the first `backward()` that
 *   makes the parameters' `.grad` — is not kept: the next call traces again (so the program of a
 *   training step is recorded on its second call). If two traces in a row do so (e.g.
 *   `zeroGrad({ setToNone: true })` in `fn`), the third call throws instead of running.
 * - Tensor arguments must not require grad (gradients reach the parameters `fn` closes over).
 * - The program assumes the state `fn` closes over keeps its structure. It checks that each
 *   `.grad` it writes is still its tensor's (else it traces again); make a new `compile` after
 *   switching a module between `train()` and `eval()` or changing which tensors require grad.
 *
 * Intermediate buffers (op outputs and the gradients flowing between ops) are planned once,
 * after the trace: those whose lifetimes in the program do not overlap share one block of the
 * kernels' memory. So a tensor made inside `fn` and kept elsewhere (not returned) does not hold
 * its value after the call; return what you need. Runs of consecutive float32 elementwise
 * ops of one size (arithmetic, comparisons, maximum/minimum, neg, abs, sqrt, square, relu,
 * sign, and sigmoid/tanh and their gradients from 256 elements) are fused into one wasm kernel
 * call that keeps their intermediates in registers, with the same bits as the separate ops.
 *
 * Returned tensors are the same objects on every call with that signature, overwritten by the
 * next call (as JAX's donated buffers): `clone()` one to keep it. They carry no graph. At most
 * `opts.maxCached` signatures (default 8) keep a program, least recently used dropped first.
 *
 * @example
 * ```ts
 * import { compile, nn, optim, randn, type Tensor } from 'tensorgrad';
 * const model = new nn.MLP([4, 8, 2], { seed: 1 });
 * const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
 * const step = compile((x: Tensor, y: Tensor) => {
 *   opt.zeroGrad();
 *   const loss = nn.quadraticCost(model.forward(x), y);
 *   loss.backward();
 *   opt.step();
 *   return loss;
 * });
 * const x = randn([10, 4], { seed: 2 }), y = randn([10, 2], { seed: 3 });
 * for (let i = 0; i < 5; i++) step(x, y);           // traced on the 2nd call, replayed after
 * const loss = step(x, y).item();                    // the loss of the 6th step
 * step.traceCount;                                   // 2
 * ```
 */
export function compile<A extends unknown[], R>(fn: (...args: A) => R, opts: CompileOptions = {}): CompiledFunction<A, R> {
  if (typeof fn !== 'function') throw new Error(`compile: expected a function, got ${typeof fn}`);
  const maxCached = opts.maxCached ?? 8;
  if (!Number.isInteger(maxCached) || maxCached < 1) throw new Error(`compile: maxCached must be an integer >= 1, got ${String(maxCached)}`);
  const cache = new Map<string, Entry>();
  let last: Entry | null = null;
  let traces = 0;

  const compiled = (...args: A): R => {
    // Inside another trace, fn is simply part of that trace.
    if (engineState.tracer !== null) return fn(...args);
    let entry = last !== null && matches(last, args) ? last : null;
    if (entry === null) {
      const key = signatureKey(args);
      entry = cache.get(key) ?? null;
      if (entry === null) {
        entry = { specs: args.map(specOf), gradEnabled: engineState.gradEnabled, wasm: useWasm(), program: null, unsteadyTraces: 0, lastReason: '' };
        if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
      } else cache.delete(key);
      cache.set(key, entry); // most recently used last
      last = entry;
    }
    if (entry.program !== null) {
      if (entry.program.valid()) return entry.program.run(args) as R;
      // A .grad was replaced (zeroGrad({ setToNone: true }) between calls, say): trace again.
      entry.program = null;
    }
    if (entry.unsteadyTraces >= 2) {
      throw compileError(
        `each of the last two traced calls created new state that a replay would not create again (${entry.lastReason}); ` +
          `nothing steady to replay. Keep .grad buffers between steps (zeroGrad() without setToNone) or call the function without compile`,
      );
    }
    traces++;
    const [out, program, reason] = trace(fn, args);
    if (reason === null) {
      entry.program = program;
      entry.unsteadyTraces = 0;
    } else {
      entry.unsteadyTraces++;
      entry.lastReason = reason;
    }
    return out;
  };
  caches.set(compiled, cache);
  Object.defineProperties(compiled, {
    traceCount: { get: () => traces },
    cacheSize: { get: () => cache.size },
  });
  return compiled as CompiledFunction<A, R>;
}

/** Each compiled function's cache (for `programMemory`). */
const caches = new WeakMap<object, Map<string, Entry>>();

/**
 * For tests and diagnostics (not exported from the package): per cached program, how many
 * intermediate buffers it keeps after fusion and how many shared blocks of how many bytes hold
 * them after planning, its steps, and how many of those are fused elementwise calls.
 */
export function programMemory(f: object): { buffers: number; blocks: number; bytes: number; steps: number; fused: number }[] {
  const out: { buffers: number; blocks: number; bytes: number; steps: number; fused: number }[] = [];
  for (const e of caches.get(f)?.values() ?? []) {
    if (e.program === null) continue;
    const p = e.program;
    const bytes = p.blocks.reduce((n, b) => n + b.byteLength, 0);
    const fused = p.steps.filter(isFusedStep).length;
    out.push({ buffers: p.buffers, blocks: p.blocks.length, bytes, steps: p.steps.length, fused });
  }
  return out;
}

/** Runs `fn(...args)` under a tracer: its result, the program, and why it is not steady (null: it is). */
function trace<A extends unknown[], R>(fn: (...args: A) => R, args: A): [R, Program, string | null] {
  const tracer = new Tracer();
  const inputs: (FloatArray | null)[] = [];
  const traced: unknown[] = [];
  const inputTensors = new Set<Tensor>();
  args.forEach((a, i) => {
    if (!(a instanceof Tensor)) {
      inputs.push(null);
      traced.push(a);
      return;
    }
    if (a.requiresGrad) {
      throw compileError(
        `argument ${i} (shape ${fmt(a.shape)}) requires grad; a compiled function takes data as arguments and reaches its parameters by closure (a module, an optimizer)`,
      );
    }
    // The program's own copy of the argument, in the kernels' memory where it can be.
    const buf = memory.allocateResident(a.dtype, a.size);
    buf.set(a.data);
    inputs.push(buf);
    const t = new Tensor(tracer.guard(buf), a.shape, false);
    inputTensors.add(t);
    traced.push(t);
  });
  engineState.tracer = tracer;
  let out: R;
  try {
    out = fn(...(traced as A));
  } finally {
    engineState.tracer = null;
    tracer.end();
  }
  const made = new Set(tracer.made_);
  const output = detachOutputs(out, made, inputTensors);
  const [owners, grads] = tracer.gradGuards();
  const kept = new Set<FloatArray>();
  forEachReturned(output, (v) => {
    if (v instanceof Tensor) kept.add(v.data);
  });
  const fused = fuseElementwise(tracer.steps, tracer.allocated, kept);
  const plan = planBuffers(fused, tracer.allocated, kept);
  return [output as R, new Program(plan.steps, plan.blocks, plan.buffers, inputs, output, owners, grads), tracer.unsteadyReason];
}

/**
 * Cuts the graph of returned tensors made in the trace (a replay does not rebuild it), and
 * refuses returning an argument (its buffer is the program's copy, overwritten by each call).
 */
function detachOutputs(x: unknown, made: ReadonlySet<Tensor>, inputs: ReadonlySet<Tensor>): unknown {
  forEachReturned(x, (v) => {
    if (v instanceof Value) {
      throw compileError(
        `the traced function returned a Value: the scalar engine runs as JavaScript, which a replay does not repeat; call it without compile`,
      );
    }
    if (!(v instanceof Tensor)) return;
    if (inputs.has(v))
      throw compileError(`the traced function returned one of its tensor arguments; return a value computed from it (or clone() it)`);
    if (made.has(v)) {
      v._node = null;
      v.requiresGrad = false;
    }
  });
  return x;
}

/** Calls `visit` on each leaf of a returned value: the value itself, or the items of its arrays and plain objects. */
function forEachReturned(x: unknown, visit: (leaf: unknown) => void, depth = 0): void {
  if (depth < 8 && Array.isArray(x)) {
    for (const v of x) forEachReturned(v, visit, depth + 1);
  } else if (depth < 8 && x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) forEachReturned(v, visit, depth + 1);
  } else {
    visit(x);
  }
}

function specOf(a: unknown, i: number): ArgSpec {
  if (a instanceof Tensor) return { dtype: a.dtype, shape: a.shape.slice(), requiresGrad: a.requiresGrad };
  const t = typeof a;
  if (a === null || t === 'undefined' || t === 'number' || t === 'string' || t === 'boolean' || t === 'bigint') return { value: a };
  throw compileError(
    `argument ${i} is ${Array.isArray(a) ? 'an array' : `a ${t}`}; a compiled function takes tensors and numbers, strings, booleans (compared by value)`,
  );
}

/** The cache key of a call's signature. */
function signatureKey(args: readonly unknown[]): string {
  let key = (engineState.gradEnabled ? 'g' : 'n') + (useWasm() ? 'w' : 't');
  args.forEach((a, i) => {
    const s = specOf(a, i);
    key += 'value' in s ? `|${typeof s.value}:${String(s.value)}` : `|${s.dtype}[${s.shape.join(',')}]${s.requiresGrad ? '+' : ''}`;
  });
  return key;
}

/** Whether `args` have `entry`'s signature (no allocation: the common case of a training loop). */
function matches(entry: Entry, args: readonly unknown[]): boolean {
  const specs = entry.specs;
  if (args.length !== specs.length || entry.gradEnabled !== engineState.gradEnabled || entry.wasm !== useWasm()) return false;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i],
      a = args[i];
    if ('value' in s) {
      if (!Object.is(s.value, a)) return false;
      continue;
    }
    if (!(a instanceof Tensor) || a.dtype !== s.dtype || a.requiresGrad !== s.requiresGrad || a.shape.length !== s.shape.length) return false;
    for (let d = 0; d < s.shape.length; d++) if (a.shape[d] !== s.shape[d]) return false;
  }
  return true;
}

/** Runs `step` live in a compiled program (see `compile`) when tracing; false otherwise (run it inline). */
export function liveInTrace(step: () => void): boolean {
  return engineState.tracer?.live(step) ?? false;
}

/** Whether `compile` is tracing now. */
export function isTracing(): boolean {
  return engineState.tracer !== null;
}
