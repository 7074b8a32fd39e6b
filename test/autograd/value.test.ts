/**
 * The scalar engine: micrograd's example checked against independent finite differences,
 * reuse (x·x, diamonds, fan-out), accumulation across backward() calls, zeroGrad, labels,
 * every op's derivative, and a million-op chain (the reverse pass is iterative).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, Value } from '../../src/index.js';
import { assertGradcheck, propertyRuns, realArb } from '../helpers/arbitraries.js';

/** Central difference of a plain-number function in coordinate i. */
function fd(f: (xs: number[]) => number, xs: number[], i: number, h = 1e-6): number {
  const p = [...xs],
    m = [...xs];
  p[i] += h;
  m[i] -= h;
  return (f(p) - f(m)) / (2 * h);
}

describe('micrograd README example', () => {
  // The same program in plain numbers, written independently of the engine.
  const plain = ([a, b]: number[]): number => {
    let c = a + b;
    let d = a * b + b ** 3;
    c = c + c + 1;
    c = c + 1 + c + -a;
    d = d + d * 2 + Math.max(b + a, 0);
    d = d + 3 * d + Math.max(b - a, 0);
    const e = c - d;
    const f = e ** 2;
    let g = f / 2.0;
    g = g + 10.0 / f;
    return g;
  };

  it('forward 24.7041, dg/da 138.8338, dg/db 645.5773 (and matches finite differences)', () => {
    const a = new Value(-4.0, 'a');
    const b = new Value(2.0, 'b');
    let c = a.add(b);
    let d = a.mul(b).add(b.pow(3));
    c = c.add(c.add(1));
    c = c.add(new Value(1).add(c).add(a.neg()));
    d = d.add(d.mul(2).add(b.add(a).relu()));
    d = d.add(new Value(3).mul(d).add(b.sub(a).relu()));
    const e = c.sub(d);
    const f = e.pow(2);
    let g = f.div(2.0);
    g = g.add(new Value(10.0).div(f));
    g.backward();

    expect(g.data).toBeCloseTo(plain([-4, 2]), 12);
    expect(g.data.toFixed(4)).toBe('24.7041');
    expect(a.grad.toFixed(4)).toBe('138.8338');
    expect(b.grad.toFixed(4)).toBe('645.5773');
    // independent oracle: central differences of the plain-number program
    expect(Math.abs(a.grad - fd(plain, [-4, 2], 0))).toBeLessThan(1e-4);
    expect(Math.abs(b.grad - fd(plain, [-4, 2], 1))).toBeLessThan(1e-4);
  });

  it("micrograd's sanity check: x = -4; z = 2x + 2 + x; q = relu(z) + z·x; h = relu(z·z); y = h + q + q·x", () => {
    const x = new Value(-4.0);
    const z = x.mul(2).add(2).add(x);
    const q = z.relu().add(z.mul(x));
    const h = z.mul(z).relu();
    const y = h.add(q).add(q.mul(x));
    y.backward();
    const plain = ([x0]: number[]): number => {
      const z0 = 2 * x0 + 2 + x0;
      const q0 = Math.max(z0, 0) + z0 * x0;
      const h0 = Math.max(z0 * z0, 0);
      return h0 + q0 + q0 * x0;
    };
    expect(y.data).toBe(-20);
    expect(x.grad).toBe(46);
    expect(Math.abs(x.grad - fd(plain, [-4], 0))).toBeLessThan(1e-5);
  });
});

describe('each Value op against finite differences', () => {
  const numRuns = propertyRuns(30);
  const cases: [string, (a: Value, b: Value) => Value, [number, number], [number, number]][] = [
    ['add', (a, b) => a.add(b), [-3, 3], [-3, 3]],
    ['sub', (a, b) => a.sub(b), [-3, 3], [-3, 3]],
    ['mul', (a, b) => a.mul(b), [-3, 3], [-3, 3]],
    ['div', (a, b) => a.div(b), [-3, 3], [0.3, 3]],
    ['pow (Value exponent)', (a, b) => a.pow(b), [0.1001, 3], [-2, 2]],
    ['pow (number exponent)', (a, b) => a.pow(2.5).add(a.pow(-1)).add(a.pow(0)).add(b.pow(3)), [0.1001, 3], [-3, 3]],
    ['neg', (a) => a.neg(), [-3, 3], [0, 0]],
    ['exp', (a) => a.exp(), [-3, 3], [0, 0]],
    ['log', (a) => a.log(), [0.1001, 3], [0, 0]],
    ['tanh', (a) => a.tanh(), [-3, 3], [0, 0]],
    ['sin', (a) => a.sin(), [-6, 6], [0, 0]],
    ['cos', (a) => a.cos(), [-6, 6], [0, 0]],
    ['sigmoid', (a) => a.sigmoid(), [-3, 3], [0, 0]],
    ['relu', (a) => a.relu(), [1.01e-3, 3], [0, 0]],
    ['relu (negative side)', (a) => a.neg().relu(), [1.01e-3, 3], [0, 0]],
    // the scalar twins of issue 12's tensor ops (kinks kept out of range; pinned in value-tensor-twins.test.ts)
    ['abs', (a) => a.abs().add(a.neg().abs().mul(2)), [1.01e-3, 3], [0, 0]],
    ['sqrt', (a) => a.sqrt(), [0.1001, 3], [0, 0]],
    ['softplus', (a) => a.softplus(), [-6, 6], [0, 0]],
    ['leakyRelu', (a) => a.leakyRelu(0.2).add(a.neg().leakyRelu()), [1.01e-3, 3], [0, 0]],
    ['elu', (a) => a.elu(0.7).add(a.neg().elu()), [1.01e-3, 3], [0, 0]],
    ['gelu', (a) => a.gelu(), [-6, 6], [0, 0]],
    ['maximum / minimum (operands apart)', (a, b) => a.maximum(b).add(a.minimum(b).mul(3)), [-3, -0.01], [0.01, 3]],
    ['clamp (inside and outside)', (a, b) => a.clamp(-1, 1).add(b.clamp(-0.5)), [-0.99, 0.99], [-3, -0.51]],
  ];
  for (const [name, op, [alo, ahi], [blo, bhi]] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(realArb(alo, ahi), realArb(blo, bhi), fc.boolean(), (a, b, flip) => {
          // div's denominator may be negative too
          const bb = name === 'div' && flip ? -b : b;
          assertGradcheck(gradcheck(op, [new Value(a), new Value(bb)]), { a, b: bb });
        }),
        { numRuns },
      );
    });
  }

  it('sigmoid is finite at ±1000 and has derivative 0 there', () => {
    for (const x of [1000, -1000, 1e30, -1e30]) {
      const v = new Value(x);
      const s = v.sigmoid();
      s.backward();
      expect(s.data).toBe(x > 0 ? 1 : 0);
      expect(v.grad).toBe(0);
    }
  });
});

describe('graph reuse sums gradients', () => {
  it('x·x', () => {
    const x = new Value(3);
    x.mul(x).backward();
    expect(x.grad).toBe(6);
  });

  it('diamond: a → (b, c) → d', () => {
    const a = new Value(2);
    const b = a.mul(3);
    const c = a.pow(2);
    const d = b.mul(c); // 3a · a² = 3a³ → 9a² = 36
    d.backward();
    expect(a.grad).toBe(36);
    expect(b.grad).toBe(4); // ∂d/∂b = c
    expect(c.grad).toBe(6); // ∂d/∂c = b
  });

  it('fan-out: one value used by many', () => {
    const x = new Value(1.5);
    let s = new Value(0);
    for (let i = 1; i <= 10; i++) s = s.add(x.mul(i));
    s.backward();
    expect(x.grad).toBe(55);
  });

  it('a node reached along two paths of different length', () => {
    const x = new Value(2);
    const y = x.exp().log(); // = x, long path
    const z = y.add(x); // 2x
    z.backward();
    expect(x.grad).toBeCloseTo(2, 14);
  });
});

describe('accumulation and zeroGrad', () => {
  it('backward() twice doubles leaf grads (documented accumulation, as PyTorch)', () => {
    const a = new Value(2),
      b = new Value(-3);
    const y = a.mul(b).add(a);
    y.backward();
    expect([a.grad, b.grad]).toEqual([-2, 2]);
    y.backward();
    expect([a.grad, b.grad]).toEqual([-4, 4]);
    expect(y.grad).toBe(2);
  });

  it('zeroGrad() resets every value the output depends on', () => {
    const a = new Value(2),
      b = new Value(-3);
    const y = a.mul(b).tanh();
    y.backward();
    expect(a.grad).not.toBe(0);
    y.zeroGrad();
    expect([a.grad, b.grad, y.grad]).toEqual([0, 0, 0]);
    y.backward();
    const once = a.grad;
    y.zeroGrad();
    y.backward();
    expect(a.grad).toBe(once);
  });

  it('two outputs sharing a leaf accumulate into it', () => {
    const x = new Value(3);
    x.mul(2).backward();
    x.mul(x).backward();
    expect(x.grad).toBe(2 + 6);
  });
});

describe('labels and printing', () => {
  it('keeps labels; toString shows label, data and grad', () => {
    const w = new Value(0.5, 'w');
    expect(w.label).toBe('w');
    const y = w.mul(4);
    y.label = 'y';
    y.backward();
    expect(String(w)).toContain('w');
    expect(String(w)).toContain('0.5');
    expect(String(w)).toContain('4');
    expect(y.toString()).toContain('y');
    expect(new Value(1).label).toBe('');
  });

  it('a number operand is a constant', () => {
    const x = new Value(2);
    const y = x.add(1).mul(3).sub(4).div(2);
    expect(y.data).toBe(2.5);
    y.backward();
    expect(x.grad).toBe(1.5);
  });

  it('rejects a non-number operand with a clear error', () => {
    expect(() => new Value(1).add('2' as unknown as number)).toThrow(/Value: expected a Value or a number/);
  });
});

describe('deep graphs', () => {
  it('a chain of 1,000,000 ops back-propagates without a stack overflow', () => {
    const x = new Value(1, 'x');
    let v = x;
    for (let i = 0; i < 500_000; i++) v = v.mul(0.999999).add(1e-6);
    const t0 = performance.now();
    v.backward();
    const ms = performance.now() - t0;
    expect(x.grad).toBeCloseTo(Math.pow(0.999999, 500_000), 9);
    // Not a timing assertion (speed is a benchmark figure); a sanity bound against accidental O(n²).
    expect(ms).toBeLessThan(20_000);
  });
});
