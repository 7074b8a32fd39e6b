export { Tensor, type NestedArray, type TensorLike } from './tensor.js';
export { tensor, zeros, ones, full, rand, randn, manualSeed, type TensorOptions, type RandomOptions, type NumericArray } from './creation.js';
export { Value, type ValueLike } from './value.js';
export { noGrad, isGradEnabled, type BackwardOptions, type BackwardRule, type RuleContext } from './engine.js';
export { grad, valueAndGrad, type Differentiable, type GradsOf, type ScalarFn } from './functional.js';
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckWorst } from './gradcheck.js';
export { defineOp, type CustomOpSpec } from './custom-op.js';
export { vjp, jvp, type TensorFn } from './vjp.js';
export { jacobian, hessian, hvp } from './jacobian.js';
export { gradgradcheck } from './gradgradcheck.js';
export { toDot, gradFn, type GradFn } from './graph-view.js';
export { Rng } from './random.js';
export type { DType } from './dtype.js';
export type { FloatArray } from './kernels/types.js';
export { linear, type FusedActivation } from './ops/linear.js';
export { setWasmKernels, useWasm, wasmBuild } from './backend/index.js';
export { squaredErrorSum } from './ops/squared-error.js';
export { initWasm } from './kernels/wasm/index.js';
export { concat, stack, split } from './ops/tensor-functions.js';
export {
  slice,
  indexSelect,
  gather,
  where,
  squeeze,
  unsqueeze,
  flatten,
  minimum,
  clamp,
  sin,
  cos,
  softplus,
  leakyRelu,
  elu,
  gelu,
  logsumexp,
  lt,
  le,
  ge,
  ne,
} from './ops/tensor-functions.js';
export { conv2d, type Conv2dOptions, type Size2 } from './ops/conv.js';
export { maxPool2d, avgPool2d, type Pool2dOptions } from './ops/pool.js';
export { dropout, type DropoutOptions } from './ops/dropout.js';
export { compile, type CompileOptions, type CompiledFunction } from './compile/compile.js';
