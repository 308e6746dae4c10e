/* Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11): a counter-based generator. Key = the 64-bit seed; counter words
 * 0-1 = position in the stream, words 2-3 = the stream index. Inline draws for
 * the library's hot loops; the public API in rng.c wraps them. */
#ifndef SBI_RNG_INTERNAL_H
#define SBI_RNG_INTERNAL_H

#include <stdint.h>

#include "sbi/rng.h"

struct sbi_rng {
    uint32_t key[2];   /* from the seed */
    uint32_t ctr[4];   /* position (0-1), stream (2-3) */
    uint32_t out[4];   /* the current output block */
    int avail;         /* unused 32-bit words left in out (taken from the end) */
    int has_spare;     /* a cached second normal from the last Box-Muller pair */
    double spare;
};

/* One Philox4x32-10 block: out = bijection_key(ctr). */
void sbi__philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

void sbi__rng_init(struct sbi_rng *rng, uint64_t seed, uint64_t stream);
uint64_t sbi__rng_u64(struct sbi_rng *rng);
/* Uniform in the open interval (0, 1). */
static inline double sbi__rng_uniform(struct sbi_rng *rng)
{
    return ((double)(sbi__rng_u64(rng) >> 11) + 0.5) * 0x1.0p-53;
}
double sbi__rng_normal(struct sbi_rng *rng);
void sbi__rng_normal_fill(struct sbi_rng *rng, int64_t n, double *out);
/* The 2*nb normals of blocks pos.. of stream (key, stream) into out, by the
 * given instruction-set path (for tests; every path gives the same bits). */
enum { SBI__RNG_PATH_AUTO = 0, SBI__RNG_PATH_SCALAR = 1, SBI__RNG_PATH_SSE2 = 2,
       SBI__RNG_PATH_AVX2 = 3, SBI__RNG_PATH_AVX512 = 4 };
void sbi__rng_normal_blocks(const uint32_t key[2], const uint32_t stream[2], uint64_t pos,
                            int64_t nb, double *out, int path);

#endif /* SBI_RNG_INTERNAL_H */
