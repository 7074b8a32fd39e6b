/**
 * Recording one call of a function as a static program, at the backend door: every kernel call
 * with its argument arrays and numbers, every allocation (a zero-filled one replays as a fill),
 * and the live steps (an optimizer's `step()`) that must run as JavaScript each time.
 *
 * Buffers allocated during the trace are the program's own: resident in the kernels' memory
 * where it can be, never returned to the pool. Ops and the user's function see them through a
 * guard (a Proxy) that refuses to read or write their elements outside the door: such a read is
 * a value the replay would freeze (item(), toArray(), `.data[i]`, data-dependent control flow),
 * such a write is work the replay would skip. Kernels get the arrays themselves, and every
 * tensor made during the trace gets its array back when the trace ends.
 */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { FloatArray } from '../kernels/types.js';
import type { DoorKind, TraceHooks } from '../state.js';
import * as memory from '../backend/memory.js';

/** One step of a program: a kernel with its arguments, or a live step (`args` empty). */
export interface Step {
  readonly fn: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
}

/** Properties of a guarded array that reveal no element values. */
const ALLOWED = new Set<PropertyKey>(['length', 'byteLength', 'byteOffset', 'buffer', 'BYTES_PER_ELEMENT', 'constructor', Symbol.toStringTag]);

/** The Error of a trace that cannot be replayed: names compile, what was done, and what to do. */
export function compileError(what: string): Error {
  return new Error(`compile: ${what}`);
}

function describeAccess(key: PropertyKey, write: boolean): string {
  if (typeof key === 'string' && /^\d+$/.test(key)) {
    return write
      ? `the traced function (or an op it called) wrote element ${key} of a tensor's data outside the backend's kernels; a replay would skip that write`
      : `the traced function read element ${key} of a tensor computed inside it (item(), toArray(), toString() or .data[i]); a replay would reuse the value of the traced call. Read it after the call (return the tensor), or call the function without compile`;
  }
  return `the traced function (or an op it called) used .${String(key)} of a tensor's data computed inside it, outside the backend's kernels (a value read or a write that a replay would not repeat)`;
}

export class Tracer implements TraceHooks {
  readonly steps: Step[] = [];
  /** Tensors made during the trace (their data is unwrapped when it ends). */
  readonly made_: Tensor[] = [];
  /** The op-output buffers allocated during the trace (the planner shares them by lifetime). */
  readonly allocated: FloatArray[] = [];
  /** Guard → its array, and array → its guard. */
  private readonly arrayOf = new Map<object, FloatArray>();
  private readonly guardOf = new Map<FloatArray, FloatArray>();
  /** Above 0 inside a live step: calls go straight through, nothing is recorded. */
  private paused = 0;
  /** Set once the trace has ended: guards let everything through. */
  private ended = false;
  private readonly gradUsers = new Set<Tensor>();
  /** Why the traced call is not a steady state to replay (null: it is). */
  unsteadyReason: string | null = null;

  door(name: string, kind: DoorKind, fn: (...args: never[]) => unknown, args: unknown[]): unknown {
    const a = this.unwrapArgs(args);
    const call = fn as (...args: unknown[]) => unknown;
    if (this.paused > 0) return call(...a);
    switch (kind) {
      case 'kernel': {
        const r = call(...a);
        if (r !== undefined) throw compileError(`the kernel ${name} returned a value to JavaScript while tracing; a replay would freeze it`);
        this.steps.push({ fn, args: a.map(frozen) });
        return undefined;
      }
      case 'query':
        return call(...a);
      case 'recycle':
        // The program keeps every buffer it allocated: none goes back to the pool.
        return undefined;
      case 'allocate':
      case 'allocateForOverwrite':
      case 'allocateResident': {
        const data = memory.allocateResident(a[0] as DType, a[1] as number);
        if (kind !== 'allocateForOverwrite') this.steps.push({ fn: memory.zeroFill as Step['fn'], args: [data] });
        if (kind !== 'allocateResident') this.allocated.push(data);
        // Long-lived storage (a first .grad) is handed out as is; op outputs are guarded.
        return kind === 'allocateResident' ? data : this.guard(data);
      }
    }
  }

  made(t: object): void {
    this.made_.push(t as Tensor);
  }

  usesGrad(t: { grad: unknown }): void {
    if (this.paused === 0) this.gradUsers.add(t as Tensor);
  }

  /** The tensors whose `.grad` buffers the program writes, each with that `.grad` (after the trace). */
  gradGuards(): [Tensor[], (Tensor | null)[]] {
    const ts = [...this.gradUsers];
    return [ts, ts.map((t) => t.grad)];
  }

  unsteady(reason: string): void {
    if (this.paused === 0) this.unsteadyReason ??= reason;
  }

  /** Records `step` to run live at its place in every replay, and runs it now. */
  live(step: () => void): boolean {
    if (this.paused > 0) return false;
    this.steps.push({ fn: step, args: [] });
    this.paused++;
    try {
      step();
    } finally {
      this.paused--;
    }
    return true;
  }

  /** `data` behind a guard (one guard per array). */
  guard(data: FloatArray): FloatArray {
    let g = this.guardOf.get(data);
    if (g === undefined) {
      g = new Proxy(data, {
        get: (target, key) => {
          // A view (conv's chunks of a batch) is guarded too; kernels get the view itself.
          if (key === 'subarray' && !this.ended && this.paused === 0) {
            return (begin?: number, end?: number) => this.guard(target.subarray(begin, end));
          }
          if (this.ended || this.paused > 0 || ALLOWED.has(key)) {
            const v = Reflect.get(target, key, target) as unknown;
            return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
          }
          throw compileError(describeAccess(key, false));
        },
        set: (target, key, value) => {
          if (this.ended || this.paused > 0) return Reflect.set(target, key, value, target);
          throw compileError(describeAccess(key, true));
        },
        defineProperty: (_target, key) => {
          throw compileError(describeAccess(key, true));
        },
      });
      this.guardOf.set(data, g);
      this.arrayOf.set(g, data);
    }
    return g;
  }

  /** The array behind `x` if it is a guard, else `x`. */
  unwrap<T>(x: T): T {
    return typeof x === 'object' && x !== null ? ((this.arrayOf.get(x) as T | undefined) ?? x) : x;
  }

  private unwrapArgs(args: unknown[]): unknown[] {
    const a = args.slice();
    for (let i = 0; i < a.length; i++) a[i] = this.unwrap(a[i]);
    return a;
  }

  /** Ends the trace: guards open, and every tensor made meanwhile holds its plain array again. */
  end(): void {
    this.ended = true;
    for (const t of this.made_) {
      const data = this.arrayOf.get(t.data);
      if (data !== undefined) (t as { data: FloatArray }).data = data;
    }
  }
}

/** An argument as recorded: number lists (shapes) copied, so a later change cannot alter the program. */
function frozen(x: unknown): unknown {
  return Array.isArray(x) ? x.slice() : x;
}
