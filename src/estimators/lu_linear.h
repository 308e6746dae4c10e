/* LU-parameterised invertible linear layer (nflows LULinear): y = L U x + b
 * with L lower triangular with a unit diagonal, U upper triangular with the
 * diagonal softplus(raw) + 1e-3 > 0, so log|det| = sum log U_ii and the
 * inverse is two triangular solves.
 *
 * Parameters of one layer, in this order: strict lower triangle of L
 * [d(d-1)/2] (row-major: (1,0), (2,0), (2,1), ...), strict upper triangle of
 * U [d(d-1)/2] (row-major: (0,1), (0,2), ..., (1,2), ...), raw diagonal [d],
 * bias [d]. Batches are row-major [n][d].
 *
 * Pure functions of their arguments: thread-safe. */
#ifndef SBI_ESTIMATORS_LU_LINEAR_H
#define SBI_ESTIMATORS_LU_LINEAR_H

#include <stdint.h>

/* Number of parameters: d*d + d. */
int64_t sbi__lu_num_params(int32_t d);
/* The identity map: L = U = I, b = 0 (raw diagonal softplus^-1(1 - 1e-3)). */
void sbi__lu_init_identity(int32_t d, double *p);
/* log|det(L U)| = sum_i log U_ii (the same for every row). */
double sbi__lu_logdet(int32_t d, const double *p);
/* y = L U x + b for n rows; y may equal x. */
void sbi__lu_forward(int32_t d, const double *p, int64_t n, const double *x, double *y);
/* x = U^-1 L^-1 (y - b) for n rows; x may equal y. */
void sbi__lu_inverse(int32_t d, const double *p, int64_t n, const double *y, double *x);
/* Backpropagation through the forward map: gy = dL/dy [n][d], gl_sum = the
 * sum over rows of dL/dlogdet. Writes dL/dx into gx [n][d] (may equal gy) and,
 * if gp is not NULL, dL/dp into gp (overwritten). x is the forward input. */
void sbi__lu_backward(int32_t d, const double *p, int64_t n, const double *x, const double *gy,
                      double gl_sum, double *gp, double *gx);

#endif /* SBI_ESTIMATORS_LU_LINEAR_H */
