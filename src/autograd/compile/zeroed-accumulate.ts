/**
 * A gradient zeroed (an optimizer's `zeroGrad()`) and then first written by a matmul that adds
 * into it (a weight gradient, `c += aᵀ·δ`) needs neither the zero fill nor the read of c: the
 * matmul can write its sums instead. Every matmul kernel (TypeScript, wasm, zero-skipping,
 * threads) starts each sum from +0 and adds its terms to it, so a sum is never −0 and
 * `+0 + sum` is `sum` bit for bit. For the lecture's step that is a 94 KB memset and a 94 KB
 * read saved on the 784×30 weight gradient.
 */
import { matmul } from '../backend/dispatch.js';
import { zeroFill } from '../backend/memory.js';
import type { FloatArray } from '../kernels/types.js';
import type { Step } from './trace.js';

/** The index of `matmul`'s accumulate flag in a recorded step's arguments. */
const ACCUMULATE = 11;

function overlaps(a: unknown, b: FloatArray): boolean {
  if (!ArrayBuffer.isView(a)) return false;
  const x = a as FloatArray;
  return x.buffer === b.buffer && x.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < x.byteOffset + x.byteLength;
}

function touches(step: Step, arr: FloatArray): boolean {
  for (const a of step.args) {
    if (Array.isArray(a) ? a.some((x) => overlaps(x, arr)) : overlaps(a, arr)) return true;
  }
  return false;
}

/** Whether `step` is an accumulating matmul whose output is all of `arr`. */
function accumulatesAllOf(step: Step, arr: FloatArray): boolean {
  if (step.fn !== (matmul as Step['fn'])) return false;
  const a = step.args;
  return a[0] === arr && a[1] === 0 && (a[6] as number) * (a[8] as number) === arr.length && a[ACCUMULATE] === true;
}

/**
 * `steps` with each zero fill whose array is next touched by a matmul adding into all of it
 * dropped, and that matmul made to write instead. A live step (JavaScript that may read any
 * gradient) between the two keeps the fill.
 */
export function writeInsteadOfZeroedAccumulate(steps: readonly Step[]): Step[] {
  const out = steps.slice();
  const drop = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    const s = out[i];
    if (s.fn !== (zeroFill as Step['fn'])) continue;
    const arr = s.args[0] as FloatArray;
    for (let j = i + 1; j < out.length; j++) {
      const t = out[j];
      if (t.args.length === 0) break; // a live step
      if (!touches(t, arr)) continue;
      if (accumulatesAllOf(t, arr)) {
        const args = t.args.slice();
        args[ACCUMULATE] = false;
        out[j] = { fn: t.fn, args };
        drop.add(i);
      }
      break;
    }
  }
  return out.filter((_, i) => !drop.has(i));
}
