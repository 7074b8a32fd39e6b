import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readIdxFile } from '../../src/data/files.js';
import { IDX_TYPE_CODES, readIdx, writeIdx, type IdxDtype, type IdxTypedArrays } from '../../src/data/idx.js';

const CTORS: { [K in IdxDtype]: new (values: number[]) => IdxTypedArrays[K] } = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

const VALUES: Record<IdxDtype, fc.Arbitrary<number>> = {
  uint8: fc.integer({ min: 0, max: 255 }),
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer({ min: -2147483648, max: 2147483647 }),
  float32: fc.float(), // includes NaN, ±0, ±Infinity, subnormals
  float64: fc.double(),
};

const DTYPES = Object.keys(CTORS) as IdxDtype[];

/** Element-wise equality with Object.is, so NaN equals NaN and -0 differs from 0. */
function sameElements(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** An IDX file's bytes built by hand (big-endian), independent of writeIdx. */
function header(code: number, dims: number[]): number[] {
  const out = [0, 0, code, dims.length];
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return out;
}

describe('readIdx / writeIdx round trips', () => {
  const shapes = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 300);

  for (const dtype of DTYPES) {
    it(`round-trips ${dtype} arrays of any shape (type code 0x${IDX_TYPE_CODES[dtype].toString(16)})`, () => {
      const arrays = shapes.chain((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc.tuple(fc.constant(shape), fc.array(VALUES[dtype], { minLength: n, maxLength: n }));
      });
      fc.assert(
        fc.property(arrays, fc.integer({ min: 0, max: 7 }), ([shape, values], pad) => {
          const data = new CTORS[dtype](values);
          const bytes = writeIdx({ dtype, shape, data });
          expect(bytes[2]).toBe(IDX_TYPE_CODES[dtype]);
          expect(bytes[3]).toBe(shape.length);
          // Read it back from an unaligned offset inside a larger buffer too.
          const host = new Uint8Array(bytes.length + pad + 3);
          host.set(bytes, pad);
          for (const view of [bytes, host.subarray(pad, pad + bytes.length)]) {
            const back = readIdx(view);
            expect(back.dtype).toBe(dtype);
            expect(back.shape).toEqual(shape);
            expect(back.data).toBeInstanceOf(CTORS[dtype]);
            expect(sameElements(back.data, data)).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('writes big-endian bytes that match a hand-built file', () => {
    const bytes = writeIdx({ dtype: 'int16', shape: [2], data: new Int16Array([0x0102, -2]) });
    expect([...bytes]).toEqual([...header(0x0b, [2]), 0x01, 0x02, 0xff, 0xfe]);
    const f = readIdx(new Uint8Array([...header(0x0d, [1]), 0x3f, 0x80, 0, 0]));
    expect(f).toEqual({ dtype: 'float32', shape: [1], data: new Float32Array([1]) });
    const d = readIdx(new Uint8Array([...header(0x0e, [1]), 0xc0, 0, 0, 0, 0, 0, 0, 0]));
    expect(d.data[0]).toBe(-2);
    const i = readIdx(new Uint8Array([...header(0x0c, [1]), 0xff, 0xff, 0xff, 0xfe]));
    expect(i.data[0]).toBe(-2);
  });

  it('returns uint8 data as a zero-copy view of the bytes', () => {
    const bytes = writeIdx({ shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) });
    const a = readIdx(bytes);
    expect(a.data.buffer).toBe(bytes.buffer);
    expect(a.data.byteOffset).toBe(12);
    expect(a.data.constructor).toBe(Uint8Array);
  });

  it('infers the dtype and a 1-D shape when omitted', () => {
    const a = readIdx(writeIdx({ data: new Float64Array([1.5, -2.25, 3]) }));
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([3]);
  });

  it('rejects inconsistent arrays in writeIdx', () => {
    expect(() => writeIdx({ shape: [2, 3], data: new Uint8Array(5) })).toThrow('writeIdx: shape [2, 3] holds 6 elements but data has 5');
    expect(() => writeIdx({ shape: [], data: new Uint8Array(1) })).toThrow(/1 to 255 dimensions/);
    expect(() => writeIdx({ shape: [-1], data: new Uint8Array(0) })).toThrow(/integers in \[0, 2\^31\)/);
    expect(() => writeIdx({ shape: [1.5], data: new Uint8Array(1) })).toThrow(/integers in \[0, 2\^31\)/);
    expect(() => writeIdx({ dtype: 'uint16' as IdxDtype, data: new Uint8Array(1) })).toThrow(/unknown dtype "uint16"/);
    expect(() => writeIdx({ data: [1, 2] as unknown as Uint8Array })).toThrow(/cannot infer the IDX dtype of Array/);
  });
});

describe('readIdx validation', () => {
  const name = 'train-images-idx3-ubyte';

  it('reports a truncated file with expected vs actual sizes (the MNIST example)', () => {
    const bytes = new Uint8Array(16 + 47039000);
    bytes.set(header(0x08, [60000, 28, 28]));
    expect(() => readIdx(bytes, name)).toThrow(
      'train-images-idx3-ubyte: truncated: header declares 60000×28×28 uint8 = 47040000 data bytes, file has 47039000',
    );
  });

  it('reports truncated multi-byte data in bytes', () => {
    const bytes = new Uint8Array([...header(0x0d, [3, 2]), ...new Array(23).fill(0)]);
    expect(() => readIdx(bytes, 'x.idx')).toThrow('x.idx: truncated: header declares 3×2 float32 = 24 data bytes, file has 23');
  });

  it('reports trailing bytes', () => {
    const bytes = new Uint8Array([...header(0x08, [2, 2]), 1, 2, 3, 4, 5, 6]);
    expect(() => readIdx(bytes, name)).toThrow(
      'train-images-idx3-ubyte: trailing bytes: header declares 2×2 uint8 = 4 data bytes, file has 6 (2 extra)',
    );
  });

  it('reports a wrong magic number', () => {
    const bytes = new Uint8Array([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]);
    expect(() => readIdx(bytes, name)).toThrow(
      'train-images-idx3-ubyte: wrong magic number: expected 0x00 0x00 <type> <ndims>, got 0x12 0x34 0x08 0x01 (is this an IDX file?)',
    );
  });

  it('reports gzip-compressed bytes with a hint', () => {
    const gz = gzipSync(writeIdx({ data: new Uint8Array([1, 2]) }));
    expect(() => readIdx(new Uint8Array(gz), name)).toThrow(/gzip-compressed \(they start with 0x1f 0x8b\).*readIdxFile/);
  });

  it('reports an unknown element type code and lists the known ones', () => {
    const bytes = new Uint8Array([...header(0x0a, [1]), 0]);
    expect(() => readIdx(bytes, name)).toThrow(
      'train-images-idx3-ubyte: unknown element type code 0x0a in the magic number; expected one of ' +
        '0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32), 0x0e (float64)',
    );
  });

  it('reports a zero dimension count', () => {
    expect(() => readIdx(new Uint8Array([0, 0, 8, 0, 1]), name)).toThrow(
      'train-images-idx3-ubyte: the header declares 0 dimensions; an IDX array needs at least 1',
    );
  });

  it('reports a negative dimension', () => {
    const bytes = new Uint8Array([...header(0x08, [2, 0xfffffffd])]);
    expect(() => readIdx(bytes, name)).toThrow('train-images-idx3-ubyte: dimension 1 of the header is negative (-3)');
  });

  it('reports a header shorter than declared', () => {
    const bytes = new Uint8Array([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0]);
    expect(() => readIdx(bytes, name)).toThrow(
      'train-images-idx3-ubyte: truncated header: it declares 3 dimensions, needing 16 header bytes, file has 10',
    );
    expect(() => readIdx(new Uint8Array([0, 0, 8]), name)).toThrow(
      'train-images-idx3-ubyte: truncated header: an IDX file starts with a 4-byte magic number, file has 3 bytes',
    );
    expect(() => readIdx(new Uint8Array(0))).toThrow('readIdx: truncated header');
  });

  it('accepts empty dimensions', () => {
    expect(readIdx(new Uint8Array(header(0x0c, [0, 5])))).toEqual({ dtype: 'int32', shape: [0, 5], data: new Int32Array(0) });
  });

  it('rejects a non-Uint8Array argument', () => {
    expect(() => readIdx([0, 0, 8, 1] as unknown as Uint8Array)).toThrow(/expected the file's bytes as a Uint8Array, got Array/);
  });
});

describe('readIdxFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-idx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const original = writeIdx({ dtype: 'int16', shape: [3, 2], data: new Int16Array([1, -2, 300, -400, 5, 32767]) });

  it('reads a plain file', () => {
    const p = join(dir, 'plain-idx2-short');
    writeFileSync(p, original);
    const a = readIdxFile(p);
    expect(a.shape).toEqual([3, 2]);
    expect([...a.data]).toEqual([1, -2, 300, -400, 5, 32767]);
  });

  it('reads a gzipped file named .gz', () => {
    const p = join(dir, 'data-idx2-short.gz');
    writeFileSync(p, gzipSync(original));
    expect(readIdxFile(p)).toEqual(readIdx(original));
  });

  it('detects gzip by its magic number whatever the name', () => {
    const p = join(dir, 'no-suffix');
    writeFileSync(p, gzipSync(original));
    expect(readIdxFile(p)).toEqual(readIdx(original));
  });

  it('returns uint8 data as a plain Uint8Array', () => {
    const p = join(dir, 'bytes-idx1-ubyte.gz');
    writeFileSync(p, gzipSync(writeIdx({ data: new Uint8Array([9, 8, 7]) })));
    const a = readIdxFile(p);
    expect(a.data.constructor).toBe(Uint8Array);
    expect([...a.data]).toEqual([9, 8, 7]);
  });

  it('names the file in errors', () => {
    const missing = join(dir, 'missing-idx1-ubyte');
    expect(() => readIdxFile(missing)).toThrow(`${missing}: cannot read: no such file`);
    expect(() => readIdxFile(dir)).toThrow(`${dir}: cannot read: is a directory, not a file`);

    const notGz = join(dir, 'fake.gz');
    writeFileSync(notGz, original);
    expect(() => readIdxFile(notGz)).toThrow(`${notGz}: the name ends in .gz but the file is not gzip-compressed`);

    const corrupt = join(dir, 'corrupt.gz');
    const gz = gzipSync(original);
    writeFileSync(corrupt, gz.subarray(0, gz.length - 6));
    expect(() => readIdxFile(corrupt)).toThrow(`${corrupt}: corrupt gzip data:`);

    const truncated = join(dir, 'truncated-idx2.gz');
    writeFileSync(truncated, gzipSync(original.subarray(0, original.length - 1)));
    expect(() => readIdxFile(truncated)).toThrow(`${truncated}: truncated: header declares 3×2 int16 = 12 data bytes, file has 11`);
  });
});
