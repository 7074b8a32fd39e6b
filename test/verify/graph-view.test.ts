/** toDot and gradFn read the recorded graph: ops, shapes, dtypes, which leaves need gradients. */
import { describe, expect, it } from 'vitest';
import { defineOp, gradFn, nn, noGrad, tensor, toDot, Value } from '../../src/index.js';

/** The node lines of a DOT text, as { id: label }. */
function nodes(dot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dot.matchAll(/^\s+(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$/gm)) out.set(m[1], m[2] + m[3]);
  return out;
}
function edges(dot: string): [string, string][] {
  return [...dot.matchAll(/^\s+(\w+) -> (\w+)/gm)].map((m) => [m[1], m[2]]);
}

describe('toDot', () => {
  it('a tensor graph: every op once, with shape and dtype; leaves marked; edges input → output', () => {
    const w = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true, dtype: 'float64' },
    );
    w.label = 'w';
    const x = tensor([1, 1], { dtype: 'float64' });
    const h = w.matmul(x).tanh();
    const y = h.mul(h).sum(); // h used twice: one node, two edges
    const dot = toDot(y);
    expect(dot.startsWith('digraph tensorgrad {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    const ns = nodes(dot);
    const labels = [...ns.values()];
    expect(labels.filter((l) => l.startsWith('sum\\n[] float64')).length).toBe(1);
    expect(labels.filter((l) => l.startsWith('mul\\n')).length).toBe(1);
    expect(labels.filter((l) => l.startsWith('tanh\\n[2] float64')).length).toBe(1);
    const leaf = labels.find((l) => l.startsWith('w\\n'))!;
    expect(leaf).toContain('[2,2] float64 · requiresGrad');
    expect(leaf).toContain('fillcolor');
    expect(labels.some((l) => l.startsWith('constant\\n') && l.includes('color="#999999"'))).toBe(true);
    const idOf = (prefix: string): string => [...ns].find(([, l]) => l.startsWith(prefix))![0];
    const es = edges(dot);
    expect(es.filter(([a, b]) => a === idOf('tanh') && b === idOf('mul')).length).toBe(2);
    expect(es).toContainEqual([idOf('mul'), idOf('sum')]);
    expect(ns.size).toBe(new Set(ns.keys()).size);
  });

  it('custom ops show under their name; a freed graph says so', () => {
    const sq = defineOp('mySquare', { forward: (t) => t.mul(t), backward: (g, [t]) => [g.mul(t).mul(2)] });
    const x = tensor([1, 2], { requiresGrad: true });
    const y = sq(x).sum();
    expect(toDot(y)).toContain('"mySquare\\n[2] float32"');
    y.backward();
    expect(toDot(y)).toContain('sum (freed)');
  });

  it('a tensor made under noGrad is a lone constant', () => {
    const x = tensor([1], { requiresGrad: true });
    const dot = toDot(noGrad(() => x.mul(2)));
    expect(nodes(dot).size).toBe(1);
    expect(edges(dot)).toEqual([]);
  });

  it('a Value graph: op, data and grad per node, labels kept', () => {
    const a = new Value(2, 'a');
    const b = a.mul(a).add(1);
    b.label = 'b';
    b.backward();
    const dot = toDot(b);
    const labels = [...nodes(dot).values()];
    expect(labels).toContain('b = +\\ndata 5 · grad 1');
    expect(labels.some((l) => l.startsWith('a\\ndata 2 · grad 4'))).toBe(true);
    expect(labels.some((l) => l.startsWith('*\\ndata 4 · grad 1'))).toBe(true);
    expect(edges(dot).length).toBe(4); // a→*, a→*, *→+, 1→+
  });

  it('labels are escaped', () => {
    const t = tensor([1], { requiresGrad: true });
    t.label = 'say "hi"\\';
    expect(toDot(t)).toContain('say \\"hi\\"\\\\');
    expect(() => toDot(3 as unknown as Value)).toThrow(/toDot: expected a Tensor or a Value/);
  });
});

describe('gradFn', () => {
  it('names the op and its inputs; null for a leaf; live until backward frees it', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    const y = a.mul(b);
    const fn = gradFn(y)!;
    expect(fn.op).toBe('mul');
    expect(fn.inputs[0]).toBe(a);
    expect(fn.live).toBe(true);
    expect(gradFn(a)).toBeNull();
    expect(gradFn(b.mul(2))).toBeNull(); // nothing needs a gradient: not recorded
    y.sum().backward();
    expect(gradFn(y)!.live).toBe(false);
  });
});

describe('String(module)', () => {
  it('one line per module, children indented under their names, parameters with shape and dtype', () => {
    expect(String(new nn.MLP([4, 3, 2], { activation: 'tanh', dtype: 'float64' }))).toBe(
      [
        'MLP(activation=tanh, outputActivation=tanh,',
        '  (layers.0): Linear(inFeatures=4, outFeatures=3, weight=[4, 3] float64, bias=[3] float64)',
        '  (layers.1): Linear(inFeatures=3, outFeatures=2, weight=[3, 2] float64, bias=[2] float64)',
        ')',
      ].join('\n'),
    );
    const nested = String(new nn.Sequential(new nn.Sequential(new nn.Linear(2, 2, { bias: false })), new nn.Tanh()));
    expect(nested).toBe(
      [
        'Sequential(',
        '  (0): Sequential(',
        '    (0): Linear(inFeatures=2, outFeatures=2, weight=[2, 2] float32)',
        '  )',
        '  (1): Tanh(name=tanh)',
        ')',
      ].join('\n'),
    );
  });
});
