/**
 * Ownership of the gradient buffers one backward() passes between ops, so the pass can let
 * a leaf keep a buffer as its `.grad` (saving an allocation and a copy per parameter) and hand
 * every other buffer it allocated back to the pool.
 */
import type { FloatArray } from '../kernels/types.js';
import { recycle, startCollecting, stopCollecting } from './memory.js';

export class GradBuffers {
  /** Buffers handed to at least one input, and those handed to more than one or owned by the caller. */
  private readonly handedOut: Set<FloatArray>;
  private readonly shared: Set<FloatArray>;
  /** Buffers allocated during the pass (null: not collecting), and the collection this one nests in. */
  private readonly created: Set<FloatArray> | null = null;
  private readonly outer: Set<FloatArray> | null = null;

  /**
   * `seed` is the caller's buffer: never kept, never recycled. `collect`: record the buffers
   * allocated from now until `stop()`, to recycle them in `release()` (only when nothing
   * outside the pass can reach them, i.e. the backward pass is not recorded).
   */
  constructor(
    private readonly seed: FloatArray,
    collect: boolean,
  ) {
    this.handedOut = new Set([seed]);
    this.shared = new Set([seed]);
    if (collect) [this.created, this.outer] = startCollecting();
  }

  /** Notes that `data` was handed to one more input (a rule may pass one gradient to several). */
  handOut(data: FloatArray): void {
    if (this.handedOut.has(data)) this.shared.add(data);
    else this.handedOut.add(data);
  }

  /** Whether a leaf may keep `data` as its `.grad`: it reached one place only and is not the seed. */
  owned(data: FloatArray): boolean {
    return !this.shared.has(data);
  }

  /** Stops collecting allocations (the rules have run). */
  stop(): void {
    if (this.created !== null) stopCollecting(this.outer);
  }

  /** Recycles every buffer the pass allocated except the seed and `kept` (what the leaves hold). */
  release(kept: readonly FloatArray[]): void {
    if (this.created === null) return;
    for (const data of this.created) if (data !== this.seed && !kept.includes(data)) recycle(data);
  }
}
