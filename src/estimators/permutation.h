/* Fixed permutations of a flow's dimensions, derived from the estimator's
 * structure seed (never stored: create(config) rebuilds them).
 * Pure functions: thread-safe. */
#ifndef SBI_ESTIMATORS_PERMUTATION_H
#define SBI_ESTIMATORS_PERMUTATION_H

#include <stdint.h>

/* A uniformly random permutation of 0..d-1 (Fisher-Yates on the Philox
 * stream (seed, stream)): a pure function of (d, seed, stream). */
void sbi__permutation_random(int32_t d, uint64_t seed, uint64_t stream, int32_t *perm);
/* out[r][i] = in[r][perm[i]] for n rows (out must not alias in). */
void sbi__permutation_apply(int32_t d, const int32_t *perm, int64_t n, const double *in,
                            double *out);
/* The inverse: out[r][perm[i]] = in[r][i] (out must not alias in). */
void sbi__permutation_apply_inverse(int32_t d, const int32_t *perm, int64_t n, const double *in,
                                    double *out);

#endif /* SBI_ESTIMATORS_PERMUTATION_H */
