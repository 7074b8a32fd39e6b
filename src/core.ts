/**
 * The browser-safe part of tensorgrad: the autograd engines, `nn`, `optim`, and the parts of
 * `data` that need no file system (IDX parsing of bytes, `DataLoader`). Import it as
 * `tensorgrad/core` in a browser bundle; nothing under it touches Node's APIs or types.
 *
 * In a page, `await initWasm()` once at start-up: it compiles the WebAssembly SIMD kernels
 * asynchronously, for engines that refuse to compile them synchronously on the main thread
 * (without them, float32 work runs on the TypeScript kernels).
 *
 * @example
 * ```ts
 * import { initWasm, wasmBuild, nn, tensor } from 'tensorgrad/core';
 * await initWasm();
 * console.log(wasmBuild()); // 'relaxed-simd' or 'simd' in current browsers
 * const model = new nn.MLP([2, 8, 1], { seed: 1 });
 * const y = model.forward(tensor([[0.5, -1]]));
 * ```
 *
 * @module
 */
export * from './autograd/index.js';
/** Neural-network layers (`Linear`, `MLP`, `Sequential`), activations, initialisers, losses, metrics, safetensors. */
export * as nn from './nn/index.js';
/** Optimizers (`SGD` with momentum, `Adam`, `AdamW`), learning-rate schedules, `minimize`. */
export * as optim from './optim/index.js';
/** The browser-safe part of `data`: IDX parsing and writing of bytes, and `DataLoader`. */
export * as data from './data/core.js';
