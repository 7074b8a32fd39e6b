// Type-checked by `npm run test:package` as a strict Node consumer (node16 and bundler
// resolution): every entry point, the common API, and the types users write down.
import {
  type Tensor,
  Value,
  grad,
  valueAndGrad,
  gradcheck as rootGradcheck,
  nn,
  optim,
  data,
  noGrad,
  randn,
  tensor,
  wasmBuild,
  initWasm,
} from 'tensorgrad';
import type { DType, GradcheckReport, NestedArray, TensorOptions } from 'tensorgrad';
import * as core from 'tensorgrad/core';
import { enableThreads, disableThreads, threadCount } from 'tensorgrad/threads';
import { gradcheck } from 'tensorgrad/testing';

const opts: TensorOptions = { dtype: 'float64', requiresGrad: true };
const x: Tensor = tensor(
  [
    [1, 2],
    [3, 4],
  ],
  opts,
);
const dt: DType = x.dtype;
const nested: NestedArray = x.toArray();
const df = grad((t: Tensor) => t.square().sum());
const g: Tensor = df(x);
const { value: val, grad: gv } = valueAndGrad((t: Tensor) => t.tanh().sum())(x);
const report: GradcheckReport = gradcheck((a: Tensor) => a.sigmoid().sum(), [x]);
const same: boolean = rootGradcheck === gradcheck;
const first: number | undefined = x.shape[0];

const s = new Value(2).mul(3).tanh();
s.backward();

const model = new nn.MLP([4, 8, 2], { activation: 'relu', init: 'he', seed: 1 });
const params: Tensor[] = model.parameters();
const opt = new optim.Adam(params, { lr: 1e-3 });
const out = model.forward(randn([3, 4], { seed: 2 }));
const loss = nn.crossEntropy(out, new Uint8Array([0, 1, 1]));
opt.zeroGrad();
loss.backward();
opt.step();
noGrad(() => nn.accuracy(model.forward(randn([3, 4])), [0, 1, 0]));

const idx = data.readIdx(data.writeIdx({ data: new Uint8Array([1, 2, 3]) }));
const loadMnist: typeof data.loadMnist = data.loadMnist;
const build: 'relaxed-simd' | 'simd' | null = wasmBuild();
const ready: Promise<boolean> = initWasm();
const coreTensor: core.Tensor = core.tensor([1]);

if (enableThreads(2)) console.log(threadCount());
void disableThreads();

console.log(dt, nested, g, val, gv, report.ok, same, first, s.grad, idx.shape, loadMnist, build, ready, coreTensor);
