/**
 * Where the scalar engine's nodes live: a tape of chunks, and the lineages that keep chunks alive.
 *
 * Why a tape. A graph node as a JS object (its number, its parents, its local derivatives) is
 * what the young-generation GC copies when the graph is still alive at a scavenge — which it is
 * until `backward()` — and that copying was half the cost of the scalar engine. Here a node is a
 * row of typed arrays in a `Chunk` of `CHUNK` nodes: five doubles (data, grad, the two local
 * derivatives, the pass gradient), two int32 (its parents) and its op code; a leaf, in a chunk
 * of leaves, only the first two and the pass gradient. A `Value` is a two-field handle (its
 * lineage and its row): the handles of intermediate results die young, and the numbers sit off
 * the JS heap, so a scavenge has almost nothing to copy. A parent is stored
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
 * chunk or joins two lineages not seen together before (a memo of the open op chunk catches
 * the repeats, as w·x over a layer; see `joined`).
 *
 * Worst-case retention: one live `Value` pins the whole chunk of every node it depends on
 * (about 100 KB per op chunk of 2,048 nodes, 50 KB per leaf chunk), not just those nodes; and
 * the memo of the op chunk being filled keeps up to 16 chunks alive (usually one or two leaf
 * chunks) until it is full.
 */

/** log2 of the nodes per chunk. */
export const CHUNK_BITS = 11;
/** Nodes per chunk: an op chunk is ~100 KB of typed arrays, a leaf chunk ~50 KB. */
export const CHUNK = 1 << CHUNK_BITS;
/** A parent link packs (slot << CHUNK_BITS | row) + 1 (0: none); this masks the row. */
export const ROW_MASK = CHUNK - 1;

/** The layout above by name, for `checkLayout`. */
const LAYOUT: Record<string, number> = { CHUNK_BITS, CHUNK, ROW_MASK };

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
const NO_F64 = new Float64Array(0);
const NO_I32 = new Int32Array(0);
const NO_U8 = new Uint8Array(0);

/**
 * A run of `CHUNK` nodes in typed arrays (one per field, all views of one buffer), filled in
 * order, never reused. Leaves (`new Value(x)`, number operands) and op results go to separate
 * chunks: a leaf needs no parents or local derivatives, so its row is 24 bytes, not 49.
 */
export class Chunk {
  /** Creation order. A parent of an op node is in the same chunk at a lower row, in an older op chunk, or in a leaf chunk. */
  readonly id = chunkIds++;
  /** The number each node holds. */
  readonly data: Float64Array;
  /** d(output)/d(node), accumulated by backward(). */
  readonly grad: Float64Array;
  /** The gradient flowing in the current reverse pass. */
  readonly g: Float64Array;
  /** Local derivative with respect to parent a (empty in a leaf chunk). */
  readonly da: Float64Array;
  /** Local derivative with respect to parent b; pow by a number keeps the exponent here, for `op` (empty in a leaf chunk). */
  readonly db: Float64Array;
  /** Two per node: parents a and b, packed (see `ROW_MASK`; empty in a leaf chunk). */
  readonly links: Int32Array;
  /** The op code of each node (empty in a leaf chunk: all leaves). */
  readonly code: Uint8Array;
  /** Whether this chunk holds only leaves. */
  readonly leaves: boolean;
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

  constructor(leaves: boolean) {
    const n = CHUNK;
    // One buffer: one allocation (and one zero-fill) per chunk. Doubles first, for alignment.
    const buffer = new ArrayBuffer(leaves ? n * 24 + n / 8 : n * 40 + n / 8 + n * 8 + n);
    this.leaves = leaves;
    this.data = new Float64Array(buffer, 0, n);
    this.grad = new Float64Array(buffer, n * 8, n);
    this.g = new Float64Array(buffer, n * 16, n);
    const doubles = leaves ? n * 24 : n * 40;
    this.da = leaves ? NO_F64 : new Float64Array(buffer, n * 24, n);
    this.db = leaves ? NO_F64 : new Float64Array(buffer, n * 32, n);
    this.marks = new Int32Array(buffer, doubles, n >>> 5);
    this.links = leaves ? NO_I32 : new Int32Array(buffer, doubles + n / 8, 2 * n);
    this.code = leaves ? NO_U8 : new Uint8Array(buffer, doubles + n / 8 + n * 8, n);
    this.solo = new Lineage(this, null, null);
  }
}

/** What a `Value` keeps alive: its chunk, and the lineages of operands in other chunks. */
export class Lineage {
  readonly id = lineageIds++;
  /** The latest `gather` that visited this lineage. */
  seen = 0;
  constructor(
    readonly chunk: Chunk,
    readonly a: Lineage | null,
    readonly b: Lineage | null,
  ) {}
}

/** The chunks new leaves and new op results go into. */
let openLeaves = new Chunk(true);
let openOps = new Chunk(false);

/** The open leaf chunk, with room for one more node. */
export function leafChunk(): Chunk {
  if (openLeaves.used === CHUNK) openLeaves = new Chunk(true);
  return openLeaves;
}

/** The open op chunk, with room for one more node. */
export function opChunk(): Chunk {
  if (openOps.used === CHUNK) {
    openOps = new Chunk(false);
    memoA.fill(null);
    memoB.fill(null);
    memoOut.fill(null);
  }
  return openOps;
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

// A direct-mapped memo of the joins of two single-chunk lineages made in the open op chunk
// (w·x with w among the parameters, x·y across two leaf chunks), so that a pattern repeated
// over a layer makes one lineage, not one per node. Only for single-chunk lineages, and only in
// the open chunk (cleared when it fills): the memo then holds at most a few chunks alive, never
// a graph. (A memo kept on the lineages themselves chained graphs together: a lineage shared by
// two graphs remembered a join of the older one.)
const MEMO = 8;
const memoA: (Lineage | null)[] = new Array<Lineage | null>(MEMO).fill(null);
const memoB: (Lineage | null)[] = new Array<Lineage | null>(MEMO).fill(null);
const memoOut: (Lineage | null)[] = new Array<Lineage | null>(MEMO).fill(null);

/** A new lineage for chunk `c` joining `ka` and `kb` (remembered when both are single-chunk). */
function joined(c: Chunk, ka: Lineage, kb: Lineage | null): Lineage {
  const a = ka === c.solo ? null : ka;
  const b = kb === c.solo || kb === ka ? null : kb;
  const single = ka === ka.chunk.solo && (kb === null || kb === kb.chunk.solo);
  if (!single) return a === null ? (b === null ? c.solo : new Lineage(c, b, null)) : new Lineage(c, a, b);
  const h = (ka.id ^ Math.imul(kb === null ? 0 : kb.id, 31)) & (MEMO - 1);
  const seen = memoOut[h];
  if (seen !== null && memoA[h] === ka && memoB[h] === kb && seen.chunk === c) return seen;
  const out = a === null ? (b === null ? c.solo : new Lineage(c, b, null)) : new Lineage(c, a, b);
  memoA[h] = ka;
  memoB[h] = kb;
  memoOut[h] = out;
  return out;
}
