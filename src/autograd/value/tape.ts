/**
 * Where the scalar engine's nodes live: a tape of chunks, and the lineages that keep chunks alive.
 *
 * Why a tape. A graph node as a JS object (its number, its parents, its local derivatives) is
 * what the young-generation GC copies when the graph is still alive at a scavenge — which it is
 * until `backward()` — and that copying was half the cost of the scalar engine. Here a node is a
 * row of typed arrays in a `Chunk` of `CHUNK` nodes: five doubles (data, grad, the two local
 * derivatives, the pass gradient) and three int32 (its two parents, its op code). A `Value` is a
 * two-field handle (its lineage and its row): the handles of intermediate results die young, and
 * the numbers sit off the JS heap, so a scavenge has almost nothing to copy. A parent is stored
 * as a row plus a slot in its chunk's `refs` (slot 0: the same chunk), never as a reference.
 *
 * Why lineages. Chunks hold no references to each other: if they did, a chunk shared by two
 * graphs (the tail of one, the head of the next) would chain every graph ever built to the
 * latest one, and a training loop keeping its last loss would never free anything. Instead each
 * handle holds a `Lineage`: its own chunk plus the lineages of its operands where they reach
 * other chunks. A lineage's closure covers the chunk of every ancestor of the value, so a live
 * `Value` keeps exactly the chunks its own graph touches, and a chunk is collected when no live
 * `Value` needs it. Lineages are shared: a node whose operands' chunks are already covered takes
 * an operand's lineage, so a new lineage object is made only where a graph crosses into a new
 * chunk or joins two lineages not seen together before (a memo on the older one catches the
 * repeats, as w·x over a layer).
 *
 * Worst-case retention: one live `Value` pins the whole chunk of every node it depends on
 * (about 100 KB per chunk of 2,048 nodes), not just those nodes; and a long-lived lineage
 * (say, of parameters) keeps its latest join alive (see `joined`): usually one chunk.
 */

/** log2 of the nodes per chunk. 2,048 nodes: ~100 KB of typed arrays per chunk. */
export const CHUNK_BITS = 11;
/** Nodes per chunk. */
export const CHUNK = 1 << CHUNK_BITS;
/** A node's row in `Chunk.links` packs (slot << CHUNK_BITS | row) + 1 for each parent (0: none). */
export const ROW_MASK = CHUNK - 1;

// Slots of a node in `Chunk.num` (STRIDE adjacent doubles: the reverse pass reads them together).
/** The number the node holds. */
export const DATA = 0;
/** d(output)/d(node), accumulated by backward(). */
export const GRAD = 1;
/** Local derivative with respect to parent a. */
export const DA = 2;
/** Local derivative with respect to parent b (pow by a number: the exponent, shown by `op`). */
export const DB = 3;
/** The gradient flowing in the current reverse pass. */
export const G = 4;
export const STRIDE = 5;

// Slots of a node in `Chunk.links`.
/** Parent a, packed (0: none). */
export const LA = 0;
/** Parent b, packed (0: none). */
export const LB = 1;
/** The op code (0: a leaf). */
export const LOP = 2;
export const LSTRIDE = 3;

/** The layout above by name, for `checkLayout`. */
const LAYOUT: Record<string, number> = { CHUNK_BITS, CHUNK, ROW_MASK, DATA, GRAD, DA, DB, G, STRIDE, LA, LB, LOP, LSTRIDE };

/**
 * Throws unless every constant in `copy` equals the layout's: the hot modules keep their own
 * copies of the layout (a module constant folds; an imported one is a load at every use).
 */
export function checkLayout(where: string, copy: Record<string, number>): void {
  for (const [name, value] of Object.entries(copy)) {
    if (LAYOUT[name] !== value) throw new Error(`Value: ${where} has ${name} = ${value}, the tape's layout (value/tape.ts) says ${LAYOUT[name]}`);
  }
}

let chunkIds = 0;
let lineageIds = 0;

/** A run of `CHUNK` nodes in typed arrays; filled in order, never reused. */
export class Chunk {
  /** Creation order: a parent is always in this chunk at a lower row, or in a chunk with a lower id. */
  readonly id = chunkIds++;
  /** STRIDE doubles per node: DATA, GRAD, DA, DB, G. */
  readonly num: Float64Array;
  /** LSTRIDE int32 per node: LA, LB, LOP. */
  readonly links: Int32Array;
  /** Ids of the other chunks this chunk's parents live in: slot s ≥ 1 is `refs[s - 1]`. Ids, not references (see the top). */
  readonly refs: number[] = [];
  /** Rows handed out so far. */
  used = 0;
  /** Labels of the rare labelled nodes, by row. */
  labels: Map<number, string> | null = null;
  /** The lineage of a node that depends on nothing outside this chunk. */
  readonly solo: Lineage;
  /** This chunk's slot in the refs of the chunk with id `slotIn` (an id: no reference to a younger chunk). */
  slotIn = -1;
  slot = 0;
  /** Reverse pass: one bit per node reached and not yet finished; all zero between passes. */
  readonly marks: Int32Array;
  /** Reverse pass: the highest word of `marks` with a bit set (-1: none). */
  top = -1;
  /** The latest `gather` that listed this chunk. */
  seen = 0;

  constructor() {
    // One buffer for the three arrays: one allocation (and one zero-fill) per chunk.
    const buffer = new ArrayBuffer(CHUNK * (8 * STRIDE + 4 * LSTRIDE) + CHUNK / 8);
    this.num = new Float64Array(buffer, 0, CHUNK * STRIDE);
    this.links = new Int32Array(buffer, CHUNK * 8 * STRIDE, CHUNK * LSTRIDE);
    this.marks = new Int32Array(buffer, CHUNK * (8 * STRIDE + 4 * LSTRIDE), CHUNK >>> 5);
    this.solo = new Lineage(this, null, null);
  }
}

/** What a `Value` keeps alive: its chunk, and the lineages of operands in other chunks. */
export class Lineage {
  readonly id = lineageIds++;
  /** The latest `gather` that visited this lineage. */
  seen = 0;
  /** The latest lineage joining this one with `joinWith` (see `joined`). */
  joinWith: Lineage | null = null;
  joinOut: Lineage | null = null;
  constructor(
    readonly chunk: Chunk,
    readonly a: Lineage | null,
    readonly b: Lineage | null,
  ) {}
}

/** The chunk new nodes go into. */
let open = new Chunk();

/** The open chunk, with room for one more node. */
export function openChunk(): Chunk {
  if (open.used === CHUNK) {
    open = new Chunk();
  }
  return open;
}

/** The packed reference (see `ROW_MASK`) from a node of chunk `c` to row `row` of chunk `p`. */
export function pack(c: Chunk, p: Chunk, row: number): number {
  if (p === c) return row + 1;
  let slot = p.slot;
  if (p.slotIn !== c.id) {
    c.refs.push(p.id);
    slot = p.slot = c.refs.length;
    p.slotIn = c.id;
  }
  return ((slot << CHUNK_BITS) | row) + 1;
}

/** Whether lineage `k` covers lineage `x` (checked one level deep; false may just mean "not seen"). */
function covers(k: Lineage, x: Lineage): boolean {
  return x === k || x === k.chunk.solo || x === k.a || x === k.b;
}

/** The lineage of a node in chunk `c` whose operands have lineages `ka` and `kb` (null: unary). */
export function lineageOf(c: Chunk, ka: Lineage, kb: Lineage | null): Lineage {
  if (ka.chunk === c && (kb === null || covers(ka, kb))) return ka;
  if (kb !== null && kb.chunk === c && covers(kb, ka)) return kb;
  return joined(c, ka, kb);
}

/**
 * A new lineage for chunk `c` joining `ka` and `kb`, remembered on the older of the two (the one
 * whose chunk is older), so that a pattern repeated over a layer — w·x with w in an old chunk —
 * makes one lineage, not one per node. Kept there, the memo lives exactly as long as that
 * operand's lineage: a chain crossing into a new chunk remembers its join on the lineage it
 * left, which dies with it; a long-lived one (parameters) keeps its latest join — the chunk it
 * was made in and the other operand's lineage — until its next join in another chunk.
 */
function joined(c: Chunk, ka: Lineage, kb: Lineage | null): Lineage {
  const host = kb === null || ka.chunk.id <= kb.chunk.id ? ka : kb;
  const other = host === ka ? kb : ka;
  const seen = host.joinOut;
  if (seen !== null && seen.chunk === c && host.joinWith === other) return seen;
  const a = ka === c.solo ? null : ka;
  const b = kb === c.solo || kb === ka ? null : kb;
  const out = a === null ? (b === null ? c.solo : new Lineage(c, b, null)) : new Lineage(c, a, b);
  host.joinWith = other;
  host.joinOut = out;
  return out;
}
