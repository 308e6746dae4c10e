/* libsbi random numbers: a counter-based generator (Philox4x32-10) whose
 * independent streams are addressed by (seed, stream index).
 *
 * Stream (seed, i) is a fixed sequence that depends on nothing else: this is
 * how libsbi gives simulation i the same noise on any number of threads.
 *
 * Thread-safety: one sbi_rng is used by one thread at a time; distinct
 * generators are independent. sbi_seed_for_index is pure. */
#ifndef SBI_RNG_H
#define SBI_RNG_H

#include "sbi/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbi_rng sbi_rng;

/* Create a generator positioned at the start of stream (seed, stream).
 * Errors: SBI_EINVAL (out is NULL), SBI_ENOMEM. */
SBI_API int sbi_rng_create(sbi_rng **out, uint64_t seed, uint64_t stream);
/* Free a generator; accepts NULL. */
SBI_API void sbi_rng_free(sbi_rng *rng);
/* Move to the start of stream (seed, stream), without allocating. */
SBI_API int sbi_rng_reset(sbi_rng *rng, uint64_t seed, uint64_t stream);

/* n uniform doubles in the open interval (0, 1), 53-bit resolution. */
SBI_API int sbi_rng_uniform(sbi_rng *rng, int64_t n, double *out);
/* n standard normal doubles. */
SBI_API int sbi_rng_normal(sbi_rng *rng, int64_t n, double *out);
/* n raw 64-bit words. */
SBI_API int sbi_rng_u64(sbi_rng *rng, int64_t n, uint64_t *out);
/* n draws of a category in 0..k-1 with probability weights[j]/sum(weights).
 * Weights must be finite, non-negative, and not all zero (SBI_EINVAL). */
SBI_API int sbi_rng_categorical(sbi_rng *rng, int32_t k, const double *weights,
                                int64_t n, int32_t *out);

/* A well-mixed 64-bit seed derived from (seed, index); distinct indices give
 * unrelated values. The simulation runner hands seeds[i] =
 * sbi_seed_for_index(master_seed, i) to the simulator for global row i. */
SBI_API uint64_t sbi_seed_for_index(uint64_t seed, uint64_t index);

#ifdef __cplusplus
}
#endif

#endif /* SBI_RNG_H */
