/**
 * The hook every function of the backend door goes through: a direct call, unless `compile`
 * is tracing, in which case the trace sees the call (records a kernel and its arguments, hands
 * out a buffer it owns, …). One branch on a field per call when no trace runs.
 */
import { engineState, type DoorKind } from '../state.js';

/** `fn` behind the door: the same function, visible to a trace in progress. */
export function door<A extends unknown[], R>(name: string, kind: DoorKind, fn: (...args: A) => R): (...args: A) => R {
  const raw = fn as unknown as (...args: never[]) => unknown;
  return (...args: A): R => {
    const t = engineState.tracer;
    return t === null ? fn(...args) : (t.door(name, kind, raw, args) as R);
  };
}
