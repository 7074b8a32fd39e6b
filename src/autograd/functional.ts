/** JAX/tfjs-style function transforms: grad and valueAndGrad. */
import { Tensor } from './tensor.js';
import { Value } from './value.js';
import { fmt } from './shape.js';
import { allocate } from './backend/index.js';
import { engineState } from './state.js';
import { pullBack, traceCall } from './trace.js';

/** What `grad` differentiates with respect to. */
export type Differentiable = Tensor | Value;
/** A function returning a scalar: a one-element Tensor or a Value. */
export type ScalarFn<A extends unknown[]> = (...args: A) => Tensor | Value;
/** The gradients selected by `argnums`: one for an index, a tuple for an array of indices. */
export type GradsOf<A extends unknown[], I> = I extends number
  ? A[I]
  : I extends readonly number[]
    ? { -readonly [K in keyof I]: A[I[K] & number] }
    : never;

/**
 * Returns a function computing the gradient of scalar-valued `f` with respect to its
 * argument `argnums` (default 0) — one gradient for an index, an array for an array of
 * indices. Works for Tensor and Value arguments. The arguments' own `.grad` is not touched.
 *
 * As `torch.func.grad`, it records what it needs whatever the caller's grad mode (inside
 * `noGrad` too), and when the caller records — an outer `grad`, `gradcheck`, a loss built for
 * `backward()` — and the gradient depends on the caller's tensors, the gradient returned is
 * itself differentiable: `grad(grad(f))` is the second derivative. Inside `noGrad` it is a
 * plain tensor (the cheaper pass).
 *
 * @example
 * ```ts
 * import { grad, tensor, type Tensor } from 'tensorgrad';
 * const f = (x: Tensor) => x.mul(x).sum();
 * grad(f)(tensor([1, 2, 3])).toArray();        // [2, 4, 6]
 * const g = grad((a: Tensor, b: Tensor) => a.mul(b).sum(), [0, 1]);
 * const [da, db] = g(tensor([1, 2]), tensor([3, 4])); // [3,4], [1,2]
 * ```
 */
export function grad<A extends unknown[]>(f: ScalarFn<A>): (...args: A) => A[0];
export function grad<A extends unknown[], const I extends number | readonly number[]>(f: ScalarFn<A>, argnums: I): (...args: A) => GradsOf<A, I>;
export function grad<A extends unknown[]>(f: ScalarFn<A>, argnums: number | readonly number[] = 0): (...args: A) => unknown {
  return (...args: A) => differentiate('grad', f, argnums, args).grads;
}

/**
 * Like `grad`, but also returns the value of `f`: `{ value, grad }`.
 *
 * @example
 * ```ts
 * import { valueAndGrad, tensor, type Tensor } from 'tensorgrad';
 * const { value, grad } = valueAndGrad((x: Tensor) => x.square().sum())(tensor([3]));
 * value.item(); // 9
 * grad.toArray(); // [6]
 * ```
 */
// `value` has f's own return type (R), so `value.item()` type-checks for a Tensor function.
export function valueAndGrad<A extends unknown[], R extends Tensor | Value>(f: (...args: A) => R): (...args: A) => { value: R; grad: A[0] };
export function valueAndGrad<A extends unknown[], R extends Tensor | Value, const I extends number | readonly number[]>(
  f: (...args: A) => R,
  argnums: I,
): (...args: A) => { value: R; grad: GradsOf<A, I> };
export function valueAndGrad<A extends unknown[]>(f: ScalarFn<A>, argnums: number | readonly number[] = 0): (...args: A) => unknown {
  return (...args: A) => {
    const { value, grads } = differentiate('valueAndGrad', f, argnums, args);
    return { value, grad: grads };
  };
}

function differentiate<A extends unknown[]>(
  name: string,
  f: ScalarFn<A>,
  argnums: number | readonly number[],
  args: A,
): { value: Tensor | Value; grads: unknown } {
  const indices = typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new Error(`${name}: argnums ${i} is out of range for a call with ${args.length} argument(s)`);
    }
    const a = args[i];
    if (!(a instanceof Tensor) && !(a instanceof Value)) {
      throw new Error(`${name}: argument ${i} must be a Tensor or a Value to differentiate with respect to it, got ${typeof a}`);
    }
  }
  const nestedValue = engineState.transformDepth > 0;
  const trace = traceCall(f, args, indices);
  const out = trace.out;
  let grads: (Tensor | Value)[];
  if (out instanceof Tensor) {
    if (out.size !== 1) throw new Error(`${name}: f must return a one-element tensor, got shape ${fmt(out.shape)}`);
    const seed = allocate(out.dtype, 1);
    seed[0] = 1;
    grads = pullBack(trace, new Tensor(seed, out.shape), false);
  } else if (out instanceof Value) {
    if (nestedValue) {
      throw new Error(
        `${name}: a Value function differentiated inside another grad/valueAndGrad: the scalar engine records ` +
          `first derivatives as numbers, so a second derivative would silently be 0. Use 0-d float64 tensors ` +
          `(tensor(x, { dtype: 'float64' })) for higher derivatives`,
      );
    }
    out._reversePass();
    grads = indices.map((i) => new Value((trace.fresh[i] as Value)._g));
  } else {
    throw new Error(`${name}: f must return a Tensor or a Value`);
  }
  return { value: out, grads: typeof argnums === 'number' ? grads[0] : grads };
}
