/**
 * The codes and tile sizes shared by the wasm kernels and their callers come from one table,
 * assembly/constants.json, rendered into assembly/constants.ts and
 * src/autograd/kernels/wasm/constants.ts by scripts/build-wasm.mjs. This checks, without
 * the compiler, that both rendered files still say what the table says and that nobody
 * redeclared a constant by hand; `npm run check:wasm` checks the binaries themselves.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BinaryOp } from '../../src/autograd/kernels/elementwise.js';
import * as generated from '../../src/autograd/kernels/wasm/constants.js';
import { activationF32, binaryF32, wasmAvailable } from '../../src/autograd/kernels/wasm/index.js';

interface Table {
  codes: Record<string, { prefix: string; values: Record<string, number> }>;
  sizes: Record<string, { value: number }>;
}

const root = new URL('../../', import.meta.url);
const table = JSON.parse(readFileSync(new URL('assembly/constants.json', root), 'utf8')) as Table;
const assemblyConstants = readFileSync(new URL('assembly/constants.ts', root), 'utf8');
const assemblyKernels = readFileSync(new URL('assembly/kernels.ts', root), 'utf8');
const exported = generated as unknown as Record<string, unknown>;

/** Every constant of the table as its AssemblyScript name and value. */
function assemblyNames(): [string, number][] {
  const out: [string, number][] = [];
  for (const { prefix, values } of Object.values(table.codes)) {
    for (const [key, v] of Object.entries(values)) out.push([`${prefix}_${key.toUpperCase()}`, v]);
  }
  for (const [name, { value }] of Object.entries(table.sizes)) out.push([name, value]);
  return out;
}

describe('wasm constants', () => {
  it('the TypeScript module exports each code group and size of the table, and nothing else', () => {
    for (const [group, { values }] of Object.entries(table.codes)) expect(exported[group]).toEqual(values);
    for (const [name, { value }] of Object.entries(table.sizes)) expect(exported[name]).toBe(value);
    expect(Object.keys(exported).sort()).toEqual([...Object.keys(table.codes), ...Object.keys(table.sizes)].sort());
  });

  it('assembly/constants.ts declares each of them once, with the same value', () => {
    const declared = [...assemblyConstants.matchAll(/^export const (\w+): i32 = (-?\d+);$/gm)].map((m) => [m[1], Number(m[2])]);
    expect(declared).toEqual(assemblyNames());
  });

  it('assembly/kernels.ts imports them instead of declaring its own', () => {
    for (const [name] of assemblyNames()) {
      expect(assemblyKernels).not.toMatch(new RegExp(`^\\s*(const|let|var)\\s+${name}\\b`, 'm'));
    }
    expect(assemblyKernels).toMatch(/from '\.\/constants'/);
  });

  it('binary-op codes are BinaryOp Add…Div (the dispatcher passes them through)', () => {
    const { WasmBinaryOp } = generated;
    expect([WasmBinaryOp.add, WasmBinaryOp.sub, WasmBinaryOp.mul, WasmBinaryOp.div]).toEqual([
      BinaryOp.Add,
      BinaryOp.Sub,
      BinaryOp.Mul,
      BinaryOp.Div,
    ]);
  });

  it.runIf(wasmAvailable())('the wrappers accept exactly the codes of the table, naming them when refusing one', () => {
    const x = new Float32Array(4);
    const codes = Object.values(generated.WasmActivation);
    for (const code of codes) expect(() => activationF32(x, x, code)).not.toThrow();
    expect(() => activationF32(x, x, codes.length as 0)).toThrow(
      /activationF32: activation must be 0 \(identity\), 1 \(sigmoid\), 2 \(tanh\) or 3 \(relu\), got 4/,
    );
    expect(() => binaryF32(4 as 0, x, x, 0, x, 0, 2, 2)).toThrow(/op must be 0 \(add\), 1 \(sub\), 2 \(mul\) or 3 \(div\), got 4/);
    expect(() => binaryF32(0, x, x, 4 as 0, x, 0, 2, 2)).toThrow(/aMode must be 0 \(full\), 1 \(row\), 2 \(col\) or 3 \(scalar\), got 4/);
  });
});
