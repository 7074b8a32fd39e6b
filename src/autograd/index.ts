export { Tensor, type NestedArray, type TensorLike } from './tensor.js';
export { tensor, zeros, ones, full, rand, randn, manualSeed, type TensorOptions, type RandomOptions } from './creation.js';
export { Value, type ValueLike } from './value.js';
export { noGrad, isGradEnabled, type BackwardOptions } from './engine.js';
export { grad, valueAndGrad, type Differentiable, type GradsOf, type ScalarFn } from './functional.js';
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckWorst } from './gradcheck.js';
export { Rng } from './random.js';
export type { DType } from './dtype.js';
export type { FloatArray } from './kernels/types.js';
