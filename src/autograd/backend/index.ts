/**
 * The backend door: the only module ops, `nn`, `optim` and `data` import numerics and
 * memory from. Behind it, `dispatch` picks a kernel (TypeScript, wasm SIMD, relaxed SIMD,
 * threads) and `memory` owns storage (the op-output buffer pool, resident wasm arrays);
 * `grad-buffers` tracks which gradient buffers a backward() may keep or recycle.
 *
 * Every kernel here writes into arrays it is given, row-major and contiguous, and knows
 * nothing of tensors or graphs. Each function that touches tensor memory goes through `door`,
 * so a trace of `compile` sees every kernel call and every allocation.
 */
import * as dispatch from './dispatch.js';
import * as memory from './memory.js';
import * as elementwise from '../kernels/elementwise.js';
import * as reduce from '../kernels/reduce.js';
import * as permuteKernels from '../kernels/permute.js';
import * as indexing from '../kernels/indexing.js';
import * as activations from '../kernels/activations.js';
import * as conv from '../kernels/conv.js';
import * as squaredError from '../kernels/squared-error.js';
import * as arrays from './array-kernels.js';
import { door } from './door.js';

export {
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
export { startCollecting, stopCollecting } from './memory.js';
export { BinaryOp, UnaryOp } from '../kernels/elementwise.js';
export { Activation } from '../kernels/activations.js';
export { erf, erfc } from '../kernels/erf.js';
export type { Window2d } from '../kernels/conv.js';
export type { FloatArray } from '../kernels/types.js';
export { GradBuffers } from './grad-buffers.js';

// ---- kernels: write into the arrays they are given ----
export const matmul = door('matmul', 'kernel', dispatch.matmul);
export const linearForward = door('linearForward', 'kernel', dispatch.linearForward);
export const activationBackward = door('activationBackward', 'kernel', dispatch.activationBackward);
export const unaryMap = door('unaryMap', 'kernel', dispatch.unaryMap);
export const binaryBroadcast = door('binaryBroadcast', 'kernel', dispatch.binaryBroadcast);
export const sumAxis = door('sumAxis', 'kernel', dispatch.sumAxis);
export const addColumnSums = door('addColumnSums', 'kernel', dispatch.addColumnSums);
export const sgdUpdate = door('sgdUpdate', 'kernel', dispatch.sgdUpdate);
export const sgdMomentum = door('sgdMomentum', 'kernel', dispatch.sgdMomentum);
export const adamUpdate = door('adamUpdate', 'kernel', dispatch.adamUpdate);
export const broadcastTo = door('broadcastTo', 'kernel', elementwise.broadcastTo);
export const maxAxis = door('maxAxis', 'kernel', reduce.maxAxis);
export const softmaxAxis = door('softmaxAxis', 'kernel', reduce.softmaxAxis);
export const permute = door('permute', 'kernel', permuteKernels.permute);
export const gatherFlat = door('gatherFlat', 'kernel', indexing.gatherFlat);
export const scatterAddFlat = door('scatterAddFlat', 'kernel', indexing.scatterAddFlat);
export const copyRows = door('copyRows', 'kernel', indexing.copyRows);
export const select = door('select', 'kernel', indexing.select);
export const applyActivation = door('applyActivation', 'kernel', activations.applyActivation);
export const activationDerivative = door('activationDerivative', 'kernel', activations.activationDerivative);
export const clampInto = door('clampInto', 'kernel', activations.clampInto);
export const im2col = door('im2col', 'kernel', conv.im2col);
export const col2im = door('col2im', 'kernel', conv.col2im);
export const maxPoolArgmax = door('maxPoolArgmax', 'kernel', conv.maxPoolArgmax);
export const avgPool = door('avgPool', 'kernel', conv.avgPool);
export const unpackChannels = door('unpackChannels', 'kernel', conv.unpackChannels);
export const packChannels = door('packChannels', 'kernel', conv.packChannels);
export const addChannelSums = door('addChannelSums', 'kernel', conv.addChannelSums);
export const scaledDifference = door('scaledDifference', 'kernel', squaredError.scaledDifference);
export const copyInto = door('copyInto', 'kernel', arrays.copyInto);
export const addInto = door('addInto', 'kernel', arrays.addInto);
export const squaredErrorInto = door('squaredErrorInto', 'kernel', arrays.squaredErrorInto);
export const scaledDifferenceBy = door('scaledDifferenceBy', 'kernel', arrays.scaledDifferenceBy);
export const zeroFill = door('zeroFill', 'kernel', memory.zeroFill);
/** Returns Σ (o − t)² to JavaScript: a compiled trace refuses it (the number would be frozen); see `squaredErrorInto`. */
export const squaredErrorSum = door('squaredErrorSum', 'kernel', squaredError.squaredErrorSum);

// ---- memory ----
export const allocate = door('allocate', 'allocate', memory.allocate);
export const allocateForOverwrite = door('allocateForOverwrite', 'allocateForOverwrite', memory.allocateForOverwrite);
export const allocateResident = door('allocateResident', 'allocateResident', memory.allocateResident);
export const recycle = door('recycle', 'recycle', memory.recycle);
export const isResidentData = door('isResidentData', 'query', memory.isResidentData);
