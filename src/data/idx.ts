/**
 * The IDX file format (the container of the MNIST and Fashion-MNIST files), read and written
 * from bytes. This module touches no file system and no Node built-in, so it runs in a browser;
 * `readIdxFile` in `./files.ts` adds reading from disk and transparent gunzip.
 *
 * Layout: a 4-byte magic `0x00 0x00 <type code> <number of dimensions>`, one big-endian int32
 * per dimension, then the elements in row-major order, big-endian for multi-byte types.
 */

/** The typed array that holds each IDX element type. */
export interface IdxTypedArrays {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** The element types of the IDX format: `'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'`. */
export type IdxDtype = keyof IdxTypedArrays;

/**
 * A decoded IDX array: its element type, its shape and its elements (row-major) in the
 * matching typed array. With the default type parameter this is a union discriminated by
 * `dtype`, so `if (a.dtype === 'uint8') a.data` is a `Uint8Array`.
 */
export type IdxArray<D extends IdxDtype = IdxDtype> = {
  [K in D]: { dtype: K; shape: number[]; data: IdxTypedArrays[K] };
}[D];

interface TypeInfo {
  code: number;
  dtype: IdxDtype;
  bytes: number;
}

const TYPES: readonly TypeInfo[] = [
  { code: 0x08, dtype: 'uint8', bytes: 1 },
  { code: 0x09, dtype: 'int8', bytes: 1 },
  { code: 0x0b, dtype: 'int16', bytes: 2 },
  { code: 0x0c, dtype: 'int32', bytes: 4 },
  { code: 0x0d, dtype: 'float32', bytes: 4 },
  { code: 0x0e, dtype: 'float64', bytes: 8 },
];

const BY_CODE = new Map<number, TypeInfo>(TYPES.map((t) => [t.code, t]));
const BY_DTYPE = new Map<IdxDtype, TypeInfo>(TYPES.map((t) => [t.dtype, t]));

/** The IDX element type codes, e.g. `IDX_TYPE_CODES.uint8 === 0x08`. */
export const IDX_TYPE_CODES: Readonly<Record<IdxDtype, number>> = Object.freeze({
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
});

const hex = (b: number): string => '0x' + b.toString(16).padStart(2, '0');
const knownCodes = (): string => TYPES.map((t) => `${hex(t.code)} (${t.dtype})`).join(', ');
const shapeText = (shape: readonly number[]): string => shape.join('×');

/** What an IDX header declares: element type, shape, and the sizes they imply. */
export interface IdxHeader {
  dtype: IdxDtype;
  shape: number[];
  /** Bytes of the header: 4 + 4 · dimensions. */
  headerBytes: number;
  /** Bytes of data the header declares: elements × element size. */
  dataBytes: number;
}

/**
 * Reads and checks just the header of an IDX file: enough of the file's start to know how big
 * the whole file must be (so a reader can refuse a huge or a lying file before reading it all).
 *
 * @param bytes the file's first bytes (at least the header: 4 + 4 · dimensions, ≤ 1024 bytes)
 * @throws Error naming `fileName` on a wrong magic number, an unknown type code, zero
 *   dimensions, a negative dimension, or a header shorter than it declares.
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * const h = data.readIdxHeader(data.writeIdx({ shape: [2, 3], data: new Uint8Array(6) }));
 * h.shape;     // [2, 3]
 * h.dataBytes; // 6
 * ```
 */
export function readIdxHeader(bytes: Uint8Array, fileName?: string): IdxHeader {
  const where = fileName ? `${fileName}: ` : 'readIdx: ';
  const fail = (message: string): never => {
    throw new Error(where + message);
  };
  if (!(bytes instanceof Uint8Array)) {
    fail(`expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  const n = bytes.length;
  if (n >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    fail('the bytes are gzip-compressed (they start with 0x1f 0x8b); decompress them first ' + '(readIdxFile does this for files on disk)');
  }
  if (n < 4) {
    fail(`truncated header: an IDX file starts with a 4-byte magic number, file has ${n} byte${n === 1 ? '' : 's'}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `wrong magic number: expected 0x00 0x00 <type> <ndims>, got ` +
        `${hex(bytes[0])} ${hex(bytes[1])} ${hex(bytes[2])} ${hex(bytes[3])} (is this an IDX file?)`,
    );
  }
  const info = BY_CODE.get(bytes[2]);
  if (info === undefined) {
    fail(`unknown element type code ${hex(bytes[2])} in the magic number; expected one of ${knownCodes()}`);
  }
  const type = info as TypeInfo;
  const ndims = bytes[3];
  if (ndims === 0) {
    fail('the header declares 0 dimensions; an IDX array needs at least 1');
  }
  const headerBytes = 4 + 4 * ndims;
  if (n < headerBytes) {
    fail(`truncated header: it declares ${ndims} dimension${ndims === 1 ? '' : 's'}, needing ${headerBytes} header bytes, ` + `file has ${n}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = new Array<number>(ndims);
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getInt32(4 + 4 * d, false);
    if (size < 0) fail(`dimension ${d} of the header is negative (${size})`);
    shape[d] = size;
    count *= size;
  }
  return { dtype: type.dtype, shape, headerBytes, dataBytes: count * type.bytes };
}

/**
 * Decodes an IDX array from its bytes.
 *
 * `uint8` and `int8` data are zero-copy views into `bytes`; multi-byte types are converted from
 * big-endian into a fresh typed array. Gzipped bytes are not accepted here (this function is
 * browser-safe): decompress them first, or use `readIdxFile`, which does it for you.
 *
 * @param bytes the whole file's contents
 * @param fileName named in error messages, so a user knows which file is corrupt
 * @throws Error on a wrong magic number, an unknown type code, zero dimensions, a negative
 *   dimension, a header shorter than declared, or a data size that disagrees with the header
 *   (truncated or trailing bytes); the message says what was expected and what was found.
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * const bytes = data.writeIdx({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
 * const a = data.readIdx(bytes);
 * a.dtype; // 'uint8'
 * a.shape; // [2, 3]
 * a.data;  // Uint8Array [1, 2, 3, 4, 5, 6]
 * ```
 */
export function readIdx(bytes: Uint8Array, fileName?: string): IdxArray {
  const where = fileName ? `${fileName}: ` : 'readIdx: ';
  const fail = (message: string): never => {
    throw new Error(where + message);
  };
  const { dtype, shape, headerBytes, dataBytes: expected } = readIdxHeader(bytes, fileName);
  const type = BY_DTYPE.get(dtype) as TypeInfo;
  const n = bytes.length;
  const count = expected / type.bytes;
  const actual = n - headerBytes;
  if (actual !== expected) {
    const declared = `header declares ${shapeText(shape)} ${type.dtype} = ${expected} data bytes`;
    if (actual < expected) fail(`truncated: ${declared}, file has ${actual}`);
    fail(`trailing bytes: ${declared}, file has ${actual} (${actual - expected} extra)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = bytes.byteOffset + headerBytes;
  switch (type.dtype) {
    case 'uint8':
      return { dtype: 'uint8', shape, data: new Uint8Array(bytes.buffer, offset, count) };
    case 'int8':
      return { dtype: 'int8', shape, data: new Int8Array(bytes.buffer, offset, count) };
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 2) out[i] = view.getInt16(p, false);
      return { dtype: 'int16', shape, data: out };
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 4) out[i] = view.getInt32(p, false);
      return { dtype: 'int32', shape, data: out };
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 4) out[i] = view.getFloat32(p, false);
      return { dtype: 'float32', shape, data: out };
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0, p = headerBytes; i < count; i++, p += 8) out[i] = view.getFloat64(p, false);
      return { dtype: 'float64', shape, data: out };
    }
  }
}

/** What `writeIdx` accepts: an `IdxArray`, or a typed array with its shape (dtype inferred). */
export interface IdxInput {
  /** The element type; inferred from `data`'s class when omitted. */
  dtype?: IdxDtype;
  /** The dimensions; `[data.length]` when omitted. */
  shape?: readonly number[];
  /** The elements in row-major order. */
  data: IdxTypedArrays[IdxDtype];
}

/**
 * Encodes an array in the IDX format (big-endian), the inverse of `readIdx`.
 *
 * @throws Error if the shape has no dimensions or more than 255, a dimension is not an integer
 *   in [0, 2^31), the shape's element count differs from `data.length`, or `dtype` is unknown.
 *
 * @example
 * ```ts
 * import { data } from 'tensorgrad';
 * const bytes = data.writeIdx({ shape: [2, 2], data: new Float32Array([0.5, 1, 1.5, 2]) });
 * bytes.length;                      // 4 + 2·4 + 4·4 = 28
 * data.readIdx(bytes).dtype;         // 'float32'
 * ```
 */
export function writeIdx(array: IdxInput): Uint8Array {
  const data = array.data;
  const dtype = array.dtype ?? inferDtype(data);
  const info = BY_DTYPE.get(dtype);
  if (info === undefined) {
    throw new Error(`writeIdx: unknown dtype ${JSON.stringify(dtype)}; expected one of ${TYPES.map((t) => t.dtype).join(', ')}`);
  }
  const shape = array.shape ?? [data.length];
  if (shape.length === 0 || shape.length > 255) {
    throw new Error(`writeIdx: an IDX array needs 1 to 255 dimensions, got shape [${shape.join(', ')}]`);
  }
  let count = 1;
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0 || s > 0x7fffffff) {
      throw new Error(`writeIdx: dimensions must be integers in [0, 2^31), got shape [${shape.join(', ')}]`);
    }
    count *= s;
  }
  if (count !== data.length) {
    throw new Error(`writeIdx: shape [${shape.join(', ')}] holds ${count} elements but data has ${data.length}`);
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * info.bytes);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = shape.length;
  for (let d = 0; d < shape.length; d++) view.setInt32(4 + 4 * d, shape[d], false);
  const p0 = headerBytes;
  switch (info.dtype) {
    case 'uint8':
      for (let i = 0; i < count; i++) out[p0 + i] = data[i];
      break;
    case 'int8':
      for (let i = 0; i < count; i++) view.setInt8(p0 + i, data[i]);
      break;
    case 'int16':
      for (let i = 0; i < count; i++) view.setInt16(p0 + 2 * i, data[i], false);
      break;
    case 'int32':
      for (let i = 0; i < count; i++) view.setInt32(p0 + 4 * i, data[i], false);
      break;
    case 'float32':
      for (let i = 0; i < count; i++) view.setFloat32(p0 + 4 * i, data[i], false);
      break;
    case 'float64':
      for (let i = 0; i < count; i++) view.setFloat64(p0 + 8 * i, data[i], false);
      break;
  }
  return out;
}

function inferDtype(data: unknown): IdxDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new Error(
    `writeIdx: cannot infer the IDX dtype of ${describe(data)}; pass a Uint8Array, Int8Array, Int16Array, ` +
      `Int32Array, Float32Array or Float64Array, or give dtype`,
  );
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}
