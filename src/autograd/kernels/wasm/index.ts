/**
 * The WebAssembly SIMD float32 kernels, in three parts: ./module.ts loads the module,
 * ./memory.ts owns its memory (resident arrays, operand placement; ./heap.ts the sizes,
 * growth and copies it shares with src/threads), and ./kernels.ts wraps each kernel
 * (./checks.ts their argument checks; ./sparse.ts the zero-skipping matmul; ./fused.ts the fused
 * elementwise programs). The codes and tile sizes shared with `assembly/` are
 * generated into ./constants.ts from `assembly/constants.json` by `scripts/build-wasm.mjs`.
 *
 * Isomorphic: no Node-only APIs.
 */
export * from './constants.js';
export { decodeBase64, initWasm, wasmAvailable, wasmBuild, type KernelExports, type WasmMemory } from './module.js';
export {
  PAGE,
  WASM32_BYTES,
  copyIn,
  copyOut,
  heapOf,
  reserve,
  vecBytes,
  type Heap,
} from './heap.js';
export { isResident, residentF32, wasmMemoryBytes, zeroF32 } from './memory.js';
export { checkActivation, checkDim, checkMatmulArgs, checkSpan } from './checks.js';
export {
  activationBackwardF32,
  activationF32,
  adamUpdateF32,
  binaryF32,
  expF32,
  linearForwardF32,
  matmulF32,
  sgdMomentumF32,
  sgdUpdateF32,
  sumAxisF32,
  type AdamStep,
} from './kernels.js';
export { linearForwardSkipZerosF32, matmulSkipZerosF32 } from './sparse.js';
export { fusedElementwiseF32 } from './fused.js';
