/**
 * `tensorgrad gradcheck FILE#EXPORT`: a user's function or module checked from its file;
 * exit 0 when every gradient holds, 1 when one does not, 2 for usage mistakes.
 */
import { describe, expect, it } from 'vitest';
import { parseShapes, runGradcheckCommand } from '../../src/cli/gradcheck-file.js';

const FILE = 'test/verify/fixtures/user-ops.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await runGradcheckCommand(argv, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('tensorgrad gradcheck FILE#EXPORT', () => {
  it('a correct function: a table of ok rows, exit 0', async () => {
    const r = await run(`${FILE}#softplusLoss`, '--shapes', '3x4,4x2', '--runs', '2', '--seed', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^run\s+input shapes\s+mode\s+checked\s+max abs err\s+max rel err\s+result$/m);
    expect(r.out).toMatch(/^run 1\s+3x4 4x2\s+full\s+20\s+\S+\s+\S+\s+ok$/m);
    expect(r.out).toMatch(/^run 2\s/m);
    expect(r.out).toContain('All 2 gradient check(s) hold.');
  });

  it('a planted 1% error: FAIL rows with the worst element, exit 1', async () => {
    const r = await run(`${FILE}#softplusLossPlanted`, '--shapes', '3x4,4x2', '--runs', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^run 1\s+3x4 4x2\s+full\s+20\s+\S+\s+1\.00e-2\s+FAIL$/m);
    expect(r.out).toMatch(/worst: input \d at \[\d, \d\]: analytic [\d.e-]+ vs numeric [\d.e-]+/);
    expect(r.out).toContain('1 of 1 gradient check(s) FAILED.');
  });

  it('a module: every parameter, per element or along directions for large ones', async () => {
    const r = await run(`${FILE}#model`, '--shapes', '2x4', '--full-limit', '10');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^layers\.0\.weight\s+4x5\s+fast\s+8\s/m);
    expect(r.out).toMatch(/^layers\.0\.bias\s+5\s+full\s+5\s/m);
    expect(r.out).toMatch(/^layers\.1\.weight\s+5x3\s+fast\s/m);
    expect(r.out).toContain('All 4 gradient check(s) hold.');
    // the module is left as it was: values and .grad
    const { model } = await import('./fixtures/user-ops.js');
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    const before = model.parameters().map((p) => Array.from(p.data));
    await run(`${FILE}#model`, '--shapes', '2x4');
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });

  it('the default export when no #EXPORT is given; a 0-d shape as scalar', async () => {
    const r = await run(FILE, '--shapes', '3', '--runs', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${FILE}#default`);
    expect(parseShapes('3x4,scalar, 2')).toEqual([[3, 4], [], [2]]);
  });

  it('usage mistakes exit 2 with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['missing/file.ts#f', '--shapes', '2'], /file 'missing\/file.ts' does not exist/],
      [
        [`${FILE}#nope`, '--shapes', '2'],
        /has no export 'nope' \(it exports: default, model, model32, notAFunction, softplusLoss, softplusLossPlanted\)/,
      ],
      [[`${FILE}#softplusLoss`, '--shapes', '3xa'], /--shapes: '3xa' is not a shape like 3x4/],
      [[`${FILE}#softplusLoss`, '--shapes', '3x4'], /softplusLoss takes 2 argument\(s\) but --shapes gives 1/],
      [[`${FILE}#softplusLoss`], /--shapes is needed/],
      [[`${FILE}#notAFunction`, '--shapes', '2'], /is a number, not a function of tensors or a module/],
      [[`${FILE}#model32`, '--shapes', '2x4'], /parameter 'layers.0.weight' is float32: finite differences need float64/],
      [[`${FILE}#softplusLoss`, '--runs', '0', '--shapes', '2'], /--runs: expected an integer ≥ 1, got '0'/],
      [[`${FILE}#softplusLoss`, '--dtype', 'int8'], /--dtype: expected float64 or float32/],
      [[`${FILE}#softplusLoss`, '--wat', '1'], /unknown flag --wat/],
      [[], /missing FILE#EXPORT/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain('Usage: tensorgrad gradcheck FILE#EXPORT');
    }
  });

  it('the built-in demo stays available as --demo', async () => {
    const r = await run('--demo', '--directions', '1', '--seed', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/lecture network: 784-30-10 sigmoid MLP/);
    expect(r.out).toMatch(/small network: 6-5-10 sigmoid MLP/);
    expect(r.out).toContain('All gradients agree with finite differences.');
    const bad = await run('--demo', '--shapes', '2');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown argument '--shapes' for --demo/);
  });

  it('an export that throws is an error (exit 1) naming it', async () => {
    const r = await run(`${FILE}#softplusLoss`, '--shapes', '3x4,5x2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/tensorgrad gradcheck: error: matmul/);
  });
});
