/* Moments over a window, summed pairwise in NumPy's order (blocks of up to
 * 128 terms with eight partial sums, halves split on a multiple of eight), so
 * that mean/std/central moments agree with NumPy and SciPy to the last bits
 * in most cases, and in any case far more closely than a naive sum. */
#include <math.h>

#include "core/internal.h"
#include "sbi/stats.h"
#include "stats/stats_internal.h"

enum { PW_BLOCK = 128, MOMENT_ALL = 31 };

/* NumPy's pairwise sum of the terms t[0..n-1], n <= PW_BLOCK. */
static double leaf_sum(const double *t, int64_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (int64_t i = 0; i < n; i++) res += t[i];
        return res;
    }
    double r[8];
    for (int j = 0; j < 8; j++) r[j] = t[j];
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8)
        for (int j = 0; j < 8; j++) r[j] += t[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += t[i];
    return res;
}

/* The leaf of pw_sums: terms formed as NumPy/SciPy form them, d = v - mean,
 * d2 = d*d, d3 = d2*d, d4 = d2*d2. Kept out of line so that only leaves hold
 * the term buffers on the stack. */
static __attribute__((noinline)) void leaf_sums(const double *v, int64_t n, double mean,
                                                int maxk, double out[4])
{
    double t[4][PW_BLOCK];
    for (int64_t i = 0; i < n; i++) {
        double d = v[i] - mean, d2 = d * d;
        t[0][i] = d;
        t[1][i] = d2;
        t[2][i] = d2 * d;
        t[3][i] = d2 * d2;
    }
    for (int k = 0; k < maxk; k++) out[k] = leaf_sum(t[k], n);
}

/* Pairwise sums of (v-mean)^k for k = 1..maxk at once, out[k-1]. With
 * mean = 0, out[0] is the plain pairwise sum of v. */
static void pw_sums(const double *v, int64_t n, double mean, int maxk, double out[4])
{
    if (n <= PW_BLOCK) {
        leaf_sums(v, n, mean, maxk, out);
        return;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    double a[4], b[4];
    pw_sums(v, n2, mean, maxk, a);
    pw_sums(v + n2, n - n2, mean, maxk, b);
    for (int k = 0; k < maxk; k++) out[k] = a[k] + b[k];
}

double sbi__stats_mean(const double *v, int64_t n)
{
    double s[4];
    pw_sums(v, n, 0.0, 1, s);
    return s[0] / (double)n;
}

int32_t sbi__stats_moments(const double *v, int64_t n, int32_t which, double *out)
{
    double mean = sbi__stats_mean(v, n);
    int maxk = (which & (SBI_MOMENT_KURT)) ? 4 : (which & SBI_MOMENT_SKEW) ? 3 : 2;
    double s[4] = {0, 0, 0, 0};
    if (which != SBI_MOMENT_MEAN) pw_sums(v, n, mean, maxk, s);
    double m2 = s[1] / (double)n, sd = sqrt(m2);
    int32_t k = 0;
    if (which & SBI_MOMENT_MEAN) out[k++] = mean;
    if (which & SBI_MOMENT_VAR) out[k++] = m2;
    if (which & SBI_MOMENT_STD) out[k++] = sd;
    /* As the reference: central moment divided by np.power(std, order). */
    if (which & SBI_MOMENT_SKEW) out[k++] = (s[2] / (double)n) / pow(sd, 3.0);
    if (which & SBI_MOMENT_KURT) out[k++] = (s[3] / (double)n) / pow(sd, 4.0);
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
