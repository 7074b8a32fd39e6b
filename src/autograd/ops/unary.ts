/** Elementwise unary ops: forward kernel and derivative rule side by side. */
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { UnaryOp, allocateForOverwrite, copyInto, unaryMap } from '../backend/index.js';
import { record } from '../engine.js';
import { activationGrad } from './activation-grad.js';

/** f(x) elementwise, not recorded. */
export function map(op: UnaryOp, x: Tensor): Tensor {
  const out = new Tensor(allocateForOverwrite(x.dtype, x.size), x.shape);
  unaryMap(op, out.data, x.data);
  return out;
}

export function neg(x: Tensor): Tensor {
  return record(map(UnaryOp.Neg, x), 'neg', [x], (g) => [g.neg()]);
}

export function exp(x: Tensor): Tensor {
  const out = map(UnaryOp.Exp, x);
  return record(out, 'exp', [x], (g) => [g.mul(out)]);
}

export function log(x: Tensor): Tensor {
  return record(map(UnaryOp.Log, x), 'log', [x], (g) => [g.div(x)]);
}

export function sqrt(x: Tensor): Tensor {
  const out = map(UnaryOp.Sqrt, x);
  return record(out, 'sqrt', [x], (g) => [g.div(out.mul(2))]);
}

export function abs(x: Tensor): Tensor {
  // sign(0) = 0, so |x|'(0) = 0.
  return record(map(UnaryOp.Abs, x), 'abs', [x], (g) => [g.mul(map(UnaryOp.Sign, x))]);
}

export function sin(x: Tensor): Tensor {
  return record(map(UnaryOp.Sin, x), 'sin', [x], (g) => [g.mul(x.cos())]);
}

export function cos(x: Tensor): Tensor {
  return record(map(UnaryOp.Cos, x), 'cos', [x], (g) => [g.mul(x.sin()).neg()]);
}

export function tanh(x: Tensor): Tensor {
  const out = map(UnaryOp.Tanh, x);
  return record(out, 'tanh', [x], (g, ctx) => [activationGrad(g, out, 'tanh', ctx)]);
}

export function sigmoid(x: Tensor): Tensor {
  const out = map(UnaryOp.Sigmoid, x);
  return record(out, 'sigmoid', [x], (g, ctx) => [activationGrad(g, out, 'sigmoid', ctx)]);
}

export function relu(x: Tensor): Tensor {
  // Step(0) = 0, so relu'(0) = 0; relu(x) > 0 exactly where x > 0, so the output decides.
  const out = map(UnaryOp.Relu, x);
  return record(out, 'relu', [x], (g, ctx) => [activationGrad(g, out, 'relu', ctx)]);
}

export function square(x: Tensor): Tensor {
  return record(map(UnaryOp.Square, x), 'square', [x], (g) => [g.mul(x).mul(2)]);
}

export function astype(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  const data = allocateForOverwrite(dtype, x.size);
  copyInto(data, x.data);
  return record(new Tensor(data, x.shape), 'astype', [x], (g) => [g.astype(x.dtype)]);
}

export function clone(x: Tensor): Tensor {
  const data = allocateForOverwrite(x.dtype, x.size);
  copyInto(data, x.data);
  return record(new Tensor(data, x.shape), 'clone', [x], (g) => [g]);
}
