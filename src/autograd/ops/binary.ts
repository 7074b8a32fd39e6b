/**
 * Elementwise binary ops with NumPy broadcasting. Each op is its forward kernel call and its
 * derivative rule side by side; rules return gradients at the broadcast shape and the engine
 * sums them back to each operand's shape. A rule skips (null) the gradient of an operand that
 * does not require one, such as a target or a constant.
 */
import { Tensor, type TensorLike } from '../tensor.js';
import { broadcastShapes } from '../shape.js';
import { BinaryOp, allocateForOverwrite, binaryBroadcast } from '../backend/index.js';
import { record } from '../engine.js';
import { operands, padShape } from './util.js';

/** The forward value of `a op b`, not recorded. */
export function compute(name: string, op: BinaryOp, x: TensorLike, y: TensorLike): [Tensor, Tensor, Tensor] {
  const [a, b, dtype] = operands(x, y);
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = new Tensor(allocateForOverwrite(dtype, shapeSize(shape)), shape);
  binaryBroadcast(op, out.data, shape, a.data, padShape(a.shape, shape.length), b.data, padShape(b.shape, shape.length));
  return [out, a, b];
}

function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function add(x: TensorLike, y: TensorLike): Tensor {
  const [out, a, b] = compute('add', BinaryOp.Add, x, y);
  return record(out, 'add', [a, b], (g) => [g, g]);
}

export function sub(x: TensorLike, y: TensorLike): Tensor {
  const [out, a, b] = compute('sub', BinaryOp.Sub, x, y);
  return record(out, 'sub', [a, b], (g) => [g, b.requiresGrad ? g.neg() : null]);
}

export function mul(x: TensorLike, y: TensorLike): Tensor {
  const [out, a, b] = compute('mul', BinaryOp.Mul, x, y);
  return record(out, 'mul', [a, b], (g) => [a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null]);
}

export function div(x: TensorLike, y: TensorLike): Tensor {
  const [out, a, b] = compute('div', BinaryOp.Div, x, y);
  // d(a/b)/db = −a/b² = −out/b
  return record(out, 'div', [a, b], (g) => [a.requiresGrad ? g.div(b) : null, b.requiresGrad ? g.mul(out).div(b).neg() : null]);
}

/** a ** e. With a number exponent only `a` is an input; with a tensor exponent both are. */
export function pow(x: TensorLike, e: TensorLike): Tensor {
  if (typeof e === 'number') {
    const [out, a] = compute('pow', BinaryOp.Pow, x, e);
    // d(aᵉ)/da = e·aᵉ⁻¹; a zero exponent is constant, whatever a is (PyTorch).
    return record(out, 'pow', [a], (g) => [e === 0 ? g.mul(0) : g.mul(a.pow(e - 1)).mul(e)]);
  }
  const [out, a, b] = compute('pow', BinaryOp.Pow, x, e);
  // d(aᵇ)/da = b·aᵇ⁻¹ and d(aᵇ)/db = aᵇ·ln a (for a > 0). At a = 0 the formulas give 0·∞ = NaN
  // where the limit is 0; as PyTorch: d/da = 0 where b = 0 (a⁰ is constant), d/db = 0 where
  // a = 0 and b ≥ 0. Done by nudging a to 1 there with constant masks (no gradient through them).
  return record(out, 'pow', [a, b], (g) => {
    const aZero = eq(a, 0);
    const baseA = a.add(aZero.mul(eq(b, 0)));
    const baseB = a.add(aZero.mul(eq(b, 0).add(gt(b, 0))));
    return [g.mul(b).mul(baseA.pow(b.sub(1))), g.mul(out).mul(baseB.log())];
  });
}

/** Elementwise maximum; the gradient goes to the larger operand and splits evenly on ties. */
export function maximum(x: TensorLike, y: TensorLike): Tensor {
  const [out, a, b] = compute('maximum', BinaryOp.Max, x, y);
  return record(out, 'maximum', [a, b], (g) => {
    const tie = compute('eq', BinaryOp.Eq, a, b)[0].mul(0.5);
    return [g.mul(compute('gt', BinaryOp.Gt, a, b)[0].add(tie)), g.mul(compute('gt', BinaryOp.Gt, b, a)[0].add(tie))];
  });
}

/** 1 where a === b, else 0. Not differentiable: never recorded. */
export function eq(x: TensorLike, y: TensorLike): Tensor {
  return compute('eq', BinaryOp.Eq, x, y)[0];
}

/** 1 where a > b, else 0. Not differentiable: never recorded. */
export function gt(x: TensorLike, y: TensorLike): Tensor {
  return compute('gt', BinaryOp.Gt, x, y)[0];
}

/** Elementwise minimum; the gradient goes to the smaller operand and splits evenly on ties. */
export function minimum(x: TensorLike, y: TensorLike): Tensor {
  const [out, a, b] = compute('minimum', BinaryOp.Min, x, y);
  return record(out, 'minimum', [a, b], (g) => {
    const tie = compute('eq', BinaryOp.Eq, a, b)[0].mul(0.5);
    return [g.mul(compute('lt', BinaryOp.Lt, a, b)[0].add(tie)), g.mul(compute('lt', BinaryOp.Lt, b, a)[0].add(tie))];
  });
}

/** 1 where a < b, else 0. Not differentiable: never recorded. */
export function lt(x: TensorLike, y: TensorLike): Tensor {
  return compute('lt', BinaryOp.Lt, x, y)[0];
}

/** 1 where a ≤ b, else 0. Not differentiable: never recorded. */
export function le(x: TensorLike, y: TensorLike): Tensor {
  return compute('le', BinaryOp.Le, x, y)[0];
}

/** 1 where a ≥ b, else 0. Not differentiable: never recorded. */
export function ge(x: TensorLike, y: TensorLike): Tensor {
  return compute('ge', BinaryOp.Ge, x, y)[0];
}

/** 1 where a ≠ b (and where either is NaN), else 0. Not differentiable: never recorded. */
export function ne(x: TensorLike, y: TensorLike): Tensor {
  return compute('ne', BinaryOp.Ne, x, y)[0];
}
