/**
 * The relaxed-SIMD build (fused multiply-add) is what Node ≥ 22 and current browsers load;
 * this Node may validate it only behind a flag, so a child process with
 * --experimental-wasm-relaxed-simd checks that it loads and agrees with the TypeScript
 * kernels, and that TG_NO_RELAXED_SIMD=1 falls back to the plain build.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasmBuild } from '../../src/index.js';

const script = fileURLToPath(new URL('../helpers/relaxed-check.ts', import.meta.url));

function check(env: Record<string, string> = {}): { build: string | null; failures: string[] } {
  const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`relaxed-check exited ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as { build: string | null; failures: string[] };
}

describe('the relaxed-SIMD build', () => {
  it('this process runs a build its engine validates', () => {
    expect(['simd', 'relaxed-simd']).toContain(wasmBuild());
  });

  it('loads where relaxed SIMD is enabled and matches the TypeScript kernels', () => {
    const result = check();
    expect(result.build).toBe('relaxed-simd');
    expect(result.failures).toEqual([]);
  });

  it('TG_NO_RELAXED_SIMD=1 falls back to the plain build, which agrees as well', () => {
    const result = check({ TG_NO_RELAXED_SIMD: '1' });
    expect(result.build).toBe('simd');
    expect(result.failures).toEqual([]);
  });
});
