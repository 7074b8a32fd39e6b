/**
 * The scalar engine, micrograd-style: every op builds a `Value` holding its result, its (at
 * most two) parents, and the local derivative with respect to each parent, computed right
 * beside the forward value. The reverse pass multiplies and sums them along the graph.
 *
 * Where the numbers live, and why. Building a graph is mostly GC work: nodes are allocated
 * in V8's young generation, and every node still alive at a young-generation GC is copied
 * (twice, until it is promoted), so the cost per node is the bytes and objects GC must copy.
 * V8 keeps a double-valued object field as a pointer to a separate heap number, so nodes
 * holding their numbers as fields measured 120 bytes and two or more objects each, and GC
 * took about 70% of the benchmark (benchmarks/suites/scalar.ts). Instead, each node's numbers
 * live unboxed in a shared `Float64Array` page (`PAGE_NODES` nodes of `STRIDE` slots), and
 * the node object holds only pointers and a small integer: its page, its first slot and its
 * two parents (56 bytes, one object). Every node references its page, so GC frees a page
 * once no node on it is alive. Labels are rare, so they live in a WeakMap rather than in
 * every node, and the op is a small code in the page; `data`, `grad`, `label` and `op` read
 * and write as before.
 */

// gelu's erf: the pure double-precision function, not the tensor backend (the scalar engine needs no kernels).
import { erfc } from './kernels/erf.js';

/** Operand of a Value op: a Value, or a number taken as a constant. */
export type ValueLike = Value | number;

// ---- storage: a node's slots in its page ---------------------------------------------------

const DATA = 0; // the number this node holds
const GRAD = 1; // d(output)/d(this), accumulated by backward()
const DA = 2; // local derivative with respect to parent a
const DB = 3; // local derivative with respect to parent b (pow by a constant: the exponent, for `op`)
const G = 4; // the gradient flowing in the current reverse pass
const MARK = 5; // visit stamp of the latest walk over the graph (see walk())
const OP = 6; // op code: index into OPS
const STRIDE = 7;
/** Nodes per page: small enough that a long-lived node pins little (a page is 14 KB). */
const PAGE_NODES = 256;
const PAGE_SLOTS = PAGE_NODES * STRIDE;

let page = new Float64Array(PAGE_SLOTS);
let used = 0; // slots of `page` handed out so far

// Op codes (0: a leaf). POW_C is pow by a number (`**2`), whose name needs the exponent kept in DB.
const ADD = 1,
  SUB = 2,
  MUL = 3,
  DIV = 4,
  NEG = 5,
  POW = 6,
  EXP = 7,
  LOG = 8,
  TANH = 9,
  SIGMOID = 10,
  RELU = 11,
  POW_C = 12,
  SIN = 13,
  COS = 14;
// The scalar twins of issue 12's tensor ops.
const ABS = 15,
  SQRT = 16,
  SOFTPLUS = 17,
  LEAKY_RELU = 18,
  ELU = 19,
  GELU = 20,
  MAXIMUM = 21,
  MINIMUM = 22,
  CLAMP = 23;
const OPS = [
  '',
  '+',
  '-',
  '*',
  '/',
  'neg',
  '**',
  'exp',
  'log',
  'tanh',
  'sigmoid',
  'relu',
  '**',
  'sin',
  'cos',
  'abs',
  'sqrt',
  'softplus',
  'leakyRelu',
  'elu',
  'gelu',
  'maximum',
  'minimum',
  'clamp',
];

const labels = new WeakMap<Value, string>();

/**
 * A scalar that remembers how it was computed, so `backward()` can fill in `.grad`
 * (d output / d this) for everything it was computed from.
 *
 * @example
 * ```ts
 * import { Value } from 'tensorgrad';
 * const x = new Value(2, 'x');
 * const y = x.mul(x).add(x.mul(3)); // x² + 3x
 * y.backward();
 * x.grad; // 7  (2x + 3)
 * ```
 */
export class Value {
  // `declare`d and all assigned in the constructor, in this order, so every Value has the
  // same shape and `_i` stays a small integer (no per-node heap number).
  /** @internal the page holding this value's numbers, and the index of its first slot */
  declare _p: Float64Array;
  declare _i: number;
  /** @internal the values this one was computed from (null: none) */
  declare _a: Value | null;
  declare _b: Value | null;

  constructor(data: number, label = '') {
    if (used === PAGE_SLOTS) {
      page = new Float64Array(PAGE_SLOTS); // zero-filled: grad 0, op 0 (a leaf), never visited
      used = 0;
    }
    this._p = page;
    this._i = used;
    this._a = null;
    this._b = null;
    page[used + DATA] = data;
    used += STRIDE;
    if (label !== '') labels.set(this, label);
  }

  /** The number this node holds. */
  get data(): number {
    return this._p[this._i + DATA];
  }
  set data(x: number) {
    this._p[this._i + DATA] = x;
  }

  /** d(output)/d(this), accumulated by `backward()`; 0 until then. */
  get grad(): number {
    return this._p[this._i + GRAD];
  }
  set grad(x: number) {
    this._p[this._i + GRAD] = x;
  }

  /** An optional name, shown by `toString()`. */
  get label(): string {
    return labels.get(this) ?? '';
  }
  set label(name: string) {
    if (name === '') labels.delete(this);
    else labels.set(this, name);
  }

  /** The op that made this value ('' for a leaf). */
  get op(): string {
    const code = this._p[this._i + OP];
    return code === POW_C ? `**${this._p[this._i + DB]}` : OPS[code];
  }

  /** @internal the gradient of the latest reverse pass (`_reversePass()`) through this value */
  get _g(): number {
    return this._p[this._i + G];
  }

  /** this + other */
  add(other: ValueLike): Value {
    const o = toValue(other);
    return node(this.data + o.data, ADD, this, 1, o, 1);
  }

  /** this − other */
  sub(other: ValueLike): Value {
    const o = toValue(other);
    return node(this.data - o.data, SUB, this, 1, o, -1);
  }

  /** this · other */
  mul(other: ValueLike): Value {
    const o = toValue(other);
    return node(this.data * o.data, MUL, this, o.data, o, this.data);
  }

  /** this / other */
  div(other: ValueLike): Value {
    const o = toValue(other);
    const q = this.data / o.data;
    return node(q, DIV, this, 1 / o.data, o, -q / o.data);
  }

  /** −this */
  neg(): Value {
    return node(-this.data, NEG, this, -1, null, 0);
  }

  /** this ** exponent; a Value exponent gets the gradient aᵇ·ln a too (defined for a > 0). */
  pow(exponent: ValueLike): Value {
    const a = this.data;
    if (typeof exponent === 'number') {
      const da = exponent === 0 ? 0 : exponent * Math.pow(a, exponent - 1);
      // no parent b: the DB slot keeps the exponent, so `op` can read '**2'
      return node(Math.pow(a, exponent), POW_C, this, da, null, exponent);
    }
    const b = exponent.data;
    const out = Math.pow(a, b);
    // At a = 0 the formulas give 0·∞ = NaN where the limit is 0; as PyTorch (and Tensor.pow):
    // d/da = 0 where b = 0, d/db = 0 where a = 0 and b ≥ 0.
    const da = b === 0 ? 0 : b * Math.pow(a, b - 1);
    const db = a === 0 && b >= 0 ? 0 : out * Math.log(a);
    return node(out, POW, this, da, exponent, db);
  }

  /** eᵗʰⁱˢ */
  exp(): Value {
    const e = Math.exp(this.data);
    return node(e, EXP, this, e, null, 0);
  }

  /** Natural logarithm. */
  log(): Value {
    return node(Math.log(this.data), LOG, this, 1 / this.data, null, 0);
  }

  /** Sine (radians). */
  sin(): Value {
    return node(Math.sin(this.data), SIN, this, Math.cos(this.data), null, 0);
  }

  /** Cosine (radians). */
  cos(): Value {
    return node(Math.cos(this.data), COS, this, -Math.sin(this.data), null, 0);
  }

  /** Hyperbolic tangent. */
  tanh(): Value {
    const t = Math.tanh(this.data);
    return node(t, TANH, this, 1 - t * t, null, 0);
  }

  /** Logistic sigmoid, finite for inputs of any magnitude. */
  sigmoid(): Value {
    const x = this.data;
    const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    return node(s, SIGMOID, this, s * (1 - s), null, 0);
  }

  /** max(this, 0), with derivative 0 at 0 (PyTorch's convention). */
  relu(): Value {
    const x = this.data;
    return node(x > 0 ? x : 0, RELU, this, x > 0 ? 1 : 0, null, 0);
  }

  // ---- scalar twins of the tensor ops of issue 12 (same values, derivatives and kink conventions) ----

  /** |this|, with derivative 0 at 0 (PyTorch, as Tensor.abs). */
  abs(): Value {
    const x = this.data;
    return node(Math.abs(x), ABS, this, x > 0 ? 1 : x < 0 ? -1 : 0, null, 0);
  }

  /** Square root. */
  sqrt(): Value {
    const r = Math.sqrt(this.data);
    return node(r, SQRT, this, 0.5 / r, null, 0);
  }

  /** log(1 + eˣ) without overflow; its derivative is sigmoid(x). */
  softplus(): Value {
    const x = this.data;
    const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    return node((x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x))), SOFTPLUS, this, s, null, 0);
  }

  /** x for x > 0, slope·x otherwise; derivative slope at 0 (PyTorch). */
  leakyRelu(slope = 0.01): Value {
    const x = this.data;
    return node(x > 0 ? x : slope * x, LEAKY_RELU, this, x > 0 ? 1 : slope, null, 0);
  }

  /** x for x > 0, alpha·(eˣ − 1) otherwise; derivative alpha at 0 (PyTorch). */
  elu(alpha = 1): Value {
    const x = this.data;
    return node(x > 0 ? x : alpha * Math.expm1(x), ELU, this, x > 0 ? 1 : alpha * Math.exp(x), null, 0);
  }

  /** x·Φ(x) with the exact erf (PyTorch's default gelu). */
  gelu(): Value {
    const x = this.data;
    const cdf = 0.5 * erfc(-x * Math.SQRT1_2);
    return node(x * cdf, GELU, this, cdf + x * 0.3989422804014327 * Math.exp(-0.5 * x * x), null, 0);
  }

  /** The larger of this and other; on a tie each gets half the gradient (as Tensor.maximum). */
  maximum(other: ValueLike): Value {
    const o = toValue(other);
    const a = this.data,
      b = o.data;
    return node(a >= b ? a : b, MAXIMUM, this, a > b ? 1 : a === b ? 0.5 : 0, o, b > a ? 1 : a === b ? 0.5 : 0);
  }

  /** The smaller of this and other; on a tie each gets half the gradient (as Tensor.minimum). */
  minimum(other: ValueLike): Value {
    const o = toValue(other);
    const a = this.data,
      b = o.data;
    return node(a <= b ? a : b, MINIMUM, this, a < b ? 1 : a === b ? 0.5 : 0, o, b < a ? 1 : a === b ? 0.5 : 0);
  }

  /** this limited to [min, max] (either may be omitted); derivative 1 on the closed interval (PyTorch). */
  clamp(min?: number, max?: number): Value {
    if (min === undefined && max === undefined) throw new Error(`Value.clamp: give min, max or both (got neither)`);
    const x = this.data;
    let y = min === undefined ? x : Math.max(x, min);
    if (max !== undefined) y = Math.min(y, max);
    const inside = (min === undefined || x >= min) && (max === undefined || x <= max);
    return node(y, CLAMP, this, inside ? 1 : 0, null, 0);
  }

  /**
   * Back-propagates from this value: adds d(this)/d(v) into `v.grad` for this value and every
   * value it was computed from. Gradients accumulate across calls, as in PyTorch; call
   * `zeroGrad()` first to start afresh. Iterative: a chain of millions of ops is fine.
   */
  backward(): void {
    reversePass(this, true);
  }

  /** Resets `.grad` to 0 on this value and every value it was computed from. */
  zeroGrad(): void {
    const n = walk(this);
    for (let i = 0; i < n; i++) {
      const v = order[i]!;
      v._p[v._i + GRAD] = 0;
    }
    clear(order, n);
  }

  /** @internal Runs the reverse pass into `_g` without touching `.grad`; returns the nodes visited. */
  _reversePass(): Value[] {
    return reversePass(this, false);
  }

  /** `Value(label, data=…, grad=…)`. */
  toString(): string {
    const label = this.label;
    return `Value(${label ? label + ', ' : ''}data=${this.data}, grad=${this.grad})`;
  }

  /** console.log shows `Value(…)` rather than the internal page. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The result of an op: its value, op code, parents, and the local derivative for each. */
function node(data: number, op: number, a: Value, da: number, b: Value | null, db: number): Value {
  const v = new Value(data);
  v._a = a;
  v._b = b;
  const p = v._p,
    i = v._i;
  p[i + DA] = da;
  p[i + DB] = db;
  p[i + OP] = op;
  return v;
}

function toValue(x: ValueLike): Value {
  if (x instanceof Value) return x;
  if (typeof x !== 'number') throw new Error(`Value: expected a Value or a number, got ${typeof x}`);
  return new Value(x);
}

// ---- the reverse pass ----------------------------------------------------------------------

// Reused between walks rather than grown afresh each time (measured: a third of the reverse
// pass); nulled after each walk so they keep no graph alive, and let go of when huge.
const order: (Value | null)[] = [];
const stack: (Value | null)[] = [];
const KEEP = 1 << 20; // entries (8 MB) kept allocated between walks

/** Nulls `array[0..n)`, or frees it when it has grown past KEEP. */
function clear(array: (Value | null)[], n: number): void {
  if (array.length > KEEP) array.length = 0;
  else array.fill(null, 0, n);
}
// Walk stamps only grow, and are stored as doubles in the pages (exact to 2⁵³), so a stamp
// left by an earlier walk is always below the current one: no reset pass over old nodes.
let stamp = 0;

/**
 * Fills `order[0..n)` with every value `root` depends on, parents before children (a DFS
 * post-order), resets their pass gradient G to 0, and returns n. Iterative, so a chain of
 * millions of ops is fine. A node is entered (MARK = enter) when first on top of the stack,
 * and finished (MARK = done, appended to the order) when it is back on top after its
 * parents; a node pushed twice before it was entered is skipped the second time.
 */
function walk(root: Value): number {
  const enter = ++stamp;
  const done = ++stamp;
  let n = 0,
    sp = 0,
    top = 1;
  stack[sp++] = root;
  while (sp > 0) {
    const v = stack[sp - 1]!;
    const p = v._p,
      k = v._i;
    const mark = p[k + MARK];
    if (mark < enter) {
      p[k + MARK] = enter;
      p[k + G] = 0;
      const a = v._a,
        b = v._b;
      if (a !== null && a._p[a._i + MARK] < enter) stack[sp++] = a;
      if (b !== null && b._p[b._i + MARK] < enter) stack[sp++] = b;
      if (sp > top) top = sp;
    } else {
      sp--;
      if (mark === enter) {
        p[k + MARK] = done;
        order[n++] = v;
      }
    }
  }
  clear(stack, top);
  return n;
}

/**
 * Walks the graph, then visits it children-first, pushing each node's pass gradient to its
 * parents through the stored local derivatives (chain rule); with `accumulate` each node's
 * pass gradient is also added to its `.grad` as it is finalised (no second loop).
 */
function reversePass(root: Value, accumulate: boolean): Value[] {
  const n = walk(root);
  root._p[root._i + G] = 1;
  for (let i = n - 1; i >= 0; i--) {
    const v = order[i]!,
      p = v._p,
      k = v._i;
    const g = p[k + G]; // final: every child of v comes later in `order`, so has pushed its share
    const a = v._a,
      b = v._b;
    if (a !== null) a._p[a._i + G] += p[k + DA] * g;
    if (b !== null) b._p[b._i + G] += p[k + DB] * g;
    if (accumulate) p[k + GRAD] += g;
  }
  const visited = accumulate ? [] : (order.slice(0, n) as Value[]);
  clear(order, n);
  return visited;
}
