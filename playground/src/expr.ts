/**
 * A small, safe expression language for the Graph panel: a hand-written recursive-descent
 * parser (nothing is ever handed to `eval` or `Function`) that reads micrograd-style
 * expressions such as `(a*b + c).tanh()` or `tanh(a*b + c)`, and evaluates them either to
 * plain numbers (for plotting) or to a graph of `Value`s (for `backward()`).
 *
 * Grammar (precedence low to high; `**` and `^` bind right to left):
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := '-' unary | power
 *   power   := postfix (('**' | '^') unary)?
 *   postfix := primary ('.' name '(' [sum] ')')*        method calls: .tanh()  .pow(2)  .add(b)
 *   primary := number | name | name '(' sum ')' | '(' sum ')'
 */
import { Value } from '../../src/core.js';

export type Unary = 'neg' | 'exp' | 'log' | 'tanh' | 'sigmoid' | 'relu' | 'sin' | 'cos';
export type Binary = 'add' | 'sub' | 'mul' | 'div' | 'pow';

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: string }
  | { kind: 'unary'; op: Unary; arg: Expr }
  | { kind: 'binary'; op: Binary; left: Expr; right: Expr };

/** A parse or evaluation error; `column` (1-based) points at the offending character. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(column > 0 ? `${message} (column ${column})` : message);
  }
}

const UNARY: readonly Unary[] = ['neg', 'exp', 'log', 'tanh', 'sigmoid', 'relu', 'sin', 'cos'];
const BINARY: readonly Binary[] = ['add', 'sub', 'mul', 'div', 'pow'];
/** Longest expression accepted: the graph of anything longer would not fit on a screen. */
export const MAX_LENGTH = 200;

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      // `2.tanh()` reads as the number 2 and a method call: a number's dot must be followed by a digit.
      const m = /^(\d+(\.\d+)?|\.\d+)(e[+-]?\d+)?/i.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[a-z_]/i.test(c)) {
      const m = /^[a-z_][a-z0-9_]*/i.exec(src.slice(i))!;
      out.push({ t: 'name', v: m[0], at: i });
      i += m[0].length;
    } else if (src.startsWith('**', i)) {
      out.push({ t: 'op', v: '**', at: i });
      i += 2;
    } else if ('+-*/^().,'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
    } else {
      throw new ExprError(`Unexpected character '${c}'`, i + 1);
    }
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

/**
 * The syntax tree of `src`, or an `ExprError` saying what was expected where.
 *
 * @example
 * parse('(a*b + c).tanh()'); // { kind: 'unary', op: 'tanh', arg: { kind: 'binary', op: 'add', … } }
 */
export function parse(src: string): Expr {
  if (src.length > MAX_LENGTH) throw new ExprError(`The expression is longer than ${MAX_LENGTH} characters`, 0);
  const tokens = tokenize(src);
  let p = 0;
  const peek = (): Token => tokens[p];
  const isOp = (v: string): boolean => {
    const t = tokens[p];
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) throw new ExprError(`Expected '${v}'${describe(peek())}`, peek().at + 1);
    p++;
  };

  function sum(): Expr {
    let left = product();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[p++] as { v: string }).v === '+' ? 'add' : 'sub';
      left = { kind: 'binary', op, left, right: product() };
    }
    return left;
  }
  function product(): Expr {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = (tokens[p++] as { v: string }).v === '*' ? 'mul' : 'div';
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  }
  function unary(): Expr {
    if (isOp('-')) {
      p++;
      return { kind: 'unary', op: 'neg', arg: unary() };
    }
    return power();
  }
  function power(): Expr {
    const base = postfix();
    if (isOp('**') || isOp('^')) {
      p++;
      return { kind: 'binary', op: 'pow', left: base, right: unary() };
    }
    return base;
  }
  function postfix(): Expr {
    let e = primary();
    while (isOp('.')) {
      p++;
      const t = peek();
      if (t.t !== 'name') throw new ExprError(`Expected a method name after '.'${describe(t)}`, t.at + 1);
      p++;
      expect('(');
      if (UNARY.includes(t.v as Unary)) {
        expect(')');
        e = { kind: 'unary', op: t.v as Unary, arg: e };
      } else if (BINARY.includes(t.v as Binary)) {
        const arg = sum();
        expect(')');
        e = { kind: 'binary', op: t.v as Binary, left: e, right: arg };
      } else {
        throw new ExprError(`Unknown method '${t.v}'; known: ${[...UNARY, ...BINARY].join(', ')}`, t.at + 1);
      }
    }
    return e;
  }
  function primary(): Expr {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return { kind: 'num', value: t.v };
    }
    if (t.t === 'name') {
      p++;
      if (isOp('(')) {
        if (!UNARY.includes(t.v as Unary)) throw new ExprError(`Unknown function '${t.v}'; known: ${UNARY.join(', ')}`, t.at + 1);
        p++;
        const arg = sum();
        expect(')');
        return { kind: 'unary', op: t.v as Unary, arg };
      }
      return { kind: 'var', name: t.v };
    }
    if (isOp('(')) {
      p++;
      const e = sum();
      expect(')');
      return e;
    }
    throw new ExprError(`Expected a number, a name or '('${describe(t)}`, t.at + 1);
  }

  const tree = sum();
  if (peek().t !== 'end') throw new ExprError(`Unexpected${describe(peek())}`, peek().at + 1);
  return tree;
}

function describe(t: Token): string {
  return t.t === 'end' ? ' at the end' : `, found '${t.v}'`;
}

/** The variable names `e` uses, in order of first use. */
export function variables(e: Expr, into: string[] = []): string[] {
  if (e.kind === 'var' && !into.includes(e.name)) into.push(e.name);
  else if (e.kind === 'unary') variables(e.arg, into);
  else if (e.kind === 'binary') {
    variables(e.left, into);
    variables(e.right, into);
  }
  return into;
}

/**
 * Parses `a=2, b=-3.5; c = 10` into a map of names to numbers.
 *
 * @example
 * parseAssignments('a=2, b=-3'); // Map { 'a' => 2, 'b' => -3 }
 */
export function parseAssignments(src: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of src.split(/[,;\n]/)) {
    if (part.trim() === '') continue;
    const m = /^\s*([a-z_][a-z0-9_]*)\s*=\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*$/i.exec(part);
    if (!m) throw new ExprError(`Cannot read '${part.trim()}' as name = number`, 0);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

function lookup(name: string, vars: ReadonlyMap<string, number>): number {
  const v = vars.get(name);
  if (v === undefined) throw new ExprError(`No value for '${name}': give it one in the variables, e.g. ${name}=1`, 0);
  return v;
}

const numericUnary: Record<Unary, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (x > 0 ? x : 0),
  sin: Math.sin,
  cos: Math.cos,
};
const numericBinary: Record<Binary, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => Math.pow(x, y),
};

/** `e` evaluated with plain numbers (fast, no graph): for drawing f over a grid. */
export function evaluate(e: Expr, vars: ReadonlyMap<string, number>): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'var':
      return lookup(e.name, vars);
    case 'unary':
      return numericUnary[e.op](evaluate(e.arg, vars));
    case 'binary':
      return numericBinary[e.op](evaluate(e.left, vars), evaluate(e.right, vars));
  }
}

/**
 * `e` built as a graph of `Value`s over the leaves `leaves` (one leaf per variable, so a
 * variable used twice gets both contributions to its gradient), ready for `backward()`.
 *
 * @example
 * const a = new Value(2, 'a'), b = new Value(-3, 'b');
 * const out = toValue(parse('a*b + a'), new Map([['a', a], ['b', b]]));
 * out.backward(); // a.grad = b + 1 = -2, b.grad = a = 2
 */
export function toValue(e: Expr, leaves: ReadonlyMap<string, Value>): Value {
  switch (e.kind) {
    case 'num':
      return new Value(e.value);
    case 'var': {
      const v = leaves.get(e.name);
      if (v === undefined) throw new ExprError(`No value for '${e.name}': give it one in the variables, e.g. ${e.name}=1`, 0);
      return v;
    }
    case 'unary':
      return toValue(e.arg, leaves)[e.op]();
    case 'binary':
      return toValue(e.left, leaves)[e.op](toValue(e.right, leaves));
  }
}
