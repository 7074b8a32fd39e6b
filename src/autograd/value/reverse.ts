/**
 * The scalar engine's reverse pass over the tape (see tape.ts).
 *
 * No topological sort: op results are appended in creation order, so a parent op always sits
 * earlier on the tape than its children, and visiting the reached op nodes newest-first is a
 * reverse topological order; leaves (in chunks of their own) have no parents and come last. A
 * pass marks the root, then takes the op chunks its lineage covers newest first and, in each,
 * the marked rows from the highest down (a bitmap, 32 rows per word, so the
 * rows a graph does not use cost a word test per 32): each marked node is final when visited
 * (all its children are newer and already pushed their share), adds its pass gradient to its
 * parents' (marking them) and is unmarked, which leaves every bitmap clear for the next pass.
 * Gradients are summed into a node in newest-child-first order, deterministically.
 */
import { type Chunk, checkLayout, type Lineage } from './tape.js';

// The layout of tape.ts as module constants, checked against it (see value.ts for why).
const CHUNK_BITS = 11,
  CHUNK = 2048,
  ROW_MASK = 2047;
checkLayout('reverse.ts', { CHUNK_BITS, CHUNK, ROW_MASK });

/** What a pass does at each node it reaches: one of the three below. */
export type Pass = 0 | 1 | 2;
/** Only the pass gradient G (read back by grad transforms and gradcheck). */
export const GRADIENT: Pass = 0;
/** G, then `.grad += G` (backward()). */
export const ACCUMULATE: Pass = 1;
/** `.grad = 0` (zeroGrad()). */
export const ZERO: Pass = 2;

let gathers = 0;
const stack: (Lineage | null)[] = [];
const byId = new Map<number, Chunk>();
// The chunks a chunk's refs slots name, during its turn in a pass (slot 0: itself).
const slots: (Chunk | undefined)[] = [];

/**
 * The chunks `root`'s closure covers, newest first; fills `byId` with them (the caller clears it).
 * Every ancestor of a value with lineage `root` lives in one of them.
 */
function gather(root: Lineage): Chunk[] {
  const stamp = ++gathers;
  const chunks: Chunk[] = [];
  let sp = 0;
  stack[sp++] = root;
  root.seen = stamp;
  while (sp > 0) {
    const k = stack[--sp] as Lineage;
    stack[sp] = null;
    const c = k.chunk;
    if (c.seen !== stamp) {
      c.seen = stamp;
      chunks.push(c);
      byId.set(c.id, c);
    }
    const a = k.a,
      b = k.b;
    if (a !== null && a.seen !== stamp) {
      a.seen = stamp;
      stack[sp++] = a;
    }
    if (b !== null && b.seen !== stamp) {
      b.seen = stamp;
      stack[sp++] = b;
    }
  }
  // Op chunks newest first (a reverse topological order of the op nodes), then the leaf chunks,
  // whose nodes only receive gradient.
  return chunks.sort((x, y) => (x.leaves === y.leaves ? y.id - x.id : x.leaves ? 1 : -1));
}

/** Points `slots` at the chunks `c`'s refs name (undefined: one no reachable node needs). */
function resolve(c: Chunk): void {
  const refs = c.refs;
  slots[0] = c;
  for (let s = 0; s < refs.length; s++) slots[s + 1] = byId.get(refs[s]);
}

/** Adds `x` to the pass gradient of the node `packed` (a non-zero link of chunk `c`), marking it. */
function push(c: Chunk, packed: number, x: number): void {
  const r = packed - 1;
  const slot = r >>> CHUNK_BITS;
  const p = slot === 0 ? c : (slots[slot] as Chunk);
  const row = r & ROW_MASK;
  const w = row >>> 5,
    bit = 1 << (row & 31);
  const marks = p.marks;
  const m = marks[w];
  if ((m & bit) !== 0) p.g[row] += x;
  else {
    marks[w] = m | bit;
    p.g[row] = x;
    if (w > p.top) p.top = w;
  }
}

/** One reverse pass from row `row` of the chunk of `root`, doing `mode` at every node it reaches. */
/** `push` to a parent in the chunk being visited (slot 0): its arrays are at hand, its word is not above the current one. */
function pushHere(marks: Int32Array, g: Float64Array, row: number, x: number): void {
  const w = row >>> 5,
    bit = 1 << (row & 31);
  const m = marks[w];
  if ((m & bit) !== 0) g[row] += x;
  else {
    marks[w] = m | bit;
    g[row] = x;
  }
}

export function reversePass(root: Lineage, row: number, mode: Pass): void {
  const chunks = gather(root);
  const rc = root.chunk;
  rc.marks[row >>> 5] |= 1 << (row & 31);
  rc.g[row] = 1;
  rc.top = row >>> 5;
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci];
    if (c.top < 0) continue;
    if (c.leaves) finishLeaves(c, mode);
    else visitOps(c, mode);
    c.top = -1;
  }
  byId.clear();
  slots.fill(undefined);
}

/** The marked nodes of op chunk `c`, highest row first: each pushes its pass gradient to its parents. */
function visitOps(c: Chunk, mode: Pass): void {
  resolve(c);
  const marks = c.marks,
    g = c.g,
    grad = c.grad,
    da = c.da,
    db = c.db,
    links = c.links;
  for (let w = c.top; w >= 0; w--) {
    let bits = marks[w];
    while (bits !== 0) {
      const b = 31 - Math.clz32(bits);
      marks[w] = bits ^ (1 << b);
      const i = (w << 5) | b;
      const gi = g[i];
      if (mode === ACCUMULATE) grad[i] += gi;
      else if (mode === ZERO) grad[i] = 0;
      const la = links[2 * i],
        lb = links[2 * i + 1];
      if (la !== 0) {
        if (la <= CHUNK) pushHere(marks, g, la - 1, da[i] * gi);
        else push(c, la, da[i] * gi);
      }
      if (lb !== 0) {
        if (lb <= CHUNK) pushHere(marks, g, lb - 1, db[i] * gi);
        else push(c, lb, db[i] * gi);
      }
      bits = marks[w];
    }
  }
}

/** The marked nodes of leaf chunk `c`: their pass gradients are complete (every op chunk is done). */
function finishLeaves(c: Chunk, mode: Pass): void {
  const marks = c.marks,
    g = c.g,
    grad = c.grad;
  for (let w = c.top; w >= 0; w--) {
    let bits = marks[w];
    if (bits === 0) continue;
    marks[w] = 0;
    if (mode === GRADIENT) continue;
    while (bits !== 0) {
      const b = 31 - Math.clz32(bits);
      bits ^= 1 << b;
      const i = (w << 5) | b;
      if (mode === ACCUMULATE) grad[i] += g[i];
      else grad[i] = 0;
    }
  }
}

/** The chunk and row of parent `packed` (a non-zero link) of a node of chunk `c` with lineage `k`. */
export function parentOf(k: Lineage, c: Chunk, packed: number): [Chunk, number] {
  const r = packed - 1;
  const slot = r >>> CHUNK_BITS;
  if (slot === 0) return [c, r & ROW_MASK];
  gather(k);
  const p = byId.get(c.refs[slot - 1]);
  byId.clear();
  if (p === undefined) throw new Error('Value: internal error: a parent chunk is not covered by the lineage');
  return [p, r & ROW_MASK];
}
