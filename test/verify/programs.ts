/**
 * Random smooth tensor programs for the transform tests: a chain/DAG of 2–8 ops over 1–2
 * float64 inputs of broadcast-compatible shapes (rank 0–2), reusing earlier nodes. Smooth ops
 * only, so central differences are a valid oracle everywhere, and each grows its input at most
 * linearly (factors through tanh): an unbounded chain such as exp(exp(x)) or repeated squaring
 * reaches values where the finite differences themselves lose the digits being compared.
 */
import fc from 'fast-check';
import type { Tensor } from '../../src/index.js';
import { broadcastPairArb, domains, realArb, tensorArb } from '../../src/testing/index.js';

type Op = (a: Tensor, b: Tensor, p: number) => Tensor;

const OPS: Op[] = [
  (a, b) => a.add(b),
  (a, b) => a.mul(b.tanh()),
  (a, b) => a.sub(b.tanh()),
  (a, b) => a.div(b.square().add(0.5)),
  (a) => a.tanh().exp(),
  (a) => a.square().add(0.3).log(),
  (a) => a.tanh(),
  (a) => a.sigmoid(),
  (a) => a.sin().mul(a),
  (a, _b, p) => a.tanh().square().add(0.5).pow(p),
  (a) => (a.ndim === 0 ? a.cos() : a.softmax()),
  (a) => (a.ndim === 0 ? a.square() : a.sum(-1, true).tanh().mul(a)),
  // shape-preserving, so every later op still sees broadcast-compatible shapes
  (a) => (a.ndim < 2 ? a.mul(a.tanh()) : a.tanh().matmul(a.tanh().transpose().matmul(a)).mul(0.1)),
];

export interface Program {
  steps: { op: number; a: number; b: number; p: number }[];
  run: (...xs: Tensor[]) => Tensor;
  describe: string;
}

const stepArb = fc.record({ op: fc.nat({ max: OPS.length - 1 }), a: fc.nat({ max: 8 }), b: fc.nat({ max: 8 }), p: realArb(-1.5, 1.5) });

/** A program and its inputs (1 or 2 tensors). */
export const programArb: fc.Arbitrary<{ program: Program; inputs: Tensor[] }> = fc
  .tuple(fc.array(stepArb, { minLength: 2, maxLength: 8 }), broadcastPairArb(0, 2), fc.boolean())
  .chain(([steps, [sa, sb], two]) =>
    fc.tuple(fc.constant(steps), two ? fc.tuple(tensorArb(sa, domains.any), tensorArb(sb, domains.any)) : fc.tuple(tensorArb(sa, domains.any))),
  )
  .map(([steps, inputs]) => {
    const run = (...xs: Tensor[]): Tensor => {
      const nodes = [...xs];
      for (const s of steps) {
        const pick = (k: number): Tensor => nodes[nodes.length - 1 - (k % nodes.length)];
        nodes.push(OPS[s.op](pick(s.a), pick(s.b), s.p));
      }
      return nodes[nodes.length - 1];
    };
    return { program: { steps, run, describe: JSON.stringify(steps) }, inputs: inputs as Tensor[] };
  });
