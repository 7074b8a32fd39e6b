/**
 * How every function transform (grad, valueAndGrad, vjp, jvp, jacobian, …) calls the user's
 * function and pulls a gradient back through it — one place, so they all agree on the rule
 * `torch.func` follows: a transform records what it needs whatever the caller's grad mode
 * (inside `noGrad` too), and when the caller is itself recording (an outer `grad`, `gradcheck`,
 * a training step), the gradient it returns stays differentiable with respect to the caller's
 * tensors, so `grad(grad(f))` and `gradcheck(grad(f))` see the true second derivative.
 */
import { Tensor } from './tensor.js';
import { Value } from './value.js';
import { runBackward, withGradMode } from './engine.js';
import { allocate } from './backend/index.js';
import { engineState } from './state.js';

/** @internal One call of a function under a transform, ready to be pulled back. */
export interface TracedCall<R> {
  /** What f returned. */
  readonly out: R;
  /** The arguments f was called with: differentiated ones replaced by fresh leaves or recorded copies. */
  readonly fresh: readonly unknown[];
  /** The positions of the arguments differentiated with respect to. */
  readonly indices: readonly number[];
  /** The tensors at those positions (the backward pass stops there). */
  readonly targets: ReadonlySet<Tensor>;
  /** Whether the backward pass must be recorded: the caller traces and the gradient depends on its tensors. */
  readonly createGraph: boolean;
  /** Whether f's graph reaches tensors made before the call (whose graph a backward pass must not free). */
  readonly foreign: boolean;
}

/**
 * Calls `f(...args)` with graph recording on, the arguments at `indices` replaced by tensors
 * the gradient is taken with respect to. Each is a fresh leaf sharing the argument's data
 * (gradients land on it, never on the caller's tensor), or, when the caller records and the
 * argument requires grad, a recorded copy, so the gradient computed here is differentiable
 * with respect to the argument.
 * @internal
 */
export function traceCall<A extends unknown[], R>(f: (...args: A) => R, args: A, indices: readonly number[]): TracedCall<R> {
  const outer = engineState.gradEnabled;
  const fresh: unknown[] = [...args];
  let copied = false;
  const targets = new Set<Tensor>();
  for (const i of indices) {
    const a = args[i];
    if (a instanceof Tensor) {
      const t = outer && a.requiresGrad ? withGradMode(true, () => a.clone()) : new Tensor(a.data, a.shape, true);
      copied ||= t.requiresGrad && t._node !== null;
      fresh[i] = t;
      targets.add(t);
    } else if (a instanceof Value) {
      fresh[i] = new Value(a.data, a.label);
    }
  }
  let out: R;
  engineState.transformDepth++;
  try {
    out = withGradMode(true, () => f(...(fresh as A)));
  } finally {
    engineState.transformDepth--;
  }
  const foreign = out instanceof Tensor && out.requiresGrad && reachesOuterTensor(out, targets);
  return { out, fresh, indices, targets, createGraph: outer && (copied || foreign), foreign };
}

/**
 * The gradient of `trace.out` (contracted with `seed`) with respect to each differentiated
 * argument, in `indices` order: zeros for one the output does not depend on. Each result owns
 * its data. `retainGraph` keeps f's graph for another pull (vjp's pullback, jacobian's rows);
 * `createGraph` records the pass (default: when the caller traces, see `traceCall`).
 * @internal
 */
export function pullBack(trace: TracedCall<unknown>, seed: Tensor, retainGraph: boolean, createGraph = trace.createGraph): Tensor[] {
  const out = trace.out as Tensor;
  const leaves = out.requiresGrad
    ? runBackward(out, seed, false, { createGraph, retainGraph: retainGraph || trace.foreign }, trace.targets)
    : new Map<Tensor, Tensor>();
  const seen = new Set<Tensor>();
  return trace.indices.map((i) => {
    const x = trace.fresh[i] as Tensor;
    const g = leaves.get(x);
    if (g === undefined) return new Tensor(allocate(x.dtype, x.size), x.shape);
    // A rule may hand one tensor to several inputs, or pass the seed or an input's data through.
    const shared = seen.has(g) || g === seed || g.data === x.data || g.data === seed.data;
    seen.add(g);
    if (!shared) return g;
    return createGraph ? withGradMode(true, () => g.clone()) : new Tensor(g.data.slice(), x.shape);
  });
}

/**
 * Whether the graph of `out` reaches a tensor that requires grad and was not made inside the
 * traced call: a leaf other than the targets (a parameter f closes over, an outer transform's
 * variable). Then the gradient depends on the caller's tensors.
 */
function reachesOuterTensor(out: Tensor, targets: ReadonlySet<Tensor>): boolean {
  const walk = ++engineState.walks;
  const stack: Tensor[] = [out];
  out._visit = walk;
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (targets.has(t)) continue;
    const node = t._node;
    if (node === null || node.backward === null) return true;
    for (const child of node.inputs) {
      if (child.requiresGrad && child._visit !== walk) {
        child._visit = walk;
        stack.push(child);
      }
    }
  }
  return false;
}
