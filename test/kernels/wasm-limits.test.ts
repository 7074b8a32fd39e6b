/**
 * Requests too big for wasm32 memory (4 GiB): each throws a RangeError naming the function,
 * the bytes requested and the limit, before anything is reserved, and the kernels go on
 * working in the same process. (Sizes were once computed with 32-bit shifts, so
 * `new nn.Linear(1e9, 1e9)` wrapped around and left the arena broken for the rest of the
 * process: every later model threw "memory access out of bounds".)
 *
 * The big operands here are allocated but never touched (the check comes first), so they
 * cost address space, not memory.
 */
import { describe, expect, it } from 'vitest';
import { BlockAllocator } from '../../src/autograd/kernels/wasm/blocks.js';
import {
  WASM32_BYTES,
  isResident,
  linearForwardF32,
  matmulF32,
  residentF32,
  wasmAvailable,
  wasmMemoryBytes,
} from '../../src/autograd/kernels/wasm/index.js';
import { matmulInto } from '../../src/autograd/kernels/matmul.js';
import { isResidentData, setWasmKernels } from '../../src/autograd/backend/index.js';
import { nn, randn, type Tensor } from '../../src/index.js';
import { randomF32 } from '../helpers/arrays.js';

/** A net's forward output and parameter gradients for input `x`, as plain arrays. */
function run(net: nn.MLP, x: Tensor): number[][] {
  const y = net.forward(x);
  y.square().sum().backward();
  return [Array.from(y.data), ...net.parameters().map((p) => Array.from(p.grad!.data))];
}

/** The same seeded net run on the wasm kernels and on the TypeScript ones agree (float32 rounding apart). */
function expectWorking(sizes: number[], batch: number): void {
  const x = randn([batch, sizes[0]], { seed: 3, dtype: 'float32' });
  const onWasm = new nn.MLP(sizes, { seed: 7 });
  expect(isResidentData(onWasm.parameters()[0].data)).toBe(true);
  const got = run(onWasm, x);
  setWasmKernels(false);
  let want: number[][];
  try {
    want = run(new nn.MLP(sizes, { seed: 7 }), x);
  } finally {
    setWasmKernels(true);
  }
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.length).toBe(want[i].length);
    g.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i][j]))));
  });
}

describe('BlockAllocator', () => {
  it('computes block sizes and addresses exactly past 2 GiB (no 32-bit wrap-around)', () => {
    const blocks = new BlockAllocator(1024);
    const a = blocks.allocate(3 * 2 ** 30 + 1);
    expect(a).toBe(1024);
    expect(blocks.sizeOf(a)).toBe(3 * 2 ** 30 + 16);
    expect(blocks.allocate(16)).toBe(1024 + 3 * 2 ** 30 + 16);
    blocks.release(a);
    expect(blocks.allocate(2 ** 31)).toBe(1024); // first fit in the freed gap
  });
});

describe.runIf(wasmAvailable() && residentF32(1) !== null)('requests past the wasm32 limit', () => {
  it('new nn.Linear(1e9, 1e9) throws a clear error, and new nn.MLP([4, 3]).forward(...) works afterwards', () => {
    const reserved = wasmMemoryBytes();
    expect(() => new nn.Linear(1e9, 1e9)).toThrow(
      /residentF32: a float32 array of 1000000000000000000 elements needs \d+ bytes, more than the 4294967296 bytes/,
    );
    // Just past the limit (2^30 floats and the kernels' tail), and far past it.
    expect(() => new nn.Linear(32768, 32768)).toThrow(RangeError);
    expect(() => residentF32(2 ** 60)).toThrow(/4294967296 bytes \(4 GiB\)/);
    expect(wasmMemoryBytes()).toBe(reserved);

    const mlp = new nn.MLP([4, 3]);
    const y = mlp.forward(randn([2, 4], { seed: 1, dtype: 'float32' }));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data).every(Number.isFinite)).toBe(true);
    expectWorking([4, 3], 2);
    // Big enough for the wasm matmul, fused linear and optimizer kernels.
    expectWorking([64, 48, 10], 16);
  });

  it('a resident request bigger than half the arena but within 4 GiB gets null (an ordinary array), not an error', () => {
    const reserved = wasmMemoryBytes();
    expect(residentF32(2 ** 29)).toBeNull(); // 2 GiB: more than the arena's half
    expect(wasmMemoryBytes()).toBe(reserved);
    const r = residentF32(16)!;
    expect(r).not.toBeNull();
    expect(isResident(r)).toBe(true);
    expect(Array.from(r)).toEqual(new Array(16).fill(0));
  });

  it('non-resident calls needing more than 4 GiB of scratch throw, naming the bytes and the limit, and leave the kernels usable', () => {
    // m = n = 1: the packed operands pad A to 4 rows and B to 8 columns, 12·k floats of
    // packing, so k = 1.5·2^26 needs ~5.3 GB of scratch from a 384 MiB operand.
    const k = 3 * 2 ** 25;
    const big = new Float32Array(k);
    const one = new Float32Array(1);
    const reserved = wasmMemoryBytes();
    expect(() => matmulF32(one, 0, big, 0, big, 0, 1, k, 1, false, false)).toThrow(
      /^matmulF32: needs \d{10} bytes of wasm memory for its operands and scratch; the limit is \d+ \(4294967296 bytes in all: wasm32 addresses 4 GiB\)$/,
    );
    expect(() => linearForwardF32(one, big, big, null, 1, k, 1, 0)).toThrow(/^linearForwardF32: needs \d{10} bytes .*4294967296 bytes in all/);
    expect(wasmMemoryBytes()).toBe(reserved); // nothing grown, no instance made

    // Small and resident calls still run, on the same arena, with the right numbers.
    const a = residentF32(12)!;
    a.set(randomF32(12, 1));
    const b = randomF32(20, 2);
    const got = new Float32Array(15),
      want = new Float32Array(15);
    matmulF32(got, 0, a, 0, b, 0, 3, 4, 5, false, false);
    matmulInto(want, 0, a, 0, b, 0, 3, 4, 5, false, false);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
    expect(WASM32_BYTES).toBe(2 ** 32);
  });
});
