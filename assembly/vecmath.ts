// The vector math of the float32 kernels (AssemblyScript): madd, e^x, sigmoid, tanh and relu
// on f32x4 lanes, shared by assembly/kernels.ts (matmul epilogue, `activation`, `expArray`)
// and assembly/fused.ts (the fused elementwise programs), so that both give the same bits.
// Everything here is @inline: nothing becomes a wasm export (only the entry file's exports do).

/**
 * a·b + c per lane. With relaxed SIMD (the relaxed build, see scripts/build-wasm.mjs) one fused
 * multiply-add where the CPU has one, halving the matmul's arithmetic instructions; otherwise
 * a multiply then an add, each rounded.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}


const LOG2E: f32 = 1.44269504088896341;
// ln 2 split so fx·LN2_HI is exact for |fx| ≤ 128 (Cody–Waite range reduction).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

// Adding 1.5·2^23 to a float in [-2^22, 2^22] leaves its rounded integer value in the low
// mantissa bits: a cheap float→int conversion (i32x4.trunc_sat has no x64 instruction).
const MAGIC: f32 = 12582912.0;

// The vector math's constants as whole vectors in static memory, read with v128.load. As
// v128.const in a loop body, V8 rebuilds each one every iteration from general registers
// (it does not hoist them), which made exp 3× slower; a load from memory costs one
// instruction, or none when folded into the arithmetic as a memory operand.
const EXP_LO = 0, EXP_HI = 1, C_LOG2E = 2, C_LN2_HI = 3, C_LN2_LO = 4, EXP_P0 = 5;
export const ONE = 11, POW2_BIAS = 12, MINUS_TWO = 13, TANH_Q0 = 14, TANH_SMALL = 19, SIGN_BIT = 20;
const VEC_CONSTANTS = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0,
  88.0, 88.0, 88.0, 88.0,
  LOG2E, LOG2E, LOG2E, LOG2E,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  // Cephes expf polynomial, highest degree first.
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0,
  MAGIC + 127.0, MAGIC + 127.0, MAGIC + 127.0, MAGIC + 127.0,
  -2.0, -2.0, -2.0, -2.0,
  // Cephes tanhf odd polynomial, highest degree first.
  -5.70498872745e-3, -5.70498872745e-3, -5.70498872745e-3, -5.70498872745e-3,
  2.06390887954e-2, 2.06390887954e-2, 2.06390887954e-2, 2.06390887954e-2,
  -5.37397155531e-2, -5.37397155531e-2, -5.37397155531e-2, -5.37397155531e-2,
  1.33314422036e-1, 1.33314422036e-1, 1.33314422036e-1, 1.33314422036e-1,
  -3.33332819422e-1, -3.33332819422e-1, -3.33332819422e-1, -3.33332819422e-1,
  0.625, 0.625, 0.625, 0.625,
  -0.0, -0.0, -0.0, -0.0,
], 16);

/** Vector constant number `i` of VEC_CONSTANTS (i is a literal at every use: an immediate offset). */
@inline export function vc(i: i32): v128 {
  return v128.load(VEC_CONSTANTS + (<usize>i << 4));
}

/**
 * e^x for each lane, Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for
 * e^r, then 2^n built in the exponent bits. About 1 ulp on [-87, 88]; inputs are clamped
 * there so 2^n stays a normal float (the callers never need e^x beyond that range). pmin and
 * pmax compile to single minps/maxps; with x as the first operand they still pass NaN through.
 */
@inline export function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, vc(EXP_LO)), vc(EXP_HI));
  const fx = f32x4.nearest(f32x4.mul(x, vc(C_LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fx, vc(C_LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, vc(C_LN2_LO)));
  const z = f32x4.mul(r, r);
  let y = vc(EXP_P0);
  y = madd(y, r, vc(EXP_P0 + 1));
  y = madd(y, r, vc(EXP_P0 + 2));
  y = madd(y, r, vc(EXP_P0 + 3));
  y = madd(y, r, vc(EXP_P0 + 4));
  y = madd(y, r, vc(EXP_P0 + 5));
  y = f32x4.add(madd(y, z, r), vc(ONE));
  // The low 9 bits of MAGIC's pattern are zero, so shifting out its exponent leaves
  // exactly (n + 127) << 23, the bits of 2^n.
  const pow2n = i32x4.shl(f32x4.add(fx, vc(POW2_BIAS)), 23);
  return f32x4.mul(y, pow2n);
}

/**
 * 1/(1+e^-x), evaluated through e = e^-|x| so it never overflows and keeps full relative
 * precision for negative x (where it is e/(1+e)).
 */
@inline export function sigmoidv(x: v128): v128 {
  // −|x| by setting the sign bit, and the x < 0 mask from the sign bit itself: single
  // instructions, where f32x4.abs/neg/ge each make V8 build a constant first.
  const e = expv(v128.or(x, vc(SIGN_BIT)));
  const s = f32x4.div(vc(ONE), f32x4.add(vc(ONE), e));
  return v128.bitselect(f32x4.mul(e, s), s, i32x4.shr_s(x, 31));
}

/**
 * tanh: (1−e)/(1+e) with e = e^(−2|x|) loses relative precision near 0, so below 0.625 the
 * Cephes tanhf odd polynomial is used instead. The sign is copied back from x.
 */
@inline export function tanhv(x: v128): v128 {
  const ax = v128.andnot(x, vc(SIGN_BIT));
  const e = expv(f32x4.mul(ax, vc(MINUS_TWO)));
  const big = f32x4.div(f32x4.sub(vc(ONE), e), f32x4.add(vc(ONE), e));
  const s = f32x4.mul(x, x);
  let q = vc(TANH_Q0);
  q = madd(q, s, vc(TANH_Q0 + 1));
  q = madd(q, s, vc(TANH_Q0 + 2));
  q = madd(q, s, vc(TANH_Q0 + 3));
  q = madd(q, s, vc(TANH_Q0 + 4));
  const small = madd(f32x4.mul(q, s), ax, ax);
  const mag = v128.bitselect(small, big, f32x4.lt(ax, vc(TANH_SMALL)));
  // |tanh| with x's sign bit; NaN stays NaN through both branches.
  return v128.bitselect(x, mag, vc(SIGN_BIT));
}

/** relu as the TypeScript kernel has it: x > 0 ? x : 0 (so NaN and -0 give +0). */
@inline export function reluv(x: v128): v128 {
  return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
}
