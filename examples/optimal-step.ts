/**
 * Lecture item 11 (exercise): among all steps Δv of length ε, the one that decreases C the most
 * (to first order) is Δv = −ε∇C/‖∇C‖. By Cauchy–Schwarz, ∇C·Δv ≥ −‖∇C‖·‖Δv‖ = −ε‖∇C‖, with
 * equality only for Δv pointing along −∇C.
 *
 *   npx tsx examples/optimal-step.ts
 *
 * We check it numerically: compute ∇C with autograd at a point of a 6-variable function, try
 * 100,000 random directions of length ε, and compare the best of them with the gradient step.
 * Then the one-variable case: the best step of length ε is −ε·sign(C′(x)).
 */
import { grad, tensor, Rng, type Tensor } from '../src/index.js';

const D = 6;
// A smooth non-quadratic cost of 6 variables: C(v) = Σ log(1 + (vᵢ − i/2)²) + (v₀·v₁ − 1)² + 0.1·Σ vᵢ⁴.
const target = tensor(
  Array.from({ length: D }, (_, i) => i / 2),
  { dtype: 'float64' },
);
const pick = (v: Tensor, i: number): Tensor => v.slice(0, i, i + 1).squeeze(); // vᵢ as a 0-d tensor
const C = (v: Tensor): Tensor =>
  v
    .sub(target)
    .square()
    .add(1)
    .log()
    .sum()
    .add(pick(v, 0).mul(pick(v, 1)).sub(1).square())
    .add(v.pow(4).sum().mul(0.1));
const cAt = (v: ArrayLike<number>): number => C(tensor(Array.from(v), { dtype: 'float64' })).item();

const rng = new Rng(11);
const v = Float64Array.from({ length: D }, () => rng.normal());
const g = grad(C)(tensor(Array.from(v), { dtype: 'float64' })).data;
const gNorm = Math.hypot(...g);
const eps = 1e-3;
const c0 = cAt(v);
const stepC = (dv: ArrayLike<number>): number => cAt(Array.from(v, (x, i) => x + dv[i])) - c0;

const gradStep = Array.from(g, (x) => (-eps * x) / gNorm);
const gradDelta = stepC(gradStep);

let best = Infinity,
  bestDir: number[] = [];
let beaten = 0;
const SAMPLES = 100_000;
for (let s = 0; s < SAMPLES; s++) {
  const u = Array.from({ length: D }, () => rng.normal());
  const n = Math.hypot(...u);
  const dv = u.map((x) => (eps * x) / n);
  // First-order change ∇C·Δv (cheap), and the true change for the best ones.
  const lin = dv.reduce((a, x, i) => a + x * g[i], 0);
  if (lin < best) {
    best = lin;
    bestDir = dv;
  }
  if (lin < -eps * gNorm - 1e-15) beaten++;
}
const bestTrue = stepC(bestDir);
const cos = -bestDir.reduce((a, x, i) => a + x * g[i], 0) / (eps * gNorm);

console.log(`C: ℝ^${D} → ℝ at a random point v, ‖∇C(v)‖ = ${gNorm.toFixed(4)}, step length ε = ${eps}\n`);
console.log(`Cauchy–Schwarz bound on the first-order change:  ∇C·Δv ≥ −ε‖∇C‖ = ${(-eps * gNorm).toExponential(6)}`);
console.log(`gradient step Δv = −ε∇C/‖∇C‖:   first-order ${(-eps * gNorm).toExponential(6)}   true ΔC ${gradDelta.toExponential(6)}`);
console.log(
  `best of ${SAMPLES.toLocaleString('en-US')} random directions:  first-order ${best.toExponential(6)}   true ΔC ${bestTrue.toExponential(6)}`,
);
console.log(`   its angle to −∇C: ${((Math.acos(Math.min(1, cos)) * 180) / Math.PI).toFixed(2)}°  (cosine ${cos.toFixed(5)})`);
console.log(`random directions that beat the bound: ${beaten} ${beaten === 0 ? '✓' : '✗'}`);
console.log(`the gradient step decreases C more than the best random one: ${gradDelta < bestTrue ? 'yes ✓' : 'no ✗'}`);

// In one variable: the best step of length ε is −ε·sign(C′(x)).
console.log('\nOne variable, C(x) = x⁴ − 3x² + x: the step of length ε that lowers C most is −ε·sign(C′(x))');
const c1 = (x: Tensor): Tensor => x.pow(4).sub(x.square().mul(3)).add(x);
const c1At = (x: number): number => c1(tensor(x, { dtype: 'float64' })).item();
console.log('     x      C′(x)    C(x − ε)−C(x)   C(x + ε)−C(x)   better step   −ε·sign(C′)');
for (const x of [-2, -1, -0.2, 0.3, 1, 1.8]) {
  const d = grad(c1)(tensor(x, { dtype: 'float64' })).item();
  const left = c1At(x - eps) - c1At(x),
    right = c1At(x + eps) - c1At(x);
  const better = left < right ? '−ε' : '+ε';
  const predicted = d > 0 ? '−ε' : '+ε';
  console.log(
    `  ${x.toFixed(1).padStart(5)}  ${d.toFixed(3).padStart(8)}   ${left.toExponential(3).padStart(13)}   ${right.toExponential(3).padStart(13)}      ${better}           ${predicted} ${better === predicted ? '✓' : '✗'}`,
  );
}
