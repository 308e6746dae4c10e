/* Distribution functions the diagnostics need for their p-values. */
#ifndef SBI_DIAG_STATS_H
#define SBI_DIAG_STATS_H

#include <stdint.h>

/* Standard normal CDF. */
double sbi__normal_cdf(double z);
/* P(K > lambda) for the Kolmogorov distribution (the limit of sqrt(n) D_n). */
double sbi__kolmogorov_sf(double lambda);
/* p-value of a one-sample KS statistic d from n observations (Stephens'
 * correction: lambda = (sqrt(n) + 0.12 + 0.11/sqrt(n)) d). */
double sbi__ks_pvalue(double d, int64_t n);
/* Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a), a > 0, x >= 0. */
double sbi__gamma_q(double a, double x);
/* P(X > x) for X ~ chi-square with df degrees of freedom. */
double sbi__chi2_sf(double x, double df);

#endif /* SBI_DIAG_STATS_H */
