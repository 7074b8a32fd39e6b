/**
 * The `nn` namespace of the Node entry (`src/index.ts`): everything of the browser-safe
 * `src/nn` plus `save` and `load`, which read and write files. `tensorgrad/core` exports
 * `src/nn` itself, where `moduleToBytes` / `moduleFromBytes` do the same on bytes.
 */
export * from './nn/index.js';
export { save, load } from './data/module-file.js';
