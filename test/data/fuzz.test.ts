/**
 * Fuzzing the file readers: mutated IDX, gzip and safetensors bytes must give either a result
 * or one of the library's own clean errors (an `Error` whose message names the file) — never a
 * TypeError, a RangeError, a stack overflow or a hang. `TG_FUZZ_RUNS=100000 npx vitest run
 * test/data/fuzz.test.ts` for a deep run; the default is a few thousand cases in all.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { tensor } from '../../src/index.js';
import { readIdx, writeIdx } from '../../src/data/idx.js';
import { decodeMaybeGzipped } from '../../src/data/files.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.js';

const RUNS = Number(process.env.TG_FUZZ_RUNS) > 0 ? Number(process.env.TG_FUZZ_RUNS) : 1000;

/** A mutation of a byte string: flips, overwrites with a random int32, cuts or splices. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('int32' as const), at: fc.nat(), value: fc.integer() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: Uint8Array, muts: Mutation[]): Uint8Array {
  let b = Uint8Array.from(src);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at] ^= 1 << m.bit;
    else if (m.kind === 'int32') {
      if (at + 4 <= b.length) new DataView(b.buffer).setInt32(at, m.value, false);
    } else if (m.kind === 'cut') b = b.slice(0, at);
    else {
      const out = new Uint8Array(b.length + m.bytes.length);
      out.set(b.subarray(0, at));
      out.set(m.bytes, at);
      out.set(b.subarray(at), at + m.bytes.length);
      b = out;
    }
  }
  return b;
}

/** Runs `f` on mutations of `seed`, counting accepts and clean errors; any other throw fails. */
function fuzz(seed: Uint8Array, clean: RegExp, f: (b: Uint8Array) => void): { accepts: number; errors: number } {
  const counts = { accepts: 0, errors: 0 };
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
      const bytes = mutate(seed, muts);
      try {
        f(bytes);
        counts.accepts++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).constructor).toBe(Error); // not a TypeError/RangeError from deep inside
        expect((e as Error).message).toMatch(clean);
        expect((e as Error).message.length).toBeLessThan(600);
        counts.errors++;
      }
    }),
    { numRuns: RUNS, seed: 1 },
  );
  if (process.env.TG_FUZZ_RUNS !== undefined)
    console.log(`${clean.source}: ${RUNS} cases, ${counts.accepts} accepted, ${counts.errors} clean errors, 0 crashes`);
  return counts;
}

describe('fuzzing the file readers (mutated bytes: a result or a clean error)', () => {
  const images = writeIdx({ shape: [3, 4, 4], data: Uint8Array.from({ length: 48 }, (_, i) => i) });
  const floats = writeIdx({ shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });

  it('IDX bytes', () => {
    for (const seed of [images, floats]) {
      const c = fuzz(seed, /^f\.idx: /, (b) => {
        const a = readIdx(b, 'f.idx');
        expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
      });
      expect(c.errors).toBeGreaterThan(0);
    }
  }, 60_000);

  it('gzipped IDX bytes', () => {
    const c = fuzz(gzipSync(images), /^f\.idx\.gz: /, (b) => {
      const a = readIdx(decodeMaybeGzipped(b, 'f.idx.gz', { maxBytes: 1 << 20 }), 'f.idx.gz');
      expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
    });
    expect(c.errors).toBeGreaterThan(0);
  }, 60_000);

  it('safetensors bytes', () => {
    const seed = encodeSafetensors(
      {
        'layers.0.weight': tensor([
          [1, 2],
          [3, 4],
        ]),
        'layers.0.bias': tensor([0.5, -0.5]),
      },
      { sizes: '2,2', activation: 'sigmoid' },
    );
    const c = fuzz(seed, /^decodeSafetensors: f\.safetensors: /, (b) => {
      const { tensors } = decodeSafetensors(b, 'f.safetensors');
      for (const t of tensors.values()) expect(t.size).toBe(t.shape.reduce((x, y) => x * y, 1));
    });
    expect(c.errors).toBeGreaterThan(0);
  }, 60_000);
});
