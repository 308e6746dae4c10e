/* Monotone rational-quadratic spline with linear tails (Durkan et al.,
 * "Neural Spline Flows", 2019), as nflows' unconstrained_rational_quadratic_spline
 * computes it: K bins on [-B, B], identity outside, bin widths and heights a
 * softmax of unnormalised values with a floor, interior knot derivatives a
 * softplus with a floor, and the two boundary derivatives fixed at 1 so the
 * spline joins the identity tails with a continuous slope.
 *
 * Each scalar element has its own 3K-1 unnormalised parameters, laid out as
 * widths [K], heights [K], interior derivatives [K-1] (nflows' order).
 *
 * Pure functions of their arguments: thread-safe. */
#ifndef SBI_ESTIMATORS_RQSPLINE_H
#define SBI_ESTIMATORS_RQSPLINE_H

#include <stdint.h>

/* Bins are held in stack scratch: the spline accepts at most this many. */
#define SBI__RQS_MAX_BINS 64

typedef struct sbi__rqs {
    int32_t num_bins;      /* K, 2..SBI__RQS_MAX_BINS */
    double tail_bound;     /* B: the spline acts on [-B, B], identity outside */
    double min_bin_width;  /* floor of each normalised bin width (nflows 1e-3) */
    double min_bin_height; /* floor of each normalised bin height (1e-3) */
    double min_derivative; /* floor of each interior knot derivative (1e-3) */
} sbi__rqs;

/* nflows' defaults for the given bins and tail bound (floors 1e-3). */
void sbi__rqs_default(sbi__rqs *s, int32_t num_bins, double tail_bound);
/* Number of unnormalised parameters per element: 3K-1. */
int32_t sbi__rqs_num_params(const sbi__rqs *s);

/* y = f(x) and log|f'(x)|. */
void sbi__rqs_forward(const sbi__rqs *s, const double *p, double x, double *y, double *logdet);
/* x = f^-1(y) in closed form (the stable root of the bin's quadratic) and
 * log|(f^-1)'(y)| = -log|f'(x)|. */
void sbi__rqs_inverse(const sbi__rqs *s, const double *p, double y, double *x, double *logdet);
/* Backpropagation through the forward map at x: given gy = dL/dy and
 * gl = dL/dlogdet, write dL/dp into gp (3K-1 values, overwritten) and
 * return dL/dx. Recomputes the forward pass (no cached state). */
double sbi__rqs_backward(const sbi__rqs *s, const double *p, double x, double gy, double gl,
                         double *gp);

/* The same pair with the forward pass's knots kept for the backward pass
 * (training calls both at every element: this halves the exponentials).
 * cache holds sbi__rqs_cache_size() doubles per element; the backward call
 * gives exactly sbi__rqs_backward's result. */
int32_t sbi__rqs_cache_size(const sbi__rqs *s);
void sbi__rqs_forward_cached(const sbi__rqs *s, const double *p, double x, double *y,
                             double *logdet, double *cache);
double sbi__rqs_backward_cached(const sbi__rqs *s, const double *p, double x,
                                const double *cache, double gy, double gl, double *gp);

#endif /* SBI_ESTIMATORS_RQSPLINE_H */
