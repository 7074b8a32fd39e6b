import type { Tensor } from '../autograd/tensor.js';
import { Module } from './module.js';

/** Activation names accepted by `MLP` and the CLI. */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'identity' | 'softmax';

/** Every activation name `activate`, `MLP` and the command line accept. */
export const ACTIVATION_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'identity', 'softmax'];

/** `name` as an `ActivationName`, or an Error listing the names when it is not one. */
export function checkActivation(name: unknown): ActivationName {
  if (!ACTIVATION_NAMES.includes(name as ActivationName)) {
    throw new Error(`activation: unknown activation '${String(name)}'; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
  return name as ActivationName;
}

/**
 * Applies the named activation to `x` (softmax over the last axis).
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * nn.activate('relu', tensor([-1, 2])).toArray(); // [0, 2]
 * ```
 */
export function activate(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'sigmoid':
      return x.sigmoid();
    case 'tanh':
      return x.tanh();
    case 'relu':
      return x.relu();
    case 'identity':
      return x;
    case 'softmax':
      return x.softmax(-1);
    default:
      return activate(checkActivation(name), x);
  }
}

/** An activation as a module, for `Sequential`. */
export class Activation extends Module {
  constructor(readonly name: ActivationName) {
    super();
    checkActivation(name);
  }
  forward(x: Tensor): Tensor {
    return activate(this.name, x);
  }
}

/** Logistic sigmoid as a module. */
export class Sigmoid extends Activation {
  constructor() {
    super('sigmoid');
  }
}
/** tanh as a module. */
export class Tanh extends Activation {
  constructor() {
    super('tanh');
  }
}
/** relu as a module. */
export class ReLU extends Activation {
  constructor() {
    super('relu');
  }
}
/** softmax over the last axis as a module. */
export class Softmax extends Activation {
  constructor() {
    super('softmax');
  }
}
