import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor, type Tensor } from '../src/index.js';
import { decodeSafetensors, encodeSafetensors } from '../src/nn/safetensors.js';

/** Builds a file from a raw header (object or exact string) and data bytes, with the 8-byte length prefix. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), headerLenOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLenOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (n: number, shape: number[]): Record<string, unknown> => ({ dtype: 'F32', shape, data_offsets: [0, n] });

describe('safetensors encoding', () => {
  it('writes the documented layout: u64 LE header length, space-padded JSON, LE tensor bytes', () => {
    const bytes = encodeSafetensors({ w: tensor([1.5, -2], { dtype: 'float32' }) }, { sizes: '2,1' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd()).toBe('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"sizes":"2,1"}}');
    expect(/^[^ ]*\s*$/.test(text.replace(/"[^"]*"/g, ''))).toBe(true); // padding is spaces only
    expect(bytes.length).toBe(8 + n + 8);
    expect(view.getFloat32(8 + n, true)).toBe(1.5);
    expect(view.getFloat32(8 + n + 4, true)).toBe(-2);
  });

  it('round-trips tensors of any shape (0-d and empty included) and both dtypes, with metadata', () => {
    const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
    const entryArb = fc.record({
      name: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'),
      shape: shapeArb,
      dtype: fc.constantFrom('float32' as const, 'float64' as const),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(entryArb, { selector: (e) => e.name, maxLength: 5 }),
        fc.dictionary(
          fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
          fc.string({ maxLength: 16 }),
          { maxKeys: 4 },
        ),
        fc.boolean(),
        (entries, metadata, asRecord) => {
          const pairs: [string, Tensor][] = entries.map(({ name, shape, dtype, seed }) => {
            const size = shape.reduce((a, b) => a * b, 1);
            const data = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
            for (let i = 0; i < size; i++) data[i] = Math.sin(seed + i * 1.7) * 1e3 + (i % 3 === 0 ? 1e-30 : 0);
            return [name, tensor(data, { shape, dtype })];
          });
          const input = asRecord ? Object.fromEntries(pairs) : pairs;
          const bytes = encodeSafetensors(input, metadata);
          expect((Number(new DataView(bytes.buffer).getBigUint64(0, true)) + 8) % 8).toBe(0);
          const { tensors, metadata: meta } = decodeSafetensors(bytes);
          expect(meta).toEqual(metadata);
          expect([...tensors.keys()].sort()).toEqual(pairs.map(([n]) => n).sort());
          for (const [name, t] of pairs) {
            const back = tensors.get(name)!;
            expect(back.shape).toEqual(t.shape);
            expect(back.dtype).toBe(t.dtype);
            expect(Array.from(back.data)).toEqual(Array.from(t.data));
            expect(back.data).not.toBe(t.data);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a tensor named "__proto__" is written and read back (regression: it was dropped from the header)', () => {
    // fast-check counterexample { seed: -761139910, path: "66:83:82:82:82:81:81" }
    for (const input of [[['__proto__', tensor(1.5)]] as [string, Tensor][], Object.fromEntries([['__proto__', tensor(1.5)]])]) {
      const { tensors } = decodeSafetensors(encodeSafetensors(input));
      expect([...tensors.keys()]).toEqual(['__proto__']);
      expect(tensors.get('__proto__')!.item()).toBe(1.5);
    }
  });

  it('decodes from an ArrayBuffer and from a Uint8Array view at an odd offset', () => {
    const bytes = encodeSafetensors([['a', tensor([[1, 2, 3]], { dtype: 'float64' })]]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeSafetensors(shifted.subarray(3)).tensors.get('a')!.toArray()).toEqual([[1, 2, 3]]);
    expect(decodeSafetensors(bytes.slice().buffer).tensors.get('a')!.shape).toEqual([1, 3]);
  });

  it('rejects bad input to the encoder', () => {
    const t = tensor([1]);
    expect(() =>
      encodeSafetensors([
        ['a', t],
        ['a', t],
      ]),
    ).toThrow(/duplicate tensor name "a"/);
    expect(() => encodeSafetensors({ __metadata__: t })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ '': t })).toThrow(/non-empty/);
    expect(() => encodeSafetensors({ a: t }, { n: 3 as unknown as string })).toThrow(/metadata value of "n" must be a string/);
    expect(() => encodeSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow(/"a" is not a Tensor/);
  });
});

describe('safetensors validation: every corruption says what is wrong', () => {
  const good = encodeSafetensors(
    {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: tensor([5, 6]),
    },
    { k: 'v' },
  );

  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', new Uint8Array(5), /5 bytes, too short/],
    ['header length beyond the file', craft('{}', new Uint8Array(0), 1000n), /header length 1000 reaches beyond the end of the file \(10 bytes/],
    ['a huge header length', craft('{}', new Uint8Array(0), 2n ** 63n), /reaches beyond the end/],
    ['truncated file', good.subarray(0, good.length - 4), /beyond the \d+ data bytes|trailing|truncated/],
    ['bad JSON', craft('{"w": {"dtype": "F32",'), /not valid JSON/],
    ['header not starting with {', craft('  [1, 2]'), /must be a JSON object starting with "\{"/],
    ['header a JSON array', craft('[]'), /JSON object/],
    ['header JSON null padded', craft('null    '), /JSON object/],
    ['invalid UTF-8 header', craft('{"ab":1}').map((b, i) => (i === 10 ? 0xff : b)), /header is not valid UTF-8/],
    [
      'unknown dtype',
      craft({ w: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /tensor "w" has dtype "BF16", which is not supported \(only F32, F64\)/,
    ],
    ['missing dtype', craft({ w: { shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "w" has no string "dtype"/],
    ['prototype-name dtype', craft({ w: { dtype: 'constructor', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), /not supported/],
    ['bad shape', craft({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "w" has shape \[2,-1\]/],
    ['bad offsets', craft({ w: { dtype: 'F32', shape: [2], data_offsets: [0] } }, new Uint8Array(8)), /data_offsets \[0\]; expected \[begin, end\]/],
    ['offsets past the data', craft({ w: f32(16, [4]) }, new Uint8Array(8)), /data_offsets \[0, 16\] beyond the 8 data bytes/],
    ['reversed offsets', craft({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, new Uint8Array(8)), /end is before begin/],
    ['size not matching shape × dtype', craft({ w: f32(8, [3]) }, new Uint8Array(8)), /\(8 bytes\) but shape \[3\] of F32 needs 3 × 4 = 12 bytes/],
    [
      'overlapping tensors',
      craft({ a: f32(8, [2]), b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
      /tensor "b" \[4, 12\] overlaps tensor "a" \[0, 8\]/,
    ],
    [
      'a gap between tensors',
      craft({ a: f32(4, [1]), b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)),
      /4 bytes at data offset 4 belong to no tensor \(gap before "b" at 8\)/,
    ],
    ['trailing bytes', craft({ a: f32(4, [1]) }, new Uint8Array(12)), /8 trailing bytes after the last tensor/],
    ['non-string metadata', craft({ __metadata__: { epochs: 3 } }), /"__metadata__" value of "epochs" must be a string, got 3/],
    ['metadata not an object', craft({ __metadata__: 'x' }), /"__metadata__" must be an object/],
    ['entry not an object', craft({ w: 7 }), /entry "w" must be an object/],
  ];

  for (const [name, bytes, message] of cases) {
    it(name, () => {
      expect(() => decodeSafetensors(bytes, 'model.safetensors')).toThrow(message);
      expect(() => decodeSafetensors(bytes, 'model.safetensors')).toThrow(/^decodeSafetensors: model\.safetensors: /);
    });
  }

  it('accepts the good file the corruptions were made from', () => {
    const { tensors, metadata } = decodeSafetensors(good);
    expect(tensors.get('w')!.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(metadata).toEqual({ k: 'v' });
  });

  it('flipping any single header-length byte never decodes silently into something else', () => {
    for (let i = 0; i < 8; i++) {
      const bad = good.slice();
      bad[i] ^= 0x40;
      expect(() => decodeSafetensors(bad)).toThrow(/decodeSafetensors/);
    }
  });
});

describe('safetensors: hostile headers', () => {
  const good = (): Record<string, unknown> => ({ w: f32(8, [2]) });
  const data = new Uint8Array(8);

  it('rejects a duplicate key, at the top level, in an entry, and in the metadata', () => {
    const dupTensor = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expect(() => decodeSafetensors(craft(dupTensor, data))).toThrow(/header has the key "w" twice in one object/);
    const dupField = '{"w":{"dtype":"F32","shape":[2],"dtype":"F64","data_offsets":[0,8]}}';
    expect(() => decodeSafetensors(craft(dupField, data))).toThrow(/the key "dtype" twice/);
    const dupMeta = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"activation":"sigmoid","activation":"relu"}}';
    expect(() => decodeSafetensors(craft(dupMeta, data))).toThrow(/the key "activation" twice/);
    // Same key spelled with an escape is the same key.
    const escaped = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"\\u0077":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expect(() => decodeSafetensors(craft(escaped, data))).toThrow(/the key "w" twice/);
    // The same key in two different objects is fine.
    const { tensors } = decodeSafetensors(craft({ ...good(), __metadata__: { dtype: 'x', shape: 'y' } }, data));
    expect([...tensors.keys()]).toEqual(['w']);
  });

  it('rejects deep nesting before parsing, with a short message, and no stack overflow', () => {
    const deep = `{"w":{"dtype":"F32","shape":${'['.repeat(100_000)}${']'.repeat(100_000)},"data_offsets":[0,8]}}`;
    expect(() => decodeSafetensors(craft(deep, data))).toThrow(/header nests deeper than 16 levels/);
    expect(() => decodeSafetensors(craft('{"a":' + '{"a":'.repeat(50) + '1' + '}'.repeat(51), data))).toThrow(/deeper than 16/);
  });

  it('keeps error messages short when names and values are huge', () => {
    const long = 'x'.repeat(1_000_000);
    let message = '';
    try {
      decodeSafetensors(craft({ [long]: { dtype: long, shape: [2], data_offsets: [0, 8] } }, data), 'f.safetensors');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^decodeSafetensors: f\.safetensors: tensor "xxx.*…/);
    expect(message.length).toBeLessThan(400);
  });
});
