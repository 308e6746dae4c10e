/* Philox4x32-10 and the draws built on it. */
#include <math.h>

#include "rng/rng_internal.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c[0] = hi1 ^ c[1] ^ k[0];
    c[1] = lo1;
    c[2] = hi0 ^ c[3] ^ k[1];
    c[3] = lo0;
}

void sbi__philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int r = 0; r < 10; r++) {
        if (r) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(c, k);
    }
    for (int i = 0; i < 4; i++) out[i] = c[i];
}

void sbi__rng_init(struct sbi_rng *rng, uint64_t seed, uint64_t stream)
{
    rng->key[0] = (uint32_t)seed;
    rng->key[1] = (uint32_t)(seed >> 32);
    rng->ctr[0] = rng->ctr[1] = 0;
    rng->ctr[2] = (uint32_t)stream;
    rng->ctr[3] = (uint32_t)(stream >> 32);
    rng->avail = 0;
    rng->has_spare = 0;
    rng->spare = 0.0;
}

/* Next output block; the 64-bit position counter advances by one. */
static void refill(struct sbi_rng *rng)
{
    sbi__philox4x32_10(rng->ctr, rng->key, rng->out);
    if (++rng->ctr[0] == 0) ++rng->ctr[1];
    rng->avail = 4;
}

uint64_t sbi__rng_u64(struct sbi_rng *rng)
{
    if (rng->avail < 2) refill(rng);
    /* Words are consumed in order out[0], out[1], ... (low word first). */
    int i = 4 - rng->avail;
    rng->avail -= 2;
    return (uint64_t)rng->out[i] | ((uint64_t)rng->out[i + 1] << 32);
}

/* Box-Muller: both values of a pair are used; the second is cached. */
double sbi__rng_normal(struct sbi_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    double u1 = sbi__rng_uniform(rng), u2 = sbi__rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    double a = 6.283185307179586476925 * u2;
    rng->spare = r * sin(a);
    rng->has_spare = 1;
    return r * cos(a);
}

void sbi__rng_normal_fill(struct sbi_rng *rng, int64_t n, double *out)
{
    for (int64_t i = 0; i < n; i++) out[i] = sbi__rng_normal(rng);
}
