/**
 * tensorgrad: automatic differentiation for TypeScript.
 *
 * Everything a user imports comes from here: the scalar engine (`Value`), the tensor engine
 * (`Tensor`, `tensor`, …), function transforms (`grad`, `valueAndGrad`), `gradcheck`, and the
 * `nn`, `optim` and `data` namespaces.
 */
export * from './autograd/index.js';
/** Neural-network layers (`Linear`, `MLP`, `Sequential`, normalisation), activations, initialisers, losses, metrics, state dicts, `save`/`load`. */
export * as nn from './nn-node.js';
/** Optimizers (`SGD` with momentum, `Adam`, `AdamW`, parameter groups), learning-rate schedules, `clipGradNorm`, `minimize`. */
export * as optim from './optim/index.js';
/** The IDX format, MNIST-format loaders (Node), and `DataLoader` (mini-batches, seeded shuffling). */
export * as data from './data/index.js';
