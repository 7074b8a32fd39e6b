/**
 * Workload 1: the scalar engine. Build Σ aᵢ·bᵢ over 100,000 pairs of fresh `Value` leaves as
 * a chain of adds, then `backward()`: 200,001 leaves + 100,000 products + 100,000 sums =
 * 400,001 nodes, the graph micrograd's published figure was measured on (PEERS.md).
 * Reported in nanoseconds per node (build + backward). tfjs has no scalar engine.
 */
import { Value } from '../../src/index.js';
import { runSuite, type Row } from './common.js';

const PAIRS = 100_000;
export const SCALAR_NODES = 2 * PAIRS + 1 + 2 * PAIRS;
/** micrograd (Python), sum of 100,000 products, build + backward: PEERS.md, measured 2026-11-27. */
const MICROGRAD_SECONDS_PER_NODE = 3.1e-6;

export async function scalarSuite(): Promise<Row[]> {
  const figures = await runSuite(
    'Scalar engine: sum of 100k products, build + backward',
    [
      {
        system: 'tensorgrad',
        setup: () => {
          // The leaves' numbers are drawn once; each call builds the whole graph afresh.
          const xs = new Float64Array(2 * PAIRS);
          let seed = 12345;
          for (let i = 0; i < xs.length; i++) {
            seed = (seed * 1103515245 + 12345) >>> 0;
            xs[i] = seed / 2 ** 32 - 0.5;
          }
          return () => {
            let s = new Value(0);
            for (let i = 0; i < PAIRS; i++) s = s.add(new Value(xs[2 * i]).mul(new Value(xs[2 * i + 1])));
            s.backward();
            return s.grad;
          };
        },
      },
    ],
    { minSamples: 8, maxTime: 2 },
  );
  return [
    {
      workload: `scalar Σaᵢbᵢ, ${SCALAR_NODES.toLocaleString('en-US')} nodes, build+backward`,
      metric: { unit: 'ns/node', fromSeconds: (s) => (s / SCALAR_NODES) * 1e9, higherIsBetter: false },
      figures,
      quoted: {
        name: 'micrograd',
        seconds: MICROGRAD_SECONDS_PER_NODE * SCALAR_NODES,
        source: 'PEERS.md (Python micrograd, 3.1 µs/node, measured there on 2026-11-27)',
      },
      note: 'tfjs has no scalar engine',
    },
  ];
}
