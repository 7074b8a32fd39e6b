/**
 * The graph and its reverse pass: `record` attaches an op's derivative rule to its output,
 * `runBackward` walks the recorded graph from an output back to its leaves.
 */
import { Tensor } from './tensor.js';
import { fmt, sameShape } from './shape.js';
import { engineState } from './state.js';
import {
  GradBuffers,
  addInto,
  allocateForOverwrite,
  allocateResident,
  copyInto,
  isResidentData,
  zeroFill,
  type FloatArray,
} from './backend/index.js';

/**
 * What the engine tells a derivative rule, and offers it, while a backward pass runs. Built-in
 * rules and custom ops (`defineOp`) receive the same context.
 *
 * Most rules ignore it: `(g) => [g.mul(b), g.mul(a)]` is a complete rule for `a·b`. The
 * sigmoid rule reads `createGraph` to choose between one fused kernel and the differentiable
 * `g·y·(1−y)`; matmul's rule passes `into(i)` to its products, so a parameter's weight
 * gradient is added straight into its `.grad`.
 */
export interface RuleContext {
  /**
   * Whether this backward pass is itself recorded (`backward({ createGraph: true })`, or a
   * `grad` nested in another). Then the rule must build its gradients from differentiable
   * tensor ops, so they can be differentiated again; otherwise it may compute them with raw
   * kernels (nothing records them).
   */
  readonly createGraph: boolean;
  /**
   * The tensor that input `i`'s gradient ends up added into (a leaf's kept `.grad`), offered
   * so the rule can add its contribution there directly (a kernel in accumulate mode) and
   * return that same tensor as the gradient; the engine then does not add it again. Null when
   * the rule must return a new tensor: the input is not a leaf with a plain `.grad` yet, or the
   * pass is recorded or does not accumulate (`grad()`).
   */
  into(i: number): Tensor | null;
}

/** An op's derivative rule: the gradient of its output in, one gradient per input out (null: none). */
export type BackwardRule = (g: Tensor, ctx: RuleContext) => readonly (Tensor | null)[];

/**
 * A recorded op: the tensors it read and its derivative rule. A rule may return a gradient at
 * the broadcast output shape: the engine sums it back to the input's shape, in one place, so
 * no rule has to undo broadcasting itself.
 */
export interface GradNode {
  readonly op: string;
  /** Emptied (with `backward`) when a backward() frees the graph. */
  inputs: readonly Tensor[];
  backward: BackwardRule | null;
}

/** Whether ops currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return engineState.gradEnabled;
}

/** Runs `fn` with graph recording switched on or off, restoring the previous mode after. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = engineState.gradEnabled;
  engineState.gradEnabled = enabled;
  try {
    return fn();
  } finally {
    engineState.gradEnabled = prev;
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

/**
 * Whether `record` would attach a rule to an op reading `inputs` now: recording is on and
 * one of them needs a gradient. A forward asks it to decide what to save for its backward
 * (conv2d keeps its unfolded input only when the weight's gradient will be wanted).
 */
export function willRecord(...inputs: Tensor[]): boolean {
  return engineState.gradEnabled && inputs.some((t) => t.requiresGrad);
}

/** Attaches an op's derivative rule to its output when recording and an input needs a gradient. */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: BackwardRule): Tensor {
  if (!engineState.gradEnabled) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      out.requiresGrad = true;
      out._node = { op, inputs, backward };
      return out;
    }
  }
  return out;
}

/** Options of `backward()` (on a `Tensor` or a `Value`). */
export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again. Default false. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again. Default false. */
  createGraph?: boolean;
}

/** The context of one backward pass; `inputs` is the node whose rule runs. */
class PassContext implements RuleContext {
  inputs: readonly Tensor[] = EMPTY;
  /** What `into` offered for each input of the current rule (a returned gradient equal to it was added in place). */
  readonly offered: (Tensor | null)[] = [];

  /** `addsInPlace`: the pass adds into `.grad` and records nothing, so in-place targets may be offered. */
  constructor(
    readonly createGraph: boolean,
    private readonly addsInPlace: boolean,
  ) {}

  enter(inputs: readonly Tensor[]): void {
    this.inputs = inputs;
    this.offered.length = 0;
  }

  into(i: number): Tensor | null {
    const t = this.inputs[i];
    if (!this.addsInPlace || t === undefined || t._node !== null || !t.requiresGrad) return null;
    const g = t.grad;
    const target = g !== null && g._node === null && !g.requiresGrad ? g : null;
    if (target !== null) engineState.tracer?.usesGrad(t);
    this.offered[i] = target;
    return target;
  }

  /** Whether rule result `gi` for input `i` is the in-place target it was offered (already added). */
  addedInPlace(i: number, gi: Tensor): boolean {
    return this.offered[i] === gi;
  }
}

/**
 * The reverse pass. Returns the gradient reaching each leaf (a tensor that requires grad and
 * was not made by a recorded op, or one in `stopAt`, which the pass treats as a leaf: `grad`
 * uses it to differentiate with respect to a tensor inside an outer recorded graph).
 * When `accumulate`, also adds it into each leaf's `.grad`.
 */
export function runBackward(
  root: Tensor,
  seed: Tensor,
  accumulate: boolean,
  opts: BackwardOptions = {},
  stopAt?: ReadonlySet<Tensor>,
): Map<Tensor, Tensor> {
  if (!root.requiresGrad) {
    throw new Error(`backward: the output does not require grad: no input it was computed from has requiresGrad set`);
  }
  const createGraph = opts.createGraph ?? false;
  const order = topoOrder(root, stopAt);
  const ctx = new PassContext(createGraph, accumulate && !createGraph);
  // Without createGraph nothing outside the pass can reach the gradients passed between ops.
  const buffers = new GradBuffers(seed.data, !createGraph);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const leaves = new Map<Tensor, Tensor>();
  try {
    withGradMode(createGraph, () => {
      for (let n = order.length - 1; n >= 0; n--) {
        const t = order[n];
        const g = grads.get(t);
        if (g === undefined) continue;
        grads.delete(t);
        if (isLeaf(t, stopAt)) {
          leaves.set(t, g);
          continue;
        }
        const node = t._node as GradNode;
        ctx.enter(node.inputs);
        const inputGrads = liveRule(node)(g, ctx);
        for (let i = 0; i < node.inputs.length; i++) {
          const input = node.inputs[i];
          const gi = inputGrads[i];
          if (!input.requiresGrad || gi === null || gi === undefined || ctx.addedInPlace(i, gi)) continue;
          const fitted = fitGradient(node.op, i, gi, input);
          buffers.handOut(fitted.data);
          const prev = grads.get(input);
          grads.set(input, prev === undefined ? fitted : prev.add(fitted));
        }
      }
    });
  } finally {
    buffers.stop();
  }
  if (!(opts.retainGraph ?? false) && !createGraph) freeGraph(order, stopAt);
  if (accumulate) for (const [leaf, g] of leaves) accumulateGrad(leaf, g, createGraph, buffers.owned(g.data));
  buffers.release(keptBuffers(leaves));
  return leaves;
}

/** Whether the pass stops at `t`: a tensor no recorded op made, or one the caller treats as a leaf. */
function isLeaf(t: Tensor, stopAt: ReadonlySet<Tensor> | undefined): boolean {
  return t._node === null || (stopAt?.has(t) ?? false);
}

/** A node's rule, or the error saying an earlier backward() freed it. */
function liveRule(node: GradNode): BackwardRule {
  if (node.backward === null) {
    throw new Error(
      `backward: the graph through '${node.op}' was freed by an earlier backward(); ` +
        `pass { retainGraph: true } to the first backward() to go through it twice`,
    );
  }
  return node.backward;
}

/**
 * Tensors reachable from `root` through recorded ops, inputs before the ops that read them.
 * The walk does not go past a tensor in `stopAt` (it is treated as a leaf).
 */
function topoOrder(root: Tensor, stopAt?: ReadonlySet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  // A fresh walk number marks visited tensors (cheaper than a Set on every backward()).
  const walk = ++engineState.walks;
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

/**
 * Drops each rule (and the values its closure saved) and the links to the inputs, so a kept
 * output does not keep the whole graph alive; the op name stays for the error message.
 */
function freeGraph(order: readonly Tensor[], stopAt: ReadonlySet<Tensor> | undefined): void {
  for (const t of order) {
    const node = t._node;
    if (node !== null && !isLeaf(t, stopAt)) {
      node.inputs = EMPTY;
      node.backward = null;
    }
  }
}

/** The buffers the leaves hold after a pass (their gradients and `.grad`s): never recycled. */
function keptBuffers(leaves: Map<Tensor, Tensor>): FloatArray[] {
  const kept: FloatArray[] = [];
  for (const [leaf, g] of leaves) {
    kept.push(g.data);
    if (leaf.grad !== null) kept.push(leaf.grad.data);
  }
  return kept;
}

/** Sums a broadcast gradient back to its input's shape and dtype; any other mismatch is a bug in the rule. */
function fitGradient(op: string, index: number, g: Tensor, input: Tensor): Tensor {
  let out = g;
  // Checked before summing, so a wrong shape is blamed on the op's rule, not on sumTo.
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

/** Adds `g` into `leaf.grad`; `owned`: nothing else holds g's buffer, so it may become `.grad` as is. */
function accumulateGrad(leaf: Tensor, g: Tensor, createGraph: boolean, owned: boolean): void {
  if (createGraph) {
    // Keep the graph so .grad can be differentiated again, but never store g itself: a rule may
    // hand one tensor to several inputs (add: [g, g]) and g may be the caller's seed, and a later
    // plain backward() adds into .grad in place.
    leaf.grad = withGradMode(true, () => (leaf.grad ? leaf.grad.add(g) : g.clone()));
    return;
  }
  if (leaf.grad === null) {
    // A first gradient is state a compiled replay would not create again (see compile).
    engineState.tracer?.unsteady(`backward created the first .grad of a ${leaf.dtype} tensor of shape ${fmt(leaf.shape)}`);
    if (isResidentData(leaf.data)) {
      // A resident parameter gets a resident gradient, which the kernels update in place.
      const data = allocateResident(leaf.dtype, leaf.size);
      copyInto(data, g.data);
      leaf.grad = new Tensor(data, leaf.shape);
      return;
    }
    // .grad is later updated in place, so it must not share its buffer with anything else.
    leaf.grad = new Tensor(owned ? g.data : copyOf(g.data, leaf.dtype), leaf.shape);
    return;
  }
  engineState.tracer?.usesGrad(leaf);
  addInto(leaf.grad.data, g.data);
}

/** A new array holding `src`'s values (through the backend door, so a trace records the copy). */
function copyOf(src: FloatArray, dtype: Tensor['dtype']): FloatArray {
  const data = allocateForOverwrite(dtype, src.length);
  copyInto(data, src);
  return data;
}

/**
 * Zeroes each tensor's `.grad` in place (or sets it to null when `setToNone`): what the
 * optimizers' and modules' `zeroGrad()` do. A zeroed buffer lets the next backward() add into
 * it (see `RuleContext.into`) instead of allocating a gradient per parameter per step.
 */
export function zeroGrads(tensors: Iterable<Tensor>, setToNone: boolean): void {
  for (const t of tensors) {
    const g = t.grad;
    if (g === null) continue;
    // A recorded (createGraph) gradient belongs to a graph: dropped, never zeroed in place.
    if (setToNone || g._node !== null || g.requiresGrad) t.grad = null;
    else {
      engineState.tracer?.usesGrad(t);
      zeroFill(g.data);
    }
  }
}
