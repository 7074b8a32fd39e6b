/**
 * The safetensors file format (https://github.com/huggingface/safetensors), encoded and decoded
 * in memory. Pure functions over bytes: no file system, so this runs in a browser too.
 *
 * Layout of a file:
 *
 * 1. 8 bytes: `N`, the length of the header, an unsigned little-endian 64-bit integer;
 * 2. `N` bytes: a UTF-8 JSON object
 *    `{ "<name>": { "dtype": "F32" | "F64", "shape": [...], "data_offsets": [begin, end] }, …,
 *    "__metadata__": { "<key>": "<string>", … } }`, padded with spaces so that `8 + N` is a
 *    multiple of 8;
 * 3. the tensor bytes, little-endian, each tensor at `[begin, end)` relative to the end of the
 *    header, back to back, covering the rest of the file exactly.
 */
import { tensor } from '../autograd/creation.js';
import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../autograd/dtype.js';

/** The safetensors dtype codes this module reads and writes, with their tensorgrad dtypes. */
const CODES: Readonly<Record<string, { dtype: DType; bytes: number }>> = Object.freeze({
  F32: { dtype: 'float32', bytes: 4 },
  F64: { dtype: 'float64', bytes: 8 },
});

/** The largest header accepted by `decodeSafetensors` (100 MB, as the reference implementation). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/**
 * The deepest JSON nesting accepted in a header. A valid header nests three levels (the header
 * object, a tensor entry, its shape array); the bound stops a hostile header from exhausting the
 * stack in the parser or in an error message.
 */
export const SAFETENSORS_MAX_DEPTH = 16;

/** The longest piece of the file quoted in an error message (a name or a value can be megabytes). */
const QUOTE_LIMIT = 80;

/** `JSON.stringify(v)` cut to `QUOTE_LIMIT` characters, for error messages. */
function quote(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
}

/**
 * Checks a header's JSON text without building it: nesting at most `maxDepth` deep, and no
 * object with the same key twice (the format forbids duplicates; `JSON.parse` would silently keep
 * the last one, so a second "activation" could switch a model's behaviour). One linear pass with
 * an explicit stack, no recursion. Returns an error message, or null when the text passes (the
 * syntax itself is left to `JSON.parse`).
 */
function scanHeader(text: string, maxDepth: number): string | null {
  const keys: (Set<string> | null)[] = []; // per open container: the object's keys so far, null for an array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (keys.length >= maxDepth) return `header nests deeper than ${maxDepth} levels`;
      keys.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keys.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = keys.length > 0 && keys[keys.length - 1] !== null;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = keys[keys.length - 1];
      if (expectKey && top) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return null; // malformed string: JSON.parse reports it
        }
        if (top.has(key)) return `header has the key ${quote(key)} twice in one object (duplicate keys are not allowed)`;
        top.add(key);
      }
      expectKey = false;
      i = j;
    }
  }
  return null;
}

/** The result of `decodeSafetensors`. */
export interface DecodedSafetensors {
  /** The tensors, in file order, each owning a fresh copy of its data. */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes named tensors (and optional string metadata) as a safetensors file.
 *
 * Tensors are written in the order given; float32 tensors as `F32`, float64 as `F64`. The header
 * is padded with spaces to a multiple of 8 bytes, so every tensor's data starts 8-byte aligned in
 * the file whenever the tensors before it have sizes that are multiples of 8.
 *
 * @param tensors a record or an array of `[name, tensor]` pairs; names must be non-empty,
 *   distinct, and not `__metadata__`.
 * @param metadata optional string-to-string map stored as `__metadata__`.
 * @throws Error for a duplicate, empty or reserved name, a non-tensor value, or a non-string
 *   metadata value.
 *
 * @example
 * ```ts
 * import { nn, tensor } from 'tensorgrad';
 * const { encodeSafetensors, decodeSafetensors } = nn;
 * const bytes = encodeSafetensors(
 *   { 'layers.0.weight': tensor([[1, 2], [3, 4]]), 'layers.0.bias': tensor([0.5, -0.5]) },
 *   { sizes: '2,2', activation: 'sigmoid' },
 * );
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * tensors.get('layers.0.weight')?.toArray(); // [[1, 2], [3, 4]]
 * metadata.activation;                        // 'sigmoid'
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor> | readonly (readonly [string, Tensor])[],
  metadata?: Record<string, string>,
): Uint8Array {
  const entries: (readonly [string, Tensor])[] = Array.isArray(tensors)
    ? [...(tensors as readonly (readonly [string, Tensor])[])]
    : Object.entries(tensors as Record<string, Tensor>);
  // No prototype: a tensor named "__proto__" must become a key, not replace the prototype.
  const header: Record<string, unknown> = Object.create(null);
  const seen = new Set<string>();
  let offset = 0;
  const layout: { t: Tensor; begin: number; code: { dtype: DType; bytes: number } }[] = [];
  for (const [name, t] of entries) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error(`encodeSafetensors: tensor names must be non-empty strings, got ${JSON.stringify(name)}`);
    }
    if (name === '__metadata__') {
      throw new Error('encodeSafetensors: "__metadata__" is reserved for the metadata and cannot name a tensor');
    }
    if (seen.has(name)) throw new Error(`encodeSafetensors: duplicate tensor name "${name}"`);
    seen.add(name);
    if (t === null || typeof t !== 'object' || !ArrayBuffer.isView(t.data) || !Array.isArray(t.shape)) {
      throw new Error(`encodeSafetensors: "${name}" is not a Tensor`);
    }
    const codeName = t.dtype === 'float32' ? 'F32' : t.dtype === 'float64' ? 'F64' : undefined;
    if (codeName === undefined) throw new Error(`encodeSafetensors: "${name}" has unsupported dtype ${String(t.dtype)}`);
    const code = CODES[codeName];
    const nbytes = t.size * code.bytes;
    header[name] = { dtype: codeName, shape: [...t.shape], data_offsets: [offset, offset + nbytes] };
    layout.push({ t, begin: offset, code });
    offset += nbytes;
  }
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new Error('encodeSafetensors: metadata must be an object mapping strings to strings');
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new Error(
          `encodeSafetensors: metadata value of "${k}" must be a string, got ${typeof v}; convert it (e.g. String(x) or JSON.stringify(x))`,
        );
      }
    }
    header.__metadata__ = { ...metadata };
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  const base = 8 + headerLen;
  for (const { t, begin, code } of layout) {
    const src = t.data;
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), base + begin);
    } else {
      for (let i = 0; i < src.length; i++) {
        if (code.bytes === 4) view.setFloat32(base + begin + 4 * i, src[i], true);
        else view.setFloat64(base + begin + 8 * i, src[i], true);
      }
    }
  }
  return out;
}

/**
 * Decodes a safetensors file into tensors and metadata, validating it first.
 *
 * Every tensor gets its own freshly allocated, properly aligned typed array (the input bytes are
 * not retained). Only `F32` and `F64` tensors are supported.
 *
 * @param bytes the whole file (a `Uint8Array`, e.g. Node's `Buffer`, or an `ArrayBuffer`).
 * @param source optional file name used in error messages.
 * @throws Error saying what is wrong, for: a file shorter than 8 bytes; a header length beyond
 *   the end of the file (or above 100 MB); a header that is not UTF-8 JSON of an object; an entry
 *   without a valid `dtype`, `shape` or `data_offsets`; an unknown dtype; offsets out of range,
 *   reversed, overlapping, leaving a gap, or not matching shape × dtype size; trailing bytes
 *   after the last tensor; metadata that is not a string map.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { nn } from 'tensorgrad';
 * const { tensors, metadata } = nn.decodeSafetensors(readFileSync('runs/x/model.safetensors'));
 * for (const [name, t] of tensors) console.log(name, t.shape, t.dtype);
 * console.log(metadata.sizes); // e.g. '784,30,10'
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array | ArrayBuffer, source = 'safetensors'): DecodedSafetensors {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`decodeSafetensors: ${source}: ${msg}`);
  };
  const q = quote;
  if (buf.length < 8) fail(`file is ${buf.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(buf.length - 8)) {
    fail(
      `header length ${n64} reaches beyond the end of the file (${buf.length} bytes, so at most ${buf.length - 8}); the file is truncated or not safetensors`,
    );
  }
  const headerLen = Number(n64);
  if (headerLen > SAFETENSORS_MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  if (headerLen < 2) fail(`header length ${headerLen} is too small for a JSON object`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLen));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with "{", it starts with ${JSON.stringify(text.slice(0, 20))}`);
  const scanned = scanHeader(text, SAFETENSORS_MAX_DEPTH);
  if (scanned !== null) fail(scanned);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message.slice(0, 2 * QUOTE_LIMIT)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header JSON must be an object');

  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; bytes: number; shape: number[]; begin: number; end: number }[] = [];

  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('"__metadata__" must be an object mapping strings to strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"__metadata__" value of ${q(k)} must be a string, got ${q(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`entry ${q(name)} must be an object { dtype, shape, data_offsets }`);
    const e = raw as Record<string, unknown>;
    if (typeof e.dtype !== 'string') fail(`tensor ${q(name)} has no string "dtype"`);
    const code = CODES[e.dtype as string];
    if (code === undefined || !Object.hasOwn(CODES, e.dtype as string)) {
      fail(`tensor ${q(name)} has dtype ${q(e.dtype)}, which is not supported (only ${Object.keys(CODES).join(', ')})`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`tensor ${q(name)} has shape ${q(shape)}; expected an array of non-negative integers`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`tensor ${q(name)} has data_offsets ${q(offs)}; expected [begin, end], non-negative integers`);
    }
    const [begin, end] = offs as number[];
    if (end < begin) fail(`tensor ${q(name)} has data_offsets [${begin}, ${end}]: end is before begin`);
    if (end > dataLen) {
      fail(
        `tensor ${q(name)} has data_offsets [${begin}, ${end}] beyond the ${dataLen} data bytes after the header; the file is truncated or corrupt`,
      );
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = numel * code.bytes;
    if (end - begin !== expected) {
      fail(
        `tensor ${q(name)} has data_offsets [${begin}, ${end}] (${end - begin} bytes) but shape [${q(shape).slice(1, -1)}] ` +
          `of ${e.dtype} needs ${numel} × ${code.bytes} = ${expected} bytes`,
      );
    }
    entries.push({ name, dtype: code.dtype, bytes: code.bytes, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data area exactly: no overlap, no gap, no trailing bytes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: (typeof entries)[number] | null = null;
  for (const e of sorted) {
    if (e.begin < pos) {
      fail(`tensor ${q(e.name)} [${e.begin}, ${e.end}] overlaps tensor ${q(prev!.name)} [${prev!.begin}, ${prev!.end}]`);
    }
    if (e.begin > pos) {
      fail(`${e.begin - pos} bytes at data offset ${pos} belong to no tensor (gap before ${q(e.name)} at ${e.begin})`);
    }
    pos = e.end;
    prev = e;
  }
  if (pos !== dataLen) fail(`${dataLen - pos} trailing bytes after the last tensor (data ends at offset ${pos} of ${dataLen})`);

  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const count = (e.end - e.begin) / e.bytes;
    const data = e.dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
    const at = dataStart + e.begin;
    if (LITTLE_ENDIAN_HOST) {
      new Uint8Array(data.buffer).set(buf.subarray(at, at + (e.end - e.begin)));
    } else {
      for (let i = 0; i < count; i++) data[i] = e.bytes === 4 ? view.getFloat32(at + 4 * i, true) : view.getFloat64(at + 8 * i, true);
    }
    tensors.set(e.name, tensor(data, { shape: e.shape, dtype: e.dtype }));
  }
  return { tensors, metadata };
}
