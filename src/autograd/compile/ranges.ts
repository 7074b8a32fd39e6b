/**
 * Memory questions about a recorded program's arrays, shared by the fusion pass and the
 * buffer planner: arrays are views, so "the same buffer" means overlapping bytes of one
 * ArrayBuffer, not the same object.
 */
import type { FloatArray } from '../kernels/types.js';

/** Whether two arrays share any memory. */
export function overlaps(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Whether `arr` shares memory with one of `others`. */
export function overlapsAny(arr: FloatArray, others: Iterable<FloatArray>): boolean {
  for (const o of others) if (overlaps(o, arr)) return true;
  return false;
}

/** Whether `view` lies inside `buf`'s elements (the same memory). */
export function contains(buf: FloatArray, view: FloatArray): boolean {
  return (
    view.buffer === buf.buffer &&
    view.BYTES_PER_ELEMENT === buf.BYTES_PER_ELEMENT &&
    view.byteOffset >= buf.byteOffset &&
    view.byteOffset + view.byteLength <= buf.byteOffset + buf.byteLength
  );
}

/** Calls `f` on each argument of a step, and on each item of an argument that is a list. */
export function forEachArg(args: readonly unknown[], f: (x: unknown) => void): void {
  for (const a of args) {
    if (Array.isArray(a)) for (const x of a) f(x);
    else f(a);
  }
}
