/**
 * Runs the quick examples in-process and checks what they print: every ✓/✗ verdict an example
 * prints must be ✓, and each example's key figures must appear. (The MNIST-training examples
 * are covered by their own tests on small budgets.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Runs `run` with console.log captured; returns everything it printed. */
async function capture(run: () => unknown): Promise<string> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  await run();
  return lines.join('\n');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('quick examples print their claims verified', () => {
  it('parameter-count: the formula matches the counted scalars, 23,860 for 784-30-10', async () => {
    const out = await capture(() => import('../../examples/parameter-count.js'));
    expect(out).not.toContain('✗');
    expect(out.match(/✓/g)).toHaveLength(6);
    expect(out).toMatch(/784-30-10 .* 23,860 .* 23,860 ✓/);
  });

  it('binary-output-layer: every noisy one-hot vector decodes to its binary code', async () => {
    const out = await capture(() => import('../../examples/binary-output-layer.js'));
    expect(out).toContain('20000 noisy examples: every one decoded to the right binary code');
    expect(out.match(/✓/g)).toHaveLength(10);
  });

  it('quadratic-cost: C ≥ 0, C = 0 at a = y, and quadraticCost = (k/2)·mseLoss', async () => {
    const out = await capture(() => import('../../examples/quadratic-cost.js'));
    expect(out).toMatch(/t = 1 +C = +0\.000e\+0/);
    expect(out).toMatch(/min \d\.\d{4}, max/);
    expect(Number(out.match(/min (\d\.\d{4})/)![1])).toBeGreaterThan(0);
    expect(out).toContain('ratio = 5.000000 = k/2 = 5');
    expect(out).toContain('C = 1.000e-4 = 0.1² / (2·50)');
  });

  it('optimal-step: no direction beats −ε∇C/‖∇C‖', async () => {
    const out = await capture(() => import('../../examples/optimal-step.js'));
    expect(out).not.toContain('✗');
    expect(out).toContain('random directions that beat the bound: 0 ✓');
    expect(out.match(/✓/g)).toHaveLength(8);
  });

  it('value-engine: backward matches the hand derivatives and gradcheck', async () => {
    const out = await capture(() => import('../../examples/value-engine.js'));
    expect(out).toContain('gradcheck against finite differences: OK ✓');
    expect(out).toMatch(/w1 +-3\.0000 +1\.000000 +1\.000000/); // ∂out/∂w1 = (1 − tanh²)·x1 = 0.5·2
    for (const line of out.split('\n').filter((l) => l.includes('OR('))) {
      const [, target, said] = line.match(/= (\d): neuron says ([\d.]+)/)!;
      expect(Math.abs(Number(said) - Number(target))).toBeLessThan(0.25);
    }
  });

  it('custom-model: gradcheck passes and Adam fits the curve', async () => {
    const out = await capture(() => import('../../examples/custom-model.js'));
    expect(out).toContain('OK ✓');
    const mse = [...out.matchAll(/step +\d+: mse ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(mse).toHaveLength(7);
    expect(mse[6]).toBeLessThan(0.01);
    expect(mse[6]).toBeLessThan(mse[0] / 10);
  });

  it('perceptrons: NAND, the adder and the sigmoid limit', async () => {
    const { main } = await import('../../examples/perceptrons.js');
    const out = await capture(main);
    expect(out).not.toContain('✗');
    expect(out).toContain('all 256 sums right ✓');
    expect(out.match(/0\.500000/g)).toHaveLength(5); // σ on the hyperplane, for every c
  });

  it('gradient-descent-2d: downhill all the way, and the first-order gap shrinks like η²', async () => {
    const { main } = await import('../../examples/gradient-descent-2d.js');
    const out = await capture(main);
    expect(out).toContain('Every step went downhill: yes ✓');
    expect(out).toMatch(/Converged after \d+ steps at \(1\.00000, -0\.50000\)/);
    expect(out.match(/666\.400/g)!.length).toBeGreaterThanOrEqual(6);
  });
});
