/* Moments over a window, summed pairwise in NumPy's order (blocks of up to
 * 128 terms with eight partial sums, halves split on a multiple of eight), so
 * that mean/std/central moments agree with NumPy and SciPy to the last bits
 * in most cases, and in any case far more closely than a naive sum. */
#include <math.h>

#include "core/internal.h"
#include "sbi/stats.h"
#include "stats/stats_internal.h"

enum { PW_BLOCK = 128, MOMENT_ALL = 31 };

/* One leaf of NumPy's pairwise sum (n <= PW_BLOCK terms), for the terms
 * d^k, k = kmin..kmax (d = v - mean; d2 = d*d, d3 = d2*d, d4 = d2*d2 as NumPy
 * and SciPy form them) at once: eight partial sums per k over blocks of 8,
 * combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest in order;
 * fewer than 8 terms are summed in order from 0. */
#define LEAF_SUM(TERM, res)                                                                        \
    do {                                                                                           \
        if (n < 8) {                                                                               \
            res = 0.0;                                                                             \
            for (int64_t i_ = 0; i_ < n; i_++) {                                                   \
                const double d = v[i_] - mean, d2 = d * d;                                         \
                (void)d2;                                                                          \
                res += (TERM);                                                                     \
            }                                                                                      \
            break;                                                                                 \
        }                                                                                          \
        double r_[8];                                                                              \
        for (int j_ = 0; j_ < 8; j_++) {                                                           \
            const double d = v[j_] - mean, d2 = d * d;                                             \
            (void)d2;                                                                              \
            r_[j_] = (TERM);                                                                       \
        }                                                                                          \
        int64_t i_;                                                                                \
        for (i_ = 8; i_ < n - (n % 8); i_ += 8)                                                    \
            for (int j_ = 0; j_ < 8; j_++) {                                                       \
                const double d = v[i_ + j_] - mean, d2 = d * d;                                    \
                (void)d2;                                                                          \
                r_[j_] += (TERM);                                                                  \
            }                                                                                      \
        res = ((r_[0] + r_[1]) + (r_[2] + r_[3])) + ((r_[4] + r_[5]) + (r_[6] + r_[7]));           \
        for (; i_ < n; i_++) {                                                                     \
            const double d = v[i_] - mean, d2 = d * d;                                             \
            (void)d2;                                                                              \
            res += (TERM);                                                                         \
        }                                                                                          \
    } while (0)

/* Not under ThreadSanitizer: the clones' ifunc resolver runs during
 * relocation, before the TSan runtime is up, and its instrumentation
 * crashes every program that links this file. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                            \
    !defined(__SANITIZE_THREAD__)
/* Wider registers for the eight partial sums (same additions, same bits). */
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void leaf_sums(const double *v, int64_t n, double mean, int kmin, int kmax,
                      double out[5])
{
    if (kmin <= 1 && kmax >= 1) LEAF_SUM(d, out[1]);
    if (kmin <= 2 && kmax >= 2) LEAF_SUM(d2, out[2]);
    if (kmin <= 3 && kmax >= 3) LEAF_SUM(d2 * d, out[3]);
    if (kmin <= 4 && kmax >= 4) LEAF_SUM(d2 * d2, out[4]);
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
