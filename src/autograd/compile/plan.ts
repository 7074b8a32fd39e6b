/**
 * Buffer planning for a recorded program: the intermediate buffers a trace allocated (op
 * outputs, gradients flowing between ops) are alive only from the first step that touches
 * them to the last, so buffers whose lifetimes do not overlap can share one block. Each shared
 * block is allocated once (resident in the kernels' memory where it can be) and handed to the
 * steps as a view of its first elements: the kernels still see a whole resident block, and a
 * program touches far less memory than one buffer per op.
 */
import type { FloatArray } from '../kernels/types.js';
import { dtypeOf } from '../dtype.js';
import * as memory from '../backend/memory.js';
import type { Step } from './trace.js';
import { contains, forEachArg, overlapsAny } from './ranges.js';

/** A planned program: its steps on shared blocks, and the blocks (kept alive by the program). */
export interface PlannedSteps {
  readonly steps: readonly Step[];
  /** The shared blocks: a resident block is freed when its own array is collected, not a view. */
  readonly blocks: readonly FloatArray[];
  /** How many intermediate buffers the trace allocated, and how many blocks they now share. */
  readonly buffers: number;
}

interface Lifetime {
  readonly buf: FloatArray;
  first: number;
  last: number;
  /** The block (a view of its first buf.length elements) that replaces `buf`. */
  view: FloatArray | null;
}

/**
 * Rewrites `steps` so that the buffers in `allocated` (minus `keep`, the ones a caller can
 * still see: returned tensors' data) share blocks by lifetime. A step that reads one buffer
 * and writes another never gets both on one block: lifetimes that meet at a step overlap.
 */
export function planBuffers(steps: readonly Step[], allocated: readonly FloatArray[], keep: ReadonlySet<FloatArray>): PlannedSteps {
  const lifetimes: Lifetime[] = [];
  const byBuffer = new Map<FloatArray, Lifetime>();
  for (const buf of allocated) {
    if (keep.has(buf) || byBuffer.has(buf) || buf.length === 0 || overlapsAny(buf, keep)) continue;
    const l: Lifetime = { buf, first: -1, last: -1, view: null };
    lifetimes.push(l);
    byBuffer.set(buf, l);
  }
  // Where each buffer (or a view into it, e.g. conv's chunks of a batch) is used.
  const find = (x: unknown): Lifetime | undefined => {
    if (!ArrayBuffer.isView(x)) return undefined;
    const direct = byBuffer.get(x as FloatArray);
    if (direct !== undefined) return direct;
    for (const l of lifetimes) if (contains(l.buf, x as FloatArray)) return l;
    return undefined;
  };
  steps.forEach((s, i) => {
    forEachArg(s.args, (x) => {
      const l = find(x);
      if (l === undefined) return;
      if (l.first < 0) l.first = i;
      l.last = i;
    });
  });

  // Greedy by first use: a buffer takes the smallest free block that holds it, else a new one.
  const used = lifetimes.filter((l) => l.first >= 0).sort((a, b) => a.first - b.first || a.last - b.last);
  const blocks: FloatArray[] = [];
  const free: FloatArray[] = [];
  const ending = [...used].sort((a, b) => a.last - b.last);
  let e = 0;
  const taken = new Map<Lifetime, FloatArray>();
  for (const l of used) {
    while (e < ending.length && ending[e].last < l.first) {
      const block = taken.get(ending[e]);
      if (block !== undefined) free.push(block);
      e++;
    }
    let best = -1;
    for (let j = 0; j < free.length; j++) {
      const f = free[j];
      if (f.constructor === l.buf.constructor && f.length >= l.buf.length && (best < 0 || f.length < free[best].length)) best = j;
    }
    let block: FloatArray;
    if (best >= 0) {
      block = free[best];
      free.splice(best, 1);
    } else {
      block = memory.allocateResident(dtypeOf(l.buf), l.buf.length);
      blocks.push(block);
    }
    taken.set(l, block);
    l.view = block.length === l.buf.length ? block : block.subarray(0, l.buf.length);
  }

  const remap = (x: unknown): unknown => {
    const l = find(x);
    if (l === undefined || l.view === null) return x;
    if (x === l.buf) return l.view;
    const v = x as FloatArray;
    const begin = (v.byteOffset - l.buf.byteOffset) / v.BYTES_PER_ELEMENT;
    return l.view.subarray(begin, begin + v.length);
  };
  const planned = steps.map((s) => (s.args.length === 0 ? s : { fn: s.fn, args: s.args.map((a) => (Array.isArray(a) ? a.map(remap) : remap(a))) }));
  return { steps: planned, blocks, buffers: used.length };
}
