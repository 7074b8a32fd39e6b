/**
 * `defineOp`: a user's own op with its own derivative rule (PyTorch's `autograd.Function`,
 * tfjs's `customGrad`, JAX's `custom_vjp`), recorded exactly as a built-in op is.
 */
import { Tensor } from './tensor.js';
import { record, withGradMode, type RuleContext } from './engine.js';

/** The two halves of a custom op; see `defineOp`. */
export interface CustomOpSpec {
  /**
   * The op's value. Runs unrecorded (whatever tensor ops it uses are not differentiated), so
   * it may compute however is fastest or most stable.
   */
  forward: (...inputs: Tensor[]) => Tensor;
  /**
   * The gradient of each input given `g`, the gradient of the output (same shape as `output`):
   * one entry per input, `null` for none. A gradient of the broadcast shape is summed back to
   * its input's shape, as for built-in ops; any other shape is an error naming the op.
   *
   * Write it with tensor ops: when the backward pass is itself recorded (`ctx.createGraph`:
   * `grad(grad(f))`, `hvp`, `jvp`, `gradgradcheck`), those ops are recorded too, which gives the
   * op higher-order gradients. `ctx` is the context built-in rules receive.
   */
  backward: (g: Tensor, inputs: readonly Tensor[], output: Tensor, ctx: RuleContext) => readonly (Tensor | null)[];
}

/**
 * Defines a differentiable op from a forward function and its derivative rule, and returns the
 * op. It works with `backward()`, `grad` and every transform, `gradcheck`, `gradgradcheck`,
 * `checkGradients` and `toDot` (where it shows under `name`).
 *
 * The rule is checked as a built-in one: it must return one gradient per input, each a Tensor
 * (or null) of its input's shape or broadcast shape; when the backward pass is recorded and
 * `g` is itself recorded (`jvp`, `gradgradcheck`), a nonzero gradient that does not depend on
 * `g` (computed from `.data`, or under `noGrad`) is an error, since its derivatives would
 * silently be 0.
 *
 * @example
 * ```ts
 * import { defineOp, grad, gradcheck, tensor, type Tensor } from 'tensorgrad';
 * // log Σ eˣ, stable for any magnitude: shifted by the max in the forward pass,
 * // and its gradient is softmax(x).
 * const logSumExp = defineOp('logSumExp', {
 *   forward: (x) => { const m = x.max(); return x.sub(m).exp().sum().log().add(m); },
 *   backward: (g, [x], out) => [g.mul(x.sub(out).exp())],
 * });
 * logSumExp(tensor([1000, 1000])).item();                        // 1000.6931…
 * grad((x: Tensor) => logSumExp(x))(tensor([0, 0])).toArray();   // [0.5, 0.5]
 * gradcheck(logSumExp, [tensor([1, 2, 3], { dtype: 'float64' })]).ok; // true
 * ```
 */
export function defineOp(name: string, spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor {
  if (typeof name !== 'string' || name === '') throw new Error('defineOp: the op needs a non-empty name');
  if (typeof spec?.forward !== 'function' || typeof spec.backward !== 'function') {
    throw new Error(`defineOp '${name}': pass { forward, backward }, both functions`);
  }
  const { forward, backward } = spec;
  return (...inputs: Tensor[]): Tensor => {
    inputs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new Error(`${name}: input ${i} must be a Tensor, got ${describe(x)}`);
    });
    const value = withGradMode(false, () => forward(...inputs));
    if (!(value instanceof Tensor)) throw new Error(`${name}: forward must return a Tensor, got ${describe(value)}`);
    // A new tensor object, so the graph never hangs off one of the inputs (forward may return one).
    const out = new Tensor(value.data, value.shape);
    return record(out, name, inputs, (g, ctx) => checkRule(name, backward(g, inputs, out, ctx), inputs, g, ctx));
  };
}

/** The rule's result, checked: one Tensor or null per input, and differentiable when recorded. */
function checkRule(
  name: string,
  grads: readonly (Tensor | null)[],
  inputs: readonly Tensor[],
  g: Tensor,
  ctx: RuleContext,
): readonly (Tensor | null)[] {
  if (!Array.isArray(grads) || grads.length !== inputs.length) {
    const got = Array.isArray(grads) ? `${grads.length} gradient(s)` : describe(grads);
    throw new Error(`${name}: backward must return an array of ${inputs.length} gradient(s) (one per input, null for none), got ${got}`);
  }
  grads.forEach((gi, i) => {
    if (gi === null || gi === undefined) return;
    if (!(gi instanceof Tensor))
      throw new Error(`${name}: backward returned ${describe(gi)} as the gradient of input ${i}; expected a Tensor or null`);
    // A gradient is linear in g, so one that does not depend on g must be all zeros.
    if (ctx.createGraph && g.requiresGrad && inputs[i].requiresGrad && !gi.requiresGrad && gi.data.some((v) => v !== 0)) {
      throw new Error(
        `${name}: backward computed the gradient of input ${i} outside the graph (from .data, noGrad or detach) ` +
          `while the backward pass is recorded, so its derivatives would silently be 0; build it from g with tensor ops`,
      );
    }
  });
  return grads;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? ((x as object).constructor?.name ?? 'an object') : typeof x;
}
