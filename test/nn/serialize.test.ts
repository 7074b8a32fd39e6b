/**
 * Whole modules to safetensors and back: bit-identical round trips in both layouts (bytes and
 * files), PyTorch's layout checked against a hand-written header and the format's rules (no
 * Python `safetensors`/`torch` on this machine), files laid out as torch's writer does
 * loading, and errors naming the file. Also: the browser-safe core has no file-system code.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nn, optim, randn, tensor, type Tensor } from '../../src/index.js';
import * as core from '../../src/core.js';

const dir = mkdtempSync(join(tmpdir(), 'tg-serialize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bits = (t: Tensor): number[] => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));

/** A model with every kind of state: Linear (float32 and float64), MLP, LayerNorm, BatchNorm buffers. */
class Model extends nn.Module {
  readonly body = this.registerModule(
    'body',
    new nn.Sequential(new nn.Linear(4, 6, { seed: 1, init: 'he' }), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.LayerNorm(6)),
  );
  readonly head = this.registerModule('head', new nn.MLP([6, 5, 3], { seed: 2, activation: 'tanh' }));
  readonly extra = this.registerModule('extra', new nn.Linear(3, 2, { seed: 3, dtype: 'float64' }));
  forward(x: Tensor): Tensor {
    return this.extra.forward(this.head.forward(this.body.forward(x)).astype('float64'));
  }
}

/** A trained model, so no value is still at its initialisation (running statistics included). */
function trained(): Model {
  const m = new Model();
  const opt = new optim.Adam(m.parameters(), { lr: 0.05 });
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    m.forward(randn([8, 4], { seed: s }))
      .square()
      .mean()
      .backward();
    opt.step();
  }
  // values whose bits a careless copy would change
  const w = m.head.layers[0].weight.data;
  w[0] = -0;
  w[1] = 1.4e-45;
  w[2] = Infinity;
  w[3] = -3.4028234663852886e38;
  w[4] = NaN;
  return m;
}

function expectSameBits(a: nn.Module, b: nn.Module): void {
  const sa = [...a.stateDict()],
    sb = [...b.stateDict()];
  expect(sb.map(([k]) => k)).toEqual(sa.map(([k]) => k));
  sa.forEach(([k, t], i) => {
    expect(sb[i][1].dtype, k).toBe(t.dtype);
    expect(bits(sb[i][1]), k).toEqual(bits(t));
  });
}

describe('round trips are bit-identical', () => {
  for (const layout of ['tensorgrad', 'pytorch'] as const) {
    it(`${layout} layout: bytes and files, the layout read back from the metadata`, () => {
      const a = trained();
      const bytes = nn.moduleToBytes(a, { layout, metadata: { note: 'hello' } });
      const b = new Model();
      const r = nn.moduleFromBytes(b, bytes);
      expect(r).toMatchObject({ layout, missingKeys: [], unexpectedKeys: [], metadata: { note: 'hello', 'tensorgrad.layout': layout } });
      expectSameBits(a, b);

      const path = join(dir, `model-${layout}.safetensors`);
      nn.save(a, path, { layout, metadata: { note: 'hello' } });
      expect(readFileSync(path)).toEqual(Buffer.from(bytes));
      const c = new Model();
      expect(nn.load(c, path).layout).toBe(layout);
      expectSameBits(a, c);
      // the same outputs, in evaluation mode (running statistics) and in training mode
      const x = randn([5, 4], { seed: 9 });
      expect(c.eval().forward(x).toArray()).toEqual(a.eval().forward(x).toArray());
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('an explicit layout overrides the metadata, and a wrong one fails naming the file', () => {
    const a = trained();
    const path = join(dir, 'pt.safetensors');
    nn.save(a, path, { layout: 'pytorch' });
    expect(() => nn.load(new Model(), path, { layout: 'tensorgrad' })).toThrow(
      new RegExp(
        `${path.replace(/[.\\/]/g, '\\$&')}: Model\\.loadStateDict: 'body\\.0\\.weight' has shape \\[4,6\\] in the module but \\[6,4\\] in the state \\(transposed`,
      ),
    );
    expect(() => nn.load(new Model(), path, { layout: 'tensorgrad', strict: false })).toThrow(/'body\.0\.weight' has shape/); // shapes are checked either way
  });
});

/** Reads a safetensors file by the format's rules, independently of `decodeSafetensors`. */
function parseByTheRules(bytes: Uint8Array): { header: Record<string, unknown>; headerText: string; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  expect((8 + n) % 8).toBe(0); // the writer pads the header so the data starts 8-aligned
  const headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  expect(headerText.startsWith('{')).toBe(true);
  expect(/^[^ ]*\}( *)$/.test(headerText)).toBe(true); // padded with spaces only
  const header = JSON.parse(headerText) as Record<string, unknown>;
  const data = bytes.subarray(8 + n);
  // the tensors tile the data exactly, each [begin, end) = shape × 4 bytes (F32) or 8 (F64)
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] },
  ][];
  const spans = entries.map(([, e]) => e.data_offsets).sort((x, y) => x[0] - y[0]);
  let pos = 0;
  for (const [b, e] of spans) {
    expect(b).toBe(pos);
    pos = e;
  }
  expect(pos).toBe(data.length);
  for (const [, e] of entries) {
    expect(['F32', 'F64']).toContain(e.dtype);
    expect(e.data_offsets[1] - e.data_offsets[0]).toBe(e.shape.reduce((a, b) => a * b, 1) * (e.dtype === 'F32' ? 4 : 8));
  }
  for (const v of Object.values((header.__metadata__ ?? {}) as Record<string, unknown>)) expect(typeof v).toBe('string');
  return { header, headerText, data };
}

describe("PyTorch's layout", () => {
  it('writes the header torch.nn.Sequential(Linear(3, 2), Sigmoid(), Linear(2, 1), Sigmoid()) loads, to the byte', () => {
    const net = new nn.MLP([3, 2, 1], { seed: 4 });
    const bytes = nn.moduleToBytes(net, { layout: 'pytorch' });
    const { headerText, data } = parseByTheRules(bytes);
    // torch's state_dict() of that Sequential: 0.weight [2, 3], 0.bias [2], 2.weight [1, 2], 2.bias [1], float32
    const expected =
      '{"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},' +
      '"0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},' +
      '"2.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[32,40]},' +
      '"2.bias":{"dtype":"F32","shape":[1],"data_offsets":[40,44]},' +
      '"__metadata__":{"tensorgrad.layout":"pytorch","format":"pt"}}';
    expect(headerText.trimEnd()).toBe(expected);
    expect(headerText.length).toBe(Math.ceil((8 + expected.length) / 8) * 8 - 8);
    // the data: W0ᵀ row-major (torch's [out, in]), b0, W1ᵀ, b1, little-endian float32
    const f = new Float32Array(data.slice().buffer);
    const [l0, l1] = net.layers;
    const w0 = l0.weight.data; // ours: [3, 2]
    expect(Array.from(f.subarray(0, 6))).toEqual([w0[0], w0[2], w0[4], w0[1], w0[3], w0[5]]);
    expect(Array.from(f.subarray(6, 8))).toEqual(Array.from(l0.bias!.data));
    expect(Array.from(f.subarray(8, 10))).toEqual(Array.from(l1.weight.data));
    expect(Array.from(f.subarray(10, 11))).toEqual(Array.from(l1.bias!.data));
  });

  it("loads a file laid out as torch's writer does (metadata first, tensors in another order, no layout key)", () => {
    // safetensors.torch.save_file(Sequential(Linear(2, 3), ReLU(), Linear(3, 1)).state_dict(), path, {'format': 'pt'}),
    // written by hand: header keys in the writer's order, data in another order than the keys.
    const w0 = [0.5, -1, 2, 0.25, -0.75, 1.5]; // [3, 2]
    const b0 = [0.1, 0.2, 0.3],
      w1 = [1, -2, 3],
      b1 = [-0.5];
    const header = {
      __metadata__: { format: 'pt' },
      '0.bias': { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      '0.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [12, 36] },
      '2.bias': { dtype: 'F32', shape: [1], data_offsets: [36, 40] },
      '2.weight': { dtype: 'F32', shape: [1, 3], data_offsets: [40, 52] },
    };
    let json = JSON.stringify(header);
    json += ' '.repeat(Math.ceil((8 + json.length) / 8) * 8 - 8 - json.length);
    const file = new Uint8Array(8 + json.length + 52);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(new TextEncoder().encode(json), 8);
    file.set(new Uint8Array(Float32Array.from([...b0, ...w0, ...b1, ...w1]).buffer), 8 + json.length);
    const path = join(dir, 'from-torch.safetensors');
    writeFileSync(path, file);

    const net = new nn.Sequential(new nn.Linear(2, 3, { seed: 7 }), new nn.ReLU(), new nn.Linear(3, 1, { seed: 8 }));
    expect(nn.load(net, path).layout).toBe('pytorch'); // from format: 'pt'
    const [first, , last] = net.layers as [nn.Linear, nn.Module, nn.Linear];
    expect(first.weight.toArray()).toEqual([
      [0.5, 2, -0.75],
      [-1, 0.25, 1.5],
    ]); // [in, out] = w0ᵀ
    expect(Array.from(first.bias!.data)).toEqual(Array.from(Float32Array.from(b0)));
    expect(last.weight.toArray()).toEqual([[1], [-2], [3]]);
    expect(last.bias!.toArray()).toEqual([-0.5]);
    // torch computes relu(x·W0ᵀ + b0)·W1ᵀ + b1; so do we
    const x = tensor([[1, 2]]);
    const h = [0, 1, 2].map((j) => Math.max(0, 1 * w0[2 * j] + 2 * w0[2 * j + 1] + b0[j]));
    expect(net.forward(x).item()).toBeCloseTo(h[0] * w1[0] + h[1] * w1[1] + h[2] * w1[2] + b1[0], 5);
  });
});

describe('errors name the file', () => {
  it('missing, truncated, or with a bad layout in its metadata', () => {
    const m = new nn.Linear(2, 2);
    const missing = join(dir, 'nope.safetensors');
    expect(() => nn.load(m, missing)).toThrow(`nn.load: cannot read ${missing}: no such file`);
    const good = nn.moduleToBytes(m);
    const cut = join(dir, 'cut.safetensors');
    writeFileSync(cut, good.subarray(0, good.length - 3));
    expect(() => nn.load(m, cut)).toThrow(new RegExp(`decodeSafetensors: ${cut.replace(/[.\\/]/g, '\\$&')}: `));
    const odd = join(dir, 'odd.safetensors');
    writeFileSync(odd, nn.encodeSafetensors([...m.stateDict()], { 'tensorgrad.layout': 'keras' }));
    expect(() => nn.load(m, join(dir, 'odd.safetensors'))).toThrow(
      /metadata 'tensorgrad\.layout': layout must be one of 'tensorgrad', 'pytorch', got "keras"/,
    );
    expect(() => nn.save(m, join(dir, 'no-such-dir', 'x.safetensors'))).toThrow(/nn\.save: cannot write .*no-such-dir.*x\.safetensors/);
    expect(() => nn.moduleToBytes(m, { layout: 'onnx' as never })).toThrow(/moduleToBytes: layout must be one of/);
  });
});

describe('the browser-safe core', () => {
  it('has the byte functions but not the file ones', () => {
    expect(typeof core.nn.moduleToBytes).toBe('function');
    expect('save' in core.nn || 'load' in core.nn).toBe(false);
    expect(typeof nn.save).toBe('function');
  });

  it('no file under src/autograd, src/nn or src/optim imports Node modules or src/data', () => {
    const root = join(import.meta.dirname, '../../src');
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /^(?:import|export)\b[^;]*from '(?:node:|(?:\.\.\/)+data\/)/m.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const sub of ['autograd', 'nn', 'optim']) walk(join(root, sub));
    expect(offenders).toEqual([]);
  });
});
