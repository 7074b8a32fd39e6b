// float32 SIMD128 kernels for tensorgrad (AssemblyScript, built by scripts/build-wasm.mjs).
//
// Memory contract: there is no allocator here. The JavaScript wrapper owns linear memory from
// heapBase() upwards: long-lived blocks (resident parameters and their gradients) and, above
// them, a scratch arena it copies other operands into. It passes byte addresses here. Every
// region it hands over starts 16-byte aligned and is padded to a whole number of vectors plus
// 32 bytes, so the elementwise kernels run whole vectors only and may write garbage into the
// padding lanes.
//
// Plain SIMD128 has no fused multiply-add: madd() below is f32x4.mul then f32x4.add, or one
// relaxed_madd in the relaxed-SIMD build (Node 20 runs that only with a flag; newer engines
// by default).

import {
  ACT_IDENTITY, ACT_RELU, ACT_SIGMOID, ACT_TANH,
  BIN_ADD, BIN_DIV, BIN_MUL, BIN_SUB,
  DIRECT_B_MAX_M, KC, MC, MODE_COL, MODE_FULL, MODE_ROW, MR, NR,
} from './constants';
import { expv, madd, ONE, reluv, sigmoidv, tanhv, vc } from './vecmath';

// The fused elementwise programs (see there).
export { elementwiseProgram } from './fused';

/** First 16-byte aligned address past the static data: where the JS arena starts. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
// ---------------------------------------------------------------------------------------
// matmul
//
// GotoBLAS/BLIS structure: op(A) and op(B) are packed once into zero-padded panels (MR rows
// of A interleaved along k; NR columns of B interleaved along k), so the micro-kernel reads
// both with unit stride whatever the transpose flags were. The k loop is blocked by KC so
// a B micro-panel (KC·NR floats = 8 KB) stays in L1 while MC/MR A micro-panels stream past
// it from L2.
//
// Ragged edges stay in SIMD registers: a tile with fewer than MR rows runs a 1-, 2- or 3-row
// variant of the micro-kernel (no work on padding rows), one with at most 4 columns a 4-wide
// variant, and the columns of a partial vector are read and written with 32/64-bit lane
// loads and stores, so nothing outside the m×n result is ever touched. This matters for the
// small layers tensorgrad trains (batch 10, 30 units), where a third of the outputs sit in
// edge tiles.

// MR, NR, KC, MC, DIRECT_B_MAX_M: the tile sizes, in ./constants.ts (see their doc there).

// madd (a·b + c, fused in the relaxed build) and the vector math are in ./vecmath.ts.

@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/**
 * Bytes of scratch matmul() needs beyond its operands: packed A and packed B. Computed in
 * f64 so an impossible request reads as too big rather than wrapping around.
 */
export function matmulScratchBytes(m: i32, k: i32, n: i32): f64 {
  return (<f64>roundUp(m, MR) * k + <f64>k * roundUp(n, NR)) * 4 + 16;
}

/**
 * c[m×n] = op(A)·op(B) (+ bias, then activation, when asked). A is stored m×k, or k×m when
 * transA; B is k×n, or n×k when transB. `bias` is 0 for none, else a row of at least
 * roundUp(n, NR) floats (padding lanes only reach discarded columns). c is overwritten, or,
 * when `accumulate`, added to (c += op(A)·op(B), before bias and activation): a gradient
 * summed straight into its buffer. Only c's m×n floats are read or written.
 *
 * When B is read in place (small m, see below) a ragged last column panel loads whole 8-float
 * rows, up to 7 floats past B's end: the caller keeps 32 readable bytes after B. Lanes read
 * past column n only ever feed padded output columns, which are never written back.
 */
export function matmul(
  c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, scratch: usize, bias: usize, act: i32, accumulate: bool,
): void {
  if (m <= 0 || n <= 0) return;
  const pa = (scratch + 15) & ~(<usize>15);
  const pb = pa + <usize>(roundUp(m, MR) * k) * 4;
  const ldc = <usize>n * 4;

  if (k <= 0 && accumulate && bias == 0 && act == ACT_IDENTITY) return; // c += 0
  if (k <= 0) {
    // An empty sum is zero; the epilogue still applies (act(0 + bias)). With kc = 0 the
    // tile reads no operand and stores exactly that.
    const panels = m / MR, rem = m - panels * MR;
    for (let j0 = 0; j0 < n; j0 += NR) {
      const cols = min(NR, n - j0);
      const jBias = bias == 0 ? 0 : bias + <usize>j0 * 4;
      const cPanel = c + <usize>j0 * 4;
      if (cols > 4) rows8(0, 0, 0, 0, 0, cPanel, ldc, panels, accumulate, jBias, act, cols);
      else rows4(0, 0, 0, 0, 0, cPanel, ldc, panels, accumulate, jBias, act, cols);
      if (rem > 0) tile(0, 0, 0, 0, cPanel + <usize>(panels * MR) * ldc, ldc, accumulate, jBias, act, rem, cols);
    }
    return;
  }

  packA(pa, a, m, k, transA);
  // With few row panels each B element is used only ceil(m/MR) times, so packing B costs
  // as much as the multiply saves: read row-major B in place instead (see kernel's ldb).
  const direct = !transB && m <= DIRECT_B_MAX_M;
  if (!direct) packB(pb, b, k, n, transB);
  const ldb = direct ? <usize>n * 4 : <usize>NR * 4;

  const aStep = <usize>(MR * k) * 4; // bytes between A micro-panels
  const full = m / MR; // row panels without padding
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const first = pc == 0 && !accumulate;
    const last = pc + kc >= k;
    const tileBias = last ? bias : 0;
    const tileAct = last ? act : ACT_IDENTITY;
    for (let ic = 0; ic < m; ic += MC) {
      const icEnd = min(ic + MC, m);
      const panels = min(icEnd / MR, full) - ic / MR; // ic is a multiple of MR
      const rem = icEnd - ic - panels * MR;
      const aPanel = pa + <usize>(ic * k + pc * MR) * 4;
      for (let j0 = 0; j0 < n; j0 += NR) {
        const bPanel = direct ? b + <usize>(pc * n + j0) * 4 : pb + <usize>(j0 * k + pc * NR) * 4;
        const cols = min(NR, n - j0);
        const jBias = tileBias == 0 ? 0 : tileBias + <usize>j0 * 4;
        const cPanel = c + <usize>(ic * n + j0) * 4;
        if (cols > 4) {
          rows8(aPanel, aStep, bPanel, ldb, kc, cPanel, ldc, panels, !first, jBias, tileAct, cols);
        } else {
          rows4(aPanel, aStep, bPanel, ldb, kc, cPanel, ldc, panels, !first, jBias, tileAct, cols);
        }
        if (rem > 0) {
          tile(aPanel + <usize>panels * aStep, bPanel, ldb, kc, cPanel + <usize>(panels * MR) * ldc, ldc,
            !first, jBias, tileAct, rem, cols);
        }
      }
    }
  }
}

/** `panels` full-height 4×8 tiles down a column panel (5..8 real columns). */
function rows8(
  pa: usize, aStep: usize, pb: usize, ldb: usize, kc: i32, c: usize, ldc: usize, panels: i32,
  accumulate: bool, bias: usize, act: i32, cols: i32,
): void {
  const cStep = ldc * MR;
  for (let t = 0; t < panels; t++, pa += aStep, c += cStep) {
    kernel(4, 2, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
  }
}

/** `panels` full-height 4×4 tiles down a column panel (1..4 real columns). */
function rows4(
  pa: usize, aStep: usize, pb: usize, ldb: usize, kc: i32, c: usize, ldc: usize, panels: i32,
  accumulate: bool, bias: usize, act: i32, cols: i32,
): void {
  const cStep = ldc * MR;
  for (let t = 0; t < panels; t++, pa += aStep, c += cStep) {
    kernel(4, 1, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
  }
}

/**
 * One block of c with 1..3 rows (a ragged last row panel) and cols ≤ NR columns: the
 * register tile with only the real rows and, for cols ≤ 4, one vector column.
 */
function tile(
  pa: usize, pb: usize, ldb: usize, kc: i32, c: usize, ldc: usize,
  accumulate: bool, bias: usize, act: i32, rows: i32, cols: i32,
): void {
  if (cols > 4) {
    if (rows == 3) kernel(3, 2, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
    else if (rows == 2) kernel(2, 2, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
    else kernel(1, 2, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
  } else {
    if (rows == 3) kernel(3, 1, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
    else if (rows == 2) kernel(2, 1, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
    else kernel(1, 1, pa, pb, ldb, kc, c, ldc, accumulate, bias, act, cols);
  }
}

/**
 * The register tile: R rows (1..4) × V vectors (1..2) of f32x4 accumulators; R and V are
 * literals at every call site, so inlining folds each variant to straight-line code. At 4×2
 * the eight accumulators, two B vectors, one broadcast A value and a product fit in the
 * 16 xmm registers V8 allocates, so the k loop never spills. `ldb` is the byte step between
 * k rows of B: NR·4 in a packed panel, 4n when B is read in place. `bias` is the address of
 * this tile's bias values (0 for none); `cols` (≤ 4·V) says how many columns are real.
 */
@inline function kernel(
  R: i32, V: i32, pa: usize, pb: usize, ldb: usize, kc: i32, c: usize, ldc: usize,
  accumulate: bool, bias: usize, act: i32, cols: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // The A pointer doubles as the loop counter (one add and compare fewer per step). Not
  // unrolled: V8 then hoists the second step's loads and spills accumulators.
  const aEnd = pa + <usize>kc * 16;
  while (pa < aEnd) {
    const b0 = v128.load(pb);
    let b1 = b0;
    if (V > 1) b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(av, b0, c00);
    if (V > 1) c01 = madd(av, b1, c01);
    if (R > 1) {
      av = v128.load32_splat(pa, 4);
      c10 = madd(av, b0, c10);
      if (V > 1) c11 = madd(av, b1, c11);
    }
    if (R > 2) {
      av = v128.load32_splat(pa, 8);
      c20 = madd(av, b0, c20);
      if (V > 1) c21 = madd(av, b1, c21);
    }
    if (R > 3) {
      av = v128.load32_splat(pa, 12);
      c30 = madd(av, b0, c30);
      if (V > 1) c31 = madd(av, b1, c31);
    }
    pa += 16; pb += ldb;
  }
  const full = cols == 4 * V;
  finishRow(c, c00, c01, V, full, cols, accumulate, bias, act);
  if (R > 1) finishRow(c + ldc, c10, c11, V, full, cols, accumulate, bias, act);
  if (R > 2) finishRow(c + 2 * ldc, c20, c21, V, full, cols, accumulate, bias, act);
  if (R > 3) finishRow(c + 3 * ldc, c30, c31, V, full, cols, accumulate, bias, act);
}

/** One output row of a tile: (+ c when accumulating) (+ bias) (activation), then store. */
@inline function finishRow(
  crow: usize, v0: v128, v1: v128, V: i32, full: bool, cols: i32,
  accumulate: bool, bias: usize, act: i32,
): void {
  if (accumulate) {
    if (full) {
      v0 = f32x4.add(v0, v128.load(crow));
      if (V > 1) v1 = f32x4.add(v1, v128.load(crow, 16));
    } else {
      v0 = f32x4.add(v0, loadPart(crow, cols));
      if (V > 1) v1 = f32x4.add(v1, loadPart(crow + 16, cols - 4));
    }
  }
  if (bias != 0) {
    v0 = f32x4.add(v0, v128.load(bias));
    if (V > 1) v1 = f32x4.add(v1, v128.load(bias, 16));
  }
  if (act != ACT_IDENTITY) {
    v0 = activate(v0, act);
    if (V > 1) v1 = activate(v1, act);
  }
  if (full) {
    v128.store(crow, v0);
    if (V > 1) v128.store(crow, v1, 16);
  } else {
    storePart(crow, v0, cols);
    if (V > 1) storePart(crow + 16, v1, cols - 4);
  }
}

/** The first w lanes (w may be ≤ 0 or ≥ 4) of the floats at p, zeros elsewhere; reads only those. */
@inline function loadPart(p: usize, w: i32): v128 {
  if (w >= 4) return v128.load(p);
  if (w >= 2) {
    const v = v128.load64_zero(p);
    return w == 3 ? v128.load32_lane(p, v, 2, 8) : v;
  }
  return w == 1 ? v128.load32_zero(p) : f32x4.splat(0);
}

/** Stores the first w lanes (w may be ≤ 0 or ≥ 4) of v at p and nothing else. */
@inline function storePart(p: usize, v: v128, w: i32): void {
  if (w >= 4) {
    v128.store(p, v);
  } else if (w >= 2) {
    v128.store64_lane(p, v, 0);
    if (w == 3) v128.store32_lane(p, v, 2, 8);
  } else if (w == 1) {
    v128.store32_lane(p, v, 0);
  }
}

/** Packs op(A) (m×k) into MR-row panels: panel i0/MR holds element (i0+r, p) at p·MR + r. */
function packA(dst: usize, a: usize, m: i32, k: i32, transA: bool): void {
  for (let i0 = 0; i0 < m; i0 += MR) {
    const panel = dst + <usize>(i0 * k) * 4;
    const rows = min(MR, m - i0);
    if (transA) {
      // Stored k×m: the MR values of one k step are adjacent.
      for (let p = 0; p < k; p++) {
        const src = a + <usize>(p * m + i0) * 4;
        const d = panel + <usize>(p * MR) * 4;
        if (rows == MR) {
          v128.store(d, v128.load(src));
        } else {
          for (let r = 0; r < MR; r++) {
            store<f32>(d + <usize>r * 4, r < rows ? load<f32>(src + <usize>r * 4) : 0);
          }
        }
      }
    } else {
      // Stored m×k: transpose 4×4 blocks in registers so reads and writes stay vectors. A
      // ragged last panel (a batch of 10 leaves 2 rows) reads its missing rows as zeros.
      const zero = f32x4.splat(0);
      const r0 = a + <usize>(i0 * k) * 4;
      const r1 = r0 + <usize>k * 4, r2 = r1 + <usize>k * 4, r3 = r2 + <usize>k * 4;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const off = <usize>p * 4;
        const x0 = v128.load(r0 + off);
        const x1 = rows > 1 ? v128.load(r1 + off) : zero;
        const x2 = rows > 2 ? v128.load(r2 + off) : zero;
        const x3 = rows > 3 ? v128.load(r3 + off) : zero;
        const t0 = f32x4.shuffle(x0, x1, 0, 4, 1, 5); // a0 b0 a1 b1
        const t1 = f32x4.shuffle(x2, x3, 0, 4, 1, 5); // c0 d0 c1 d1
        const t2 = f32x4.shuffle(x0, x1, 2, 6, 3, 7); // a2 b2 a3 b3
        const t3 = f32x4.shuffle(x2, x3, 2, 6, 3, 7); // c2 d2 c3 d3
        const d = panel + <usize>(p * MR) * 4;
        v128.store(d, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
        v128.store(d, f32x4.shuffle(t0, t1, 2, 3, 6, 7), 16);
        v128.store(d, f32x4.shuffle(t2, t3, 0, 1, 4, 5), 32);
        v128.store(d, f32x4.shuffle(t2, t3, 2, 3, 6, 7), 48);
      }
      for (; p < k; p++) {
        const d = panel + <usize>(p * MR) * 4;
        const off = <usize>p * 4;
        store<f32>(d, load<f32>(r0 + off));
        store<f32>(d, rows > 1 ? load<f32>(r1 + off) : 0, 4);
        store<f32>(d, rows > 2 ? load<f32>(r2 + off) : 0, 8);
        store<f32>(d, rows > 3 ? load<f32>(r3 + off) : 0, 12);
      }
    }
  }
}

/** Packs op(B) (k×n) into NR-column panels: panel j0/NR holds element (p, j0+jj) at p·NR + jj. */
function packB(dst: usize, b: usize, k: i32, n: i32, transB: bool): void {
  for (let j0 = 0; j0 < n; j0 += NR) {
    const panel = dst + <usize>(j0 * k) * 4;
    const cols = min(NR, n - j0);
    if (!transB && cols == NR) {
      for (let p = 0; p < k; p++) {
        const src = b + <usize>(p * n + j0) * 4;
        const d = panel + <usize>(p * NR) * 4;
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
    } else if (!transB) {
      // Ragged last panel: full-width vector loads run into the following rows. Those lanes
      // only reach discarded padding columns, but zeroing them keeps the padding finite and
      // deterministic. Rows whose 8-float read would leave B use scalars.
      const lanes = i32x4(0, 1, 2, 3);
      const mask0 = i32x4.lt_s(lanes, i32x4.splat(cols));
      const mask1 = i32x4.lt_s(lanes, i32x4.splat(cols - 4));
      let p = 0;
      for (; p * n + j0 + NR <= k * n; p++) {
        const src = b + <usize>(p * n + j0) * 4;
        const d = panel + <usize>(p * NR) * 4;
        v128.store(d, v128.and(v128.load(src), mask0));
        v128.store(d, v128.and(v128.load(src, 16), mask1), 16);
      }
      for (; p < k; p++) {
        const src = b + <usize>(p * n + j0) * 4;
        const d = panel + <usize>(p * NR) * 4;
        for (let jj = 0; jj < NR; jj++) {
          store<f32>(d + <usize>jj * 4, jj < cols ? load<f32>(src + <usize>jj * 4) : 0);
        }
      }
    } else {
      // Stored n×k: walk each source row contiguously, scatter with stride NR.
      if (cols < NR) memory.fill(panel, 0, <usize>(k * NR) * 4);
      for (let jj = 0; jj < cols; jj++) {
        const src = b + <usize>((j0 + jj) * k) * 4;
        const d = panel + <usize>jj * 4;
        for (let p = 0; p < k; p++) {
          store<f32>(d + <usize>(p * NR) * 4, load<f32>(src + <usize>p * 4));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Vector math
// expv, sigmoidv, tanhv, reluv: ./vecmath.ts (shared with the fused elementwise kernel, ./fused.ts).

function activate(v: v128, act: i32): v128 {
  if (act == ACT_SIGMOID) return sigmoidv(v);
  if (act == ACT_TANH) return tanhv(v);
  if (act == ACT_RELU) return reluv(v);
  return v;
}

// ---------------------------------------------------------------------------------------
// Elementwise kernels over `n` floats (rounded up to whole vectors; see the contract above).

/** out = act(x). out may alias x. One loop per activation keeps the body branch-free. */
export function activation(out: usize, x: usize, n: i32, act: i32): void {
  const end = x + <usize>roundUp(n, 4) * 4;
  if (act == ACT_SIGMOID) {
    // Four vectors per step, then two, then one: their long dependency chains (exp's
    // polynomial, the division) then overlap (measured per element: one vector 1.98 ns, two
    // 1.50, four ~25% less than two on a busy machine). Each lane is computed the same way
    // whichever loop takes it, so the results do not depend on n or alignment.
    for (; x + 48 < end; x += 64, out += 64) {
      const a = sigmoidv(v128.load(x)), b = sigmoidv(v128.load(x, 16));
      const c = sigmoidv(v128.load(x, 32)), d = sigmoidv(v128.load(x, 48));
      v128.store(out, a);
      v128.store(out, b, 16);
      v128.store(out, c, 32);
      v128.store(out, d, 48);
    }
    for (; x + 16 < end; x += 32, out += 32) {
      const a = sigmoidv(v128.load(x)), b = sigmoidv(v128.load(x, 16));
      v128.store(out, a);
      v128.store(out, b, 16);
    }
    if (x < end) v128.store(out, sigmoidv(v128.load(x)));
  } else if (act == ACT_TANH) {
    for (; x + 48 < end; x += 64, out += 64) {
      const a = tanhv(v128.load(x)), b = tanhv(v128.load(x, 16));
      const c = tanhv(v128.load(x, 32)), d = tanhv(v128.load(x, 48));
      v128.store(out, a);
      v128.store(out, b, 16);
      v128.store(out, c, 32);
      v128.store(out, d, 48);
    }
    for (; x + 16 < end; x += 32, out += 32) {
      const a = tanhv(v128.load(x)), b = tanhv(v128.load(x, 16));
      v128.store(out, a);
      v128.store(out, b, 16);
    }
    if (x < end) v128.store(out, tanhv(v128.load(x)));
  } else if (act == ACT_RELU) {
    for (; x < end; x += 16, out += 16) v128.store(out, reluv(v128.load(x)));
  } else if (out != x) {
    memory.copy(out, x, end - x);
  }
}

/** out = e^x. out may alias x. */
export function expArray(out: usize, x: usize, n: i32): void {
  const end = x + <usize>roundUp(n, 4) * 4;
  for (; x + 48 < end; x += 64, out += 64) {
    const a = expv(v128.load(x)), b = expv(v128.load(x, 16));
    const c = expv(v128.load(x, 32)), d = expv(v128.load(x, 48));
    v128.store(out, a);
    v128.store(out, b, 16);
    v128.store(out, c, 32);
    v128.store(out, d, 48);
  }
  for (; x + 16 < end; x += 32, out += 32) {
    const a = expv(v128.load(x)), b = expv(v128.load(x, 16));
    v128.store(out, a);
    v128.store(out, b, 16);
  }
  if (x < end) v128.store(out, expv(v128.load(x)));
}

/**
 * Gradient through an activation from its saved output y (sigmoid: g·y·(1−y); tanh:
 * g·(1−y²); relu: g where y > 0, else 0, so relu'(0) = 0; identity: g). out may alias g.
 */
export function activationBackward(out: usize, g: usize, y: usize, n: i32, act: i32): void {
  const end = g + <usize>roundUp(n, 4) * 4;
  const one = vc(ONE); // a load, not a v128.const rebuilt every iteration
  if (act == ACT_SIGMOID) {
    for (; g < end; g += 16, y += 16, out += 16) {
      const s = v128.load(y);
      v128.store(out, f32x4.mul(v128.load(g), f32x4.mul(s, f32x4.sub(one, s))));
    }
  } else if (act == ACT_TANH) {
    for (; g < end; g += 16, y += 16, out += 16) {
      const t = v128.load(y);
      v128.store(out, f32x4.mul(v128.load(g), f32x4.sub(one, f32x4.mul(t, t))));
    }
  } else if (act == ACT_RELU) {
    for (; g < end; g += 16, y += 16, out += 16) {
      v128.store(out, v128.and(v128.load(g), f32x4.gt(v128.load(y), f32x4.splat(0))));
    }
  } else if (out != g) {
    memory.copy(out, g, <usize>roundUp(n, 4) * 4);
  }
}

/**
 * Zeroes `bytes` bytes from p. JavaScript's fill() on a view of shared memory stores one
 * element at a time (relaxed atomics); the bulk-memory instruction is a memset.
 */
export function zero(p: usize, bytes: usize): void {
  memory.fill(p, 0, bytes);
}

// ---------------------------------------------------------------------------------------
// Sums over the middle axis of x viewed as [outer, r, inner] (bias gradients, sumTo).

/**
 * out[o, i] = Σ_k x[o, k, i] for inner > 1, adding the r rows of each block in order in
 * float32, exactly as the TypeScript kernel rounds (so results are bit-identical), four
 * columns per vector. Rows need not be 16-byte aligned.
 */
export function sumMiddle(out: usize, x: usize, outer: i32, r: i32, inner: i32): void {
  const rowBytes = <usize>inner * 4;
  const vecEnd = <usize>(inner & ~3) * 4;
  for (let o = 0; o < outer; o++) {
    const dst = out + <usize>o * rowBytes;
    const block = x + <usize>o * <usize>r * rowBytes;
    memory.fill(dst, 0, rowBytes);
    for (let k = 0; k < r; k++) {
      const src = block + <usize>k * rowBytes;
      let i: usize = 0;
      for (; i < vecEnd; i += 16) v128.store(dst + i, f32x4.add(v128.load(dst + i), v128.load(src + i)));
      for (; i < rowBytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(src + i));
    }
  }
}

/**
 * out[o] = Σ_k x[o, k] (inner = 1: row sums, and whole-tensor sums), accumulated in double
 * precision in two f64x2 accumulators, then rounded once to float32. (The TypeScript kernel
 * also sums in a double, one element after another: the two can differ in a double's last
 * bits, almost never after rounding to float32.)
 */
export function sumRows(out: usize, x: usize, outer: i32, r: i32): void {
  const vecEnd = <usize>(r & ~3) * 4;
  const rowBytes = <usize>r * 4;
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * rowBytes;
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let i: usize = 0;
    for (; i < vecEnd; i += 16) {
      const v = v128.load(row + i);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
    }
    let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
    for (; i < rowBytes; i += 4) s += <f64>load<f32>(row + i);
    store<f32>(out + <usize>o * 4, <f32>s);
  }
}

/**
 * SGD with momentum, PyTorch's rule, in place over n floats: d = g + wd·p;
 * v = first ? d : mu·v + d; p −= lr·(nesterov ? d + mu·v : v). In float32 throughout.
 */
export function sgdMomentum(
  p: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, wd: f32, nesterov: bool, first: bool,
): void {
  const end = p + <usize>roundUp(n, 4) * 4;
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu), vwd = f32x4.splat(wd);
  for (; p < end; p += 16, g += 16, v += 16) {
    const pv = v128.load(p);
    const d = f32x4.add(v128.load(g), f32x4.mul(vwd, pv));
    const vel = first ? d : f32x4.add(f32x4.mul(vmu, v128.load(v)), d);
    v128.store(v, vel);
    const step = nesterov ? f32x4.add(d, f32x4.mul(vmu, vel)) : vel;
    v128.store(p, f32x4.sub(pv, f32x4.mul(vlr, step)));
  }
}

/**
 * Adam / AdamW (PyTorch's rule) in place over n floats, in float32: d = g + l2·p;
 * m = b1·m + (1−b1)·d; v = b2·v + (1−b2)·d²; p = p·shrink − lr·(m/c1) / (√(v/c2) + eps), where
 * c1, c2 are the bias corrections 1 − b^t, l2 the coupled decay (Adam) and shrink 1 − lr·λ
 * the decoupled one (AdamW).
 */
export function adamUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, b1: f32, b2: f32, eps: f32, l2: f32, shrink: f32, c1: f32, c2: f32, oneMinusB1: f32, oneMinusB2: f32,
): void {
  const end = p + <usize>roundUp(n, 4) * 4;
  // 1 − β comes from the caller, computed in double: 1 − f32(0.999) would be 1.3e-5 off.
  const vb1 = f32x4.splat(b1), vb1c = f32x4.splat(oneMinusB1), vb2 = f32x4.splat(b2), vb2c = f32x4.splat(oneMinusB2);
  const vl2 = f32x4.splat(l2), vshrink = f32x4.splat(shrink), vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  const vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  for (; p < end; p += 16, g += 16, m += 16, v += 16) {
    const pv = v128.load(p);
    const d = f32x4.add(v128.load(g), f32x4.mul(vl2, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m)), f32x4.mul(vb1c, d));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v)), f32x4.mul(vb2c, f32x4.mul(d, d)));
    v128.store(m, mv);
    v128.store(v, vv);
    const denom = f32x4.add(f32x4.sqrt(f32x4.div(vv, vc2)), veps);
    v128.store(p, f32x4.sub(f32x4.mul(pv, vshrink), f32x4.div(f32x4.mul(vlr, f32x4.div(mv, vc1)), denom)));
  }
}

/** p -= lr·g, in place. */
export function sgdUpdate(p: usize, g: usize, n: i32, lr: f32): void {
  const end = p + <usize>roundUp(n, 4) * 4;
  const vlr = f32x4.splat(lr);
  for (; p < end; p += 16, g += 16) {
    v128.store(p, f32x4.sub(v128.load(p), f32x4.mul(vlr, v128.load(g))));
  }
}

// ---------------------------------------------------------------------------------------
// Broadcasting binary ops: out[outer×inner] = a ∘ b, each operand in one of four layouts.
//
// Unlike the kernels above, these honour exact lengths: rows need not be whole vectors, so
// each row runs whole vectors then a scalar tail, and nothing past outer·inner is written.
// f32 add/sub/mul/div are correctly rounded, so results equal JavaScript's float64
// arithmetic rounded to float32, bit for bit (up to NaN payloads).

// Op codes BIN_* and operand layouts MODE_* (outer×inner contiguous; one row of `inner`
// repeated; one value per row; one value) are in ./constants.ts.

// `op` is a constant at every (inlined) call site, so the branches fold away.
@inline function binv(op: i32, x: v128, y: v128): v128 {
  if (op == BIN_ADD) return f32x4.add(x, y);
  if (op == BIN_SUB) return f32x4.sub(x, y);
  if (op == BIN_MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

@inline function bins(op: i32, x: f32, y: f32): f32 {
  if (op == BIN_ADD) return x + y;
  if (op == BIN_SUB) return x - y;
  if (op == BIN_MUL) return x * y;
  return x / y;
}

/** One row of n floats: both operands vectors. */
@inline function rowVV(op: i32, o: usize, a: usize, b: usize, n: i32): void {
  const end = o + (<usize>n << 2);
  const end8 = o + (<usize>(n & ~7) << 2);
  for (; o < end8; o += 32, a += 32, b += 32) {
    v128.store(o, binv(op, v128.load(a), v128.load(b)));
    v128.store(o, binv(op, v128.load(a, 16), v128.load(b, 16)), 16);
  }
  if (end - o >= 16) {
    v128.store(o, binv(op, v128.load(a), v128.load(b)));
    o += 16; a += 16; b += 16;
  }
  for (; o < end; o += 4, a += 4, b += 4) store<f32>(o, bins(op, load<f32>(a), load<f32>(b)));
}

/** One row: a vector, b one value. */
@inline function rowVS(op: i32, o: usize, a: usize, y: f32, n: i32): void {
  const end = o + (<usize>n << 2);
  const end8 = o + (<usize>(n & ~7) << 2);
  const vy = f32x4.splat(y);
  for (; o < end8; o += 32, a += 32) {
    v128.store(o, binv(op, v128.load(a), vy));
    v128.store(o, binv(op, v128.load(a, 16), vy), 16);
  }
  if (end - o >= 16) {
    v128.store(o, binv(op, v128.load(a), vy));
    o += 16; a += 16;
  }
  for (; o < end; o += 4, a += 4) store<f32>(o, bins(op, load<f32>(a), y));
}

/** One row: a one value, b a vector. */
@inline function rowSV(op: i32, o: usize, x: f32, b: usize, n: i32): void {
  const end = o + (<usize>n << 2);
  const end8 = o + (<usize>(n & ~7) << 2);
  const vx = f32x4.splat(x);
  for (; o < end8; o += 32, b += 32) {
    v128.store(o, binv(op, vx, v128.load(b)));
    v128.store(o, binv(op, vx, v128.load(b, 16)), 16);
  }
  if (end - o >= 16) {
    v128.store(o, binv(op, vx, v128.load(b)));
    o += 16; b += 16;
  }
  for (; o < end; o += 4, b += 4) store<f32>(o, bins(op, x, load<f32>(b)));
}

@inline function binaryOp(op: i32, out: usize, pa: usize, pb: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  const rowBytes = <usize>inner << 2;
  const aVec = aMode == MODE_FULL || aMode == MODE_ROW;
  const bVec = bMode == MODE_FULL || bMode == MODE_ROW;
  const aStep: usize = aMode == MODE_FULL ? rowBytes : aMode == MODE_COL ? 4 : 0;
  const bStep: usize = bMode == MODE_FULL ? rowBytes : bMode == MODE_COL ? 4 : 0;
  for (let r = 0; r < outer; r++, out += rowBytes, pa += aStep, pb += bStep) {
    if (aVec) {
      if (bVec) rowVV(op, out, pa, pb, inner);
      else rowVS(op, out, pa, load<f32>(pb), inner);
    } else if (bVec) {
      rowSV(op, out, load<f32>(pa), pb, inner);
    } else {
      const v = bins(op, load<f32>(pa), load<f32>(pb));
      for (let j = 0; j < inner; j++) store<f32>(out + (<usize>j << 2), v);
    }
  }
}

/**
 * out[outer×inner] = a ∘ b (op: 0 add, 1 sub, 2 mul, 3 div). Each operand's mode says how
 * it is laid out: 0 full (outer×inner), 1 row (inner values, repeated for every row), 2
 * column (outer values, one per row), 3 scalar (one value). out may alias a full operand.
 */
export function binary(op: i32, out: usize, pa: usize, pb: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  if (op == BIN_ADD) binaryAdd(out, pa, pb, outer, inner, aMode, bMode);
  else if (op == BIN_SUB) binarySub(out, pa, pb, outer, inner, aMode, bMode);
  else if (op == BIN_MUL) binaryMul(out, pa, pb, outer, inner, aMode, bMode);
  else binaryDiv(out, pa, pb, outer, inner, aMode, bMode);
}

// One function per op, each with the op a constant in its inlined body. Four inlined copies in
// one function were folded back into one shared loop that tested the op (a local then) and
// computed add, sub and mul for every vector of a product (measured 2-3× slower than relu's
// loop, which moves the same bytes).
function binaryAdd(out: usize, pa: usize, pb: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  binaryOp(BIN_ADD, out, pa, pb, outer, inner, aMode, bMode);
}
function binarySub(out: usize, pa: usize, pb: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  binaryOp(BIN_SUB, out, pa, pb, outer, inner, aMode, bMode);
}
function binaryMul(out: usize, pa: usize, pb: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  binaryOp(BIN_MUL, out, pa, pb, outer, inner, aMode, bMode);
}
function binaryDiv(out: usize, pa: usize, pb: usize, outer: i32, inner: i32, aMode: i32, bMode: i32): void {
  binaryOp(BIN_DIV, out, pa, pb, outer, inner, aMode, bMode);
}

// ---------------------------------------------------------------------------------------
// Zero-skipping matmul: a sparse left operand (XNNPACK's sparse inference path, done exactly)
//
// out[i,:] = Σ_k op(A)[i,k]·op(B)[k,:] with the terms whose A element is an exact zero left
// out: MNIST pixels are ~80% zeros, relu outputs often half. One output row at a time: a bit
// per k step marks the row's nonzeros (built branch-free from vector lane masks), then each
// chunk of up to 32 columns keeps 8 f32x4 accumulators in registers while the set bits are
// visited lowest first, one broadcast A value times a B row per bit. With transA (a weight
// gradient xᵀ·δ, whose op(A) rows are strided columns) the bits are built eight rows at a
// time down A's columns (sparseOuter). No scratch is proportional to the output.
//
// Exactness: the result is bit-identical to matmul()'s. Each output element is summed in the
// same k order, in the same KC blocks, each block from +0 with the same madd, then added to c
// (or stored), then bias and activation, exactly as matmul's kernel/finishRow do. A skipped
// term is madd(0, w, acc) = acc + (±0), which leaves every acc unchanged except a −0 acc with
// a +0 term; so while acc is never −0 skipping changes nothing, and once the two sums differ
// they differ only in the sign of a zero (a nonzero product makes both the same nonzero
// value). Without fused multiply-add acc is never −0 (it starts at +0, and x + y is −0 only
// when both are −0); with it, round(a·b + acc) can underflow to −0. So the relaxed build
// checks each finished block's accumulators for −0 and redoes such a block without skipping.
// 0·inf and 0·NaN are NaN, so a term with a non-finite B value may not be skipped: the
// kernel declines (returns 0) unless B is entirely finite, and A too (then every NaN a sum
// meets is the one default NaN, so no operand order can pick another payload), and when fewer
// than `minZeros` of A's elements are zeros (the caller's threshold), leaving c untouched.

/** Columns per register chunk of the zero-skipping kernel: 8 f32x4 accumulators. */
const SPARSE_NC = 32;

/** Bits of a float's magnitude (sign cleared); at or above INF_BITS it is inf or NaN. */
const ABS_BITS: i32 = 0x7fffffff;
const INF_BITS: i32 = 0x7f800000;

/**
 * Bytes of scratch sparseMatmul() needs: alignment, the sink of splitLoads, the nonzero bits
 * (see bitsBytes) and op(B) unpacked to k×n when transB.
 */
export function sparseMatmulScratchBytes(m: i32, k: i32, n: i32, transA: bool, transB: bool): f64 {
  const unpackedB = transB ? (<f64>k * n + 12) * 4 : 0;
  return <f64>bitsBytes(k) + unpackedB + 32;
}

/**
 * Bytes of the nonzero bits, whole vectors: a row of A's (an i32 per 32 k steps) or the
 * transA case's (two i32x4 per 32 k steps of a KC block), whichever is larger.
 */
@inline function bitsBytes(k: i32): i32 {
  return max(roundUp((k + 31) >> 5, 4) * 4, (KC + 31) / 32 * 32);
}

/** Whether a lane of the first V accumulators is −0 (the relaxed build's redo test; V a literal). */
@inline function anyNegZero(V: i32, c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128, c7: v128): bool {
  const negZero = i32x4.splat(i32.MIN_VALUE);
  let hit = i32x4.eq(c0, negZero);
  if (V > 1) hit = v128.or(hit, i32x4.eq(c1, negZero));
  if (V > 2) hit = v128.or(hit, i32x4.eq(c2, negZero));
  if (V > 3) hit = v128.or(hit, i32x4.eq(c3, negZero));
  if (V > 4) hit = v128.or(hit, i32x4.eq(c4, negZero));
  if (V > 5) hit = v128.or(hit, i32x4.eq(c5, negZero));
  if (V > 6) hit = v128.or(hit, i32x4.eq(c6, negZero));
  if (V > 7) hit = v128.or(hit, i32x4.eq(c7, negZero));
  return v128.any_true(hit);
}

/**
 * Stores the or of four accumulators into `sink` (16 scratch bytes nothing reads), between
 * the first and the last four of a term's eight B-vector loads. V8 keeps wasm loads and
 * stores in program order and otherwise issues all eight loads first: with the eight
 * accumulators and the broadcast A value that is 17 vectors for its 16 registers, so an
 * accumulator and a B vector went to the stack at every term. Measured per call at the
 * lecture shapes (V = 8): forward 14.5 → 13.6 µs, weight gradient 16.4 → 15.8 µs.
 */
@inline function splitLoads(sink: usize, c0: v128, c1: v128, c2: v128, c3: v128): void {
  v128.store(sink, v128.or(v128.or(c0, c1), v128.or(c2, c3)));
}

/**
 * How many of the n floats at p are ±0, or -1 when they are fewer than `need` or any of the
 * floats is an inf or a NaN (its magnitude's bits at or above INF_BITS): one pass for both
 * of A's checks. Returns -1 as soon as the zeros found plus the floats left cannot reach
 * `need`: a dense A (the common decline) costs part of one light pass.
 */
function zerosIfFinite(p: usize, n: i32, need: i32): i32 {
  const zero = f32x4.splat(0);
  const absMask = i32x4.splat(ABS_BITS);
  let zeros = 0;
  let top0 = i32x4.splat(0), top1 = top0;
  const n8 = n & ~7;
  for (let i = 0; i < n8;) {
    const stop = min(i + 512, n8);
    // Two independent chains of each, so the loop is not bound by their latency.
    let cnt0 = i32x4.splat(0), cnt1 = cnt0;
    for (; i < stop; i += 8, p += 32) {
      const v0 = v128.load(p), v1 = v128.load(p, 16);
      cnt0 = i32x4.sub(cnt0, f32x4.eq(v0, zero));
      cnt1 = i32x4.sub(cnt1, f32x4.eq(v1, zero));
      top0 = i32x4.max_s(top0, v128.and(v0, absMask));
      top1 = i32x4.max_s(top1, v128.and(v1, absMask));
    }
    const cnt = i32x4.add(cnt0, cnt1);
    zeros += i32x4.extract_lane(cnt, 0) + i32x4.extract_lane(cnt, 1) + i32x4.extract_lane(cnt, 2) + i32x4.extract_lane(cnt, 3);
    if (zeros + (n - i) < need) return -1;
  }
  const mx = i32x4.max_s(top0, top1);
  let top = max(max(i32x4.extract_lane(mx, 0), i32x4.extract_lane(mx, 1)), max(i32x4.extract_lane(mx, 2), i32x4.extract_lane(mx, 3)));
  for (let i = n8; i < n; i++, p += 4) {
    zeros += i32(load<f32>(p) == 0);
    top = max(top, load<i32>(p) & ABS_BITS);
  }
  return zeros < need || top >= INF_BITS ? -1 : zeros;
}

/** Whether all n floats at p are finite: the largest magnitude's bits below INF_BITS. */
function allFinite(p: usize, n: i32): bool {
  const absMask = i32x4.splat(ABS_BITS);
  let m0 = i32x4.splat(0), m1 = m0, m2 = m0, m3 = m0;
  const end16 = p + (<usize>(n & ~15) << 2);
  for (; p < end16; p += 64) {
    m0 = i32x4.max_s(m0, v128.and(v128.load(p), absMask));
    m1 = i32x4.max_s(m1, v128.and(v128.load(p, 16), absMask));
    m2 = i32x4.max_s(m2, v128.and(v128.load(p, 32), absMask));
    m3 = i32x4.max_s(m3, v128.and(v128.load(p, 48), absMask));
  }
  const mx = i32x4.max_s(i32x4.max_s(m0, m1), i32x4.max_s(m2, m3));
  let top = max(max(i32x4.extract_lane(mx, 0), i32x4.extract_lane(mx, 1)), max(i32x4.extract_lane(mx, 2), i32x4.extract_lane(mx, 3)));
  for (let i = n & ~15; i < n; i++, p += 4) top = max(top, load<i32>(p) & ABS_BITS);
  return top < INF_BITS;
}

/**
 * Sets the nonzero bits of a row of A (k contiguous floats): bit r of the i32 at
 * bits + 4w is set when row[32w + r] != 0. Eight vectors' lane masks make a word, with no
 * branch on the data; the sums then visit only the set bits.
 */
@inline function rowBits(row: usize, k: i32, bits: usize): void {
  const zero = f32x4.splat(0);
  const whole = k >> 5;
  let p = row;
  for (let w = 0; w < whole; w++, p += 128) {
    const m0 = i32x4.bitmask(f32x4.ne(v128.load(p), zero)) | (i32x4.bitmask(f32x4.ne(v128.load(p, 16), zero)) << 4);
    const m1 = i32x4.bitmask(f32x4.ne(v128.load(p, 32), zero)) | (i32x4.bitmask(f32x4.ne(v128.load(p, 48), zero)) << 4);
    const m2 = i32x4.bitmask(f32x4.ne(v128.load(p, 64), zero)) | (i32x4.bitmask(f32x4.ne(v128.load(p, 80), zero)) << 4);
    const m3 = i32x4.bitmask(f32x4.ne(v128.load(p, 96), zero)) | (i32x4.bitmask(f32x4.ne(v128.load(p, 112), zero)) << 4);
    store<i32>(bits + (<usize>w << 2), m0 | (m1 << 8) | (m2 << 16) | (m3 << 24));
  }
  const rest = k & 31;
  if (rest != 0) {
    let word = 0;
    for (let r = 0; r < rest; r++) word |= i32(load<f32>(p + (<usize>r << 2)) != 0) << r;
    store<i32>(bits + (<usize>whole << 2), word);
  }
  // sparseRow reads the words in pairs, as i64: an odd count gets a zero partner.
  const words = (k + 31) >> 5;
  if ((words & 1) != 0) store<i32>(bits + (<usize>words << 2), 0);
}

/**
 * out = A·B for A m×k and B k×n (op(A), op(B) when transA, transB), with bias and activation
 * when asked and c added to when `accumulate`: matmul()'s contract and bit for bit its result,
 * computed without the terms whose A element is zero (see the section comment). Returns 0,
 * having touched nothing, when A has fewer than `minZeros` zeros or A or B holds an inf or a
 * NaN (then the caller runs matmul()); 1 when done. Reads up to 3 floats past each B row,
 * and with transA up to 7 past A's last row (the 32 bytes a caller keeps after each operand
 * cover the last ones; what they hold never reaches c).
 */
export function sparseMatmul(
  c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, scratch: usize, bias: usize, act: i32, accumulate: bool, minZeros: i32,
): i32 {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  if (zerosIfFinite(a, m * k, minZeros) < 0 || !allFinite(b, k * n)) return 0;
  // splitLoads' 16-byte sink just before the bits.
  const bits = ((scratch + 15) & ~(<usize>15)) + 16;
  const bt = bits + <usize>bitsBytes(k);
  if (transB) {
    // Stored n×k: unpack to k×n so that a B row is contiguous.
    for (let j = 0; j < n; j++) {
      const src = b + <usize>(j * k) * 4;
      const dst = bt + <usize>j * 4;
      for (let p = 0; p < k; p++) store<f32>(dst + <usize>(p * n) * 4, load<f32>(src + <usize>p * 4));
    }
    b = bt;
  }
  if (transA) {
    sparseOuter(c, a, b, m, k, n, bits, bias, act, accumulate);
    return 1;
  }
  const ldb = n * 4;
  for (let i = 0; i < m; i++) {
    const row = a + <usize>(i * k) * 4;
    rowBits(row, k, bits);
    const crow = c + <usize>(i * n) * 4;
    for (let j0 = 0; j0 < n; j0 += SPARSE_NC) {
      const cols = min(SPARSE_NC, n - j0);
      const bj = b + <usize>j0 * 4, cj = crow + <usize>j0 * 4;
      const biasJ: usize = bias == 0 ? 0 : bias + <usize>j0 * 4;
      const V = (cols + 3) >> 2;
      if (V == 8) sparseRow(8, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else if (V == 7) sparseRow(7, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else if (V == 6) sparseRow(6, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else if (V == 5) sparseRow(5, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else if (V == 4) sparseRow(4, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else if (V == 3) sparseRow(3, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else if (V == 2) sparseRow(2, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
      else sparseRow(1, row, bj, ldb, k, bits, cj, accumulate, biasJ, act, cols);
    }
  }
  return 1;
}

/**
 * One output row's chunk of V vectors (cols ≤ 4V real columns) over every k block: the terms
 * whose bit is set (see rowBits), lowest first, so in k order, into V accumulators (V a
 * literal at each call site), then finished as matmul's finishRow finishes a tile row.
 */
@inline function sparseRow(
  V: i32, row: usize, b: usize, ldb: i32, k: i32,
  bits: usize, c: usize, accumulate: bool, bias: usize, act: i32, cols: i32,
): void {
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const first = pc == 0 && !accumulate;
    const last = pc + kc >= k;
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    // Two of rowBits' words at a time (little-endian: an i64 with bit r for k step 64w + r),
    // so half as many loop exits to predict. KC is a multiple of 64: a block's terms are
    // whole i64 words.
    const wEnd = (pc + kc + 63) >> 6;
    for (let w = pc >> 6; w < wEnd; w++) {
      let word = load<i64>(bits + (<usize>w << 3));
      const r0 = w << 6;
      while (word != 0) {
        const r = r0 + <i32>ctz(word);
        word &= word - 1;
        const av = v128.load32_splat(row + (<usize>r << 2));
        const p = b + <usize>(r * ldb);
        c0 = madd(av, v128.load(p), c0);
        if (V > 1) c1 = madd(av, v128.load(p, 16), c1);
        if (V > 2) c2 = madd(av, v128.load(p, 32), c2);
        if (V > 3) c3 = madd(av, v128.load(p, 48), c3);
        if (V > 7) splitLoads(bits - 16, c0, c1, c2, c3);
        if (V > 4) c4 = madd(av, v128.load(p, 64), c4);
        if (V > 5) c5 = madd(av, v128.load(p, 80), c5);
        if (V > 6) c6 = madd(av, v128.load(p, 96), c6);
        if (V > 7) c7 = madd(av, v128.load(p, 112), c7);
      }
    }
    if (ASC_FEATURE_RELAXED_SIMD) {
      // A fused multiply-add can leave a −0 sum where the skipped +0 terms would have made
      // it +0 (see above): redo this block with every term, as matmul() does.
      if (anyNegZero(V, c0, c1, c2, c3, c4, c5, c6, c7)) {
        c0 = f32x4.splat(0); c1 = c0; c2 = c0; c3 = c0; c4 = c0; c5 = c0; c6 = c0; c7 = c0;
        for (let kk = pc; kk < pc + kc; kk++) {
          const av = v128.load32_splat(row + (<usize>kk << 2));
          const p = b + <usize>(kk * ldb);
          c0 = madd(av, v128.load(p), c0);
          if (V > 1) c1 = madd(av, v128.load(p, 16), c1);
          if (V > 2) c2 = madd(av, v128.load(p, 32), c2);
          if (V > 3) c3 = madd(av, v128.load(p, 48), c3);
          if (V > 4) c4 = madd(av, v128.load(p, 64), c4);
          if (V > 5) c5 = madd(av, v128.load(p, 80), c5);
          if (V > 6) c6 = madd(av, v128.load(p, 96), c6);
          if (V > 7) c7 = madd(av, v128.load(p, 112), c7);
        }
      }
    }
    const blockBias = last ? bias : 0;
    const blockAct = last ? act : ACT_IDENTITY;
    // All but the last vector are whole (cols > 4(V−1)): with that a literal, only the last
    // takes loadPart's and storePart's branches.
    finishVec(c, c0, V == 1 ? cols : 4, !first, blockBias, blockAct);
    if (V > 1) finishVec(c + 16, c1, V == 2 ? cols - 4 : 4, !first, blockBias == 0 ? 0 : blockBias + 16, blockAct);
    if (V > 2) finishVec(c + 32, c2, V == 3 ? cols - 8 : 4, !first, blockBias == 0 ? 0 : blockBias + 32, blockAct);
    if (V > 3) finishVec(c + 48, c3, V == 4 ? cols - 12 : 4, !first, blockBias == 0 ? 0 : blockBias + 48, blockAct);
    if (V > 4) finishVec(c + 64, c4, V == 5 ? cols - 16 : 4, !first, blockBias == 0 ? 0 : blockBias + 64, blockAct);
    if (V > 5) finishVec(c + 80, c5, V == 6 ? cols - 20 : 4, !first, blockBias == 0 ? 0 : blockBias + 80, blockAct);
    if (V > 6) finishVec(c + 96, c6, V == 7 ? cols - 24 : 4, !first, blockBias == 0 ? 0 : blockBias + 96, blockAct);
    if (V > 7) finishVec(c + 112, c7, cols - 28, !first, blockBias == 0 ? 0 : blockBias + 112, blockAct);
  }
}

/**
 * Finishes w (may be ≥ 4) lanes of one output vector as finishRow does: (+ c when
 * accumulating) (+ bias) (activation), then stores only those lanes.
 */
@inline function finishVec(p: usize, v: v128, w: i32, accumulate: bool, bias: usize, act: i32): void {
  if (accumulate) v = f32x4.add(v, loadPart(p, w));
  if (bias != 0) v = f32x4.add(v, v128.load(bias));
  if (act != ACT_IDENTITY) v = activate(v, act);
  storePart(p, v, w);
}

/**
 * The transA case (A stored k×m, as in a weight gradient xᵀ·δ): op(A)'s row p is A's column p,
 * strided. Per k block and chunk of up to 32 columns, eight output rows at a time: one pass
 * down the block's A rows (two vectors of four columns per row) sets, per column, one bit per
 * k step whose A element is nonzero (32 steps a word), then each of the eight rows sums its
 * nonzero terms in k order (lowest set bit first) into registers and finishes them into c as
 * sparseRow does. A row whose column of the block is all zeros (MNIST's border pixels, in
 * every image of a batch) costs only its c + (+0), which is what matmul()'s sum of ±0 terms
 * from +0 gives. (This replaced outer products into m×n scratch sums, zeroed, updated and
 * read back whole at every call: the lecture's 784×10·10×30 into W.grad went 21.2 → 16.9 µs
 * per call with MNIST batches, Node 20, plain SIMD.)
 */
function sparseOuter(
  c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, bits: usize,
  bias: usize, act: i32, accumulate: bool,
): void {
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const add = pc > 0 || accumulate;
    const last = pc + kc >= k;
    const blockBias = last ? bias : 0;
    const blockAct = last ? act : ACT_IDENTITY;
    // A gradient summed into its buffer (no bias, no activation) is the common case: with
    // those literals too, each row's finish is plain vector adds.
    const plain = add && blockBias == 0 && blockAct == ACT_IDENTITY;
    const aBlock = a + <usize>(pc * m) * 4;
    for (let j0 = 0; j0 < n; j0 += SPARSE_NC) {
      const cols = min(SPARSE_NC, n - j0);
      const bj = b + <usize>(pc * n + j0) * 4, cj = c + <usize>j0 * 4;
      const biasJ: usize = blockBias == 0 ? 0 : blockBias + <usize>j0 * 4;
      const V = (cols + 3) >> 2;
      if (plain) {
        if (V == 8) outerBlock(8, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else if (V == 7) outerBlock(7, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else if (V == 6) outerBlock(6, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else if (V == 5) outerBlock(5, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else if (V == 4) outerBlock(4, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else if (V == 3) outerBlock(3, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else if (V == 2) outerBlock(2, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
        else outerBlock(1, aBlock, m, kc, bj, n, bits, cj, cols, true, 0, ACT_IDENTITY);
      } else {
        if (V == 8) outerBlock(8, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else if (V == 7) outerBlock(7, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else if (V == 6) outerBlock(6, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else if (V == 5) outerBlock(5, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else if (V == 4) outerBlock(4, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else if (V == 3) outerBlock(3, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else if (V == 2) outerBlock(2, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
        else outerBlock(1, aBlock, m, kc, bj, n, bits, cj, cols, add, biasJ, blockAct);
      }
    }
  }
}

/**
 * One k block (kc ≤ KC rows of A from `a`, of B from `b`) and one chunk of V vectors of the
 * transA case, for every output row (V, and in the common case accumulate, bias and act, are
 * literals at the call site). `bits` holds the current eight rows' nonzero bits: the i32 at
 * bits + 32w + 4l has bit r set when A[32w + r, p0 + l] != 0.
 */
@inline function outerBlock(
  V: i32, a: usize, m: i32, kc: i32, b: usize, n: i32, bits: usize, c: usize, cols: i32,
  accumulate: bool, bias: usize, act: i32,
): void {
  const lda = <usize>m * 4, ldb = <usize>n * 4, ldc = ldb;
  const zero = f32x4.splat(0);
  const words = (kc + 31) >> 5;
  for (let p0 = 0; p0 < m; p0 += 8) {
    const rows = min(8, m - p0);
    // Lanes past m read the next A row (or the 32 bytes kept after A): never set their bits.
    const live0 = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rows));
    const live1 = i32x4.lt_s(i32x4(4, 5, 6, 7), i32x4.splat(rows));
    let any = i32x4.splat(0);
    for (let w = 0; w < words; w++) {
      const r0 = w << 5;
      // From the last k step down: each step shifts the word left and adds its bit (ne is
      // all ones, −1, where the element is nonzero), so step r ends at bit r − r0.
      let word0 = i32x4.splat(0), word1 = word0;
      const rLast = min(r0 + 32, kc) - 1;
      let q = a + <usize>rLast * lda + <usize>p0 * 4;
      for (let r = rLast; r >= r0; r--, q -= lda) {
        word0 = i32x4.sub(i32x4.add(word0, word0), f32x4.ne(v128.load(q), zero));
        word1 = i32x4.sub(i32x4.add(word1, word1), f32x4.ne(v128.load(q, 16), zero));
      }
      word0 = v128.and(word0, live0);
      word1 = v128.and(word1, live1);
      any = v128.or(any, v128.or(word0, word1));
      v128.store(bits + (<usize>w << 5), word0);
      v128.store(bits + (<usize>w << 5), word1, 16);
    }
    if (accumulate && bias == 0 && act == ACT_IDENTITY && cols == n && rows == 8 && !v128.any_true(any)) {
      // Eight rows without a term (MNIST's border pixels come in runs), all n columns: their
      // c + (+0) as one contiguous stretch of 8n floats, whole vectors.
      const q0 = c + <usize>p0 * ldc;
      for (let q = q0, end = q0 + 8 * ldc; q < end; q += 16) v128.store(q, f32x4.add(zero, v128.load(q)));
      continue;
    }
    for (let l = 0; l < rows; l++) {
      const p = p0 + l;
      const acol = a + <usize>p * 4;
      const rowBits = bits + (<usize>l << 2);
      let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
      for (let w = 0; w < words; w++) {
        let word = load<i32>(rowBits + (<usize>w << 5));
        const r0 = w << 5;
        while (word != 0) {
          const r = r0 + ctz(word);
          word &= word - 1;
          const av = v128.load32_splat(acol + <usize>r * lda);
          const q = b + <usize>r * ldb;
          c0 = madd(av, v128.load(q), c0);
          if (V > 1) c1 = madd(av, v128.load(q, 16), c1);
          if (V > 2) c2 = madd(av, v128.load(q, 32), c2);
          if (V > 3) c3 = madd(av, v128.load(q, 48), c3);
          if (V > 7) splitLoads(bits - 16, c0, c1, c2, c3);
          if (V > 4) c4 = madd(av, v128.load(q, 64), c4);
          if (V > 5) c5 = madd(av, v128.load(q, 80), c5);
          if (V > 6) c6 = madd(av, v128.load(q, 96), c6);
          if (V > 7) c7 = madd(av, v128.load(q, 112), c7);
        }
      }
      if (ASC_FEATURE_RELAXED_SIMD) {
        // As in sparseRow: a −0 sum may differ from matmul()'s +0; redo the block with every term.
        if (anyNegZero(V, c0, c1, c2, c3, c4, c5, c6, c7)) {
          c0 = f32x4.splat(0); c1 = c0; c2 = c0; c3 = c0; c4 = c0; c5 = c0; c6 = c0; c7 = c0;
          for (let r = 0; r < kc; r++) {
            const av = v128.load32_splat(acol + <usize>r * lda);
            const q = b + <usize>r * ldb;
            c0 = madd(av, v128.load(q), c0);
            if (V > 1) c1 = madd(av, v128.load(q, 16), c1);
            if (V > 2) c2 = madd(av, v128.load(q, 32), c2);
            if (V > 3) c3 = madd(av, v128.load(q, 48), c3);
            if (V > 4) c4 = madd(av, v128.load(q, 64), c4);
            if (V > 5) c5 = madd(av, v128.load(q, 80), c5);
            if (V > 6) c6 = madd(av, v128.load(q, 96), c6);
            if (V > 7) c7 = madd(av, v128.load(q, 112), c7);
          }
        }
      }
      // As in sparseRow, only the last vector may be partial.
      const crow = c + <usize>p * ldc;
      finishVec(crow, c0, V == 1 ? cols : 4, accumulate, bias, act);
      if (V > 1) finishVec(crow + 16, c1, V == 2 ? cols - 4 : 4, accumulate, bias == 0 ? 0 : bias + 16, act);
      if (V > 2) finishVec(crow + 32, c2, V == 3 ? cols - 8 : 4, accumulate, bias == 0 ? 0 : bias + 32, act);
      if (V > 3) finishVec(crow + 48, c3, V == 4 ? cols - 12 : 4, accumulate, bias == 0 ? 0 : bias + 48, act);
      if (V > 4) finishVec(crow + 64, c4, V == 5 ? cols - 16 : 4, accumulate, bias == 0 ? 0 : bias + 64, act);
      if (V > 5) finishVec(crow + 80, c5, V == 6 ? cols - 20 : 4, accumulate, bias == 0 ? 0 : bias + 80, act);
      if (V > 6) finishVec(crow + 96, c6, V == 7 ? cols - 24 : 4, accumulate, bias == 0 ? 0 : bias + 96, act);
      if (V > 7) finishVec(crow + 112, c7, cols - 28, accumulate, bias == 0 ? 0 : bias + 112, act);
    }
  }
}
