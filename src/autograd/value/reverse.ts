/**
 * The scalar engine's reverse pass over the tape (see tape.ts).
 *
 * No topological sort: nodes are appended in creation order, so a parent always sits earlier on
 * the tape than its children, and visiting the reached nodes newest-first is a reverse
 * topological order. A pass marks the root, then takes the chunks its lineage covers newest
 * first and, in each, the marked rows from the highest down (a bitmap, 32 rows per word, so the
 * rows a graph does not use cost a word test per 32): each marked node is final when visited
 * (all its children are newer and already pushed their share), adds its pass gradient to its
 * parents' (marking them) and is unmarked, which leaves every bitmap clear for the next pass.
 * Gradients are summed into a node in newest-child-first order, deterministically.
 */
import { type Chunk, checkLayout, type Lineage } from './tape.js';

// The row layout of tape.ts as module constants, checked against it (see value.ts for why).
const CHUNK_BITS = 11,
  CHUNK = 2048,
  ROW_MASK = 2047,
  GRAD = 1,
  DA = 2,
  DB = 3,
  G = 4,
  STRIDE = 5,
  LA = 0,
  LB = 1,
  LSTRIDE = 3;
checkLayout('reverse.ts', { CHUNK_BITS, CHUNK, ROW_MASK, GRAD, DA, DB, G, STRIDE, LA, LB, LSTRIDE });

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
  return chunks.sort((x, y) => y.id - x.id);
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
  if ((m & bit) !== 0) p.num[row * STRIDE + G] += x;
  else {
    marks[w] = m | bit;
    p.num[row * STRIDE + G] = x;
    if (w > p.top) p.top = w;
  }
}

/** One reverse pass from row `row` of the chunk of `root`, doing `mode` at every node it reaches. */
/** `push` to a parent in the chunk being visited (slot 0): its arrays are at hand, its word is not above the current one. */
function pushHere(marks: Int32Array, num: Float64Array, row: number, x: number): void {
  const w = row >>> 5,
    bit = 1 << (row & 31);
  const m = marks[w];
  if ((m & bit) !== 0) num[row * STRIDE + G] += x;
  else {
    marks[w] = m | bit;
    num[row * STRIDE + G] = x;
  }
}

export function reversePass(root: Lineage, row: number, mode: Pass): void {
  const chunks = gather(root);
  const rc = root.chunk;
  rc.marks[row >>> 5] |= 1 << (row & 31);
  rc.num[row * STRIDE + G] = 1;
  rc.top = row >>> 5;
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci];
    if (c.top < 0) continue;
    resolve(c);
    const marks = c.marks,
      num = c.num,
      links = c.links;
    for (let w = c.top; w >= 0; w--) {
      let bits = marks[w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits);
        marks[w] = bits ^ (1 << b);
        const i = (w << 5) | b;
        const o = i * STRIDE,
          l = i * LSTRIDE;
        const g = num[o + G];
        if (mode === ACCUMULATE) num[o + GRAD] += g;
        else if (mode === ZERO) num[o + GRAD] = 0;
        const la = links[l + LA],
          lb = links[l + LB];
        if (la !== 0) {
          if (la <= CHUNK) pushHere(marks, num, la - 1, num[o + DA] * g);
          else push(c, la, num[o + DA] * g);
        }
        if (lb !== 0) {
          if (lb <= CHUNK) pushHere(marks, num, lb - 1, num[o + DB] * g);
          else push(c, lb, num[o + DB] * g);
        }
        bits = marks[w];
      }
    }
    c.top = -1;
  }
  byId.clear();
  slots.fill(undefined);
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
