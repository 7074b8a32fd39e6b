import { Tensor } from './tensor.js';
import { fmt, sameShape } from './shape.js';
import type { FloatArray } from './kernels/types.js';
import { allocateResident, isResidentData, zeroFill } from './kernels/dispatch.js';
import { recycle, startCollecting, stopCollecting } from './dtype.js';

/**
 * A recorded op: the tensors it read and its derivative rule. `backward` maps the gradient
 * of the op's output to one gradient per input (null where an input gets none). A rule may
 * return a gradient at the broadcast output shape: the engine sums it back to the input's
 * shape here, in one place, so no rule has to undo broadcasting itself.
 */
export interface GradNode {
  readonly op: string;
  /** Emptied (with `backward`) when a backward() frees the graph. */
  inputs: readonly Tensor[];
  backward: ((g: Tensor) => readonly (Tensor | null)[]) | null;
}

export type BackwardRule = (g: Tensor) => readonly (Tensor | null)[];

let gradEnabled = true;

/** Whether ops currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with graph recording switched on or off, restoring the previous mode after. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording a graph: the tensors it makes have `requiresGrad === false`.
 * Use it for evaluation and for parameter updates.
 *
 * @example
 * ```ts
 * import { noGrad, tensor } from 'tensorgrad';
 * const w = tensor([1, 2], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2));
 * y.requiresGrad; // false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Attaches an op's derivative rule to its output when recording and an input needs a gradient. */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: BackwardRule): Tensor {
  if (!gradEnabled) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      out.requiresGrad = true;
      out._node = { op, inputs, backward };
      return out;
    }
  }
  return out;
}

/** True while a backward() that adds into `.grad` (and records nothing) runs its rules. */
let sinking = false;

/**
 * @internal For derivative rules whose gradient for an input is one kernel (linear's weight
 * and bias): when the running backward() will add that gradient into leaf `t`'s `.grad`
 * anyway, returns the `.grad` buffer, so the rule can add its contribution straight into it
 * and return null for the input: no temporary, no second pass. Null otherwise (no `.grad`
 * yet, not a leaf, `grad()` or `createGraph` running): then the rule returns the gradient.
 */
export function gradSink(t: Tensor): FloatArray | null {
  if (!sinking || t._node !== null || !t.requiresGrad) return null;
  const g = t.grad;
  return g !== null && g._node === null && !g.requiresGrad ? g.data : null;
}

/** Options of `backward()` (on a `Tensor` or a `Value`). */
export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again. Default false. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again. Default false. */
  createGraph?: boolean;
}

/**
 * Tensors reachable from `root` through recorded ops, inputs before the ops that read them.
 * The walk does not go past a tensor in `stopAt` (it is treated as a leaf).
 */
function topoOrder(root: Tensor, stopAt?: ReadonlySet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  // A fresh walk number marks visited tensors (cheaper than a Set on every backward()).
  const walk = ++walks;
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  root._visit = walk;
  // Iterative post-order walk: deep graphs must not overflow the call stack.
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const inputs = t._node && !stopAt?.has(t) ? t._node.inputs : EMPTY;
    const i = next[top];
    if (i < inputs.length) {
      next[top] = i + 1;
      const child = inputs[i];
      if (child.requiresGrad && child._visit !== walk) {
        child._visit = walk;
        stack.push(child);
        next.push(0);
      }
    } else {
      order.push(t);
      stack.pop();
      next.pop();
    }
  }
  return order;
}
const EMPTY: readonly Tensor[] = [];
let walks = 0;

/**
 * The reverse pass. Returns the gradient reaching each leaf (a tensor that requires grad and
 * was not made by a recorded op, or one in `stopAt`, which the pass treats as a leaf: `grad`
 * uses it to differentiate with respect to a tensor inside an outer recorded graph).
 * When `accumulate`, also adds it into each leaf's `.grad`.
 */
export function runBackward(
  root: Tensor, seed: Tensor, accumulate: boolean, opts: BackwardOptions = {}, stopAt?: ReadonlySet<Tensor>,
): Map<Tensor, Tensor> {
  const createGraph = opts.createGraph ?? false;
  const retain = (opts.retainGraph ?? false) || createGraph;
  const leaves = new Map<Tensor, Tensor>();
  if (!root.requiresGrad) {
    throw new Error(`backward: the output does not require grad: no input it was computed from has requiresGrad set`);
  }
  const order = topoOrder(root, stopAt);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  // Buffers handed to more than one place (a rule passing g through to several inputs, views
  // made by reshape) or owned by the caller (the seed): a leaf must copy these, and may simply
  // keep any other gradient buffer as its .grad, saving an allocation and a copy per parameter.
  const handedOut = new Set<FloatArray>([seed.data]);
  const shared = new Set<FloatArray>([seed.data]);
  const wasSinking = sinking;
  sinking = accumulate && !createGraph;
  // Without createGraph, the gradients passed between ops are unreachable once the pass is
  // over: the buffers allocated meanwhile go back to the pool, except what the leaves keep.
  const [created, outerCollection] = createGraph ? [null, null] : startCollecting();
  try {
    withGradMode(createGraph, () => {
      for (let n = order.length - 1; n >= 0; n--) {
        const t = order[n];
        const g = grads.get(t);
        if (g === undefined) continue;
        grads.delete(t);
        const node = t._node;
        if (node === null || stopAt?.has(t)) {
          leaves.set(t, g);
          continue;
        }
        if (node.backward === null) {
          throw new Error(
            `backward: the graph through '${node.op}' was freed by an earlier backward(); ` +
              `pass { retainGraph: true } to the first backward() to go through it twice`,
          );
        }
        const inputGrads = node.backward(g);
        for (let i = 0; i < node.inputs.length; i++) {
          const input = node.inputs[i];
          const gi = inputGrads[i];
          if (!input.requiresGrad || gi === null || gi === undefined) continue;
          const fitted = fitGradient(node.op, i, gi, input);
          if (handedOut.has(fitted.data)) shared.add(fitted.data);
          else handedOut.add(fitted.data);
          const prev = grads.get(input);
          grads.set(input, prev === undefined ? fitted : prev.add(fitted));
        }
      }
    });
  } finally {
    sinking = wasSinking;
    if (created !== null) stopCollecting(outerCollection);
  }
  if (!retain) {
    // Drop the rule (and the values its closure saved) and the links to the inputs, so a kept
    // output does not keep the whole graph alive; the op name stays for the error message.
    for (const t of order) {
      const node = t._node;
      if (node !== null && !stopAt?.has(t)) {
        node.inputs = EMPTY;
        node.backward = null;
      }
    }
  }
  if (accumulate) {
    for (const [leaf, g] of leaves) accumulateGrad(leaf, g, createGraph, !shared.has(g.data));
  }
  if (created !== null) {
    const kept = new Set<FloatArray>([seed.data]);
    for (const [leaf, g] of leaves) {
      kept.add(g.data);
      if (leaf.grad !== null) kept.add(leaf.grad.data);
    }
    for (const data of created) if (!kept.has(data)) recycle(data);
  }
  return leaves;
}

/** Sums a broadcast gradient back to its input's shape and dtype; any other mismatch is a bug in the rule. */
function fitGradient(op: string, index: number, g: Tensor, input: Tensor): Tensor {
  let out = g;
  // Check before summing: a shape the input was not broadcast to used to reach sumTo, whose
  // error named 'sumTo' instead of the op whose rule is wrong.
  if (!sameShape(out.shape, input.shape) && broadcastsTo(input.shape, out.shape)) out = out.sumTo(input.shape);
  if (!sameShape(out.shape, input.shape)) {
    throw new Error(
      `${op}: the derivative rule returned a gradient of shape ${fmt(g.shape)} for input ${index} of shape ${fmt(input.shape)} (a bug in ${op}'s backward)`,
    );
  }
  if (out.dtype !== input.dtype) out = out.astype(input.dtype);
  return out;
}

/** Whether `from` broadcasts to `to` (NumPy rules), i.e. a gradient of shape `to` can be summed back to `from`. */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  if (lead < 0) return false;
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[lead + i]) return false;
  return true;
}

function accumulateGrad(leaf: Tensor, g: Tensor, createGraph: boolean, owned: boolean): void {
  if (createGraph) {
    // Keep the graph so .grad can be differentiated again, but never store g itself: a rule may
    // hand one tensor to several inputs (add: [g, g]) and g may be the caller's seed, and a later
    // plain backward() adds into .grad in place. Storing g aliased x.grad with y.grad (and the seed).
    leaf.grad = withGradMode(true, () => (leaf.grad ? leaf.grad.add(g) : g.clone()));
    return;
  }
  if (leaf.grad === null) {
    if (isResidentData(leaf.data)) {
      // A resident parameter gets a resident gradient, which the kernels update in place.
      const data = allocateResident(leaf.dtype, leaf.size);
      data.set(g.data);
      leaf.grad = new Tensor(data, leaf.shape);
      return;
    }
    // .grad is later updated in place, so it must not share its buffer with anything else.
    leaf.grad = new Tensor(owned ? g.data : g.data.slice(), leaf.shape);
    return;
  }
  const dst = leaf.grad.data, src = g.data;
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}

/**
 * Zeroes each tensor's `.grad` in place (or sets it to null when `setToNone`): what the
 * optimizers' and modules' `zeroGrad()` do. A zeroed buffer lets the next backward() add into
 * it (see `gradSink`) instead of allocating a gradient per parameter per step.
 */
export function zeroGrads(tensors: Iterable<Tensor>, setToNone: boolean): void {
  for (const t of tensors) {
    const g = t.grad;
    if (g === null) continue;
    // A recorded (createGraph) gradient belongs to a graph: dropped, never zeroed in place.
    if (setToNone || g._node !== null || g.requiresGrad) t.grad = null;
    else zeroFill(g.data);
  }
}
