/**
 * conv2d's forward and backward as matrix products through the backend door, a chunk of
 * images at a time. Why chunks: im2col of a whole batch is a matrix of n·oH·oW columns (36,864
 * for 64 MNIST images at 24×24), and the wasm SIMD matmul runs such wide products several
 * times slower per multiply-add than products of a few hundred columns, whose operands stay in
 * cache (measured on the LeNet shapes: see benchmarks/suites/conv.ts). Each chunk is one
 * im2col, one product per group, and a move into NCHW order.
 */
import { dtypeOf } from '../dtype.js';
import type { FloatArray, Window2d } from '../backend/index.js';
import { addChannelSums, allocate, col2im, im2col, matmul, packChannels, unpackChannels } from '../backend/index.js';

/** Columns per chunk: products of [taps × ~512] columns ran fastest on the LeNet shapes. */
const CHUNK_COLUMNS = 512;

/** The geometry of a convolution with `groups`, and its chunking. */
export interface ConvPlan {
  s: Window2d;
  groups: number;
  o: number;
  /** Kernel taps per group (c/groups·kh·kw) and in total (c·kh·kw). */
  tapsG: number;
  taps: number;
  /** Output positions per image (oh·ow) and images per chunk. */
  plane: number;
  chunk: number;
}

export function convPlan(s: Window2d, o: number, groups: number): ConvPlan {
  const taps = s.c * s.kh * s.kw,
    plane = s.oh * s.ow;
  return { s, groups, o, taps, tapsG: taps / groups, plane, chunk: Math.max(1, Math.floor(CHUNK_COLUMNS / Math.max(1, plane))) };
}

/** Calls `body(i0, cn)` for each chunk of images [i0, i0 + cn). */
function forChunks(p: ConvPlan, body: (i0: number, cn: number) => void): void {
  for (let i0 = 0; i0 < p.s.n; i0 += p.chunk) body(i0, Math.min(p.chunk, p.s.n - i0));
}

/** im2col of images [i0, i0 + cn) into cols (cols [taps, cn·plane]). */
function chunkCols(p: ConvPlan, cols: FloatArray, x: FloatArray, i0: number, cn: number): void {
  const img = p.s.c * p.s.h * p.s.w;
  im2col(cols, x.subarray(i0 * img, (i0 + cn) * img), { ...p.s, n: cn });
}

/**
 * y [n, o, oh, ow] = conv(x, w) + bias. With `saved` (n·plane·taps elements), every chunk's
 * im2col matrix is kept there, chunk after chunk, for the weight gradient.
 */
export function convForward(p: ConvPlan, y: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, saved: FloatArray | null): void {
  const { o, groups, tapsG, taps, plane } = p;
  const og = o / groups;
  const scratch = saved === null ? allocate(dtypeOf(y), taps * p.chunk * plane) : null;
  const out = allocate(dtypeOf(y), o * p.chunk * plane);
  forChunks(p, (i0, cn) => {
    const cols = saved === null ? (scratch as FloatArray) : saved.subarray(i0 * plane * taps, (i0 + cn) * plane * taps);
    const width = cn * plane;
    chunkCols(p, cols, x, i0, cn);
    for (let g = 0; g < groups; g++) {
      matmul(out, g * og * width, w, g * og * tapsG, cols, g * tapsG * width, og, tapsG, width, false, false);
    }
    unpackChannels(y, i0, out, o, cn, plane, bias);
  });
}

/**
 * The gradients of a convolution from g [n, o, oh, ow]: dw [o, taps/groups] added into `dw`
 * (from the saved im2col matrices), dx [n, c, h, w] added into `dx`, the bias gradient added
 * into `db`; a null target is skipped.
 */
export function convBackward(
  p: ConvPlan,
  g: FloatArray,
  w: FloatArray,
  saved: FloatArray | null,
  x: FloatArray,
  dw: FloatArray | null,
  dx: FloatArray | null,
  db: FloatArray | null,
): void {
  const { o, groups, tapsG, taps, plane } = p;
  const og = o / groups;
  const gc = allocate(dtypeOf(g), o * p.chunk * plane);
  const dcols = dx === null ? null : allocate(dtypeOf(g), taps * p.chunk * plane);
  const scratch = dw !== null && saved === null ? allocate(dtypeOf(g), taps * p.chunk * plane) : null;
  const img = p.s.c * p.s.h * p.s.w;
  forChunks(p, (i0, cn) => {
    const width = cn * plane;
    packChannels(gc, g, i0, o, cn, plane);
    if (dw !== null) {
      let cols: FloatArray;
      if (saved !== null) cols = saved.subarray(i0 * plane * taps, (i0 + cn) * plane * taps);
      else {
        cols = scratch as FloatArray;
        chunkCols(p, cols, x, i0, cn);
      }
      for (let k = 0; k < groups; k++) {
        matmul(dw, k * og * tapsG, gc, k * og * width, cols, k * tapsG * width, og, width, tapsG, false, true, true);
      }
    }
    if (dx !== null && dcols !== null) {
      for (let k = 0; k < groups; k++) {
        matmul(dcols, k * tapsG * width, w, k * og * tapsG, gc, k * og * width, tapsG, og, width, true, false);
      }
      col2im(dx.subarray(i0 * img, (i0 + cn) * img), dcols, { ...p.s, n: cn });
    }
  });
  if (db !== null) addChannelSums(db, g, p.s.n, o, plane);
}
