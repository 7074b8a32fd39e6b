import type { FloatArray } from './kernels/types.js';

/**
 * The engine's mode flags in one object (as tfjs's `ENGINE`), so every switch that changes
 * what an op does is found in one place. Only the engine, the transforms and the backend's
 * memory module write it.
 */
export interface EngineState {
  /** Whether ops record the graph: false inside `noGrad` and during a plain backward(). */
  gradEnabled: boolean;
  /** How many transforms (grad, vjp, jacobian, …; gradcheck of a Value function) are running their function (above 0: nested). */
  transformDepth: number;
  /** The number of the last backward() walk; a tensor's `_visit` equal to it was reached by that walk. */
  walks: number;
  /** Buffers allocated while a backward() collects them for reuse, or null (see backend/memory). */
  collecting: Set<FloatArray> | null;
  /** The trace `compile` is recording, or null (see autograd/compile). */
  tracer: TraceHooks | null;
}

/** What the backend door and the engine tell a trace in progress (implemented in autograd/compile). */
export interface TraceHooks {
  /** One call through the backend door: `fn` (the function behind it, of `kind`) with `args`. */
  door(name: string, kind: DoorKind, fn: (...args: never[]) => unknown, args: unknown[]): unknown;
  /** A tensor was made during the trace (its data may be a traced buffer). */
  made(t: object): void;
  /** The traced call created state a replay would not create again (e.g. a parameter's first `.grad`). */
  unsteady(reason: string): void;
  /** A compiled replay writes `t.grad`'s buffer: it is valid while `t.grad` stays that tensor. */
  usesGrad(t: { grad: unknown }): void;
  /** Records `step` to run as JavaScript at its place in every replay, and runs it; false when it must run inline instead. */
  live(step: () => void): boolean;
}

/** How a trace treats a function of the backend door (see backend/door.ts). */
export type DoorKind = 'kernel' | 'query' | 'allocate' | 'allocateForOverwrite' | 'allocateResident' | 'recycle';

/** @internal The one engine state. */
export const engineState: EngineState = { gradEnabled: true, transformDepth: 0, walks: 0, collecting: null, tracer: null };
