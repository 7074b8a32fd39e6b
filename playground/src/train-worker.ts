/**
 * The training worker: loads the MNIST files the site serves, compiles the wasm kernels, and
 * trains in slices of ~40 ms, answering the page (pause, reset, predictions for the Draw
 * panel) between slices, so neither the page nor the worker's inbox ever waits long.
 */
import { wasmBuild } from '../../src/core.js';
import { initWasm } from '../../src/autograd/kernels/wasm/index.js';
import { readIdx } from '../../src/data/idx.js';
import type { FromWorker, ToWorker, TrainSettings } from './protocol.js';
import { PROBE_IMAGES, type Split, type Splits, Trainer } from './trainer.js';

/** Milliseconds of training between two looks at the inbox. */
const SLICE_MS = 40;
/** Minimum milliseconds between two progress messages. */
const REPORT_MS = 100;

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

/** The bytes at `url`, un-gzipped when they are gzip (a server may already have done it). */
async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not load ${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function loadSplit(base: string, name: string): Promise<Split> {
  const [imgBytes, lblBytes] = await Promise.all([fetchBytes(`${base}${name}-images.idx.gz`), fetchBytes(`${base}${name}-labels.idx.gz`)]);
  const img = readIdx(imgBytes, `${name}-images.idx.gz`);
  const lbl = readIdx(lblBytes, `${name}-labels.idx.gz`);
  if (img.shape.length !== 3 || lbl.shape.length !== 1 || img.shape[0] !== lbl.shape[0]) {
    throw new Error(`${name}: expected [n, 28, 28] images and [n] labels, got [${img.shape}] and [${lbl.shape}]`);
  }
  const [count, rows, cols] = img.shape;
  const pixels = img.data as Uint8Array;
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = pixels[i] / 255;
  return { images, labels: lbl.data as Uint8Array, count, features: rows * cols };
}

let data: Splits | null = null;
let trainer: Trainer | null = null;
let settings: TrainSettings | null = null;
let running = false;
// Progress accumulated since the last report.
let pending: number[] = [];
let pendingExamples = 0;
let pendingMs = 0;
let lastReport = 0;

function reportState(fresh = false): void {
  if (trainer) post({ type: 'state', running, epoch: trainer.epoch, parameters: trainer.parameterCount, fresh });
}

function flush(): void {
  if (!trainer || pending.length === 0) return;
  const costs = Float32Array.from(pending);
  post(
    {
      type: 'batches',
      costs,
      examples: trainer.seen,
      epoch: trainer.epoch,
      epochFraction: trainer.epochFraction,
      examplesPerSecond: pendingMs > 0 ? (pendingExamples * 1000) / pendingMs : 0,
    },
    [costs.buffer],
  );
  pending = [];
  pendingExamples = 0;
  pendingMs = 0;
  lastReport = performance.now();
}

// A zero-delay yield: a message to ourselves lets queued page messages run first
// (setTimeout would be clamped to 4 ms after a few nested calls).
const channel = new MessageChannel();
channel.port1.onmessage = () => tick();
const schedule = (): void => channel.port2.postMessage(null);

function tick(): void {
  if (!running || !trainer) return;
  try {
    const r = trainer.run(SLICE_MS);
    for (const c of r.costs) pending.push(c);
    pendingExamples += r.examples;
    pendingMs += r.trainMs;
    const now = performance.now();
    if (r.probes.length > 0 || r.epochEnd || now - lastReport >= REPORT_MS) flush();
    for (const p of r.probes)
      post({ type: 'probe', examples: p.examples, accuracy: p.accuracy, count: Math.min(PROBE_IMAGES, data!.validation.count) });
    if (r.epochEnd) {
      const e = r.epochEnd;
      post({
        type: 'epoch',
        epoch: e.epoch,
        cost: e.cost,
        validationAccuracy: e.validationAccuracy,
        testAccuracy: e.testAccuracy,
        trainSeconds: e.trainSeconds,
        examplesPerSecond: data!.train.count / e.trainSeconds,
      });
      if (trainer.epoch >= trainer.settings.epochs) running = false;
      reportState();
    }
  } catch (e) {
    running = false;
    post({ type: 'error', message: (e as Error).message });
    reportState();
    return;
  }
  if (running) schedule();
}

function reset(next: TrainSettings): void {
  if (!data) throw new Error('The data are still loading');
  trainer = new Trainer(next, data);
  settings = next;
  running = false;
  pending = [];
  pendingExamples = 0;
  pendingMs = 0;
  reportState(true);
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    switch (m.type) {
      case 'init':
        void init(m.dataUrl, m.settings);
        break;
      case 'reset':
        reset(m.settings);
        break;
      case 'start':
        if (!trainer && settings) reset(settings);
        if (trainer && !running && trainer.epoch < trainer.settings.epochs) {
          running = true;
          lastReport = performance.now();
          reportState();
          schedule();
        }
        break;
      case 'pause':
        running = false;
        flush();
        reportState();
        break;
      case 'predict':
        if (trainer) post({ type: 'prediction', id: m.id, ...trainer.predict(m.pixels) });
        break;
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
};

async function init(dataUrl: string, first: TrainSettings): Promise<void> {
  try {
    const t0 = performance.now();
    // Synchronous compilation works in a worker, but the async one is the documented path for the web.
    await initWasm();
    const [train, validation, test] = await Promise.all(['train', 'validation', 'test'].map((s) => loadSplit(dataUrl, s)));
    data = { train, validation, test };
    post({
      type: 'ready',
      wasm: wasmBuild() ?? 'none (TypeScript kernels)',
      counts: { train: train.count, validation: validation.count, test: test.count },
      loadSeconds: (performance.now() - t0) / 1000,
    });
    reset(first);
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
}
