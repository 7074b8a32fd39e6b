/**
 * The scalar engine, micrograd-style: every op builds a `Value` holding its result, its (at
 * most two) parents, and the local derivative with respect to each parent, computed right
 * beside the forward value. The reverse pass multiplies and sums them along the graph.
 */

/** Operand of a Value op: a Value, or a number taken as a constant. */
export type ValueLike = Value | number;

let stamp = 0;

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
  /** The number this node holds. */
  data: number;
  /** d(output)/d(this), accumulated by `backward()`; 0 until then. */
  grad = 0;
  /** An optional name, shown by `toString()`. */
  label: string;
  /** The op that made this value ('' for a leaf). */
  readonly op: string;
  /** @internal parents and the local derivative of this value with respect to each */
  _a: Value | null;
  _b: Value | null;
  _da: number;
  _db: number;
  /** @internal the gradient flowing in the current reverse pass, and the visit stamp of the walk */
  _g = 0;
  _mark = 0;

  constructor(data: number, label = '', op = '', a: Value | null = null, da = 0, b: Value | null = null, db = 0) {
    this.data = data;
    this.label = label;
    this.op = op;
    this._a = a;
    this._da = da;
    this._b = b;
    this._db = db;
  }

  /** this + other */
  add(other: ValueLike): Value {
    const o = toValue(other);
    return new Value(this.data + o.data, '', '+', this, 1, o, 1);
  }

  /** this − other */
  sub(other: ValueLike): Value {
    const o = toValue(other);
    return new Value(this.data - o.data, '', '-', this, 1, o, -1);
  }

  /** this · other */
  mul(other: ValueLike): Value {
    const o = toValue(other);
    return new Value(this.data * o.data, '', '*', this, o.data, o, this.data);
  }

  /** this / other */
  div(other: ValueLike): Value {
    const o = toValue(other);
    const q = this.data / o.data;
    return new Value(q, '', '/', this, 1 / o.data, o, -q / o.data);
  }

  /** −this */
  neg(): Value {
    return new Value(-this.data, '', 'neg', this, -1);
  }

  /** this ** exponent; a Value exponent gets the gradient aᵇ·ln a too (defined for a > 0). */
  pow(exponent: ValueLike): Value {
    const a = this.data;
    if (typeof exponent === 'number') {
      const da = exponent === 0 ? 0 : exponent * Math.pow(a, exponent - 1);
      return new Value(Math.pow(a, exponent), '', `**${exponent}`, this, da);
    }
    const b = exponent.data;
    const out = Math.pow(a, b);
    // At a = 0 the formulas give 0·∞ = NaN where the limit is 0; as PyTorch (and Tensor.pow):
    // d/da = 0 where b = 0, d/db = 0 where a = 0 and b ≥ 0.
    const da = b === 0 ? 0 : b * Math.pow(a, b - 1);
    const db = a === 0 && b >= 0 ? 0 : out * Math.log(a);
    return new Value(out, '', '**', this, da, exponent, db);
  }

  /** eᵗʰⁱˢ */
  exp(): Value {
    const e = Math.exp(this.data);
    return new Value(e, '', 'exp', this, e);
  }

  /** Natural logarithm. */
  log(): Value {
    return new Value(Math.log(this.data), '', 'log', this, 1 / this.data);
  }

  /** Hyperbolic tangent. */
  tanh(): Value {
    const t = Math.tanh(this.data);
    return new Value(t, '', 'tanh', this, 1 - t * t);
  }

  /** Logistic sigmoid, finite for inputs of any magnitude. */
  sigmoid(): Value {
    const x = this.data;
    const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    return new Value(s, '', 'sigmoid', this, s * (1 - s));
  }

  /** max(this, 0), with derivative 0 at 0 (PyTorch's convention). */
  relu(): Value {
    const x = this.data;
    return new Value(x > 0 ? x : 0, '', 'relu', this, x > 0 ? 1 : 0);
  }

  /**
   * Back-propagates from this value: adds d(this)/d(v) into `v.grad` for this value and every
   * value it was computed from. Gradients accumulate across calls, as in PyTorch; call
   * `zeroGrad()` first to start afresh. Iterative: a chain of millions of ops is fine.
   */
  backward(): void {
    const order = this._reversePass();
    for (let i = 0; i < order.length; i++) order[i].grad += order[i]._g;
  }

  /** Resets `.grad` to 0 on this value and every value it was computed from. */
  zeroGrad(): void {
    for (const v of topoOrder(this)) v.grad = 0;
  }

  /** @internal Runs the reverse pass into `_g` without touching `.grad`; returns the nodes visited. */
  _reversePass(): Value[] {
    const order = topoOrder(this);
    this._g = 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i];
      const g = v._g;
      if (v._a !== null) v._a._g += v._da * g;
      if (v._b !== null) v._b._g += v._db * g;
    }
    return order;
  }

  toString(): string {
    return `Value(${this.label ? this.label + ', ' : ''}data=${this.data}, grad=${this.grad})`;
  }
}

function toValue(x: ValueLike): Value {
  if (x instanceof Value) return x;
  if (typeof x !== 'number') throw new Error(`Value: expected a Value or a number, got ${typeof x}`);
  return new Value(x);
}

/** Every value `root` depends on, parents before children, with `_g` reset to 0. Iterative. */
function topoOrder(root: Value): Value[] {
  const enter = ++stamp;
  const done = ++stamp;
  const order: Value[] = [];
  const stack: Value[] = [root];
  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    if (v._mark !== enter && v._mark !== done) {
      v._mark = enter;
      v._g = 0;
      const a = v._a, b = v._b;
      if (a !== null && a._mark !== enter && a._mark !== done) stack.push(a);
      if (b !== null && b._mark !== enter && b._mark !== done) stack.push(b);
    } else {
      stack.pop();
      if (v._mark === enter) {
        v._mark = done;
        order.push(v);
      }
    }
  }
  return order;
}
