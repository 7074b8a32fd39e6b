import type { Tensor } from '../autograd/tensor.js';
import { Rng } from '../autograd/random.js';
import { dropout } from '../autograd/ops/dropout.js';
import { Module } from './module.js';

/**
 * Dropout, PyTorch's `nn.Dropout(p)`: in training mode each element is zeroed with probability
 * `p` and the rest scaled by 1/(1 − p); in evaluation mode (`eval()`) the identity. The masks
 * come from the layer's own generator, seeded by `seed`, so a run is repeatable.
 *
 * @example
 * ```ts
 * import { nn, ones } from 'tensorgrad';
 * const drop = new nn.Dropout(0.5, { seed: 1 });
 * drop.forward(ones([4])).toArray();        // each element 0 or 2
 * drop.eval().forward(ones([4])).toArray(); // [1, 1, 1, 1]
 * ```
 */
export class Dropout extends Module {
  private rng: Rng;

  constructor(
    readonly p = 0.5,
    opts: { seed?: number; rng?: Rng } = {},
  ) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be a probability in [0, 1], got ${String(p)}`);
    this.rng = opts.rng ?? new Rng(opts.seed ?? 0);
  }

  /**
   * Restarts the layer's mask generator from `seed`, as if it had just been made with it: a
   * training loop that reseeds before each step from (seed, epoch, step) gets the same masks
   * when it resumes from a checkpoint as when it never stopped.
   */
  manualSeed(seed: number): this {
    this.rng = new Rng(seed);
    return this;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    // A fresh seed per call from the layer's generator: every batch gets its own mask.
    return dropout(x, this.p, { training: true, seed: this.rng.int(2 ** 31) });
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
