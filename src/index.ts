/**
 * tensorgrad: automatic differentiation for TypeScript.
 *
 * Everything a user imports comes from here: the scalar engine (`Value`), the tensor engine
 * (`Tensor`, `tensor`, …), function transforms (`grad`, `valueAndGrad`), `gradcheck`, and the
 * `nn`, `optim` and `data` namespaces.
 */
export * from './autograd/index.js';
export * as nn from './nn-node.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
