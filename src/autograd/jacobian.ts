/**
 * Whole derivative matrices and second order: `jacobian`, `hessian`, and the Hessian-vector
 * product `hvp`, built from `grad` and the pullback, so they hold for every op (custom ones
 * included) whose derivative rule is written with tensor ops.
 */
import { Tensor } from './tensor.js';
import { allocate } from './backend/index.js';
import { fmt, sameShape } from './shape.js';
import { grad } from './functional.js';
import { pullBack, traceCall } from './trace.js';
import { stackRows } from './rows.js';

/**
 * Returns a function computing the Jacobian of `f` with respect to its argument `argnum`
 * (default 0): a tensor of shape `[...out.shape, ...x.shape]` whose entry `[i…, j…]` is
 * ∂out[i…]/∂x[j…]. One reverse pass per output element (rows), so it suits outputs smaller
 * than inputs; it stays differentiable when the caller records (see `grad`).
 *
 * @example
 * ```ts
 * import { jacobian, tensor } from 'tensorgrad';
 * const J = jacobian((x) => x.mul(x).sum(0))(tensor([[1, 2], [3, 4]]));
 * J.shape;     // [2, 2, 2]
 * J.toArray(); // [[[2, 0], [6, 0]], [[0, 4], [0, 8]]]
 * ```
 */
export function jacobian<A extends Tensor[]>(f: (...args: A) => Tensor, argnum = 0): (...args: A) => Tensor {
  return (...args: A): Tensor => {
    const x = checkArgument('jacobian', args, argnum);
    const trace = traceCall(f, args, [argnum]);
    const out = trace.out;
    if (!(out instanceof Tensor)) throw new Error('jacobian: f must return a Tensor');
    if (out.size === 0 || x.size === 0) return new Tensor(allocate(out.dtype, 0), [...out.shape, ...x.shape]);
    const rows: Tensor[] = [];
    for (let i = 0; i < out.size; i++) {
      const e = new Tensor(allocate(out.dtype, out.size), out.shape);
      e.data[i] = 1;
      rows.push(pullBack(trace, e, true)[0]);
    }
    return stackRows(rows, x.shape).reshape([...out.shape, ...x.shape]);
  };
}

/**
 * Returns a function computing the Hessian of scalar-valued `f` with respect to its argument
 * `argnum` (default 0): shape `[...x.shape, ...x.shape]`, entry `[i…, j…]` = ∂²f/∂x[i…]∂x[j…].
 * The Jacobian of the gradient: one reverse pass through the recorded backward per element.
 *
 * @example
 * ```ts
 * import { hessian, tensor } from 'tensorgrad';
 * hessian((x) => x.pow(3).sum())(tensor([1, 2], { dtype: 'float64' })).toArray(); // [[6, 0], [0, 12]]
 * ```
 */
export function hessian<A extends Tensor[]>(f: (...args: A) => Tensor, argnum = 0): (...args: A) => Tensor {
  const g = grad(f as (...args: Tensor[]) => Tensor, argnum);
  return jacobian((...args: Tensor[]) => g(...args), argnum) as (...args: A) => Tensor;
}

/**
 * The Hessian-vector product H·v of scalar-valued `f` at `x`, of `x`'s shape, without forming
 * H: the gradient of ⟨∇f(x), v⟩, two reverse passes whatever the size of `x`.
 *
 * @example
 * ```ts
 * import { hvp, tensor } from 'tensorgrad';
 * const x = tensor([1, 2], { dtype: 'float64' });
 * hvp((t) => t.pow(3).sum(), x, tensor([1, 1], { dtype: 'float64' })).toArray(); // [6, 12]
 * ```
 */
export function hvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): Tensor {
  if (!(x instanceof Tensor) || !(v instanceof Tensor)) throw new Error('hvp: x and v must be Tensors');
  if (!sameShape(x.shape, v.shape)) throw new Error(`hvp: v has shape ${fmt(v.shape)} but x has shape ${fmt(x.shape)}`);
  const gf = grad(f);
  return grad((t: Tensor) => gf(t).mul(v).sum())(x);
}

function checkArgument(name: string, args: readonly unknown[], argnum: number): Tensor {
  if (!Number.isInteger(argnum) || argnum < 0 || argnum >= args.length) {
    throw new Error(`${name}: argnum ${argnum} is out of range for a call with ${args.length} argument(s)`);
  }
  const x = args[argnum];
  if (!(x instanceof Tensor)) throw new Error(`${name}: argument ${argnum} must be a Tensor`);
  return x;
}
