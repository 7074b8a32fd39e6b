/**
 * The Graph panel's expression language: precedence and associativity, method and function
 * calls, errors that point at the column, no way to reach anything but the engine's ops, and
 * (property) random expressions that print, parse back to the same value and back-propagate
 * the finite-difference gradient.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Value } from '../../src/index.js';
import { descend } from '../../playground/src/descent.js';
import { type Expr, ExprError, evaluate, parse, parseAssignments, toValue, variables } from '../../playground/src/expr.js';
import { layoutGraph } from '../../playground/src/graph-view.js';
import { propertyRuns } from '../helpers/arbitraries.js';

const num = (src: string, vars: Record<string, number> = {}): number => evaluate(parse(src), new Map(Object.entries(vars)));

describe('parse', () => {
  it('follows the usual precedence: unary minus, ** (right to left), * /, + -', () => {
    expect(num('1 + 2 * 3')).toBe(7);
    expect(num('(1 + 2) * 3')).toBe(9);
    expect(num('2 ** 3 ** 2')).toBe(512);
    expect(num('2 ^ 3')).toBe(8);
    expect(num('-2 ** 2')).toBe(-4); // as Python: −(2²)
    expect(num('8 / 4 / 2')).toBe(1);
    expect(num('1 - 2 - 3')).toBe(-4);
    expect(num('.5 + 1e-1 + 2.5E1')).toBeCloseTo(25.6, 12);
  });

  it('reads micrograd-style method calls and function calls the same way', () => {
    const vars = { a: 2, b: -3, c: 10 };
    const want = Math.tanh(2 * -3 + 10);
    expect(num('(a*b + c).tanh()', vars)).toBe(want);
    expect(num('tanh(a*b + c)', vars)).toBe(want);
    expect(num('a.mul(b).add(c).tanh()', vars)).toBe(want);
    expect(num('a.pow(2).sub(b.div(c)).relu()', vars)).toBe(4 + 0.3);
    expect(num('2.tanh()')).toBe(Math.tanh(2));
    expect(num('sigmoid(0) + exp(0) + log(1) + sin(0) + cos(0) + relu(-1) + neg(1)')).toBe(1.5);
  });

  it('rejects anything else with an ExprError naming the column', () => {
    const fails = (src: string, message: RegExp): void => {
      expect(() => parse(src)).toThrow(ExprError);
      expect(() => parse(src)).toThrow(message);
    };
    fails('alert(1)', /Unknown function 'alert'.*\(column 1\)/);
    fails('a.constructor()', /Unknown method 'constructor'.*\(column 3\)/);
    fails('a + ', /Expected a number, a name or '\(' at the end \(column 5\)/);
    fails('(a + b', /Expected '\)' at the end/);
    fails('a b', /Unexpected, found 'b' \(column 3\)/);
    fails('a; b', /Unexpected character ';' \(column 2\)/);
    fails('a["x"]', /Unexpected character '\['/);
    fails('`a`', /Unexpected character '`'/);
    fails('a'.repeat(201), /longer than 200/);
  });

  it('looks variables up by name only, never on an object prototype', () => {
    expect(() => num('constructor + toString')).toThrow(/No value for 'constructor'/);
    expect(variables(parse('b*a + a.tanh() + c'))).toEqual(['b', 'a', 'c']);
  });

  it('reads variable assignments', () => {
    expect([...parseAssignments('a=2, b = -3.5; c=1e3\nd=.25')]).toEqual([
      ['a', 2],
      ['b', -3.5],
      ['c', 1000],
      ['d', 0.25],
    ]);
    expect(() => parseAssignments('a=2, b')).toThrow(/Cannot read 'b' as name = number/);
  });
});

describe('toValue', () => {
  it('builds one leaf per variable, so a reused variable collects both gradients', () => {
    const a = new Value(2, 'a'),
      b = new Value(-3, 'b');
    const out = toValue(
      parse('a*b + a'),
      new Map([
        ['a', a],
        ['b', b],
      ]),
    );
    out.backward();
    expect(out.data).toBe(-4);
    expect(a.grad).toBe(-2);
    expect(b.grad).toBe(2);
    // The drawn graph has a once, with two edges out: 4 nodes (a, b, *, +), + in column 2.
    const nodes = layoutGraph(out);
    expect(nodes.map((n) => n.title)).toEqual(['a', 'b', '*', '+']);
    expect(nodes.map((n) => n.layer)).toEqual([0, 0, 1, 2]);
    expect(nodes[3].parents.map((p) => p.title)).toEqual(['*', 'a']);
  });

  it('lays out a chain of 20,000 ops without overflowing the stack', () => {
    let v = new Value(0.5, 'x');
    for (let i = 0; i < 20000; i++) v = v.mul(1.0001);
    const nodes = layoutGraph(v);
    expect(nodes.length).toBe(40001); // x, 20,000 constants, 20,000 products
    expect(nodes[nodes.length - 1].layer).toBe(20000);
  });

  // Random expressions over a, b, c on domains where every op is smooth.
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    fc.constantFrom<Expr>({ kind: 'var', name: 'a' }, { kind: 'var', name: 'b' }, { kind: 'var', name: 'c' }),
    fc.double({ min: -2, max: 2, noNaN: true }).map((v): Expr => ({ kind: 'num', value: Math.round(v * 100) / 100 || 0 })),
  );
  const { tree } = fc.letrec<{ tree: Expr }>((t) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom('neg', 'tanh', 'sigmoid', 'sin', 'cos' as const), arg: t('tree') }),
      fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom('add', 'sub', 'mul' as const), left: t('tree'), right: t('tree') }),
    ),
  }));

  /** Prints `e` back as source, in both spellings (method and function calls). */
  function print(e: Expr, methods: boolean): string {
    switch (e.kind) {
      case 'num':
        return e.value < 0 ? `(${e.value})` : String(e.value);
      case 'var':
        return e.name;
      case 'unary':
        return methods ? `(${print(e.arg, methods)}).${e.op}()` : `${e.op}(${print(e.arg, methods)})`;
      case 'binary':
        return `(${print(e.left, methods)} ${{ add: '+', sub: '-', mul: '*', div: '/', pow: '**' }[e.op]} ${print(e.right, methods)})`;
    }
  }

  it('(property) printed expressions parse back to the same value, and backward() matches finite differences', () => {
    fc.assert(
      fc.property(
        tree,
        fc.boolean(),
        fc.tuple(
          fc.double({ min: -2, max: 2, noNaN: true }),
          fc.double({ min: -2, max: 2, noNaN: true }),
          fc.double({ min: -2, max: 2, noNaN: true }),
        ),
        (e, methods, [a, b, c]) => {
          const vars = new Map([
            ['a', a],
            ['b', b],
            ['c', c],
          ]);
          const parsed = parse(print(e, methods));
          expect(evaluate(parsed, vars)).toBe(evaluate(e, vars));
          const leaves = new Map([...vars].map(([k, v]) => [k, new Value(v, k)] as const));
          const out = toValue(parsed, leaves);
          out.backward();
          expect(out.data).toBeCloseTo(evaluate(e, vars), 12);
          const h = 1e-6;
          for (const name of ['a', 'b', 'c']) {
            const up = new Map(vars).set(name, vars.get(name)! + h);
            const down = new Map(vars).set(name, vars.get(name)! - h);
            const fd = (evaluate(e, up) - evaluate(e, down)) / (2 * h);
            expect(Math.abs(leaves.get(name)!.grad - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
          }
        },
      ),
      { numRuns: propertyRuns(100) },
    );
  });
});

describe('descend', () => {
  it('steps against the gradient from backward() and reaches the bowl’s minimum', () => {
    const path = descend(parse('x*x + 3*y*y'), -2, 1, 0.1, 40);
    expect(path.length).toBe(41);
    expect(path[0]).toEqual({ x: -2, y: 1, f: 7, dx: -4, dy: 6 });
    // x ← x − 0.1·2x = 0.8x; y ← y − 0.1·6y = 0.4y.
    expect(path[1].x).toBeCloseTo(-1.6, 15);
    expect(path[1].y).toBeCloseTo(0.4, 15);
    expect(path[40].f).toBeLessThan(1e-6);
  });

  it('stops when the steps diverge to infinity', () => {
    const path = descend(parse('x*x*x*x + y*y'), 3, 0, 1, 50);
    expect(path.length).toBeLessThan(10);
    for (const s of path) expect(Number.isFinite(s.f)).toBe(true);
  });
});
