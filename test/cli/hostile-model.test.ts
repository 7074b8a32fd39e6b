import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, tensor } from '../../src/index.js';
import { encodeSafetensors } from '../../src/nn/safetensors.js';
import { loadModel } from '../../src/cli/model-file.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const meta = { sizes: '4,3,2', activation: 'sigmoid', outputActivation: 'sigmoid', dtype: 'float32' };
const params = (): [string, ReturnType<typeof tensor>][] => new nn.MLP([4, 3, 2], { seed: 1 }).namedParameters();

describe('loadModel builds the model from the tensors, checking the metadata first', () => {
  it('round-trips a model whose metadata agrees with its tensors', () => {
    const { model } = loadModel(encodeSafetensors(params(), meta), 'm.safetensors');
    expect(model.sizes).toEqual([4, 3, 2]);
  });

  it('refuses metadata that claims 20,002 layers (or huge ones) for a file holding two, before allocating', () => {
    const claim = Array.from({ length: 20_003 }, () => '30').join(',');
    expect(() => loadModel(encodeSafetensors(params(), { ...meta, sizes: claim }), 'x.safetensors')).toThrow(
      /^x\.safetensors: the metadata says sizes '30,30,30.{40,60}…' but the tensors make an MLP 4-3-2$/,
    );
    // A claim that would need 40 GB if built from the metadata: refused the same way, at once.
    expect(() => loadModel(encodeSafetensors(params(), { ...meta, sizes: '100000,100000,2' }), 'x')).toThrow(
      /the metadata says sizes '100000,100000,2' but the tensors make an MLP 4-3-2/,
    );
  });

  it('refuses tensors that do not chain into an MLP, and a dtype the tensors contradict', () => {
    const p = params();
    const gap = p.filter(([n]) => !n.startsWith('layers.0'));
    expect(() => loadModel(encodeSafetensors(gap, meta), 'x')).toThrow(/x: has no tensors layers\.0\.weight and layers\.0\.bias/);
    const broken = p.map(([n, t]): [string, ReturnType<typeof tensor>] => [
      n,
      n === 'layers.1.weight' ? tensor(new Float32Array(10), { shape: [5, 2] }) : t,
    ]);
    expect(() => loadModel(encodeSafetensors(broken, meta), 'x')).toThrow(/x: layers\.1\.weight takes 5 inputs but layers\.0 gives 3/);
    expect(() => loadModel(encodeSafetensors(p, { ...meta, dtype: 'float64' }), 'x')).toThrow(
      /x: the metadata says dtype 'float64' but the tensors are float32/,
    );
  });
});

describe('tensorgrad evaluate on hostile model files (subprocess)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-hostile-model-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const evaluate = (file: string): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'evaluate', '--model', file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr };
  };

  it('each gets a one-line error naming the file and exit code 1', () => {
    const layers = join(dir, 'layers.safetensors');
    writeFileSync(
      layers,
      encodeSafetensors(new nn.MLP([784, 30, 10], { seed: 1 }).namedParameters(), {
        ...meta,
        sizes: ['784', ...Array(20_001).fill('30'), '10'].join(','),
      }),
    );
    const dup = join(dir, 'dup.safetensors');
    const header = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"activation":"sigmoid","activation":"relu"}}';
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    writeFileSync(dup, bytes);
    for (const [file, message] of [
      [layers, /the metadata says sizes '784,30,30.*but the tensors make an MLP 784-30-10/],
      [dup, /header has the key "activation" twice/],
    ] as const) {
      const r = evaluate(file);
      expect(r.status).toBe(1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^tensorgrad: error: /);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(message);
      expect(lines[0].length).toBeLessThan(400);
    }
  }, 60_000);
});
