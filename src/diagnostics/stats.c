/* Normal, Kolmogorov and chi-square tail probabilities (Numerical Recipes'
 * series / continued fraction for the incomplete gamma function). */
#include <math.h>

#include "diagnostics/stats.h"

double sbi__normal_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

double sbi__kolmogorov_sf(double lambda)
{
    if (lambda <= 0.0) return 1.0;
    /* The alternating series converges fast for lambda > ~0.3; below that
     * the probability is 1 to double precision. */
    if (lambda < 0.2) return 1.0;
    double sum = 0.0, sign = 1.0;
    for (int k = 1; k <= 200; k++) {
        double term = exp(-2.0 * k * k * lambda * lambda);
        sum += sign * term;
        if (term < 1e-17 * fabs(sum) || term == 0.0) break;
        sign = -sign;
    }
    double p = 2.0 * sum;
    return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

double sbi__ks_pvalue(double d, int64_t n)
{
    double sn = sqrt((double)n);
    return sbi__kolmogorov_sf((sn + 0.12 + 0.11 / sn) * d);
}

/* P(a, x) by its series, for x < a + 1. */
static double gamma_p_series(double a, double x)
{
    double ap = a, sum = 1.0 / a, del = sum;
    for (int n = 0; n < 10000; n++) {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if (fabs(del) < fabs(sum) * 1e-16) break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) by its continued fraction (modified Lentz), for x >= a + 1. */
static double gamma_q_cf(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-16) break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double sbi__gamma_q(double a, double x)
{
    if (x <= 0.0) return 1.0;
    if (x < a + 1.0) return 1.0 - gamma_p_series(a, x);
    return gamma_q_cf(a, x);
}

double sbi__chi2_sf(double x, double df) { return sbi__gamma_q(0.5 * df, 0.5 * x); }
