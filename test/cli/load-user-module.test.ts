import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUserModule, UserModuleError } from '../../src/cli/load-user-module.js';

const dir = mkdtempSync(join(tmpdir(), 'tg-user-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadUserModule', () => {
  it('imports a JavaScript module natively', async () => {
    writeFileSync(join(dir, 'f.mjs'), 'export const square = (x) => x * x;\n');
    const m = await loadUserModule('f.mjs', { cwd: dir });
    expect(m.loader).toBe('native');
    expect((m.exports.square as (x: number) => number)(3)).toBe(9);
  });

  it('loads TypeScript with syntax type stripping cannot erase through tsx (a devDependency here)', async () => {
    // An enum is not erasable: only a real TypeScript compiler (tsx's esbuild) runs it.
    writeFileSync(join(dir, 'g.ts'), 'enum K { A = 2 }\nexport const times = (x: number): number => x * K.A;\n');
    const m = await loadUserModule(join(dir, 'g.ts'));
    expect(m.loader).toBe('tsx');
    expect((m.exports.times as (x: number) => number)(4)).toBe(8);
  });

  it('names the missing file', async () => {
    await expect(loadUserModule('nope.ts', { cwd: dir })).rejects.toThrow(UserModuleError);
    await expect(loadUserModule('nope.ts', { cwd: dir })).rejects.toThrow(/nope\.ts: no such file/);
  });
});
