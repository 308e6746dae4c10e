/* Moments over a window, summed pairwise in NumPy's order (blocks of up to
 * 128 terms with eight partial sums, halves split on a multiple of eight), so
 * that mean/std/central moments agree with NumPy and SciPy to the last bits
 * in most cases, and in any case far more closely than a naive sum. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "sbi/stats.h"
#include "stats/stats_internal.h"

enum { PW_BLOCK = 128, MOMENT_ALL = 31 };

/* One leaf of NumPy's pairwise sum (n <= PW_BLOCK terms), for the terms
 * d^k, k = kmin..kmax (d = v - mean; d2 = d*d, d3 = d2*d, d4 = d2*d2 as NumPy
 * and SciPy form them) at once: eight partial sums per k over blocks of 8,
 * combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest in order;
 * fewer than 8 terms are summed in order from 0. */
#define TERM_SUM(TERM, res)                                                                        \
    do {                                                                                           \
        for (int64_t i_ = i0; i_ < n; i_++) {                                                      \
            const double d = v[i_] - mean, d2 = d * d;                                             \
            (void)d2;                                                                              \
            res += (TERM);                                                                         \
        }                                                                                          \
    } while (0)

/* The eight partial sums are the lanes of one 8-wide vector (GCC vector
 * types: one AVX-512 register, or four SSE2 registers on plain x86-64): the
 * same additions in the same order as eight scalars, so the same bits, and
 * all powers in one pass over v. */
typedef double sbi__v8d __attribute__((vector_size(64)));

/* Macros, not functions: an 8-wide vector may not cross a function boundary
 * where the target lacks AVX-512 (-Wpsabi). */
#define LOAD8(x, p) memcpy(&(x), (p), sizeof(x))
#define COMBINE8(r) ((((r)[0] + (r)[1]) + ((r)[2] + (r)[3])) + (((r)[4] + (r)[5]) + ((r)[6] + (r)[7])))

static inline __attribute__((always_inline)) void leaf_body(const double *v, int64_t n,
                                                            double mean, int kmin, int kmax,
                                                            double out[5])
{
    const int k1 = kmin <= 1, k2 = kmin <= 2 && kmax >= 2, k3 = kmin <= 3 && kmax >= 3,
              k4 = kmax >= 4;
    int64_t i0 = 0;
    if (n >= 8) {
        sbi__v8d d, d2;
        LOAD8(d, v);
        d = d - mean;
        d2 = d * d;
        sbi__v8d r1 = d, r2 = d2, r3 = d2 * d, r4 = d2 * d2;
        i0 = n - (n % 8);
        for (int64_t i = 8; i < i0; i += 8) {
            LOAD8(d, v + i);
            d = d - mean;
            d2 = d * d;
            if (k1) r1 += d;
            if (k2) r2 += d2;
            if (k3) r3 += d2 * d;
            if (k4) r4 += d2 * d2;
        }
        out[1] = COMBINE8(r1);
        out[2] = COMBINE8(r2);
        out[3] = COMBINE8(r3);
        out[4] = COMBINE8(r4);
    } else {
        out[1] = out[2] = out[3] = out[4] = 0.0;
    }
    if (k1) TERM_SUM(d, out[1]);
    if (k2) TERM_SUM(d2, out[2]);
    if (k3) TERM_SUM(d2 * d, out[3]);
    if (k4) TERM_SUM(d2 * d2, out[4]);
}

static void leaf_generic(const double *v, int64_t n, double mean, int kmin, int kmax,
                         double out[5])
{
    leaf_body(v, n, mean, kmin, kmax, out);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define SBI_MOMENTS_AVX512 1
/* A target attribute (not #pragma GCC target, which clang ignores). */
__attribute__((target("avx512f")))
static void leaf_avx512(const double *v, int64_t n, double mean, int kmin, int kmax,
                        double out[5])
{
    leaf_body(v, n, mean, kmin, kmax, out);
}
#endif

static void leaf_sums(const double *v, int64_t n, double mean, int kmin, int kmax,
                      double out[5])
{
#if SBI_MOMENTS_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        leaf_avx512(v, n, mean, kmin, kmax, out);
        return;
    }
#endif
    leaf_generic(v, n, mean, kmin, kmax, out);
}

/* Pairwise sums of (v-mean)^k for k = kmin..kmax into out[k]. With mean = 0
 * and k = 1 this is the plain pairwise sum of v (v - 0 is exact). */
static void pw_sums(const double *v, int64_t n, double mean, int kmin, int kmax, double out[5])
{
    if (n <= PW_BLOCK) {
        leaf_sums(v, n, mean, kmin, kmax, out);
        return;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    double a[5], b[5];
    pw_sums(v, n2, mean, kmin, kmax, a);
    pw_sums(v + n2, n - n2, mean, kmin, kmax, b);
    for (int k = kmin; k <= kmax; k++) out[k] = a[k] + b[k];
}

double sbi__stats_mean(const double *v, int64_t n)
{
    double s[5];
    pw_sums(v, n, 0.0, 1, 1, s);
    return s[1] / (double)n;
}

int32_t sbi__stats_moments(const double *v, int64_t n, int32_t which, double *out)
{
    double mean = sbi__stats_mean(v, n);
    int maxk = (which & (SBI_MOMENT_KURT)) ? 4 : (which & SBI_MOMENT_SKEW) ? 3 : 2;
    double s[5] = {0, 0, 0, 0, 0};
    if (which != SBI_MOMENT_MEAN) pw_sums(v, n, mean, 2, maxk, s);
    double m2 = s[2] / (double)n, sd = sqrt(m2);
    int32_t k = 0;
    if (which & SBI_MOMENT_MEAN) out[k++] = mean;
    if (which & SBI_MOMENT_VAR) out[k++] = m2;
    if (which & SBI_MOMENT_STD) out[k++] = sd;
    /* As the reference: central moment divided by np.power(std, order). */
    if (which & SBI_MOMENT_SKEW) out[k++] = (s[3] / (double)n) / pow(sd, 3.0);
    if (which & SBI_MOMENT_KURT) out[k++] = (s[4] / (double)n) / pow(sd, 4.0);
    return k;
}

int sbi_stats_moment_count(int32_t which, int32_t *count)
{
    SBI_CHECK_PTR(count, "sbi_stats_moment_count");
    SBI_CHECK_ARG(which > 0 && (which & ~MOMENT_ALL) == 0,
                  "sbi_stats_moment_count: which=%d is not a non-empty set of SBI_MOMENT_* flags",
                  (int)which);
    int32_t c = 0;
    for (int32_t b = which; b; b &= b - 1) c++;
    *count = c;
    return SBI_OK;
}

int sbi_stats_moments(const double *v, int64_t n, int32_t which, double *out)
{
    int32_t count;
    SBI_TRY(sbi_stats_moment_count(which, &count));
    SBI_CHECK_PTR(v, "sbi_stats_moments");
    SBI_CHECK_PTR(out, "sbi_stats_moments");
    SBI_CHECK_ARG(n >= 1, "sbi_stats_moments: n=%lld must be at least 1", (long long)n);
    sbi__stats_moments(v, n, which, out);
    return SBI_OK;
}

int sbi_stats_mean(const double *v, int64_t n, double *mean)
{
    SBI_CHECK_PTR(v, "sbi_stats_mean");
    SBI_CHECK_PTR(mean, "sbi_stats_mean");
    SBI_CHECK_ARG(n >= 1, "sbi_stats_mean: n=%lld must be at least 1", (long long)n);
    *mean = sbi__stats_mean(v, n);
    return SBI_OK;
}

int sbi_stats_mean_std(const double *v, int64_t n, double *mean, double *std)
{
    SBI_CHECK_PTR(v, "sbi_stats_mean_std");
    SBI_CHECK_ARG(n >= 1, "sbi_stats_mean_std: n=%lld must be at least 1", (long long)n);
    double out[2];
    sbi__stats_moments(v, n, SBI_MOMENT_MEAN | SBI_MOMENT_STD, out);
    if (mean) *mean = out[0];
    if (std) *std = out[1];
    return SBI_OK;
}

int sbi_stats_time_window(int64_t n, double dt, double t_lo, double t_hi, int64_t *begin,
                          int64_t *end)
{
    SBI_CHECK_PTR(begin, "sbi_stats_time_window");
    SBI_CHECK_PTR(end, "sbi_stats_time_window");
    SBI_CHECK_ARG(n >= 0, "sbi_stats_time_window: n=%lld is negative", (long long)n);
    SBI_CHECK_ARG(isfinite(dt) && dt > 0.0, "sbi_stats_time_window: dt=%g must be finite and > 0",
                  dt);
    SBI_CHECK_ARG(!isnan(t_lo) && !isnan(t_hi), "sbi_stats_time_window: a bound is NaN");
    /* Times are monotone in i, so both ends are found by bisection on the
     * exact predicate the reference uses (t_i = i*dt as a double product). */
    int64_t lo = 0, hi = n; /* first i with i*dt > t_lo */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((double)mid * dt > t_lo) hi = mid;
        else lo = mid + 1;
    }
    int64_t b = lo;
    lo = b;
    hi = n; /* first i >= b with i*dt >= t_hi */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((double)mid * dt >= t_hi) hi = mid;
        else lo = mid + 1;
    }
    *begin = b;
    *end = lo;
    return SBI_OK;
}
