/* Internal entry points of the statistics module (arguments already checked). */
#ifndef SBI_STATS_INTERNAL_H
#define SBI_STATS_INTERNAL_H

#include <stdint.h>

/* Pairwise-summed mean of v[0..n-1], n >= 1. */
double sbi__stats_mean(const double *v, int64_t n);
/* Moments selected by `which` (valid SBI_MOMENT_* flags) into out; returns
 * the number written. n >= 1. */
int32_t sbi__stats_moments(const double *v, int64_t n, int32_t which, double *out);
/* Spike count with the reference rule; the first `capacity` indices go to
 * index. */
int64_t sbi__stats_spikes(const double *v, int64_t n, double dt, double th, double t_start,
                          double t_end, double refractory, int64_t capacity, int64_t *index);

#endif /* SBI_STATS_INTERNAL_H */
