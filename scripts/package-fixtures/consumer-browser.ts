// Type-checked by `npm run test:package` as a browser app: lib ES2022 + DOM, `types: []` (no
// Node types anywhere), importing only `tensorgrad/core`.
import { type Tensor, grad, initWasm, nn, optim, data, tensor, wasmBuild } from 'tensorgrad/core';

const ok: boolean = await initWasm();
const x = tensor([[0.5, -1]], { requiresGrad: true });
const model = new nn.MLP([2, 8, 1], { seed: 1 });
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const loss = nn.mseLoss(model.forward(x), tensor([[1]]));
opt.zeroGrad();
loss.backward();
opt.step();
const g: Tensor = grad((t: Tensor) => t.exp().sum())(x);
const bytes: Uint8Array = data.writeIdx({ data: new Float32Array([1, 2]) });
const loader = new data.DataLoader(
  { images: new Float32Array(4), labels: new Uint8Array([0, 1]), count: 2, features: 2 },
  { batchSize: 1, classes: 2 },
);
document.title = `${ok} ${wasmBuild()} ${g.size} ${bytes.length} ${loader.length}`;
