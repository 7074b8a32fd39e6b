import { compile, nn, optim, randn, tensor, type Tensor } from '../src/index.js';
const dtype = 'float32';
function setup() {
  const model = new nn.MLP([784, 30, 10], { seed: 1, dtype });
  const opt = new optim.SGD(model.parameters(), { lr: 3 });
  const step = (x: Tensor, y: Tensor) => { opt.zeroGrad(); const l = nn.quadraticCost(model.forward(x), y); l.backward(); opt.step(); return l; };
  return { model, step };
}
const a = setup(), b = setup();
const cstep = compile(b.step);
const N = 200;
const xs = Array.from({ length: N }, (_, i) => randn([10, 784], { seed: 5 + i, dtype }));
const ys = Array.from({ length: N }, (_, i) => randn([10, 10], { seed: 1000 + i, dtype }));
const mode = process.argv[2] ?? 'both';
for (let rep = 0; rep < 5; rep++) {
  let t0 = performance.now();
  if (mode !== 'compiled') for (let i = 0; i < 5000; i++) a.step(xs[i % N], ys[i % N]);
  const te = performance.now() - t0; t0 = performance.now();
  if (mode !== 'eager') for (let i = 0; i < 5000; i++) cstep(xs[i % N], ys[i % N]);
  const tc = performance.now() - t0;
  console.log('µs/step eager', (te / 5).toFixed(1), 'compiled', (tc / 5).toFixed(1));
}
