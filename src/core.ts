/**
 * The browser-safe part of tensorgrad: the autograd engines, `nn` and `optim`, without the
 * file-system code of `data` and the CLI. Import it as `tensorgrad/core` in a browser bundle.
 */
export * from './autograd/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
