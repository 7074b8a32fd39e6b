/**
 * Module plumbing: train/eval over the whole tree, buffers beside parameters, state dicts in
 * both layouts (names, order, shapes, shared memory) and loadStateDict's checks, which must
 * change nothing when they fail.
 */
import { describe, expect, it } from 'vitest';
import { nn, randn, tensor, type Tensor } from '../../src/index.js';

/** A module with a parameter, a buffer, a non-persistent buffer and nested children. */
class Block extends nn.Module {
  readonly scale = this.registerParameter('scale', tensor([1, 2, 3]));
  readonly count = this.registerBuffer('count', tensor([0]));
  readonly scratch = this.registerBuffer('scratch', tensor([7, 7]), { persistent: false });
  readonly inner = this.registerModule('inner', new nn.Sequential(new nn.Linear(3, 3, { seed: 1 }), new nn.BatchNorm1d(3)));
  forward(x: Tensor): Tensor {
    return this.inner.forward(x.mul(this.scale));
  }
}
class Net extends nn.Module {
  readonly block = this.registerModule('block', new Block());
  readonly head = this.registerModule('head', new nn.MLP([3, 4, 2], { seed: 2 }));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.block.forward(x));
  }
}

const bits = (t: Tensor): number[] => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
const snapshot = (m: nn.Module): number[][] => [...m.stateDict()].map(([, t]) => Array.from(t.data));

describe('train() / eval()', () => {
  it('switch the module and every module inside it, and return the module', () => {
    const net = new Net();
    const all = (): boolean[] => net.namedModules().map(([, m]) => m.training);
    expect(net.namedModules().map(([n]) => n)).toEqual([
      '',
      'block',
      'block.inner',
      'block.inner.0',
      'block.inner.1',
      'head',
      'head.layers.0',
      'head.layers.1',
    ]);
    expect(all().every((t) => t)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(all().every((t) => !t)).toBe(true);
    net.block.inner.train();
    expect(net.block.inner.training && net.block.inner.layers[1].training).toBe(true);
    expect(net.training || net.head.training).toBe(false);
    net.train();
    expect(all().every((t) => t)).toBe(true);
    net.train(false);
    expect(all().some((t) => t)).toBe(false);
  });

  it('a registered module keeps its own mode (PyTorch) until the parent switches', () => {
    const frozen = new nn.BatchNorm1d(2).eval();
    const seq = new nn.Sequential(new nn.Linear(2, 2), frozen);
    expect([seq.training, frozen.training]).toEqual([true, false]);
    seq.train();
    expect(frozen.training).toBe(true);
  });
});

describe('buffers', () => {
  it('are registered without gradients, outside parameters(), inside the state dict when persistent', () => {
    const b = new Block();
    expect(b.parameters()).not.toContain(b.count);
    expect(b.count.requiresGrad).toBe(false);
    expect(b.namedBuffers().map(([n]) => n)).toEqual(['count', 'scratch', 'inner.1.running_mean', 'inner.1.running_var']);
    expect(b.buffers()).toContain(b.scratch);
    // PyTorch's order: per module its parameters, then its buffers, then its children's
    expect([...b.stateDict().keys()]).toEqual([
      'scale',
      'count',
      'inner.0.weight',
      'inner.0.bias',
      'inner.1.weight',
      'inner.1.bias',
      'inner.1.running_mean',
      'inner.1.running_var',
    ]);
  });

  it('names must be new and well formed', () => {
    class Bad extends nn.Module {
      forward(x: Tensor): Tensor {
        return x;
      }
      twice(): void {
        this.registerParameter('w', tensor([1]));
        this.registerBuffer('w', tensor([1]));
      }
      empty(): void {
        this.registerBuffer('', tensor([1]));
      }
    }
    expect(() => new Bad().twice()).toThrow(/Bad\.registerBuffer: the name 'w' is already taken/);
    expect(() => new Bad().empty()).toThrow(/Bad\.registerBuffer: name must be a non-empty string/);
  });
});

describe('stateDict', () => {
  it('shares memory with the module in our layout (as PyTorch), names everything by dotted path', () => {
    const net = new Net();
    const sd = net.stateDict();
    expect([...sd.keys()]).toEqual([
      'block.scale',
      'block.count',
      'block.inner.0.weight',
      'block.inner.0.bias',
      'block.inner.1.weight',
      'block.inner.1.bias',
      'block.inner.1.running_mean',
      'block.inner.1.running_var',
      'head.layers.0.weight',
      'head.layers.0.bias',
      'head.layers.1.weight',
      'head.layers.1.bias',
    ]);
    expect(sd.get('block.scale')!.data).toBe(net.block.scale.data);
    expect(sd.get('block.scale')!.requiresGrad).toBe(false);
  });

  it("PyTorch's layout: Linear weights [out, in] (transposed copies), an MLP's layers numbered as torch's Sequential", () => {
    const net = new Net();
    const pt = net.stateDict({ layout: 'pytorch' });
    expect([...pt].map(([k, t]) => [k, t.shape])).toEqual([
      ['block.scale', [3]],
      ['block.count', [1]],
      ['block.inner.0.weight', [3, 3]],
      ['block.inner.0.bias', [3]],
      ['block.inner.1.weight', [3]],
      ['block.inner.1.bias', [3]],
      ['block.inner.1.running_mean', [3]],
      ['block.inner.1.running_var', [3]],
      ['head.0.weight', [4, 3]],
      ['head.0.bias', [4]],
      ['head.2.weight', [2, 4]],
      ['head.2.bias', [2]],
    ]);
    const w = net.head.layers[0].weight; // [3, 4]
    const wt = pt.get('head.0.weight')!;
    for (let o = 0; o < 4; o++) for (let i = 0; i < 3; i++) expect(wt.data[o * 3 + i]).toBe(w.data[i * 4 + o]);
    expect(wt.data).not.toBe(w.data);
    const seq = new nn.Sequential(new nn.Linear(2, 5), new nn.ReLU(), new nn.LayerNorm(5), new nn.Linear(5, 1));
    expect([...seq.stateDict({ layout: 'pytorch' })].map(([k, t]) => `${k} ${t.shape.join('x')}`)).toEqual([
      '0.weight 5x2',
      '0.bias 5',
      '2.weight 5',
      '2.bias 5',
      '3.weight 1x5',
      '3.bias 1',
    ]);
  });
});

describe('loadStateDict', () => {
  it('copies values in place (buffers included), bit for bit, in both layouts', () => {
    for (const layout of ['tensorgrad', 'pytorch'] as const) {
      const a = new Net(),
        b = new Net();
      for (const t of a.stateDict().values()) t.data.set(randn([t.size], { seed: t.size + 11 }).data);
      const before = b.block.scale.data;
      expect(b.loadStateDict(a.stateDict({ layout }), { layout })).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(b.block.scale.data).toBe(before); // in place: optimizers keep working on the same arrays
      for (const [[ka, ta], [kb, tb]] of [...a.stateDict()].map((e, i) => [e, [...b.stateDict()][i]] as const)) {
        expect(kb).toBe(ka);
        expect(bits(tb)).toEqual(bits(ta));
      }
    }
  });

  it('accepts a record and [name, tensor] pairs', () => {
    const a = new nn.Linear(2, 2, { seed: 1 }),
      b = new nn.Linear(2, 2, { seed: 2 });
    b.loadStateDict(Object.fromEntries(a.stateDict()));
    expect(b.weight.toArray()).toEqual(a.weight.toArray());
    const c = new nn.Linear(2, 2, { seed: 3 });
    c.loadStateDict([...a.stateDict()]);
    expect(c.bias!.toArray()).toEqual(a.bias!.toArray());
  });

  it('strict: lists every missing and unexpected key, and changes nothing', () => {
    const net = new nn.MLP([2, 3, 1], { seed: 1 });
    const before = snapshot(net);
    const sd = new nn.MLP([2, 3, 1], { seed: 5 }).stateDict();
    sd.delete('layers.1.bias');
    sd.delete('layers.0.weight');
    sd.set('layers.2.weight', tensor([1]));
    expect(() => net.loadStateDict(sd)).toThrow(
      /MLP\.loadStateDict: missing keys 'layers\.0\.weight', 'layers\.1\.bias'; unexpected key 'layers\.2\.weight'; nothing was loaded/,
    );
    expect(snapshot(net)).toEqual(before);
  });

  it('non-strict: loads the keys that match and reports the others', () => {
    const net = new nn.MLP([2, 3, 1], { seed: 1 });
    const src = new nn.MLP([2, 3, 1], { seed: 5 });
    const sd = src.stateDict();
    sd.delete('layers.1.bias');
    sd.set('extra', tensor([1]));
    const r = net.loadStateDict(sd, { strict: false });
    expect(r).toEqual({ missingKeys: ['layers.1.bias'], unexpectedKeys: ['extra'] });
    expect(net.layers[0].weight.toArray()).toEqual(src.layers[0].weight.toArray());
    expect(net.layers[1].bias!.toArray()).not.toEqual(src.layers[1].bias!.toArray());
  });

  it('a wrong shape fails naming the key and both shapes (strict or not), and changes nothing', () => {
    const net = new nn.MLP([2, 3, 1], { seed: 1 });
    const before = snapshot(net);
    const sd = new nn.MLP([2, 3, 1], { seed: 5 }).stateDict();
    sd.set('layers.1.weight', tensor([[1, 2, 3]]));
    for (const strict of [true, false]) {
      expect(() => net.loadStateDict(sd, { strict })).toThrow(
        /'layers\.1\.weight' has shape \[3,1\] in the module but \[1,3\] in the state.*nothing was loaded/,
      );
    }
    expect(snapshot(net)).toEqual(before);
    // a state in the other layout says so
    const pt = new nn.MLP([2, 3, 1]).stateDict({ layout: 'pytorch' });
    expect(() => net.loadStateDict(new Map([...pt].map(([k, t]) => [k.replace(/^(\d)/, (d) => `layers.${Number(d) / 2}`), t])))).toThrow(
      /transposed: if the state is in PyTorch's layout, load it with \{ layout: 'pytorch' \}/,
    );
    expect(() => net.loadStateDict(pt)).toThrow(/if the state is in PyTorch's layout/);
  });

  it('strict checks dtypes, naming the key; non-strict converts', () => {
    const net = new nn.Linear(2, 2, { seed: 1 });
    const sd = new Map<string, Tensor>([
      [
        'weight',
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float64' },
        ),
      ],
      ['bias', tensor([0.5, 0.25])],
    ]);
    expect(() => net.loadStateDict(sd)).toThrow(/'weight' is float32 in the module but float64 in the state; nothing was loaded/);
    net.loadStateDict(sd, { strict: false });
    expect(net.weight.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(net.weight.dtype).toBe('float32');
  });

  it('rejects what is not a state dict, and an unknown layout', () => {
    const net = new nn.Linear(2, 2);
    expect(() => net.loadStateDict(null as never)).toThrow(/Linear\.loadStateDict: expected a state dict/);
    expect(() => net.loadStateDict(new Map([['weight', [1, 2] as never]]))).toThrow(/the value of 'weight' is not a Tensor/);
    expect(() => net.loadStateDict(net.stateDict(), { layout: 'keras' as never })).toThrow(
      /layout must be one of 'tensorgrad', 'pytorch', got "keras"/,
    );
    expect(() => net.stateDict({ layout: 'keras' as never })).toThrow(/stateDict: layout must be one of/);
  });
});
