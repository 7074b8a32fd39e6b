/**
 * Elementwise fusion in compile: runs of float32 elementwise ops become one fused kernel call
 * (intermediates that nothing else reads are never written), with the eager kernels' bits —
 * on random programs over broadcast operands and special values, and through a backward pass.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile, noGrad, optim, randn, setWasmKernels, tensor, useWasm, type Tensor } from '../../src/index.js';
import { programMemory } from '../../src/autograd/compile/compile.js';
import { propertyRuns } from '../helpers/arbitraries.js';

/** Index of the first element whose bits differ (NaN equals NaN), or -1. */
function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

type Unary = 'neg' | 'abs' | 'sqrt' | 'square' | 'relu' | 'sign' | 'sigmoid' | 'tanh' | 'exp';
type Binary = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'gt' | 'lt' | 'le' | 'ge' | 'eq' | 'ne';
/** One op of a random program: on earlier values (indices into the value list) or a number. */
type Op = { kind: 'unary'; op: Unary; a: number } | { kind: 'binary'; op: Binary; a: number; b: number | { constant: number } };

const UNARY: readonly Unary[] = ['neg', 'abs', 'sqrt', 'square', 'relu', 'sign', 'sigmoid', 'tanh', 'exp'];
const BINARY: readonly Binary[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'gt', 'lt', 'le', 'ge', 'eq', 'ne'];

function apply(values: Tensor[], o: Op): Tensor {
  const a = values[o.a % values.length];
  if (o.kind === 'unary') {
    if (o.op === 'sign') return a.gt(0).sub(a.lt(0));
    return a[o.op]();
  }
  const b = typeof o.b === 'number' ? values[o.b % values.length] : o.b.constant;
  return a[o.op](b);
}

/** Runs the program on x [r, c], a row [c] and a column [r, 1]: the last value and every `keep`-th. */
function run(ops: readonly Op[], keepEvery: number, x: Tensor, row: Tensor, col: Tensor): Tensor[] {
  const values = [x, row, col];
  for (const o of ops) values.push(apply(values, o));
  const made = values.slice(3);
  return made.filter((_, i) => i === made.length - 1 || (keepEvery > 0 && i % keepEvery === 0));
}

const special = fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e-40, -3.5e38, 1);
const valuesArb = (n: number) =>
  fc.array(fc.oneof({ weight: 6, arbitrary: fc.float({ min: -8, max: 8, noNaN: true }) }, { weight: 1, arbitrary: special }), {
    minLength: n,
    maxLength: n,
  });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...UNARY), a: fc.nat(40) }),
  fc.record({
    kind: fc.constant('binary' as const),
    op: fc.constantFrom(...BINARY),
    a: fc.nat(40),
    b: fc.oneof({ weight: 4, arbitrary: fc.nat(40) }, { weight: 1, arbitrary: fc.record({ constant: fc.constantFrom(0.5, -2, 0, 3) }) }),
  }),
);

const caseArb = fc
  .record({
    r: fc.integer({ min: 1, max: 40 }),
    c: fc.integer({ min: 1, max: 70 }),
    ops: fc.array(opArb, { minLength: 1, maxLength: 10 }),
    keepEvery: fc.nat(3),
  })
  .chain((k) => fc.record({ k: fc.constant(k), xs: valuesArb(k.r * k.c), rs: valuesArb(k.c), cs: valuesArb(k.r) }));

describe('elementwise fusion', () => {
  it('random elementwise programs over broadcast operands: compiled equals eager, bit for bit', () => {
    fc.assert(
      fc.property(caseArb, ({ k, xs, rs, cs }) => {
        const x = tensor(xs).reshape([k.r, k.c]),
          row = tensor(rs),
          col = tensor(cs).reshape([k.r, 1]);
        const f = compile((x: Tensor, row: Tensor, col: Tensor) => run(k.ops, k.keepEvery, x, row, col));
        const eager = noGrad(() => run(k.ops, k.keepEvery, x, row, col));
        for (let call = 0; call < 2; call++) {
          const got = f(x, row, col);
          got.forEach((t, i) => {
            const d = firstDifference(t.data, eager[i].data);
            if (d >= 0) throw new Error(`call ${call}, output ${i}, element ${d}: compiled ${t.data[d]} vs eager ${eager[i].data[d]}`);
          });
        }
      }),
      { numRuns: propertyRuns(60) },
    );
  });

  it('the broadcast chain x·y + z → sigmoid is one fused call that writes only its result', () => {
    if (!useWasm()) return;
    const x = randn([256, 256], { seed: 1 }),
      y = randn([256], { seed: 2 }),
      z = randn([256, 1], { seed: 3 });
    const chain = (x: Tensor, y: Tensor, z: Tensor) => x.mul(y).add(z).sigmoid();
    const f = compile(chain);
    for (let i = 0; i < 3; i++) expect(firstDifference(f(x, y, z).data, noGrad(() => chain(x, y, z)).data)).toBe(-1);
    const [stats] = programMemory(f);
    expect(stats.steps).toBe(1);
    expect(stats.fused).toBe(1);
    expect(stats.buffers).toBe(0);
  });

  it('a training step through a chain with parameters: parameters and gradients bit-identical to eager', () => {
    const make = () => {
      const p = {
        w: randn([64, 96], { seed: 5, requiresGrad: true }),
        b: randn([96], { seed: 6, requiresGrad: true }),
        c: randn([64, 1], { seed: 7, requiresGrad: true }),
      };
      return { p, opt: new optim.SGD([p.w, p.b, p.c], { lr: 0.05 }) };
    };
    const body =
      ({ p, opt }: ReturnType<typeof make>) =>
      (x: Tensor) => {
        opt.zeroGrad();
        const h = x.mul(p.w).add(p.b).tanh().mul(p.c).sigmoid().square();
        const loss = h.sub(x.relu()).abs().mean();
        loss.backward();
        opt.step();
        return loss;
      };
    const c = make(),
      e = make();
    const step = compile(body(c)),
      eager = body(e);
    for (let i = 0; i < 8; i++) {
      const x = randn([64, 96], { seed: 50 + i });
      expect(step(x).item()).toBe(eager(x).item());
      for (const k of ['w', 'b', 'c'] as const) {
        expect(firstDifference(c.p[k].data, e.p[k].data)).toBe(-1);
        expect(firstDifference(c.p[k].grad!.data, e.p[k].grad!.data)).toBe(-1);
      }
    }
    if (useWasm()) expect(programMemory(step)[0].fused).toBeGreaterThanOrEqual(2);
  });

  it('turning the wasm kernels off retraces (a fused program runs wasm kernels), still the eager bits', () => {
    if (!useWasm()) return;
    const chain = (x: Tensor) => x.mul(3).sigmoid().square();
    const f = compile(chain);
    const x = randn([32, 32], { seed: 4 });
    f(x);
    f(x);
    expect(f.traceCount).toBe(1);
    try {
      setWasmKernels(false);
      expect(firstDifference(f(x).data, noGrad(() => chain(x)).data)).toBe(-1);
      expect(f.traceCount).toBe(2);
      const fusedCalls = programMemory(f).map((s) => s.fused);
      expect(fusedCalls.sort()).toEqual([0, 1]); // the wasm program and the TypeScript one
    } finally {
      setWasmKernels(true);
    }
    expect(firstDifference(f(x).data, noGrad(() => chain(x)).data)).toBe(-1);
    expect(f.traceCount).toBe(2);
  });

  it('float64 programs are left unfused (the fused kernel is float32) and stay exact', () => {
    const f = compile((x: Tensor) => x.mul(2).add(1).tanh());
    const x = randn([32, 32], { seed: 9, dtype: 'float64' });
    for (let i = 0; i < 2; i++) expect(firstDifference(f(x).data, noGrad(() => x.mul(2).add(1).tanh()).data)).toBe(-1);
    expect(programMemory(f)[0].fused).toBe(0);
  });
});
