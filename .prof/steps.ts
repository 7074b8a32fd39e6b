import { compile, nn, optim, randn, type Tensor } from '../src/index.js';
import { engineState } from '../src/autograd/state.js';
const model = new nn.MLP([784, 30, 10], { seed: 1 });
const opt = new optim.SGD(model.parameters(), { lr: 3 });
const step = (x: Tensor, y: Tensor) => { opt.zeroGrad(); nn.quadraticCost(model.forward(x), y).backward(); opt.step(); };
const c = compile(step);
const x = randn([10, 784], { seed: 5 }).sigmoid(), y = randn([10, 10], { seed: 6 });
c(x, y);
// capture steps of the trace
const orig = (engineState as any);
let steps: any[] = [];
const T = (await import('../src/autograd/compile/trace.js')).Tracer;
const end = T.prototype.end;
T.prototype.end = function () { steps = this.steps; return end.call(this); };
c(x, y);
for (const s of steps) console.log(s.fn.name || '(live)', s.args.map((a: any) => (a && a.length !== undefined && typeof a !== 'string' ? `${a.constructor.name}[${a.length}]` : JSON.stringify(a))).join(', '));
// time each step
const N = 20000;
const times = steps.map(() => 0);
for (let r = 0; r < N; r++) steps.forEach((s, i) => { const t0 = performance.now(); s.fn(...s.args); times[i] += performance.now() - t0; });
steps.forEach((s, i) => console.log((times[i] / N * 1000).toFixed(2), 'µs', s.fn.name || '(live)'));
console.log('total', (times.reduce((a, b) => a + b) / N * 1000).toFixed(1), 'µs');
{
  const { sgdUpdate, allocateResident } = await import('../src/autograd/backend/index.js');
  const p = allocateResident('float32', 23520), g = allocateResident('float32', 23520);
  let t0 = performance.now();
  for (let i = 0; i < N; i++) sgdUpdate(p, g, 3);
  console.log('sgdUpdate W1', ((performance.now() - t0) / N * 1000).toFixed(2), 'µs');
  t0 = performance.now();
  for (let i = 0; i < N; i++) opt.step();
  console.log('opt.step', ((performance.now() - t0) / N * 1000).toFixed(2), 'µs');
}
