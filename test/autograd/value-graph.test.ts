/**
 * The scalar engine's reverse pass on awkward graphs, against an independent oracle:
 * forward-mode dual numbers run over the same random program. The graphs reuse nodes freely
 * (diamonds, fan-in, fan-out, unreachable nodes), span many storage pages, share leaves and
 * subgraphs between separate outputs, and interleave backward() calls — the invariants the
 * walk (visit stamps, pass gradients reset per walk) and the paged storage rely on.
 */
import fc from 'fast-check';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { grad, Value } from '../../src/index.js';
import { propertyRuns, realArb } from '../helpers/arbitraries.js';

// ---- a random straight-line program over earlier nodes ----

type Step = { op: number; a: number; b: number; c: number }; // operands: indices into earlier nodes
const OPS = 9;

/** Runs `steps` over `inputs` with `ops`; each step may use any earlier node (reuse is the point). */
function run<T>(steps: Step[], inputs: T[], ops: Ops<T>): T[] {
  const nodes = [...inputs];
  for (const s of steps) {
    const x = nodes[s.a % nodes.length],
      y = nodes[s.b % nodes.length];
    let out: T;
    switch (s.op % OPS) {
      case 0:
        out = ops.add(x, y);
        break;
      case 1:
        out = ops.sub(x, y);
        break;
      case 2:
        out = ops.mul(x, y);
        break;
      case 3:
        out = ops.tanh(x);
        break;
      case 4:
        out = ops.sigmoid(x);
        break;
      case 5:
        out = ops.neg(x);
        break;
      case 6:
        out = ops.square(x);
        break;
      case 7:
        out = ops.scale(x, s.c);
        break;
      default:
        out = ops.shift(x, s.c);
        break;
    }
    nodes.push(out);
  }
  return nodes;
}

interface Ops<T> {
  add(x: T, y: T): T;
  sub(x: T, y: T): T;
  mul(x: T, y: T): T;
  tanh(x: T): T;
  sigmoid(x: T): T;
  neg(x: T): T;
  square(x: T): T;
  scale(x: T, c: number): T;
  shift(x: T, c: number): T;
}

const valueOps: Ops<Value> = {
  add: (x, y) => x.add(y),
  sub: (x, y) => x.sub(y),
  mul: (x, y) => x.mul(y),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  neg: (x) => x.neg(),
  square: (x) => x.pow(2),
  scale: (x, c) => x.mul(c),
  shift: (x, c) => x.add(c),
};

/** Forward-mode dual numbers: [value, derivative along the seeded direction]. Written independently of Value. */
type Dual = [number, number];
const dualOps: Ops<Dual> = {
  add: ([x, dx], [y, dy]) => [x + y, dx + dy],
  sub: ([x, dx], [y, dy]) => [x - y, dx - dy],
  mul: ([x, dx], [y, dy]) => [x * y, dx * y + x * dy],
  tanh: ([x, dx]) => {
    const t = Math.tanh(x);
    return [t, (1 - t * t) * dx];
  },
  sigmoid: ([x, dx]) => {
    const s = 1 / (1 + Math.exp(-x));
    return [s, s * (1 - s) * dx];
  },
  neg: ([x, dx]) => [-x, -dx],
  square: ([x, dx]) => [x * x, 2 * x * dx],
  scale: ([x, dx], c) => [c * x, c * dx],
  shift: ([x, dx], c) => [x + c, dx],
};

/**
 * d(last node)/d(node k) by forward mode: replay the program with node k's derivative seeded
 * to 1 and every other input's to 0; for k past the inputs, node k is cut loose from its own
 * parents (its derivative is 1 whatever they do), which is what the reverse pass computes.
 */
function forwardDerivative(steps: Step[], xs: number[], k: number): number {
  const nodes: Dual[] = xs.map((x, i) => [x, i === k ? 1 : 0]);
  for (let i = 0; i < steps.length; i++) {
    const [out] = run([steps[i]], nodes, dualOps).slice(-1);
    nodes.push(nodes.length === k ? [out[0], 1] : out);
  }
  return nodes[nodes.length - 1][1];
}

/** Which nodes the last one depends on (itself included), by the step list alone. */
function reachable(steps: Step[], inputs: number): boolean[] {
  const n = inputs + steps.length;
  const seen = new Array<boolean>(n).fill(false);
  seen[n - 1] = true;
  for (let i = n - 1; i >= inputs; i--) {
    if (!seen[i]) continue;
    const s = steps[i - inputs];
    seen[s.a % i] = true;
    if (s.op % OPS <= 2) seen[s.b % i] = true;
  }
  return seen;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.nat(),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.constantFrom(-2, -0.5, 0.5, 1.5, 3),
});

function close(got: number, want: number): boolean {
  return Math.abs(got - want) <= 1e-8 * Math.max(1, Math.abs(want));
}

describe('reverse pass on random DAGs with reuse, against forward-mode dual numbers', () => {
  const numRuns = propertyRuns(60);
  const programArb = fc.record({
    xs: fc.array(realArb(-1.5, 1.5), { minLength: 1, maxLength: 4 }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  });

  it('every node: grad = d(out)/d(node); unreachable nodes keep grad 0', () => {
    fc.assert(
      fc.property(programArb, ({ xs, steps }) => {
        const nodes = run(
          steps,
          xs.map((x) => new Value(x)),
          valueOps,
        );
        fc.pre(nodes.every((v) => Number.isFinite(v.data) && Math.abs(v.data) < 1e3));
        nodes[nodes.length - 1].backward();
        const live = reachable(steps, xs.length);
        nodes.forEach((v, k) => {
          const want = live[k] ? forwardDerivative(steps, xs, k) : 0;
          if (!close(v.grad, want)) throw new Error(`node ${k} (${v.op || 'leaf'}): grad ${v.grad}, forward mode ${want}`);
          if (!live[k]) expect(v.grad).toBe(0);
        });
      }),
      { numRuns },
    );
  });

  it('backward() twice doubles every grad; zeroGrad() clears them; grad() agrees and leaves .grad alone', () => {
    fc.assert(
      fc.property(programArb, ({ xs, steps }) => {
        const leaves = xs.map((x) => new Value(x));
        const nodes = run(steps, leaves, valueOps);
        fc.pre(nodes.every((v) => Number.isFinite(v.data) && Math.abs(v.data) < 1e3));
        const out = nodes[nodes.length - 1];
        out.backward();
        const once = nodes.map((v) => v.grad);
        out.backward();
        nodes.forEach((v, k) => expect(v.grad).toBe(2 * once[k]));
        // grad() runs the reverse pass on fresh copies of the inputs without touching .grad
        const f = (...vs: Value[]): Value => run(steps, vs, valueOps).at(-1)!;
        const gs = grad(
          f,
          xs.map((_, i) => i),
        )(...leaves) as Value[];
        gs.forEach((g, i) => expect(close(g.data, once[i])).toBe(true));
        nodes.forEach((v, k) => expect(v.grad).toBe(2 * once[k]));
        out.zeroGrad();
        nodes.forEach((v, k) => expect(v.grad).toBe(reachable(steps, xs.length)[k] ? 0 : 2 * once[k]));
      }),
      { numRuns },
    );
  });
});

describe('separate graphs sharing leaves and subgraphs', () => {
  it('a shared subexpression gets only the current pass gradient in each walk', () => {
    const x = new Value(1.5),
      y = new Value(-2);
    const s = x.mul(y); // shared by both outputs
    const a = s.mul(3),
      b = s.mul(5);
    a.backward();
    expect([x.grad, y.grad, s.grad]).toEqual([3 * -2, 3 * 1.5, 3]);
    b.backward(); // a stale pass gradient on s from a's walk would give 3 + 5 here
    expect([x.grad, y.grad, s.grad]).toEqual([8 * -2, 8 * 1.5, 8]);
  });

  it('backward from an inner node, then from the output: the first walk does not hide nodes from the second', () => {
    const a = new Value(2),
      b = new Value(3);
    const c = a.mul(b);
    const d = c.add(a).mul(c); // (ab + a)·ab
    c.backward();
    expect([a.grad, b.grad]).toEqual([3, 2]);
    d.backward(); // ∂d/∂a = (b + 1)·ab + (ab + a)·b = 24 + 24, ∂d/∂b = a·ab + (ab + a)·a = 12 + 16
    expect([a.grad, b.grad]).toEqual([3 + 48, 2 + 28]);
  });

  it('two graphs built before either backward; backward in the other order', () => {
    const x = new Value(0.5),
      w = new Value(-1.25);
    const g1 = x.mul(w).tanh();
    const g2 = x.mul(x).mul(w).add(x);
    g2.backward();
    g1.backward();
    const t = Math.tanh(0.5 * -1.25);
    expect(x.grad).toBeCloseTo((1 - t * t) * -1.25 + (2 * 0.5 * -1.25 + 1), 14);
    expect(w.grad).toBeCloseTo((1 - t * t) * 0.5 + 0.25, 14);
  });

  it('one value used a thousand times, by a thousand different nodes', () => {
    const x = new Value(0.75);
    let s = new Value(0);
    for (let i = 0; i < 1000; i++) s = s.add(x.mul(x).mul(i % 7));
    s.backward(); // Σ cᵢ·x², cᵢ = i mod 7: d/dx = 2x·Σcᵢ
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += i % 7;
    expect(x.grad).toBeCloseTo(2 * 0.75 * sum, 9);
  });

  it('graphs spanning many pages, with leaves created long before use and garbage graphs in between', () => {
    const early = new Value(1.25, 'early');
    for (let g = 0; g < 20; g++) {
      // throw-away graphs: enough allocation for several GCs
      let t = new Value(0);
      for (let i = 0; i < 20_000; i++) t = t.add(new Value(i).mul(0.5));
      t.backward();
    }
    // Σ aᵢ·bᵢ over 5,000 fresh pairs plus early·(last b): grads are the partners' data
    const as: Value[] = [],
      bs: Value[] = [];
    let s = new Value(0);
    for (let i = 0; i < 5000; i++) {
      const a = new Value(Math.sin(i)),
        b = new Value(Math.cos(i));
      as.push(a);
      bs.push(b);
      s = s.add(a.mul(b));
    }
    s = s.add(early.mul(bs[4999]));
    s.backward();
    for (let i = 0; i < 5000; i++) {
      expect(as[i].grad).toBe(bs[i].data);
      expect(bs[i].grad).toBe(i === 4999 ? as[i].data + early.data : as[i].data);
    }
    expect(early.grad).toBe(bs[4999].data);
    expect(early.label).toBe('early');
  });

  it('thousands of walks stay correct (visit stamps only ever grow)', () => {
    const x = new Value(2);
    const y = x.mul(x);
    for (let i = 0; i < 5000; i++) y.backward();
    expect(x.grad).toBe(5000 * 4);
  });
});

describe('fields read and write as plain properties', () => {
  it('data and grad are writable; a later op sees the new data', () => {
    const p = new Value(3);
    p.data -= 1;
    p.grad = 7;
    expect([p.data, p.grad]).toEqual([2, 7]);
    const y = p.mul(p);
    expect(y.data).toBe(4);
    p.grad = 0;
    y.backward();
    expect(p.grad).toBe(4);
  });

  it('local derivatives are recorded at forward time (as before): changing data later does not change them', () => {
    const x = new Value(2),
      w = new Value(3);
    const y = x.mul(w);
    w.data = 100;
    y.backward();
    expect(x.grad).toBe(3);
  });

  it('op names every op, pow by a number included', () => {
    const a = new Value(2),
      b = new Value(3);
    const cases: [Value, string][] = [
      [a, ''],
      [a.add(b), '+'],
      [a.sub(b), '-'],
      [a.mul(b), '*'],
      [a.div(b), '/'],
      [a.neg(), 'neg'],
      [a.pow(b), '**'],
      [a.pow(2), '**2'],
      [a.pow(-0.5), '**-0.5'],
      [a.pow(0), '**0'],
      [a.exp(), 'exp'],
      [a.log(), 'log'],
      [a.tanh(), 'tanh'],
      [a.sigmoid(), 'sigmoid'],
      [a.relu(), 'relu'],
      [a.add(1), '+'],
    ];
    for (const [v, op] of cases) expect(v.op).toBe(op);
    // pow by a number: the exponent shown by `op` does not leak into the gradient
    const y = a.pow(3);
    y.backward();
    expect(a.grad).toBe(12);
  });

  it('labels: given, set later on an op result, cleared; toString and console output', () => {
    const w = new Value(0.5, 'w');
    const y = w.mul(4);
    expect([w.label, y.label]).toEqual(['w', '']);
    y.label = 'y';
    expect(y.label).toBe('y');
    expect(inspect(w)).toBe('Value(w, data=0.5, grad=0)');
    y.backward();
    expect(String(y)).toBe('Value(y, data=2, grad=1)');
    y.label = '';
    expect(String(y)).toBe('Value(data=2, grad=1)');
    expect(new Value(1, '').label).toBe('');
  });
});
