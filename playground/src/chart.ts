/**
 * A small line chart on a canvas for the Train panel: any number of series, each drawn as a
 * line (many points, averaged per pixel column so a 150,000-batch run still draws in a
 * millisecond) or as dots (a few points, such as one per epoch). The x axis is in epochs.
 */

export interface Series {
  name: string;
  colour: string;
  style: 'line' | 'dots';
  xs: number[];
  ys: number[];
}

export interface ChartOptions {
  /** Fixed y range, or null to fit the data. */
  yRange: [number, number] | null;
  /** Formats a y tick. */
  format: (y: number) => string;
}

export class LineChart {
  readonly series: Series[] = [];
  private pending = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly opts: ChartOptions,
  ) {}

  add(name: string, colour: string, style: Series['style']): Series {
    const s: Series = { name, colour, style, xs: [], ys: [] };
    this.series.push(s);
    return s;
  }

  clear(): void {
    for (const s of this.series) {
      s.xs.length = 0;
      s.ys.length = 0;
    }
    this.redraw();
  }

  /** Redraws on the next animation frame (many updates between frames cost one draw). */
  redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const c = this.canvas;
    // Match the canvas's pixels to its laid-out size (the CSS fixes the height, so nothing jumps).
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(c.clientWidth * dpr)),
      h = Math.max(1, Math.round(c.clientHeight * dpr));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const cw = c.clientWidth,
      ch = c.clientHeight;
    ctx.clearRect(0, 0, cw, ch);
    const left = 44,
      right = 8,
      top = 8,
      bottom = 22;
    const pw = cw - left - right,
      ph = ch - top - bottom;
    let xMax = 1,
      yLo = Infinity,
      yHi = -Infinity;
    for (const s of this.series) {
      for (let i = 0; i < s.xs.length; i++) {
        xMax = Math.max(xMax, s.xs[i]);
        yLo = Math.min(yLo, s.ys[i]);
        yHi = Math.max(yHi, s.ys[i]);
      }
    }
    if (this.opts.yRange) [yLo, yHi] = this.opts.yRange;
    if (!(yHi > yLo)) [yLo, yHi] = [0, 1];
    xMax = Math.ceil(xMax);
    const X = (x: number): number => left + (x / xMax) * pw;
    const Y = (y: number): number => top + (1 - (y - yLo) / (yHi - yLo)) * ph;
    const style = getComputedStyle(c);
    ctx.font = `11px ${style.fontFamily}`;
    ctx.fillStyle = style.color;
    ctx.strokeStyle = 'rgba(127,127,127,0.35)';
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    for (let k = 0; k <= 4; k++) {
      const y = yLo + ((yHi - yLo) * k) / 4;
      ctx.beginPath();
      ctx.moveTo(left, Y(y));
      ctx.lineTo(left + pw, Y(y));
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(this.opts.format(y), left - 4, Y(y));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const step = Math.max(1, Math.ceil(xMax / 6));
    for (let e = 0; e <= xMax; e += step) ctx.fillText(String(e), X(e), top + ph + 6);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, pw, ph);
    ctx.clip();
    for (const s of this.series) {
      ctx.strokeStyle = ctx.fillStyle = s.colour;
      if (s.style === 'dots') {
        for (let i = 0; i < s.xs.length; i++) {
          ctx.beginPath();
          ctx.arc(X(s.xs[i]), Y(s.ys[i]), 3.5, 0, 2 * Math.PI);
          ctx.fill();
        }
        continue;
      }
      // One point per pixel column: the mean of the points that fall in it.
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let col = -1,
        sum = 0,
        count = 0,
        started = false;
      const emit = (): void => {
        if (count === 0) return;
        const y = Y(sum / count);
        if (started) ctx.lineTo(left + col, y);
        else ctx.moveTo(left + col, y);
        started = true;
      };
      for (let i = 0; i < s.xs.length; i++) {
        const px = Math.floor(X(s.xs[i]) - left);
        if (px !== col) {
          emit();
          col = px;
          sum = 0;
          count = 0;
        }
        sum += s.ys[i];
        count++;
      }
      emit();
      ctx.stroke();
    }
    ctx.restore();
  }
}
