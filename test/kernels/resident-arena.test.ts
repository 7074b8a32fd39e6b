/**
 * The main wasm instance keeps a fixed arena so resident views are never detached; calls that
 * need more scratch than is left run on a growable second instance. Here the arena is made
 * tiny (TG_WASM_ARENA_MB=2, read when the wasm memory module is imported) to drive every call
 * past it.
 */
import { beforeAll, describe, expect, it } from 'vitest';

process.env.TG_WASM_ARENA_MB = '2';
const wasm = await import('../../src/autograd/kernels/wasm/index.js');
const { matmulInto } = await import('../../src/autograd/kernels/matmul.js');
const { randomF32 } = await import('../helpers/arrays.js');

describe.runIf(wasm.wasmAvailable())('a call too big for the fixed arena', () => {
  beforeAll(() => {
    delete process.env.TG_WASM_ARENA_MB;
  });

  it('runs on the overflow instance, with resident operands copied, and leaves resident arrays intact', () => {
    const r = wasm.residentF32(300 * 300)!;
    expect(r).not.toBeNull();
    r.set(randomF32(300 * 300, 1));
    const b = randomF32(300 * 300, 2);
    const want = new Float32Array(300 * 300),
      got = new Float32Array(300 * 300);
    matmulInto(want, 0, r, 0, b, 0, 300, 300, 300, false, false);
    wasm.matmulF32(got, 0, r, 0, b, 0, 300, 300, 300, false, false); // ~1.8 MB of operands + packing > 2 MB
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-3);
    expect(Array.from(r.subarray(0, 50))).toEqual(Array.from(randomF32(300 * 300, 1).subarray(0, 50)));
    expect(wasm.isResident(r)).toBe(true);
    expect(wasm.wasmMemoryBytes()).toBeGreaterThan(2 << 20); // the overflow memory grew
    // A small call still fits the main arena and reads a resident operand in place.
    const s = wasm.residentF32(16)!;
    s.set(randomF32(16, 3));
    const small = new Float32Array(16),
      smallWant = new Float32Array(16);
    wasm.matmulF32(small, 0, s, 0, b, 0, 4, 4, 4, false, false);
    matmulInto(smallWant, 0, s, 0, b, 0, 4, 4, 4, false, false);
    for (let i = 0; i < 16; i++) expect(Math.abs(small[i] - smallWant[i])).toBeLessThan(1e-5);
  });

  it('resident outputs written in place by the elementwise kernels stay valid while the overflow memory grows', () => {
    const n = 4096;
    const x = wasm.residentF32(n)!,
      out = wasm.residentF32(n)!;
    expect(x).not.toBeNull();
    expect(out).not.toBeNull();
    x.set(randomF32(n, 4, -3, 3));
    const row = randomF32(64, 5);
    wasm.binaryF32(2, out, x, 0, row, 1, n / 64, 64); // in place into out's block
    wasm.activationF32(out, out, 1);
    const before = out.slice();
    const grown = wasm.wasmMemoryBytes();
    // ~3 MB of operands and result: more than the 2 MB arena, so the overflow memory grows.
    const big = randomF32(800 * 1024, 6);
    const bigOut = new Float32Array(big.length);
    wasm.activationF32(bigOut, big, 2);
    expect(wasm.wasmMemoryBytes()).toBeGreaterThan(grown);
    expect(out.buffer.byteLength).toBeGreaterThan(0); // not detached
    expect(wasm.isResident(out)).toBe(true);
    expect(Array.from(out)).toEqual(Array.from(before));
    expect(before.some((v) => v !== 0)).toBe(true);
  });

  it('refuses resident blocks beyond half the arena (ordinary arrays are used instead)', () => {
    const blocks: Float32Array[] = [];
    for (let got = wasm.residentF32(64 * 1024); got !== null; got = wasm.residentF32(64 * 1024)) blocks.push(got); // 256 KB each
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length * 256 * 1024).toBeLessThanOrEqual(1 << 20);
  });
});
