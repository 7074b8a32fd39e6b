/**
 * Bookkeeping for long-lived blocks of wasm linear memory (resident parameters and their
 * gradients). Pure arithmetic on byte addresses: it never touches memory itself.
 *
 * Blocks sit between `floor` and `top`; the scratch arena the kernel wrappers copy operands
 * into starts at `top`, so it never overlaps a block. First fit from a sorted free list, which
 * stays short because blocks are few (a model's parameters, not its activations) and freed
 * neighbours are merged; a freed block at the top lowers `top` instead.
 */
export class BlockAllocator {
  /** First byte past the highest block, 16-aligned: where the scratch arena begins. */
  top: number;
  /** Start → length in bytes of every live block. */
  private readonly live = new Map<number, number>();
  /** Free ranges below `top`, sorted by start, never adjacent to one another. */
  private readonly freeStarts: number[] = [];
  private readonly freeEnds: number[] = [];

  /** @param floor first usable byte (16-aligned: the module's heap base). */
  constructor(readonly floor: number) {
    this.top = floor;
  }

  /** Reserves `bytes` (rounded up to 16) and returns the block's start; may raise `top`. */
  allocate(bytes: number): number {
    const size = Math.ceil(bytes / 16) * 16; // no 32-bit ops: exact past 2 GiB
    for (let i = 0; i < this.freeStarts.length; i++) {
      const start = this.freeStarts[i];
      const room = this.freeEnds[i] - start;
      if (room < size) continue;
      if (room === size) {
        this.freeStarts.splice(i, 1);
        this.freeEnds.splice(i, 1);
      } else {
        this.freeStarts[i] = start + size;
      }
      this.live.set(start, size);
      return start;
    }
    const start = this.top;
    this.top += size;
    this.live.set(start, size);
    return start;
  }

  /** Returns a block to the free list; unknown starts are ignored (a block is freed once). */
  release(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) return;
    this.live.delete(start);
    let lo = start,
      hi = start + size;
    // Merge with the free ranges touching it.
    let i = 0;
    while (i < this.freeStarts.length && this.freeEnds[i] < lo) i++;
    if (i < this.freeStarts.length && this.freeEnds[i] === lo) {
      lo = this.freeStarts[i];
      this.freeStarts.splice(i, 1);
      this.freeEnds.splice(i, 1);
    }
    if (i < this.freeStarts.length && this.freeStarts[i] === hi) {
      hi = this.freeEnds[i];
      this.freeStarts.splice(i, 1);
      this.freeEnds.splice(i, 1);
    }
    if (hi === this.top) {
      this.top = lo;
      return;
    }
    this.freeStarts.splice(i, 0, lo);
    this.freeEnds.splice(i, 0, hi);
  }

  /** The size in bytes of the live block starting at `start`, or 0 if there is none. */
  sizeOf(start: number): number {
    return this.live.get(start) ?? 0;
  }

  /** Number of live blocks (for tests and diagnostics). */
  get count(): number {
    return this.live.size;
  }
}
