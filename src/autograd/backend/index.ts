/**
 * The backend door: the only module ops, `nn`, `optim` and `data` import numerics and
 * memory from. Behind it, `dispatch` picks a kernel (TypeScript, wasm SIMD, relaxed SIMD,
 * threads) and `memory` owns storage (the op-output buffer pool, resident wasm arrays);
 * `grad-buffers` tracks which gradient buffers a backward() may keep or recycle.
 *
 * Every kernel here writes into arrays it is given, row-major and contiguous, and knows
 * nothing of tensors or graphs.
 */
export {
  matmul,
  linearForward,
  activationBackward,
  unaryMap,
  binaryBroadcast,
  sumAxis,
  addColumnSums,
  sgdUpdate,
  sgdMomentum,
  adamUpdate,
  setWasmKernels,
  useWasm,
  wasmBuild,
  setParallelMatmul,
  wasmBinaryPlan,
  FUSED_ACTIVATIONS,
  type FusedActivation,
  type ParallelMatmulF32,
  type ParallelLinearF32,
  type AdamStep,
} from './dispatch.js';
export {
  allocate,
  allocateForOverwrite,
  allocateResident,
  isResidentData,
  zeroFill,
  recycle,
  startCollecting,
  stopCollecting,
} from './memory.js';
export { BinaryOp, UnaryOp, broadcastTo } from '../kernels/elementwise.js';
export { maxAxis, softmaxAxis } from '../kernels/reduce.js';
export { permute } from '../kernels/permute.js';
export { gatherFlat, scatterAddFlat, copyRows, select } from '../kernels/indexing.js';
export { Activation, applyActivation, activationDerivative, clampInto } from '../kernels/activations.js';
export { erf, erfc } from '../kernels/erf.js';
export {
  im2col,
  col2im,
  maxPoolArgmax,
  avgPool,
  unpackChannels,
  packChannels,
  addChannelSums,
  type Window2d,
} from '../kernels/conv.js';
export { squaredErrorSum, scaledDifference } from '../kernels/squared-error.js';
export type { FloatArray } from '../kernels/types.js';
export { GradBuffers } from './grad-buffers.js';
