/* Random permutations from the library's counter-based RNG. */
#include "estimators/permutation.h"

#include "rng/rng_internal.h"

void sbi__permutation_random(int32_t d, uint64_t seed, uint64_t stream, int32_t *perm)
{
    struct sbi_rng r;
    sbi__rng_init(&r, seed, stream);
    for (int32_t i = 0; i < d; i++) perm[i] = i;
    for (int32_t i = d - 1; i > 0; i--) {
        /* j uniform in 0..i (bias of u64 modulo a small i is below 2^-50). */
        int32_t j = (int32_t)(sbi__rng_u64(&r) % (uint64_t)(i + 1));
        int32_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
}

void sbi__permutation_apply(int32_t d, const int32_t *perm, int64_t n, const double *in,
                            double *out)
{
    for (int64_t r = 0; r < n; r++)
        for (int32_t i = 0; i < d; i++) out[r * d + i] = in[r * d + perm[i]];
}

void sbi__permutation_apply_inverse(int32_t d, const int32_t *perm, int64_t n, const double *in,
                                    double *out)
{
    for (int64_t r = 0; r < n; r++)
        for (int32_t i = 0; i < d; i++) out[r * d + perm[i]] = in[r * d + i];
}
