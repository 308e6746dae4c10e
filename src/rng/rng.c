/* Public wrappers of the generator, with argument checks. */
#include <math.h>

#include "core/internal.h"
#include "rng/rng_internal.h"

int sbi_rng_create(sbi_rng **out, uint64_t seed, uint64_t stream)
{
    SBI_CHECK_PTR(out, "sbi_rng_create");
    *out = NULL;
    sbi_rng *rng = sbi__malloc(sizeof *rng);
    if (!rng) return sbi__oom("sbi_rng_create");
    sbi__rng_init(rng, seed, stream);
    *out = rng;
    return SBI_OK;
}

void sbi_rng_free(sbi_rng *rng) { sbi__free(rng); }

int sbi_rng_reset(sbi_rng *rng, uint64_t seed, uint64_t stream)
{
    SBI_CHECK_PTR(rng, "sbi_rng_reset");
    sbi__rng_init(rng, seed, stream);
    return SBI_OK;
}

#define CHECK_FILL(name)                                                                           \
    SBI_CHECK_PTR(rng, name);                                                                      \
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", name, (long long)n);                           \
    SBI_CHECK_ARG(n == 0 || out != NULL, "%s: out is NULL", name)

int sbi_rng_uniform(sbi_rng *rng, int64_t n, double *out)
{
    CHECK_FILL("sbi_rng_uniform");
    for (int64_t i = 0; i < n; i++) out[i] = sbi__rng_uniform(rng);
    return SBI_OK;
}

int sbi_rng_normal(sbi_rng *rng, int64_t n, double *out)
{
    CHECK_FILL("sbi_rng_normal");
    sbi__rng_normal_fill(rng, n, out);
    return SBI_OK;
}

int sbi_rng_u64(sbi_rng *rng, int64_t n, uint64_t *out)
{
    CHECK_FILL("sbi_rng_u64");
    for (int64_t i = 0; i < n; i++) out[i] = sbi__rng_u64(rng);
    return SBI_OK;
}

int sbi_rng_categorical(sbi_rng *rng, int32_t k, const double *weights, int64_t n, int32_t *out)
{
    CHECK_FILL("sbi_rng_categorical");
    SBI_CHECK_ARG(k >= 1, "sbi_rng_categorical: k=%d must be at least 1", (int)k);
    SBI_CHECK_PTR(weights, "sbi_rng_categorical");
    double total = 0.0;
    for (int32_t j = 0; j < k; j++) {
        SBI_CHECK_ARG(isfinite(weights[j]) && weights[j] >= 0.0,
                      "sbi_rng_categorical: weights[%d]=%g is not a finite non-negative number",
                      (int)j, weights[j]);
        total += weights[j];
    }
    SBI_CHECK_ARG(total > 0.0, "sbi_rng_categorical: all weights are zero");
    for (int64_t i = 0; i < n; i++) {
        double u = sbi__rng_uniform(rng) * total, acc = 0.0;
        int32_t pick = k - 1;
        for (int32_t j = 0; j < k; j++) {
            acc += weights[j];
            if (u < acc && weights[j] > 0.0) {
                pick = j;
                break;
            }
        }
        while (weights[pick] == 0.0) pick--; /* rounding at the top end */
        out[i] = pick;
    }
    return SBI_OK;
}

uint64_t sbi_seed_for_index(uint64_t seed, uint64_t index)
{
    /* A Philox block under key = seed in a counter range that streams do not
     * reach in practice (words 2-3 are a fixed domain tag). */
    const uint32_t ctr[4] = {(uint32_t)index, (uint32_t)(index >> 32), 0x5EED1DEAu, 0xFFFFFFFFu};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    sbi__philox4x32_10(ctr, key, out);
    return (uint64_t)out[0] | ((uint64_t)out[1] << 32);
}
