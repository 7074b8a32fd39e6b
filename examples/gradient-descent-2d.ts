/**
 * Lecture item 8: gradient descent on f(x, y) — a ball rolling down into a valley.
 *
 *   npx tsx examples/gradient-descent-2d.ts
 *
 * The update v → v − η∇f changes f by Δf ≈ ∇f·Δv = −η‖∇f‖² ≤ 0: always downhill, to first
 * order. `optim.minimize` runs it and returns the path, which we print and draw over an ASCII
 * contour map of f.
 *
 * "To first order" matters: Δf ≈ −η‖∇f‖² drops the curvature term, so it is only good for small
 * steps. For this quadratic f the exact change is Δf = −η‖∇f‖² + (η²/2)·∇fᵀH∇f (H the Hessian),
 * so the gap between the two shrinks like η², and the relative gap like η; the example measures it.
 */
import { optim, grad, tensor, type Tensor } from '../src/index.js';
import { isMain } from './lib/cli.js';

/** An elongated, tilted valley with its minimum at (1, −0.5): f = (x − 1)² + 4(y + 0.5)² + (x − 1)(y + 0.5). */
export const f = (v: Tensor): Tensor => {
  const [x, y] = v
    .reshape([2])
    .split(1)
    .map((t) => t.squeeze()); // the two coordinates, 0-d
  const dx = x.sub(1);
  const dy = y.add(0.5);
  return dx.square().add(dy.square().mul(4)).add(dx.mul(dy));
};
export const fAt = (x: number, y: number): number => f(tensor([x, y], { dtype: 'float64' })).item();

/**
 * One gradient step of size η from `at`: the actual change of f and the first-order prediction
 * −η‖∇f‖² (gradient by autograd).
 */
export function firstStep(eta: number, at: readonly [number, number]): { actual: number; predicted: number } {
  const g = grad(f)(tensor([at[0], at[1]], { dtype: 'float64' })).data;
  const actual = fAt(at[0] - eta * g[0], at[1] - eta * g[1]) - fAt(at[0], at[1]);
  return { actual, predicted: -eta * (g[0] ** 2 + g[1] ** 2) };
}

export function main(): void {
  const start: [number, number] = [-2.5, 1.6];
  const eta = 0.1;
  const r = optim.minimize(f, start, { lr: eta, steps: 200, tolerance: 1e-6 });

  console.log(`f(x, y) = (x − 1)² + 4(y + 0.5)² + (x − 1)(y + 0.5), minimum at (1, −0.5); η = ${eta}, start (${start.join(', ')})\n`);
  console.log('step        x         y        f(x,y)      Δf      −η‖∇f‖² (first-order prediction)');
  const g = grad(f);
  for (let i = 0; i < r.path.length; i++) {
    if (i > 8 && i % 10 !== 0 && i !== r.path.length - 1) continue;
    const [x, y] = r.path[i];
    let extra = '';
    if (i + 1 < r.path.length) {
      const gv = g(tensor([x, y], { dtype: 'float64' })).data;
      const predicted = -eta * (gv[0] ** 2 + gv[1] ** 2);
      extra = `${(r.values[i + 1] - r.values[i]).toExponential(2).padStart(10)}  ${predicted.toExponential(2).padStart(10)}`;
    }
    console.log(
      `${String(i).padStart(4)}  ${x.toFixed(5).padStart(9)} ${y.toFixed(5).padStart(9)}  ${r.values[i].toExponential(3).padStart(10)}  ${extra}`,
    );
  }
  console.log(
    `\n${r.converged ? 'Converged' : 'Stopped'} after ${r.steps} steps at (${r.x.map((v) => v.toFixed(5)).join(', ')}), f = ${r.value.toExponential(2)}.`,
  );
  console.log('Every step went downhill:', r.values.every((v, i) => i === 0 || v <= r.values[i - 1]) ? 'yes ✓' : 'no ✗');

  // The first-order prediction is only good for small steps: the gap shrinks with η.
  console.log(
    `\nThe first step's Δf (${(r.values[1] - r.values[0]).toFixed(1)}) is not −η‖∇f‖² (${(firstStep(eta, start).predicted).toFixed(1)}): Δf ≈ ∇f·Δv is a first-order`,
  );
  console.log('(linear) estimate, good only for small steps. Here ∇f is large, and so is the step. Shrink η and the gap goes:');
  console.log('        η        actual Δf      −η‖∇f‖²        gap       gap / η²   actual / predicted');
  for (const e of [0.35, 0.1, 0.03, 0.01, 0.001, 0.0001]) {
    const { actual, predicted } = firstStep(e, start);
    const gap = actual - predicted;
    console.log(
      `   ${String(e).padStart(6)}   ${actual.toExponential(4).padStart(12)}   ${predicted.toExponential(4).padStart(12)}   ${gap.toExponential(3).padStart(10)}   ${(gap / e ** 2).toFixed(3).padStart(9)}   ${(actual / predicted).toFixed(5).padStart(10)}`,
    );
  }
  {
    // The Hessian of f, by hand: ∂²f/∂x² = 2, ∂²f/∂y² = 8, ∂²f/∂x∂y = 1.
    const g = grad(f)(tensor(start, { dtype: 'float64' })).data;
    const curvature = 0.5 * (2 * g[0] * g[0] + 2 * g[0] * g[1] + 8 * g[1] * g[1]);
    console.log(`   gap / η² stays at ½·∇fᵀH∇f = ${curvature.toFixed(3)} (H = [[2, 1], [1, 8]]): the gap is the curvature term the`);
    console.log('   first-order estimate leaves out, so the relative error falls like η.');
    const big = firstStep(0.35, start);
    if (big.actual > 0)
      console.log(
        `   With η = 0.35 the step overshoots the valley and f goes up (${big.actual.toFixed(1)}), although −η‖∇f‖² promises ${big.predicted.toFixed(1)}.`,
      );
  }

  // ASCII map: contour bands of f (darker = higher), the path as digits (step mod 10), the minimum as ✱.
  const W = 64,
    H = 24,
    x0 = -3,
    x1 = 3,
    y0 = -2,
    y1 = 2;
  const shades = ' .:-=+*#%@';
  const grid: string[][] = [];
  for (let row = 0; row < H; row++) {
    const y = y1 - (row / (H - 1)) * (y1 - y0);
    const line: string[] = [];
    for (let col = 0; col < W; col++) {
      const x = x0 + (col / (W - 1)) * (x1 - x0);
      const band = Math.min(shades.length - 1, Math.floor(Math.sqrt(fAt(x, y)) * 1.6));
      line.push(shades[band]);
    }
    grid.push(line);
  }
  const cell = (x: number, y: number): [number, number] => [
    Math.round(((y1 - y) / (y1 - y0)) * (H - 1)),
    Math.round(((x - x0) / (x1 - x0)) * (W - 1)),
  ];
  r.path.forEach(([x, y], i) => {
    const [row, col] = cell(x, y);
    if (row >= 0 && row < H && col >= 0 && col < W) grid[row][col] = i === 0 ? 'S' : String(i % 10);
  });
  const [mr, mc] = cell(1, -0.5);
  grid[mr][mc] = '✱';
  console.log(`\nThe ball's path (S = start, digits = step mod 10, ✱ = minimum) over contour bands of f, x ∈ [${x0}, ${x1}], y ∈ [${y0}, ${y1}]:`);
  console.log('┌' + '─'.repeat(W) + '┐');
  for (const line of grid) console.log('│' + line.join('') + '│');
  console.log('└' + '─'.repeat(W) + '┘');
}

if (isMain(import.meta.url)) main();
