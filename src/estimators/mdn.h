/* Mixture density network internals shared with tests and with code that
 * needs the mixture itself (e.g. analytic multi-round losses, NPE-A): the
 * layout of the head outputs and the Gaussian mixture at one condition.
 * See docs/mdn.md. */
#ifndef SBI_ESTIMATORS_MDN_H
#define SBI_ESTIMATORS_MDN_H

#include <stdint.h>

#include "estimators/estimator.h"

/* The ridge added to A^T A in the quadratic form (the reference's epsilon). */
#define SBI__MDN_EPS 1e-4

/* Shape of the head output of one row: T values, laid out as
 * [0, K) logits | K*d means (component-major) | K*d unconstrained diagonal |
 * K*d(d-1)/2 strict upper entries (per component, row-major upper order). */
typedef struct sbi__mdn_layout {
    int32_t d, K;  /* theta dimension, components */
    int32_t n_upper; /* d(d-1)/2 */
    int32_t T;     /* head outputs per row */
    int32_t o_mu, o_diag, o_up; /* offsets of the blocks within a row */
    int32_t head_layer; /* index of the head layer in the network */
    int64_t head_w_off, head_b_off; /* head W[T][hidden] and b[T] in params */
} sbi__mdn_layout;

/* Layout of an MDN estimator (e must be an MDN). */
void sbi__mdn_get_layout(const sbi__estimator *e, sbi__mdn_layout *layout);

/* The raw head outputs for one condition x: out[T]. */
int sbi__mdn_head(const sbi__estimator *e, const double *x, double *out);

/* The mixture at one condition x: log_w[K] (normalised log weights),
 * mu[K][d], and the upper-triangular precision factors A[K][d][d] (full
 * row-major matrices, zeros below the diagonal); precision P_k = A_k^T A_k +
 * SBI__MDN_EPS I in the density. Any output may be NULL. */
int sbi__mdn_mixture(const sbi__estimator *e, const double *x, double *log_w, double *mu,
                     double *A);

#endif /* SBI_ESTIMATORS_MDN_H */
