/**
 * Writing your own model with autograd, and verifying its gradient with `gradcheck`.
 *
 *   npx tsx examples/custom-model.ts
 *
 * The model: a radial-basis-function network y(x) = Σₖ aₖ·exp(−(x − cₖ)²/(2sₖ²)) + b with
 * trainable centres, widths, amplitudes and bias — not a stack of built-in layers. We fit it
 * to noisy samples of sin(2x)·e^(−x²/4), check its gradient against finite differences, and
 * train it with Adam.
 */
import { nn, optim, gradcheck, tensor, randn, Rng, type Tensor } from '../src/index.js';

class RBFNet extends nn.Module {
  readonly centres: Tensor;
  readonly logWidths: Tensor;
  readonly amplitudes: Tensor;
  readonly bias: Tensor;

  constructor(k: number, opts: { seed?: number; dtype?: 'float32' | 'float64' } = {}) {
    super();
    const dtype = opts.dtype ?? 'float32';
    this.centres = this.registerParameter(
      'centres',
      tensor(
        Array.from({ length: k }, (_, i) => -4 + (8 * i) / (k - 1)),
        { dtype },
      ).reshape([1, k]),
    );
    this.logWidths = this.registerParameter('logWidths', tensor(new Array(k).fill(0), { dtype }).reshape([1, k]));
    this.amplitudes = this.registerParameter(
      'amplitudes',
      randn([k, 1], { seed: opts.seed ?? 0, dtype })
        .mul(0.1)
        .detach(),
    );
    this.bias = this.registerParameter('bias', tensor([0], { dtype }));
  }

  /** x: [n, 1] → y: [n, 1]. */
  override forward(x: Tensor): Tensor {
    return RBFNet.compute(x, this.centres, this.logWidths, this.amplitudes, this.bias);
  }

  /** The model as a pure function of its parameters, which is what gradcheck wants. */
  static compute(x: Tensor, centres: Tensor, logWidths: Tensor, amplitudes: Tensor, bias: Tensor): Tensor {
    const widths = logWidths.exp(); // s = e^logWidth keeps the width positive
    const z = x.sub(centres).div(widths); // [n, k] by broadcasting [n, 1] against [1, k]
    const phi = z.square().mul(-0.5).exp();
    return phi.matmul(amplitudes).add(bias);
  }
}

// Data: 200 noisy samples of the target function.
const rng = new Rng(4);
const n = 200;
const xs = Array.from({ length: n }, () => -4 + 8 * rng.uniform());
const truth = (x: number): number => Math.sin(2 * x) * Math.exp(-(x * x) / 4);
const x = tensor(xs, { shape: [n, 1] });
const y = tensor(
  xs.map((v) => truth(v) + 0.05 * rng.normal()),
  { shape: [n, 1] },
);

// 1. Check the gradient of the loss with respect to every parameter (float64, per element).
const check = new RBFNet(12, { seed: 1, dtype: 'float64' });
const x64 = x.astype('float64'),
  y64 = y.astype('float64');
const report = gradcheck((c: Tensor, w: Tensor, a: Tensor, b: Tensor) => nn.mseLoss(RBFNet.compute(x64, c, w, a, b), y64), check.parameters());
console.log(`gradcheck of the MSE loss w.r.t. ${report.checked} parameter elements: ${report.ok ? 'OK ✓' : 'FAILED ✗'}`);
console.log(`   max abs error ${report.maxAbsError.toExponential(2)}, max rel error ${report.maxRelError.toExponential(2)}`);
if (!report.ok) console.log(report.failures.join('\n'));

// 2. Train it.
const model = new RBFNet(12, { seed: 1 });
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
console.log('\nTraining with Adam (full batch):');
for (let step = 0; step <= 600; step++) {
  const loss = nn.mseLoss(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (step % 100 === 0) console.log(`   step ${String(step).padStart(3)}: mse ${loss.item().toFixed(5)}`);
}

// 3. Show the fit as a small ASCII plot: · target, o model.
const W = 72,
  H = 15;
const grid = Array.from({ length: H }, () => new Array<string>(W).fill(' '));
const plotAt = (px: number, py: number, ch: string): void => {
  const col = Math.round(((px + 4) / 8) * (W - 1));
  const row = Math.round(((1 - py) / 2) * (H - 1));
  if (row >= 0 && row < H && col >= 0 && col < W) grid[row][col] = ch;
};
const grid_x = Array.from({ length: W }, (_, i) => -4 + (8 * i) / (W - 1));
const pred = model.forward(tensor(grid_x, { shape: [W, 1] })).data;
grid_x.forEach((gx, i) => {
  plotAt(gx, truth(gx), '·');
  plotAt(gx, pred[i], 'o');
});
console.log('\nsin(2x)·e^(−x²/4) (·) and the trained RBF network (o), x ∈ [−4, 4]:');
for (const row of grid) console.log('   │' + row.join(''));
console.log('   └' + '─'.repeat(W));
