// The computation run both in Node and in Chromium by `npm run test:package`; it takes the
// `tensorgrad/core` module and returns plain numbers to compare.
//
// float64 work runs on the TypeScript kernels in both places, so its numbers must agree to the
// bit; float32 training runs on the wasm SIMD kernels (Node 20: 'simd'; current Chromium:
// 'relaxed-simd', with fused multiply-add), so it agrees to float32 rounding.
export async function compute(tg) {
  const { tensor, grad, nn, optim, data, Value } = tg;
  const before = tg.wasmBuild();
  const initialised = await tg.initWasm();

  // Gradients of a small float64 function with respect to both arguments.
  const x = tensor(
    [
      [0.5, -1.25, 2],
      [3, -0.5, 0.25],
    ],
    { dtype: 'float64' },
  );
  const w = tensor(
    [
      [0.1, 0.2],
      [0.3, -0.4],
      [0.5, 0.6],
    ],
    { dtype: 'float64' },
  );
  const [gx, gw] = grad((a, b) => a.matmul(b).tanh().square().sum().add(a.sigmoid().mean()), [0, 1])(x, w);

  // The scalar engine.
  const v = new Value(1.5);
  v.pow(3).add(v.exp()).tanh().mul(v.log()).backward();

  // IDX bytes round trip (browser-safe part of `data`).
  const idx = data.readIdx(data.writeIdx({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array([1, 2, 3, 250, 251, 252]) }));

  // A few MLP training steps in float32 on a synthetic, deterministic dataset: 256 examples
  // of 32 features, 4 classes; batch 32 through a 32-64-4 ReLU MLP: matmuls of 65k
  // multiply-adds, well above the size from which the wasm kernels take over.
  const count = 256,
    features = 32;
  const images = new Float32Array(count * features);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    for (let j = 0; j < features; j++) {
      images[i * features + j] = Math.sin(0.37 * i + 0.11 * j * (1 + labels[i])) * 0.5 + 0.5;
    }
  }
  const dataset = { images, labels, count, features, rows: 1, cols: features };
  const model = new nn.MLP([features, 64, 4], { activation: 'relu', outputActivation: 'identity', init: 'he', seed: 3 });
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const loader = new data.DataLoader(dataset, { batchSize: 32, seed: 1, classes: 4 });
  const losses = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const batch of loader.epoch(epoch)) {
      const loss = nn.crossEntropy(model.forward(batch.inputs), batch.labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
  }
  // The same training through compile() (traced, then replayed, elementwise runs fused): each
  // loss must be the eager one bit for bit, in this engine. Cross-entropy takes the one-hot
  // targets here, a tensor argument, with the same bits as the labels.
  const model2 = new nn.MLP([features, 64, 4], { activation: 'relu', outputActivation: 'identity', init: 'he', seed: 3 });
  const opt2 = new optim.SGD(model2.parameters(), { lr: 0.1, momentum: 0.9 });
  const step = tg.compile((x, targets) => {
    const loss = nn.crossEntropy(model2.forward(x), targets);
    opt2.zeroGrad();
    loss.backward();
    opt2.step();
    return loss;
  });
  const compiledLosses = [];
  const loader2 = new data.DataLoader(dataset, { batchSize: 32, seed: 1, classes: 4 });
  for (let epoch = 0; epoch < 2; epoch++) for (const batch of loader2.epoch(epoch)) compiledLosses.push(step(batch.inputs, batch.targets).item());
  // A broadcast chain ending in sigmoid, compiled into one fused wasm call.
  const cx = tg.randn([64, 64], { seed: 4 }),
    cy = tg.randn([64], { seed: 5 }),
    cz = tg.randn([64, 1], { seed: 6 });
  const chain = (a, b, c) => a.mul(b).add(c).sigmoid().mul(a.abs());
  const fusedChain = tg.compile(chain);
  fusedChain(cx, cy, cz);
  const fusedOut = fusedChain(cx, cy, cz).data,
    eagerOut = tg.noGrad(() => chain(cx, cy, cz)).data;
  return {
    before,
    initialised,
    compiledSame: compiledLosses.length === losses.length && compiledLosses.every((l, i) => Object.is(l, losses[i])),
    fusedSame: fusedOut.length === eagerOut.length && fusedOut.every((v, i) => Object.is(v, eagerOut[i])),
    wasmBuild: tg.wasmBuild(),
    useWasm: tg.useWasm(),
    gx: Array.from(gx.data),
    gw: Array.from(gw.data),
    valueGrad: v.grad,
    idx: { shape: idx.shape, data: Array.from(idx.data) },
    losses,
    firstWeights: Array.from(model.parameters()[0].data.subarray(0, 8)),
  };
}
