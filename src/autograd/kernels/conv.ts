import type { FloatArray } from './types.js';

/**
 * The geometry of a 2-D window sweep over an NCHW input: convolution (with dilation and
 * groups) and pooling share it. Output size per axis: ⌊(in + 2·pad − dil·(k−1) − 1)/stride⌋ + 1.
 */
export interface Window2d {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
}

/**
 * im2col: cols [c·kh·kw, n·oh·ow] (row (ch, ki, kj), column (image, oy, ox)) holds the input
 * element each kernel tap sees at each output position, 0 in the padding. A convolution is
 * then one matrix product per group: W_g [o/g, (c/g)·kh·kw] · cols_g.
 */
export function im2col(cols: FloatArray, x: FloatArray, s: Window2d): void {
  sweep(cols, x, s, false);
}

/** col2im: the adjoint of im2col, x[...] += every column entry that read it (x is not cleared). */
export function col2im(x: FloatArray, cols: FloatArray, s: Window2d): void {
  sweep(cols, x, s, true);
}

function sweep(cols: FloatArray, x: FloatArray, s: Window2d, add: boolean): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = s;
  const plane = oh * ow,
    cols1 = n * plane,
    hw = h * w;
  let row = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const x0 = kj * dw - pw;
        // The output columns whose tap lands inside the row: ix = x0 + ox·sw ∈ [0, w).
        const lo = x0 >= 0 ? 0 : Math.min(ow, Math.ceil(-x0 / sw));
        const hi = Math.max(lo, Math.min(ow, Math.ceil((w - x0) / sw)));
        for (let img = 0; img < n; img++) {
          const xb = (img * c + ch) * hw;
          let o = row * cols1 + img * plane;
          for (let oy = 0; oy < oh; oy++, o += ow) {
            const iy = oy * sh - ph + ki * dh;
            if (iy < 0 || iy >= h) {
              if (!add) cols.fill(0, o, o + ow);
              continue;
            }
            const xr = xb + iy * w + x0;
            if (add) {
              for (let ox = lo; ox < hi; ox++) x[xr + ox * sw] += cols[o + ox];
            } else {
              for (let ox = 0; ox < lo; ox++) cols[o + ox] = 0;
              if (sw === 1) for (let ox = lo; ox < hi; ox++) cols[o + ox] = x[xr + ox];
              else for (let ox = lo; ox < hi; ox++) cols[o + ox] = x[xr + ox * sw];
              for (let ox = hi; ox < ow; ox++) cols[o + ox] = 0;
            }
          }
        }
      }
    }
  }
}

/**
 * For each output of a max pool, the flat offset in x of the window's maximum (the first one
 * on ties, as PyTorch; a NaN wins, so it propagates). Padding never wins: the ops keep
 * padding ≤ half the kernel, so every window holds an input element.
 */
export function maxPoolArgmax(index: Int32Array, x: FloatArray, s: Window2d): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = s;
  let p = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = Math.max(0, y0),
        yb = Math.min(h, y0 + kh);
      for (let ox = 0; ox < ow; ox++, p++) {
        const x0 = ox * sw - pw;
        const xa = Math.max(0, x0),
          xb = Math.min(w, x0 + kw);
        let best = -1,
          m = -Infinity;
        for (let iy = ya; iy < yb && !Number.isNaN(m); iy++) {
          for (let ix = xa; ix < xb; ix++) {
            const off = base + iy * w + ix;
            const v = x[off];
            if (v > m || Number.isNaN(v) || best < 0) {
              m = v;
              best = off;
              if (Number.isNaN(v)) break;
            }
          }
        }
        index[p] = best;
      }
    }
  }
}

/**
 * Average pool with padded zeros counted in the divisor (PyTorch's count_include_pad=True):
 * out = Σ window / (kh·kw). With `backward`, the adjoint: x[...] += out-gradient / (kh·kw)
 * for every element of each window (x is not cleared), reading `y` as the gradient.
 */
export function avgPool(y: FloatArray, x: FloatArray, s: Window2d, backward: boolean): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = s;
  const inv = 1 / (kh * kw);
  let p = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = Math.max(0, y0),
        yb = Math.min(h, y0 + kh);
      for (let ox = 0; ox < ow; ox++, p++) {
        const x0 = ox * sw - pw;
        const xa = Math.max(0, x0),
          xb = Math.min(w, x0 + kw);
        if (backward) {
          const gv = y[p] * inv;
          for (let iy = ya; iy < yb; iy++) for (let ix = xa; ix < xb; ix++) x[base + iy * w + ix] += gv;
        } else {
          let sum = 0;
          for (let iy = ya; iy < yb; iy++) for (let ix = xa; ix < xb; ix++) sum += x[base + iy * w + ix];
          y[p] = sum * inv;
        }
      }
    }
  }
}

/**
 * y[(i0 + img), ch, :] = chunk[ch, img·l : (img+1)·l] (+ bias[ch]) for img < cn: a chunk of
 * convolution output, computed channel-major [o, cn·l], moved into NCHW order.
 */
export function unpackChannels(y: FloatArray, i0: number, chunk: FloatArray, o: number, cn: number, l: number, bias: FloatArray | null): void {
  for (let ch = 0; ch < o; ch++) {
    const b = bias === null ? 0 : bias[ch];
    for (let img = 0; img < cn; img++) {
      const src = ch * cn * l + img * l,
        dst = ((i0 + img) * o + ch) * l;
      for (let j = 0; j < l; j++) y[dst + j] = chunk[src + j] + b;
    }
  }
}

/** The inverse move: chunk[ch, img·l + j] = g[(i0 + img), ch, j] (a gradient chunk, channel-major). */
export function packChannels(chunk: FloatArray, g: FloatArray, i0: number, o: number, cn: number, l: number): void {
  for (let ch = 0; ch < o; ch++) {
    for (let img = 0; img < cn; img++) {
      const dst = ch * cn * l + img * l,
        src = ((i0 + img) * o + ch) * l;
      for (let j = 0; j < l; j++) chunk[dst + j] = g[src + j];
    }
  }
}

/** out[ch] += Σ over images and positions of g [n, o, l] (a bias gradient). */
export function addChannelSums(out: FloatArray, g: FloatArray, n: number, o: number, l: number): void {
  for (let ch = 0; ch < o; ch++) {
    let s = 0;
    for (let img = 0; img < n; img++) {
      const base = (img * o + ch) * l;
      for (let j = 0; j < l; j++) s += g[base + j];
    }
    out[ch] += s;
  }
}
