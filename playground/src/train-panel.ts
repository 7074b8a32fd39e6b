/**
 * The Train panel: the settings form, start/pause/reset, the live charts and figures. The
 * network itself lives in the worker; this side only sends commands and draws what comes back.
 */
import { LineChart } from './chart.js';
import { byId, int, percent } from './dom.js';
import { type FromWorker, LECTURE_SETTINGS, type ToWorker, type TrainSettings } from './protocol.js';

export class TrainPanel {
  private running = false;
  private ready = false;
  private trainCount = 1;
  private readonly costChart: LineChart;
  private readonly accChart: LineChart;
  private readonly batchCost;
  private readonly epochCost;
  private readonly probeAcc;
  private readonly epochVal;
  private readonly epochTest;
  private readonly button = byId<HTMLButtonElement>('train');
  private readonly resetButton = byId<HTMLButtonElement>('reset');
  private readonly form = byId<HTMLFormElement>('settings');
  private readonly error = byId('train-error');
  private readonly accuracy = byId('accuracy');
  private lastSpeed = 0;

  constructor(private readonly send: (m: ToWorker) => void) {
    this.costChart = new LineChart(byId<HTMLCanvasElement>('cost-chart'), { yRange: null, format: (y) => y.toFixed(3) });
    this.batchCost = this.costChart.add('mini-batch cost', '#4c78a8', 'line');
    this.epochCost = this.costChart.add('epoch cost', '#e4572e', 'dots');
    this.accChart = new LineChart(byId<HTMLCanvasElement>('acc-chart'), { yRange: [0, 1], format: (y) => `${Math.round(y * 100)}%` });
    this.probeAcc = this.accChart.add('validation (1,000 images)', '#4c78a8', 'line');
    this.epochVal = this.accChart.add('validation', '#e4572e', 'dots');
    this.epochTest = this.accChart.add('test', '#2a9d4b', 'dots');
    this.button.addEventListener('click', () => this.send({ type: this.running ? 'pause' : 'start' }));
    this.resetButton.addEventListener('click', () => this.reset());
    byId('lecture').addEventListener('click', () => {
      this.fill(LECTURE_SETTINGS);
      this.reset();
    });
    this.form.addEventListener('change', () => this.reset());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.reset();
    });
    this.fill(LECTURE_SETTINGS);
    new ResizeObserver(() => {
      this.costChart.redraw();
      this.accChart.redraw();
    }).observe(this.form);
  }

  /** The form's settings, or null (and a message) when a field is invalid. */
  settings(): TrainSettings | null {
    const v = (id: string): string => byId<HTMLInputElement>(id).value.trim();
    const sizes = v('sizes')
      .split(/[\s,×x-]+/)
      .filter(Boolean)
      .map(Number);
    const s: TrainSettings = {
      sizes,
      activation: v('activation') as TrainSettings['activation'],
      cost: v('cost') as TrainSettings['cost'],
      optimizer: v('optimizer') as TrainSettings['optimizer'],
      init: v('init') as TrainSettings['init'],
      lr: Number(v('lr')),
      batch: Number(v('batch')),
      epochs: Number(v('epochs')),
      seed: Number(v('seed')),
    };
    const problem =
      sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)
        ? 'Sizes: give whole numbers separated by commas, such as 784,30,10.'
        : sizes[0] !== 784 || sizes[sizes.length - 1] !== 10
          ? 'Sizes: the first must be 784 (pixels) and the last 10 (digits).'
          : !(s.lr > 0)
            ? 'Learning rate: give a positive number.'
            : !Number.isInteger(s.batch) || s.batch < 1
              ? 'Batch size: give a whole number of at least 1.'
              : !Number.isInteger(s.epochs) || s.epochs < 1
                ? 'Epochs: give a whole number of at least 1.'
                : !Number.isInteger(s.seed) || s.seed < 0
                  ? 'Seed: give a whole number of at least 0.'
                  : '';
    this.error.textContent = problem;
    return problem ? null : s;
  }

  private fill(s: Readonly<TrainSettings>): void {
    const set = (id: string, value: string | number): void => {
      byId<HTMLInputElement>(id).value = String(value);
    };
    set('sizes', s.sizes.join(','));
    set('activation', s.activation);
    set('cost', s.cost);
    set('optimizer', s.optimizer);
    set('init', s.init);
    set('lr', s.lr);
    set('batch', s.batch);
    set('epochs', s.epochs);
    set('seed', s.seed);
  }

  private reset(): void {
    const s = this.settings();
    if (!s || !this.ready) return;
    this.send({ type: 'reset', settings: s });
  }

  /** Empties the charts and figures: the worker built a new network. */
  private clear(): void {
    for (const c of [this.costChart, this.accChart]) c.clear();
    byId('examples').textContent = '0';
    byId('cost-now').textContent = '–';
    this.accuracy.textContent = '–';
    this.accuracy.dataset.epoch = '0';
    this.lastSpeed = 0;
  }

  /** Handles the worker's training messages; returns false for messages of other panels. */
  handle(m: FromWorker): boolean {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.trainCount = m.counts.train;
        byId('wasm').textContent = m.wasm;
        byId('data').textContent = `${kilo(m.counts.train)} train · ${kilo(m.counts.validation)} validation · ${kilo(m.counts.test)} test`;
        byId('data').parentElement!.title = `MNIST loaded and the kernels compiled in ${m.loadSeconds.toFixed(1)} s`;
        this.button.disabled = false;
        this.resetButton.disabled = false;
        return true;
      case 'state':
        // Messages arrive in order, so the old network's last progress is cleared along with it.
        if (m.fresh) this.clear();
        this.running = m.running;
        this.button.textContent = m.running ? 'Pause' : m.epoch > 0 ? 'Resume' : 'Start';
        this.button.setAttribute('aria-pressed', String(m.running));
        byId('epoch').textContent = String(m.epoch);
        byId('parameters').textContent = int(m.parameters);
        byId('speed').textContent = m.running ? byId('speed').textContent : this.lastSpeed > 0 ? `${int(this.lastSpeed)} examples/s (paused)` : '–';
        return true;
      case 'batches': {
        const n = m.costs.length;
        const x0 = m.epoch + m.epochFraction;
        // Spread the batches of this report evenly up to the worker's position.
        const step = (this.batchCost.xs.length > 0 ? x0 - this.batchCost.xs[this.batchCost.xs.length - 1] : x0) / n;
        for (let i = 0; i < n; i++) {
          this.batchCost.xs.push(x0 - (n - 1 - i) * step);
          this.batchCost.ys.push(m.costs[i]);
        }
        this.costChart.redraw();
        byId('examples').textContent = int(m.examples);
        byId('cost-now').textContent = m.costs[n - 1].toFixed(4);
        if (m.examplesPerSecond > 0) {
          this.lastSpeed = m.examplesPerSecond;
          byId('speed').textContent = `${int(m.examplesPerSecond)} examples/s`;
        }
        return true;
      }
      case 'probe':
        this.probeAcc.xs.push(m.examples / this.trainCount);
        this.probeAcc.ys.push(m.accuracy);
        this.accChart.redraw();
        return true;
      case 'epoch':
        this.epochCost.xs.push(m.epoch);
        this.epochCost.ys.push(m.cost);
        this.epochVal.xs.push(m.epoch);
        this.epochVal.ys.push(m.validationAccuracy);
        this.epochTest.xs.push(m.epoch);
        this.epochTest.ys.push(m.testAccuracy);
        this.costChart.redraw();
        this.accChart.redraw();
        byId('epoch').textContent = String(m.epoch);
        this.accuracy.textContent = `${percent(m.testAccuracy)} test\n${percent(m.validationAccuracy)} validation`;
        this.accuracy.dataset.epoch = String(m.epoch);
        this.accuracy.dataset.test = String(m.testAccuracy);
        this.accuracy.dataset.validation = String(m.validationAccuracy);
        this.accuracy.dataset.examplesPerSecond = String(m.examplesPerSecond);
        byId('speed').textContent = `${int(m.examplesPerSecond)} examples/s (epoch ${m.epoch})`;
        return true;
      case 'error':
        this.error.textContent = m.message;
        return true;
      default:
        return false;
    }
  }
}

/** A count in thousands when it is whole thousands (50000 → '50k'), else with separators. */
function kilo(n: number): string {
  return n % 1000 === 0 && n > 0 ? `${n / 1000}k` : int(n);
}
