import { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';
import { allocateResident } from '../autograd/backend/index.js';
import type { Rng } from '../autograd/random.js';

/**
 * Weight initialisers. `'normal'` is the lecture's (Nielsen ch. 1): weights and biases from
 * N(0, 1). `'xavier'` (Glorot): weights N(0, 2/(in+out)), biases 0. `'he'`: weights
 * N(0, 2/in), biases 0 — for relu layers. `'pytorch'`: `torch.nn.Linear`'s default,
 * weights and biases from U(−1/√in, 1/√in) (kaiming_uniform with a = √5).
 */
export type InitName = 'normal' | 'xavier' | 'he' | 'pytorch';

/** Every initialiser name `Linear`, `MLP` and the command line accept. */
export const INIT_NAMES: readonly InitName[] = ['normal', 'xavier', 'he', 'pytorch'];

/**
 * The standard deviation of a layer's weights, and of its biases, under `init` (for the
 * uniform `'pytorch'` initialiser, that of U(−1/√in, 1/√in): 1/√(3·in)).
 */
export function initStd(init: InitName, inFeatures: number, outFeatures: number): { weight: number; bias: number } {
  switch (init) {
    case 'normal':
      return { weight: 1, bias: 1 };
    case 'xavier':
      return { weight: Math.sqrt(2 / (inFeatures + outFeatures)), bias: 0 };
    case 'he':
      return { weight: Math.sqrt(2 / inFeatures), bias: 0 };
    case 'pytorch': {
      const std = 1 / Math.sqrt(3 * inFeatures);
      return { weight: std, bias: std };
    }
    default:
      throw new Error(`init: unknown initialiser '${String(init)}'; expected one of ${INIT_NAMES.join(', ')}`);
  }
}

/**
 * A parameter tensor of `shape` with N(0, std²) entries drawn from `rng`, stored where the
 * kernels work on it in place (wasm memory, for float32 when the wasm kernels are on).
 */
export function normalTensor(shape: readonly number[], std: number, rng: Rng, dtype: DType): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  const data = allocateResident(dtype, size);
  if (std !== 0) for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return new Tensor(data, shape);
}

/** A parameter or buffer tensor of `shape` filled with `value`, resident like `normalTensor`'s. */
export function constantTensor(shape: readonly number[], value: number, dtype: DType): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  const data = allocateResident(dtype, size);
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape);
}

/**
 * A parameter tensor of `shape` with U(−bound, bound) entries drawn from `rng`, resident like
 * `normalTensor`'s: PyTorch's default for `Conv2d` and `Linear` (kaiming_uniform with a = √5
 * gives bound = 1/√fan_in for the weight, and the bias uses the same bound).
 */
export function uniformTensor(shape: readonly number[], bound: number, rng: Rng, dtype: DType): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  const data = allocateResident(dtype, size);
  for (let i = 0; i < size; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return new Tensor(data, shape);
}
