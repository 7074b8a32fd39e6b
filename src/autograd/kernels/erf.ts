/**
 * erf and erfc in double precision (within about one ulp), for `gelu`. The short
 * Abramowitz–Stegun formulas are off by up to 1.5e-7, which a float64 gradcheck sees.
 *
 * Method and coefficients: the rational approximations of FDLIBM's s_erf.c (also used by
 * FreeBSD, musl and Go's math package):
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunPro, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted,
 *   provided that this notice is preserved.
 * Four intervals of |x|: [0, 0.84375) erf(x) = x + x·P(x²)/Q(x²); [0.84375, 1.25)
 * erf = c + P(s)/Q(s) around s = |x|−1; [1.25, 28) erfc = exp(−x²−0.5625+R(1/x²)/S(1/x²))/x;
 * beyond, erfc underflows.
 */

const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
// erf on [0, 0.84375]
const PP = [1.28379167095512558561e-1, -3.2504210724700149937e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.9602282787753681232e-6];
// erf on [0.84375, 1.25]
const PA = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1,
  3.54783043256182359371e-2, -2.166375594868790843e-3,
];
const QA = [
  1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2,
  1.1984499846799107417e-2,
];
// erfc on [1.25, 1/0.35]
const RA = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2,
  -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592,
];
const SA = [
  1.96512716674392571292e1, 1.376577541435190426e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2,
  1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2,
];
// erfc on [1/0.35, 28]
const RB = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2,
  -1.02509513161107724954e3, -4.83519191608651397019e2,
];
const SB = [
  3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3,
  4.74528541206955367215e2, -2.24409524465858183362e1,
];

/** c[0] + z·c[1] + z²·c[2] + … (Horner). */
function poly(c: readonly number[], z: number): number {
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = r * z + c[i];
  return r;
}

/** 1 + z·c[0] + z²·c[1] + … (the denominators' leading 1 is implicit). */
function poly1(c: readonly number[], z: number): number {
  return 1 + z * poly(c, z);
}

/** For a ≥ 1.25: erfc(a). exp(−a²) is split as exp(−z²)·exp((z−a)(z+a)) with z = a rounded to float32, so z² is exact. */
function erfcTail(a: number): number {
  if (a >= 28) return 0;
  const s = 1 / (a * a);
  const r = a < 1 / 0.35 ? poly(RA, s) / poly1(SA, s) : poly(RB, s) / poly1(SB, s);
  const z = Math.fround(a);
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - a) * (z + a) + r)) / a;
}

/** The error function 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 0.84375) {
    if (a < 2 ** -28) return x + EFX * x;
    const z = x * x;
    return x + x * (poly(PP, z) / poly1(QQ, z));
  }
  if (a < 1.25) r = ERX + poly(PA, a - 1) / poly1(QA, a - 1);
  else r = a >= 6 ? 1 : 1 - erfcTail(a);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 − erf(x), accurate where it is tiny (large x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 2 ** -56) return 1 - x;
    const z = x * x;
    const y = poly(PP, z) / poly1(QQ, z);
    // Near 0.5 the sum x + x·y is formed in an order that keeps its last bits.
    return x < 0.25 ? 1 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
  }
  if (a < 1.25) {
    const p = ERX + poly(PA, a - 1) / poly1(QA, a - 1);
    return x < 0 ? 1 + p : 1 - p;
  }
  const t = erfcTail(a);
  return x < 0 ? 2 - t : t;
}
