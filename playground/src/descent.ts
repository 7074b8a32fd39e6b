/**
 * The lecture's picture of gradient descent: a ball rolling down a valley C(v₁, v₂). Here the
 * valley is any f(x, y) typed in the Graph panel; each step takes the gradient from the
 * scalar engine's `backward()` and moves against it: (x, y) ← (x, y) − η·∇f.
 */
import { Value } from '../../src/core.js';
import { type Expr, evaluate, toValue } from './expr.js';

export interface Step {
  x: number;
  y: number;
  f: number;
  dx: number;
  dy: number;
}

/**
 * `steps` steps of gradient descent on `f` (an expression in x and y) from (x0, y0) with
 * learning rate `lr`: the points visited, with f and its gradient at each. Stops early if f
 * or the point stops being finite.
 *
 * @example
 * descend(parse('x*x + 3*y*y'), -2, 1, 0.1, 20).at(-1); // close to (0, 0)
 */
export function descend(f: Expr, x0: number, y0: number, lr: number, steps: number): Step[] {
  const path: Step[] = [];
  let x = x0,
    y = y0;
  for (let i = 0; i <= steps; i++) {
    const vx = new Value(x, 'x'),
      vy = new Value(y, 'y');
    const out = toValue(
      f,
      new Map([
        ['x', vx],
        ['y', vy],
      ]),
    );
    out.backward();
    const step = { x, y, f: out.data, dx: vx.grad, dy: vy.grad };
    if (![step.f, step.dx, step.dy].every(Number.isFinite)) break;
    path.push(step);
    x -= lr * step.dx;
    y -= lr * step.dy;
    if (!Number.isFinite(x) || !Number.isFinite(y)) break;
  }
  return path;
}

/** The plotted square: x and y from −R to R. */
export const RANGE = 3;

/** Colour of a level in [0, 1]: dark blue (low) through teal to pale yellow (high), as a valley map. */
function colour(t: number): [number, number, number] {
  const a = [30, 40, 110],
    b = [40, 150, 140],
    c = [250, 240, 170];
  const [p, q, s] = t < 0.5 ? [a, b, t * 2] : [b, c, (t - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(p[i] + (q[i] - p[i]) * s)) as [number, number, number];
}

/**
 * Draws f as a filled contour map over [−R, R]² on `canvas`, with the descent path on top
 * (dots joined by lines, the start ringed).
 */
export function drawDescent(canvas: HTMLCanvasElement, f: Expr, path: readonly Step[]): void {
  const ctx = canvas.getContext('2d')!;
  const w = canvas.width,
    h = canvas.height;
  const n = 120;
  const grid = new Float64Array(n * n);
  let lo = Infinity,
    hi = -Infinity;
  const vars = new Map<string, number>();
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      vars.set('x', -RANGE + ((i + 0.5) / n) * 2 * RANGE);
      vars.set('y', RANGE - ((j + 0.5) / n) * 2 * RANGE);
      const v = evaluate(f, vars);
      grid[j * n + i] = v;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  const img = ctx.createImageData(n, n);
  const bands = 14;
  for (let k = 0; k < n * n; k++) {
    const v = grid[k];
    // Square-root scaling spreads the levels near the minimum, where the path ends.
    const t = Number.isFinite(v) && hi > lo ? Math.sqrt((v - lo) / (hi - lo)) : 1;
    const [r, g, b] = colour(Math.floor(t * bands) / bands);
    img.data.set([r, g, b, 255], k * 4);
  }
  const tmp = new OffscreenCanvas(n, n);
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, w, h);
  const px = (x: number): number => ((x + RANGE) / (2 * RANGE)) * w;
  const py = (y: number): number => ((RANGE - y) / (2 * RANGE)) * h;
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#fff';
  ctx.beginPath();
  path.forEach((s, i) => (i === 0 ? ctx.moveTo(px(s.x), py(s.y)) : ctx.lineTo(px(s.x), py(s.y))));
  ctx.stroke();
  ctx.fillStyle = '#e4572e';
  for (const s of path) {
    ctx.beginPath();
    ctx.arc(px(s.x), py(s.y), 3.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (path.length > 0) {
    ctx.strokeStyle = '#e4572e';
    ctx.beginPath();
    ctx.arc(px(path[0].x), py(path[0].y), 8, 0, 2 * Math.PI);
    ctx.stroke();
  }
}
