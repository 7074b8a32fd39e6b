/**
 * The scalar engine, micrograd-style: every op makes a `Value` holding its result, its (at
 * most two) parents, and the local derivative with respect to each parent, computed right
 * beside the forward value. The reverse pass multiplies and sums them along the graph.
 *
 * Where the numbers live, and why: on a tape of typed-array chunks (value/tape.ts), with
 * `Value` a two-field handle (its lineage, which keeps the chunks of its graph alive, and its
 * row). Building a graph of JS objects was half GC work — every node still alive at a
 * young-generation GC is copied — while a handle of an intermediate result dies young and the
 * tape is off the JS heap. The reverse pass (value/reverse.ts) needs no closures, no Set and
 * no topological sort: creation order already is one. `data`, `grad`, `label` and `op` read
 * and write as plain properties.
 */

// gelu's erf: the pure double-precision function, not the tensor backend (the scalar engine needs no kernels).
import { erfc } from './kernels/erf.js';
import { ACCUMULATE, GRADIENT, parentOf, reversePass, ZERO } from './value/reverse.js';
import { type Chunk, Lineage, leafChunk, lineageOf, opChunk, pack } from './value/tape.js';

/** Operand of a Value op: a Value, or a number taken as a constant. */
export type ValueLike = Value | number;

// Op codes (0: a leaf). POW_C is pow by a number (`**2`), whose name needs the exponent kept in `db`.
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

// A handle for an existing node (an op's result, `_a`, `_b`): the constructor adopts these
// instead of appending a leaf, so that every Value has one hidden class.
let adoptLineage: Lineage | null = null;
let adoptRow = 0;

/**
 * A scalar that remembers how it was computed, so `backward()` can fill in `.grad`
 * (d output / d this) for everything it was computed from.
 *
 * Memory: a graph lives as long as a `Value` computed from it does, and is then collected by
 * the GC, in chunks of 2,048 nodes: one live `Value` keeps whole the chunks its ancestors sit in.
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
  // `declare`d and assigned in the constructor in this order, so every Value has one shape.
  /** @internal what this value keeps alive; `_k.chunk` holds its numbers */
  declare _k: Lineage;
  /** @internal its row in that chunk */
  declare _i: number;

  constructor(data: number, label = '') {
    if (adoptLineage !== null) {
      this._k = adoptLineage;
      this._i = adoptRow;
      adoptLineage = null;
      return;
    }
    const c = leafChunk();
    const i = c.used++;
    this._k = c.solo;
    this._i = i;
    c.data[i] = data;
    if (label !== '') setLabel(c, i, label);
  }

  /** The number this node holds. */
  get data(): number {
    return this._k.chunk.data[this._i];
  }
  set data(x: number) {
    this._k.chunk.data[this._i] = x;
  }

  /** d(output)/d(this), accumulated by `backward()`; 0 until then. */
  get grad(): number {
    return this._k.chunk.grad[this._i];
  }
  set grad(x: number) {
    this._k.chunk.grad[this._i] = x;
  }

  /** An optional name, shown by `toString()`. */
  get label(): string {
    return this._k.chunk.labels?.get(this._i) ?? '';
  }
  set label(name: string) {
    setLabel(this._k.chunk, this._i, name);
  }

  /** The op that made this value ('' for a leaf). */
  get op(): string {
    const c = this._k.chunk;
    if (c.leaves) return '';
    const code = c.code[this._i];
    return code === POW_C ? `**${c.db[this._i]}` : OPS[code];
  }

  /** @internal the gradient of the latest reverse pass (`_reversePass()`) through this value */
  get _g(): number {
    return this._k.chunk.g[this._i];
  }

  /** @internal the first value this one was computed from (null: a leaf); a new handle each time */
  get _a(): Value | null {
    return this.parent(0);
  }

  /** @internal the second value this one was computed from (null: none); a new handle each time */
  get _b(): Value | null {
    return this.parent(1);
  }

  /** @internal a stable number naming this node (handles of one node share it) */
  get _id(): number {
    return this._k.chunk.id * 2 ** 16 + this._i;
  }

  private parent(which: number): Value | null {
    const c = this._k.chunk;
    if (c.leaves) return null;
    const packed = c.links[2 * this._i + which];
    if (packed === 0) return null;
    const [p, row] = parentOf(this._k, c, packed);
    // This value's lineage covers the parent's ancestors; the parent's chunk heads the new one.
    adoptLineage = p === c ? this._k : new Lineage(p, this._k, null);
    adoptRow = row;
    return new Value(0);
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
    const a = this.data,
      b = o.data;
    return node(a * b, MUL, this, b, o, a);
  }

  /** this / other */
  div(other: ValueLike): Value {
    const o = toValue(other);
    const b = o.data;
    const q = this.data / b;
    return node(q, DIV, this, 1 / b, o, -q / b);
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
      // no parent b: its `db` keeps the exponent, so `op` can read '**2'
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
    const x = this.data;
    return node(Math.log(x), LOG, this, 1 / x, null, 0);
  }

  /** Sine (radians). */
  sin(): Value {
    const x = this.data;
    return node(Math.sin(x), SIN, this, Math.cos(x), null, 0);
  }

  /** Cosine (radians). */
  cos(): Value {
    const x = this.data;
    return node(Math.cos(x), COS, this, -Math.sin(x), null, 0);
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
    reversePass(this._k, this._i, ACCUMULATE);
  }

  /** Resets `.grad` to 0 on this value and every value it was computed from. */
  zeroGrad(): void {
    reversePass(this._k, this._i, ZERO);
  }

  /** @internal Runs the reverse pass into `_g` (read it on the inputs) without touching `.grad`. */
  _reversePass(): void {
    reversePass(this._k, this._i, GRADIENT);
  }

  /** `Value(label, data=…, grad=…)`. */
  toString(): string {
    const label = this.label;
    return `Value(${label ? label + ', ' : ''}data=${this.data}, grad=${this.grad})`;
  }

  /** console.log shows `Value(…)` rather than the internal handle. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The result of an op: its value, op code, parents, and the local derivative for each. */
function node(data: number, op: number, a: Value, da: number, b: Value | null, db: number): Value {
  const c = opChunk();
  const i = c.used++;
  c.data[i] = data;
  c.da[i] = da;
  c.db[i] = db;
  c.code[i] = op;
  const links = c.links;
  const ka = a._k;
  links[2 * i] = pack(c, ka.chunk, a._i);
  if (b === null) {
    adoptLineage = lineageOf(c, ka, null);
  } else {
    const kb = b._k;
    links[2 * i + 1] = pack(c, kb.chunk, b._i);
    adoptLineage = lineageOf(c, ka, kb);
  }
  adoptRow = i;
  return new Value(data);
}

// A class declaration is a mutable binding, so `x instanceof Value` in optimised code calls the
// generic InstanceOf builtin (measured: ~8% of building a graph). Numbers are tested first, and a
// Value by its constructor (a constant load for a known map); instanceof is left for subclasses.
const ValueClass = Value;

function toValue(x: ValueLike): Value {
  if (typeof x === 'number') return new Value(x);
  if (typeof x === 'object' && x !== null && (x.constructor === ValueClass || x instanceof ValueClass)) return x;
  throw new Error(`Value: expected a Value or a number, got ${typeof x}`);
}

function setLabel(c: Chunk, row: number, name: string): void {
  if (name === '') c.labels?.delete(row);
  else {
    c.labels ??= new Map();
    c.labels.set(row, name);
  }
}
