/* Lane-wise arithmetic for the HH kernels over GCC vector types (or plain
 * doubles for one lane), reproducing the reference implementation's
 * floating-point results bit for bit:
 *  - vexp performs the operations of the exp NumPy 1.24 used for float64 on
 *    AVX-512 machines (Intel SVML's __svml_exp8, the reference's exp), with
 *    the same fused multiply-adds and constants, so it returns the same bits
 *    (tested against NumPy output in tests/hh);
 *  - vpow3/vpow4 give libm's pow(x, 3) / pow(x, 4): correctly rounded
 *    double-double products, with a call to pow() in the rare lanes where the
 *    exact value lies too close to a rounding midpoint for libm's < 0.52 ulp
 *    result to be certain to agree.
 * Everything else is IEEE basic arithmetic. Where an instruction set offers a
 * shortcut (AVX-512's embedded rounding and scalef) it computes the same
 * value as the portable sequence, so every build gives the same bits.
 *
 * A vector may span several hardware registers (HH_LANES = 16 on AVX-512 is
 * two zmm registers): the two halves are independent dependency chains, which
 * hides the latency of the long serial step of the model.
 * Include after defining HH_LANES. */
#ifndef SBI_HH_VECMATH_H
#define SBI_HH_VECMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The step is one long expression tree: everything must inline into the
 * kernel's loop (wide vectors passed to out-of-line functions go through
 * memory). */
#define HH_INLINE inline __attribute__((always_inline))

#if HH_LANES == 1
/* ---- one lane: plain doubles ---- */
typedef double vd;
typedef uint64_t vu;
#define LANE(v, j) (v)
#define VMASK(cmp) ((vu)0 - (vu)(cmp))
static HH_INLINE vd vas_d(vu x)
{
    vd d;
    memcpy(&d, &x, sizeof d);
    return d;
}
static HH_INLINE vu vas_u(vd x)
{
    vu u;
    memcpy(&u, &x, sizeof u);
    return u;
}
static HH_INLINE vd vfma(vd a, vd b, vd c) { return __builtin_fma(a, b, c); }
static HH_INLINE int vany(vu m) { return m != 0; }
/* x limited to [-lim, lim]; NaN stays NaN. */
static HH_INLINE vd vclamp(vd x, double lim)
{
    x = x > lim ? lim : x;
    return x < -lim ? -lim : x;
}
#else
/* ---- several lanes: GCC vectors over native registers ---- */
#include <immintrin.h>
typedef double vd __attribute__((vector_size(8 * HH_LANES)));
typedef uint64_t vu __attribute__((vector_size(8 * HH_LANES)));
#define LANE(v, j) ((v)[j])
#define VMASK(cmp) ((vu)(cmp))
#define vas_d(x) ((vd)(x))
#define vas_u(x) ((vu)(x))
#if defined(__AVX512F__)
#define HH_NATIVE 8
typedef __m512d nd;
typedef __m512i ni;
#define N_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define N_ANY(m) (_mm512_test_epi64_mask(m, m) != 0)
#define N_OR(a, b) _mm512_or_si512(a, b)
#define N_MIN(a, b) _mm512_min_pd(a, b)
#define N_MAX(a, b) _mm512_max_pd(a, b)
#define N_SET1(c) _mm512_set1_pd(c)
#elif defined(__AVX2__) && defined(__FMA__)
#define HH_NATIVE 4
typedef __m256d nd;
typedef __m256i ni;
#define N_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define N_ANY(m) (!_mm256_testz_si256(m, m))
#define N_OR(a, b) _mm256_or_si256(a, b)
#define N_MIN(a, b) _mm256_min_pd(a, b)
#define N_MAX(a, b) _mm256_max_pd(a, b)
#define N_SET1(c) _mm256_set1_pd(c)
#else
#error "multi-lane HH kernels need AVX2+FMA or AVX-512F"
#endif
#define HH_PARTS (HH_LANES / HH_NATIVE)
typedef union {
    vd v;
    nd p[HH_PARTS];
} ud;
typedef union {
    vu v;
    ni p[HH_PARTS];
} uu;
static HH_INLINE vd vfma(vd a, vd b, vd c)
{
    ud x = {.v = a}, y = {.v = b}, z = {.v = c}, r;
    for (int i = 0; i < HH_PARTS; i++) r.p[i] = N_FMA(x.p[i], y.p[i], z.p[i]);
    return r.v;
}
/* x limited to [-lim, lim]; NaN stays NaN (min/max return their second
 * operand when one is NaN). */
static HH_INLINE vd vclamp(vd x, double lim)
{
    ud a = {.v = x}, r;
    for (int i = 0; i < HH_PARTS; i++)
        r.p[i] = N_MAX(N_SET1(-lim), N_MIN(N_SET1(lim), a.p[i]));
    return r.v;
}
static HH_INLINE int vany(vu m)
{
    uu x = {.v = m};
    ni acc = x.p[0];
    for (int i = 1; i < HH_PARTS; i++) acc = N_OR(acc, x.p[i]);
    return N_ANY(acc);
}
#endif

/* A vector with every lane equal to c. */
#define VB(c) ((vd){0} + (c))

/* Bitwise select: lanes whose mask is all ones take a, the others b. */
static HH_INLINE vd vsel(vu mask, vd a, vd b)
{
    return vas_d((vas_u(a) & mask) | (vas_u(b) & ~mask));
}

static HH_INLINE vd vabs(vd x) { return vas_d(vas_u(x) & 0x7fffffffffffffffull); }

/* 2^(j/16), correctly rounded (generated from exact arithmetic). */
static const double exp_table[16] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};

#define EXP_LOG2E 0x1.71547652b82fep+0
#define EXP_SHIFT 0x1.8000000003ff0p+48 /* 1.5*2^48 + 1023: an ulp of 1/16 */
#define VSHIFTER 0x1.8p52               /* adding it rounds to an integer */

/* The reduction's first step and the final scaling of vexp, per register:
 *  s = RZ(x*log2e + EXP_SHIFT) (round toward zero), the lookup of
 *  2^(j/16) by the low 4 bits of s, and res * 2^floor(n). */
#if HH_LANES > 1 && defined(__AVX512F__)
static HH_INLINE vd vexp_shift(vd x)
{
    ud a = {.v = x}, r;
    for (int i = 0; i < HH_PARTS; i++)
        r.p[i] = _mm512_fmadd_round_pd(a.p[i], _mm512_set1_pd(EXP_LOG2E),
                                       _mm512_set1_pd(EXP_SHIFT),
                                       _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    return r.v;
}
static HH_INLINE vd vexp_table(vd s)
{
    const nd lo = _mm512_loadu_pd(exp_table), hi = _mm512_loadu_pd(exp_table + 8);
    ud a = {.v = s}, r;
    for (int i = 0; i < HH_PARTS; i++)
        r.p[i] = _mm512_permutex2var_pd(lo, _mm512_castpd_si512(a.p[i]), hi);
    return r.v;
}
static HH_INLINE vd vexp_scale(vd res, vd n, vd x)
{
    (void)x; /* scalef covers every range */
    ud a = {.v = res}, b = {.v = n}, r;
    for (int i = 0; i < HH_PARTS; i++) r.p[i] = _mm512_scalef_pd(a.p[i], b.p[i]);
    return r.v;
}
#else
static HH_INLINE vd vexp_shift(vd x)
{
    /* The value is positive, so toward zero is down: round to nearest, then
     * step down one ulp (1/16) if that went above the exact value, whose
     * difference from t one more fused multiply-add gives with exact sign. */
    const vd t = vfma(x, VB(EXP_LOG2E), VB(EXP_SHIFT));
    const vd below = vfma(x, VB(EXP_LOG2E), EXP_SHIFT - t);
    return t - vsel(VMASK(below < 0.0), VB(0.0625), VB(0.0));
}
static HH_INLINE vd vexp_table(vd s)
{
    const vu j = vas_u(s) & 15u;
#if HH_LANES == 1
    return exp_table[j];
#else
    uu a = {.v = j};
    ud r;
    for (int i = 0; i < HH_PARTS; i++) r.p[i] = _mm256_i64gather_pd(exp_table, a.p[i], 8);
    return r.v;
#endif
}
/* res * 2^floor(n) for one value, rounded once like AVX-512's scalef (also
 * into the subnormal range, to inf, and NaN for NaN n): 2^M1 * 2^M2 with
 * M1 = floor(M/2), both normal for |M| <= 1443, the first product exact. */
static HH_INLINE double scale_one(double res, double n)
{
    if (n != n) return n + res;
    const double m = ((n - 0.46875) + VSHIFTER) - VSHIFTER;
    uint64_t k, b1, b2;
    const double t = m + VSHIFTER;
    memcpy(&k, &t, sizeof k);
    k -= 0x4338000000000000ull;                          /* M, two's complement */
    const uint64_t k1 = ((k + 2048u) >> 1) - 1024u;      /* floor(M/2) */
    b1 = (k1 + 1023u) << 52;
    b2 = (k - k1 + 1023u) << 52;
    double f1, f2;
    memcpy(&f1, &b1, sizeof f1);
    memcpy(&f2, &b2, sizeof f2);
    return (res * f1) * f2;
}

static HH_INLINE vd vexp_scale(vd res, vd n, vd x)
{
    /* For |x| < 707.7 (SVML's fast range) 2^floor(n) is a normal number and
     * one product is exact; floor(n) = rint(n - 15/32) as n is a multiple of
     * 1/16. Other lanes (absurd parameters, NaN) take scale_one. */
    const vd m = ((n - 0.46875) + VSHIFTER) - VSHIFTER;
    const uint64_t bias = 0x4338000000000000ull - 1023u; /* bits(VSHIFTER) - exponent bias */
    vd r = res * vas_d((vas_u(m + VSHIFTER) - bias) << 52);
    const vu odd = ~VMASK(vabs(x) < 0x1.61da04cbafe44p+9);
    if (vany(odd)) {
#if HH_LANES == 1
        r = scale_one(res, n);
#else
        for (int j = 0; j < HH_LANES; j++)
            if (odd[j]) r[j] = scale_one(res[j], n[j]);
#endif
    }
    return r;
}
#endif

/* exp with the bits of NumPy 1.24's np.exp for float64 on AVX-512 machines,
 * which is Intel SVML's __svml_exp8 (the reference's exp):
 *   N = x*log2(e) rounded toward zero to a multiple of 1/16 (M = floor(N),
 *   j = 16 (N - M)), r = x - N ln2 in two fused steps, exp(r) - 1 by a
 *   degree-6 polynomial, exp(x) = 2^M * (T_j + T_j (exp(r) - 1)).
 * SVML sends |x| >= 707.70... to a slow path; here the same formulas carry
 * on (reached only for absurd parameters): the result is inf above 709.78,
 * 0 below -745.13, subnormal between, within an ulp of exp and the same on
 * every path. NaN gives NaN. */
static HH_INLINE vd vexp(vd x)
{
    /* Beyond |x| = 1000 exp is 0 or inf anyway; clamping keeps the reduction
     * in range. NaN passes (its comparisons are false). */
    x = vclamp(x, 1000.0);
    const vd s = vexp_shift(x);
    const vd n = s - EXP_SHIFT;
    vd r = vfma(-n, VB(0x1.62e42fefa39efp-1), x);
    r = vfma(-n, VB(0x1.abc9e3b39803fp-56), r);
    r = vas_d(vas_u(r) & 0xbfffffffffffffffull);
    const vd r2 = r * r;
    const vd p56 = vfma(VB(0x1.72eb5ef0d213dp-10), r, VB(0x1.1106603d97c00p-7));
    const vd p34 = vfma(VB(0x1.555564bb4f5f0p-5), r, VB(0x1.5555554b508a2p-3));
    const vd r3 = r2 * r;
    const vd p12 = vfma(VB(0x1.0000000002622p-1), r2, r);
    const vd p36 = vfma(p56, r2, p34);
    const vd p16 = vfma(p36, r3, p12);
    const vd th = vexp_table(s);
    return vexp_scale(vfma(p16, th, th), n, x);
}

/* a / b correctly rounded, given y = RN(1/b) (the correctly rounded
 * reciprocal): q0 = RN(a y) is within 1.5 ulp of a/b, one fused correction
 * brings it within 1 ulp, and by Markstein's theorem (y within 1/2 ulp of 1/b,
 * q within 1 ulp of a/b, no underflow) RN(q + (a - b q) y) is RN(a/b); the
 * remainders a - b q are exact in a fused multiply-add. Five multiply-adds
 * instead of a division, whose unit is the kernel's bottleneck. Checked
 * against the division instruction in tests/hh. */
static HH_INLINE vd vdiv_recip(vd a, vd b, vd y)
{
    const vd q0 = a * y;
    const vd q1 = vfma(vfma(-b, q0, a), y, q0);
    return vfma(vfma(-b, q1, a), y, q1);
}

/* Lanes where a double-double value hi + d (d the exact remainder after
 * rounding to hi) lies within 0.015 ulp of a rounding midpoint, or where the
 * ulp is not simple (hi a power of two, tiny, zero, negative, not finite).
 * There libm's pow, whose result before rounding is within 0.01 ulp for
 * these arguments, might round the other way. */
static HH_INLINE vu vnear_midpoint(vd hi, vd d)
{
    const vu bits = vas_u(hi);
    const vu expo = bits & 0x7ff0000000000000ull;
    const vd ulp = vas_d(expo - (52ull << 52));
    const vu simple = VMASK(hi >= 0x1p-960) & VMASK(hi < 0x1p1000) &
                      VMASK((bits & 0x000fffffffffffffull) != 0);
    return ~simple | VMASK(vabs(d) > 0.485 * ulp);
}

/* libm's pow(x, 3.0) and pow(x, 4.0) (the reference's m**3 and n**4). */
static HH_INLINE vd vpow3(vd x)
{
    const vd hi = x * x, lo = vfma(x, x, -hi); /* x^2 = hi + lo exactly */
    const vd p = hi * x, e = vfma(hi, x, -p);  /* hi*x = p + e exactly */
    const vd t = vfma(lo, x, e);               /* x^3 - p, to 2^-100 relative */
    vd r = p + t;
    const vd d = t - (r - p);
    const vu fix = vnear_midpoint(r, d);
    if (vany(fix)) {
#if HH_LANES == 1
        r = pow(x, 3.0);
#else
        for (int j = 0; j < HH_LANES; j++)
            if (fix[j]) r[j] = pow(x[j], 3.0);
#endif
    }
    return r;
}

static HH_INLINE vd vpow4(vd x)
{
    const vd hi = x * x, lo = vfma(x, x, -hi);
    const vd p = hi * hi, e = vfma(hi, hi, -p);
    const vd t = vfma(lo, lo, vfma(hi + hi, lo, e)); /* (hi+lo)^2 - p */
    vd r = p + t;
    const vd d = t - (r - p);
    const vu fix = vnear_midpoint(r, d);
    if (vany(fix)) {
#if HH_LANES == 1
        r = pow(x, 4.0);
#else
        for (int j = 0; j < HH_LANES; j++)
            if (fix[j]) r[j] = pow(x[j], 4.0);
#endif
    }
    return r;
}

#endif /* SBI_HH_VECMATH_H */
