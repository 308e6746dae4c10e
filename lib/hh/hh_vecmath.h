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
 * Everything else is IEEE basic arithmetic, so every lane count gives the same
 * bits. Include after defining HH_LANES. */
#ifndef SBI_HH_VECMATH_H
#define SBI_HH_VECMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#if HH_LANES == 1
typedef double vd;
typedef uint64_t vu;
#define LANE(v, j) (v)
#define VMASK(cmp) ((vu)0 - (vu)(cmp))
static inline vd vas_d(vu x)
{
    vd d;
    memcpy(&d, &x, sizeof d);
    return d;
}
static inline vu vas_u(vd x)
{
    vu u;
    memcpy(&u, &x, sizeof u);
    return u;
}
#define VFMA(a, b, c) __builtin_fma((a), (b), (c))
#else
typedef double vd __attribute__((vector_size(8 * HH_LANES)));
typedef uint64_t vu __attribute__((vector_size(8 * HH_LANES)));
#define LANE(v, j) ((v)[j])
#define VMASK(cmp) ((vu)(cmp))
#define vas_d(x) ((vd)(x))
#define vas_u(x) ((vu)(x))
#include <immintrin.h>
#if HH_LANES == 4
#define VFMA(a, b, c) ((vd)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
#elif HH_LANES == 8
#define VFMA(a, b, c) ((vd)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#else
#error "unsupported HH_LANES"
#endif
#endif

/* A vector with every lane equal to c. */
#define VB(c) ((vd){0} + (c))

/* Bitwise select: lanes whose mask is all ones take a, the others b. */
static inline vd vsel(vu mask, vd a, vd b)
{
    return vas_d((vas_u(a) & mask) | (vas_u(b) & ~mask));
}

static inline vd vabs(vd x) { return vas_d(vas_u(x) & 0x7fffffffffffffffull); }

/* Is any lane of the mask set? */
static inline int vany(vu mask)
{
#if HH_LANES == 1
    return mask != 0;
#else
    vu acc = mask;
    int any = 0;
    for (int j = 0; j < HH_LANES; j++) any |= acc[j] != 0;
    return any;
#endif
}

/* 2^(j/16), correctly rounded (generated from exact arithmetic). */
static const double exp_table[16] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};

/* exp_table[j] per lane, j in 0..15. */
static inline vd vlookup16(vu j)
{
#if HH_LANES == 1
    return exp_table[j];
#elif HH_LANES == 4
    return (vd)_mm256_i64gather_pd(exp_table, (__m256i)j, 8);
#else
    const __m512d lo = _mm512_loadu_pd(exp_table), hi = _mm512_loadu_pd(exp_table + 8);
    return (vd)_mm512_permutex2var_pd(lo, (__m512i)j, hi);
#endif
}

/* 2^m for integer-valued m in [-1100, 1100], as a product of two normal
 * powers of two (so that x * 2^m rounds once, like a scale instruction). */
#define VSHIFTER 0x1.8p52 /* adding it rounds to an integer, kept in the low bits */
static inline vd vscale(vd x, vd m)
{
    const vd mh = (m * 0.5 + VSHIFTER) - VSHIFTER;
    const vd ml = m - mh;
    const uint64_t bias = 0x4338000000000000ull - 1023u; /* bits(VSHIFTER) - exponent bias */
    const vd a = vas_d((vas_u(mh + VSHIFTER) - bias) << 52);
    const vd b = vas_d((vas_u(ml + VSHIFTER) - bias) << 52);
    return (x * a) * b;
}

/* exp with the bits of NumPy 1.24's np.exp for float64 on AVX-512 machines,
 * which is Intel SVML's __svml_exp8 (the reference's exp):
 *   N = x*log2(e) rounded toward zero to a multiple of 1/16 (M = floor(N),
 *   j = 16 (N - M)), r = x - N ln2 in two fused steps, exp(r) - 1 by a
 *   degree-6 polynomial, exp(x) = 2^M * (T_j + T_j (exp(r) - 1)).
 * Lanes with |x| >= 707.70... take SVML's slow path there; here they take
 * libm's exp (only reached for absurd parameters). */
static inline vd vexp(vd x)
{
    const double log2e = 0x1.71547652b82fep+0;
    const double shift = 0x1.8000000003ff0p+48; /* 1.5*2^48 + 1023: ulp 1/16 */
    /* S = x*log2e + shift rounded toward zero (the value is positive): round
     * to nearest, then step down if that went above the exact value. */
    const vd t = VFMA(x, VB(log2e), VB(shift));
    const vd below = VFMA(x, VB(log2e), shift - t); /* exact value - t, sign exact */
    const vd s = t - vsel(VMASK(below < 0.0), VB(0.0625), VB(0.0));
    const vd n = s - shift;
    const vu j = vas_u(s) & 15u;
    vd r = VFMA(-n, VB(0x1.62e42fefa39efp-1), x);
    r = VFMA(-n, VB(0x1.abc9e3b39803fp-56), r);
    r = vas_d(vas_u(r) & 0xbfffffffffffffffull);
    const vd r2 = r * r;
    const vd p56 = VFMA(VB(0x1.72eb5ef0d213dp-10), r, VB(0x1.1106603d97c00p-7));
    const vd p34 = VFMA(VB(0x1.555564bb4f5f0p-5), r, VB(0x1.5555554b508a2p-3));
    const vd r3 = r2 * r;
    const vd p12 = VFMA(VB(0x1.0000000002622p-1), r2, r);
    const vd p36 = VFMA(p56, r2, p34);
    const vd p16 = VFMA(p36, r3, p12);
    const vd th = vlookup16(j);
    vd res = VFMA(p16, th, th);
    /* times 2^floor(N): N - 15/32 is exact and rounds to the floor */
    res = vscale(res, ((n - 0.46875) + VSHIFTER) - VSHIFTER);
    res = vsel(VMASK(x != x), x + x, res); /* NaN in, NaN out (SVML: via the scale) */
    const vu big = VMASK(vabs(x) >= 0x1.61da04cbafe44p+9);
    if (vany(big)) {
#if HH_LANES == 1
        res = exp(x);
#else
        for (int k = 0; k < HH_LANES; k++)
            if (big[k]) res[k] = exp(x[k]);
#endif
    }
    return res;
}

/* Lanes where a double-double value hi + d (d the exact remainder after
 * rounding to hi) lies within 0.02 ulp of a rounding midpoint, or where the
 * ulp is not simple (hi a power of two, tiny, zero, negative, not finite).
 * There libm's pow, accurate to 0.52 ulp, may round the other way. */
static inline vu vnear_midpoint(vd hi, vd d)
{
    const vu bits = vas_u(hi);
    const vu expo = bits & 0x7ff0000000000000ull;
    const vd ulp = vas_d(expo - (52ull << 52));
    const vu simple = VMASK(hi >= 0x1p-960) & VMASK(hi < 0x1p1000) &
                      VMASK((bits & 0x000fffffffffffffull) != 0);
    return ~simple | VMASK(vabs(d) > 0.48 * ulp);
}

/* libm's pow(x, 3.0) and pow(x, 4.0) (the reference's m**3 and n**4). */
static inline vd vpow3(vd x)
{
    const vd hi = x * x, lo = VFMA(x, x, -hi); /* x^2 = hi + lo exactly */
    const vd p = hi * x, e = VFMA(hi, x, -p);  /* hi*x = p + e exactly */
    const vd t = VFMA(lo, x, e);               /* x^3 - p, to 2^-100 relative */
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

static inline vd vpow4(vd x)
{
    const vd hi = x * x, lo = VFMA(x, x, -hi);
    const vd p = hi * hi, e = VFMA(hi, hi, -p);
    const vd t = VFMA(lo, lo, VFMA(hi + hi, lo, e)); /* (hi+lo)^2 - p */
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
