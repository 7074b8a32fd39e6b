/**
 * The Draw panel: a drawing pad (mouse, touch, pen, or keyboard), the MNIST preprocessing of
 * the drawing, and the network's answer: ten output bars, the predicted digit, and the hidden
 * layers' activations.
 */
import { byId } from './dom.js';
import { FIELD, toMnist } from './preprocess.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** Stroke width on the 280-pixel pad: about MNIST's 2–3 pixels once scaled into 20×20. */
const PEN = 22;
/** Pixels a keyboard arrow moves the pen (Shift: three times as far). */
const KEY_STEP = 10;

export class DrawPanel {
  private readonly pad = byId<HTMLCanvasElement>('pad');
  private readonly ctx: CanvasRenderingContext2D;
  private readonly prediction = byId('prediction');
  private readonly bars: HTMLElement[] = [];
  private last: { x: number; y: number } | null = null;
  private pen = { x: 140, y: 140, down: false };
  private request = 0;
  private pending = false;
  private inked = false;

  constructor(private readonly send: (m: ToWorker) => void) {
    this.ctx = this.pad.getContext('2d', { willReadFrequently: true })!;
    const list = byId('bars');
    for (let d = 0; d < 10; d++) {
      const li = document.createElement('li');
      li.innerHTML = `<span class="digit">${d}</span><span class="bar"><span class="fill"></span></span><span class="value">–</span>`;
      list.append(li);
      this.bars.push(li);
    }
    this.clear();
    byId('clear').addEventListener('click', () => this.clear());
    this.pad.addEventListener('pointerdown', (e) => {
      this.pad.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    this.pad.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
    });
    const end = (): void => {
      this.last = null;
    };
    this.pad.addEventListener('pointerup', end);
    this.pad.addEventListener('pointercancel', end);
    this.pad.addEventListener('keydown', (e) => this.key(e));
    this.pad.addEventListener('blur', () => this.render());
    this.pad.addEventListener('focus', () => this.render());
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.pad.width, y: ((e.clientY - r.top) / r.height) * this.pad.height };
  }

  /** The ink, kept apart from the keyboard cursor drawn over it. */
  private ink: ImageData | null = null;

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    if (this.ink) this.ctx.putImageData(this.ink, 0, 0);
    const ctx = this.ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
    this.ink = ctx.getImageData(0, 0, this.pad.width, this.pad.height);
    this.inked = true;
    this.render();
    this.ask();
  }

  /** Redraws the ink and, while the pad has keyboard focus, the pen cursor. */
  private render(): void {
    if (this.ink) this.ctx.putImageData(this.ink, 0, 0);
    // The pen cursor is for keyboard users: a mouse or finger shows where it draws by itself.
    if (!this.pad.matches(':focus-visible')) return;
    const ctx = this.ctx;
    ctx.strokeStyle = this.pen.down ? '#e4572e' : '#8ab4f8';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(this.pen.x, this.pen.y, PEN / 2, 0, 2 * Math.PI);
    ctx.stroke();
  }

  private key(e: KeyboardEvent): void {
    const d = e.shiftKey ? 3 * KEY_STEP : KEY_STEP;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, -d], ArrowDown: [0, d] };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const from = { x: this.pen.x, y: this.pen.y };
      this.pen.x = Math.min(this.pad.width, Math.max(0, this.pen.x + move[0]));
      this.pen.y = Math.min(this.pad.height, Math.max(0, this.pen.y + move[1]));
      if (this.pen.down) this.stroke(from, this.pen);
      else this.render();
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      this.pen.down = !this.pen.down;
      if (this.pen.down) this.stroke(this.pen, this.pen);
      else this.render();
    } else if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') {
      e.preventDefault();
      this.clear();
    }
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.pad.width, this.pad.height);
    this.ink = this.ctx.getImageData(0, 0, this.pad.width, this.pad.height);
    this.inked = false;
    this.pen.down = false;
    this.request++;
    this.render();
    this.showInput(new Float32Array(FIELD * FIELD));
    this.prediction.textContent = '–';
    delete this.prediction.dataset.digit;
    for (const li of this.bars) {
      li.classList.remove('top');
      (li.querySelector('.fill') as HTMLElement).style.transform = 'scaleX(0)';
      li.querySelector('.value')!.textContent = '–';
    }
  }

  /** The drawing as a 784-pixel MNIST input. */
  input(): Float32Array {
    const img = this.ink ?? this.ctx.getImageData(0, 0, this.pad.width, this.pad.height);
    const w = img.width,
      h = img.height;
    const src = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) src[i] = img.data[i * 4] / 255;
    return toMnist(src, w, h);
  }

  /** Sends the drawing to the worker, at most one request in flight (the newest drawing wins). */
  ask(): void {
    if (!this.inked) return;
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      const pixels = this.input();
      this.showInput(pixels);
      this.send({ type: 'predict', id: ++this.request, pixels });
      this.pending = false;
    });
  }

  private showInput(pixels: Float32Array): void {
    const view = byId<HTMLCanvasElement>('mnist-view');
    const ctx = view.getContext('2d')!;
    const img = ctx.createImageData(FIELD, FIELD);
    for (let i = 0; i < pixels.length; i++) {
      const v = Math.round(pixels[i] * 255);
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }

  handle(m: FromWorker): boolean {
    if (m.type === 'state' && this.inked) {
      // A reset or an epoch changed the weights: ask again.
      this.ask();
      return false;
    }
    if (m.type === 'epoch' && this.inked) this.ask();
    if (m.type !== 'prediction') return false;
    if (m.id !== this.request) return true; // an answer to an older drawing
    let best = 0;
    for (let d = 1; d < 10; d++) if (m.output[d] > m.output[best]) best = d;
    const top = Math.max(1e-9, ...m.output.map(Math.abs));
    m.output.forEach((v, d) => {
      const li = this.bars[d];
      li.classList.toggle('top', d === best);
      (li.querySelector('.fill') as HTMLElement).style.transform = `scaleX(${Math.max(0, v) / Math.max(1, top)})`;
      li.querySelector('.value')!.textContent = v.toFixed(3);
    });
    this.prediction.textContent = String(best);
    this.prediction.dataset.digit = String(best);
    this.showHidden(m.hidden);
    return true;
  }

  private showHidden(layers: number[][]): void {
    const box = byId('hidden');
    box.replaceChildren(
      ...layers.map((acts, i) => {
        const row = document.createElement('div');
        row.className = 'layer';
        // The cells are a picture: one label describes the row to screen readers.
        row.setAttribute('role', 'img');
        const max = Math.max(1e-9, ...acts.map(Math.abs));
        const shown = acts.slice(0, 400);
        row.setAttribute(
          'aria-label',
          `Hidden layer ${i + 1}: ${acts.length} neurons${acts.length > shown.length ? `, first ${shown.length} shown` : ''}`,
        );
        for (const a of shown) {
          const cell = document.createElement('span');
          // Sigmoid activations are in [0, 1] already; scale others by the layer's largest.
          const t = Math.max(0, Math.min(1, Math.abs(a) / (max > 1 ? max : 1)));
          cell.style.opacity = String(0.08 + 0.92 * t);
          cell.title = a.toFixed(3);
          row.append(cell);
        }
        return row;
      }),
    );
  }
}
