/**
 * The playground's entry: starts the training worker and wires the three panels to it.
 */
import { DrawPanel } from './draw-panel.js';
import { GraphPanel } from './graph-panel.js';
import { type FromWorker, LECTURE_SETTINGS, type ToWorker } from './protocol.js';
import { TrainPanel } from './train-panel.js';

const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker): void => worker.postMessage(m);
const train = new TrainPanel(send);
const draw = new DrawPanel(send);
new GraphPanel();

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  train.handle(m);
  draw.handle(m);
};
worker.onerror = (ev) => {
  document.getElementById('train-error')!.textContent = `The training worker failed: ${ev.message}`;
};
send({ type: 'init', dataUrl: new URL('data/', document.baseURI).href, settings: train.settings() ?? { ...LECTURE_SETTINGS } });
