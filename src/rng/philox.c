/* Philox4x32-10 and the draws built on it. */
#include <math.h>
#include <string.h>

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

/* ---- Standard normals ----------------------------------------------------
 *
 * Box-Muller on one Philox block per pair: the block's two 64-bit words a, b
 * (in the order sbi__rng_u64 returns them) give u1 = (a>>12 + 1/2) 2^-52 and
 * u2 = (b>>12 + 1/2) 2^-52 in (0, 1), and the pair is
 *     r cos(2 pi u2), r sin(2 pi u2),  r = sqrt(-2 log u1),
 * returned in that order (the sine is cached for the next draw). log, sin and
 * cos are evaluated with fdlibm's kernels (Sun Microsystems, freely usable)
 * written with + - * / sqrt only, so the scalar path below and the vector
 * paths (SSE2, AVX2, AVX-512, chosen at run time) give the same bits: a
 * stream's normals are a pure function of (seed, stream) on every CPU.
 * Normal k of a stream comes from block k/2, so filling n at once or in
 * pieces gives the same numbers. */

/* The fdlibm polynomial kernels, generic over the scalar/vector type T.
 * log: u = 2^k m, m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f/(2+f);
 * sin/cos of a in [-pi/4, pi/4]. */
#define BM_LN2_HI 6.93147180369123816490e-01
#define BM_LN2_LO 1.90821492927058770002e-10
#define BM_LOG_CORE(f, k, out)                                                                     \
    do {                                                                                           \
        const T s_ = (f) / (2.0 + (f)), z_ = s_ * s_, w_ = z_ * z_;                                \
        const T t1_ = w_ * (3.999999999940941908e-01 +                                            \
                            w_ * (2.222219843214978396e-01 + w_ * 1.531383769920937332e-01));      \
        const T t2_ = z_ * (6.666666666666735130e-01 +                                            \
                            w_ * (2.857142874366239149e-01 +                                      \
                                  w_ * (1.818357216161805012e-01 + w_ * 1.479819860511658591e-01))); \
        const T r_ = t2_ + t1_, hfsq_ = 0.5 * (f) * (f);                                           \
        (out) = (k) * BM_LN2_HI - ((hfsq_ - (s_ * (hfsq_ + r_) + (k) * BM_LN2_LO)) - (f));        \
    } while (0)
#define BM_SIN_COS(x, sn, cs)                                                                      \
    do {                                                                                           \
        const T z_ = (x) * (x), v_ = z_ * (x);                                                     \
        const T rs_ = 8.33333333332248946124e-03 +                                                \
                      z_ * (-1.98412698298579493134e-04 +                                         \
                            z_ * (2.75573137070700676789e-06 +                                    \
                                  z_ * (-2.50507602534068634195e-08 +                             \
                                        z_ * 1.58969099521155010221e-10)));                        \
        (sn) = (x) + v_ * (-1.66666666666666324348e-01 + z_ * rs_);                               \
        const T rc_ = z_ * (4.16666666666666019037e-02 +                                          \
                            z_ * (-1.38888888888741095749e-03 +                                   \
                                  z_ * (2.48015872894767294178e-05 +                              \
                                        z_ * (-2.75573143513906633035e-07 +                       \
                                              z_ * (2.08757232129817482790e-09 +                  \
                                                    z_ * -1.13596475577881948265e-11)))));         \
        const T hz_ = 0.5 * z_, w_ = 1.0 - hz_;                                                    \
        (cs) = w_ + (((1.0 - w_) - hz_) + z_ * rc_);                                               \
    } while (0)

static inline double bits_to_double(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static inline uint64_t double_to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* (x>>12 + 1/2) 2^-52, exact: the 52 bits are placed in a mantissa. */
static inline double bm_uniform(uint64_t x)
{
    return (bits_to_double(0x4330000000000000ull | (x >> 12)) - 0x1p52 + 0.5) * 0x1p-52;
}

static void bm_pair(uint64_t a, uint64_t b, double *c, double *s)
{
    typedef double T;
    /* r = sqrt(-2 log u1); u1 = 2^k m with m in [sqrt(2)/2, sqrt(2)) */
    const double u1 = bm_uniform(a);
    uint64_t ub = double_to_bits(u1);
    /* bits of m in [1, 2); move to [sqrt(2)/2, sqrt(2)) by the mantissa */
    const uint64_t big = (ub & 0x000fffffffffffffull) > 0x6a09e667f3bcdull;
    const double k = (double)((int)((ub >> 52) & 0x7ff) - 1023 + (int)big);
    const double m = bits_to_double((ub & 0x000fffffffffffffull) | (big ? 0x3fe0000000000000ull
                                                                         : 0x3ff0000000000000ull));
    double lg;
    BM_LOG_CORE(m - 1.0, k, lg);
    const double r = sqrt(-2.0 * lg);
    /* 2 pi u2 = 2 pi (q/4 + t), q = rint(4 u2), |t| <= 1/8 (t is exact) */
    const double u2 = bm_uniform(b);
    const double q = (u2 * 4.0 + 0x1.8p52) - 0x1.8p52;
    const double t = u2 - q * 0.25, x = t * 6.283185307179586476925;
    double sn, cs;
    BM_SIN_COS(x, sn, cs);
    const int quadrant = (int)q & 3;
    const double cq = quadrant == 0 ? cs : quadrant == 1 ? -sn : quadrant == 2 ? -cs : sn;
    const double sq = quadrant == 0 ? sn : quadrant == 1 ? cs : quadrant == 2 ? -sn : -cs;
    *c = r * cq;
    *s = r * sq;
}

double sbi__rng_normal(struct sbi_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    const uint64_t a = sbi__rng_u64(rng), b = sbi__rng_u64(rng);
    double c;
    bm_pair(a, b, &c, &rng->spare);
    rng->has_spare = 1;
    return c;
}

/* One block at position pos of the stream, as bm_pair's input. */
static void block_pair(const uint32_t key[2], const uint32_t stream[2], uint64_t pos, double *c,
                       double *s)
{
    const uint32_t ctr[4] = {(uint32_t)pos, (uint32_t)(pos >> 32), stream[0], stream[1]};
    uint32_t w[4];
    sbi__philox4x32_10(ctr, key, w);
    bm_pair((uint64_t)w[0] | ((uint64_t)w[1] << 32), (uint64_t)w[2] | ((uint64_t)w[3] << 32), c, s);
}

static void normal_blocks_scalar(const uint32_t key[2], const uint32_t stream[2], uint64_t pos,
                                 int64_t nb, double *out)
{
    for (int64_t i = 0; i < nb; i++) block_pair(key, stream, pos + (uint64_t)i, out + 2 * i, out + 2 * i + 1);
}

/* ---- Vector paths: many blocks at once ----------------------------------
 * normal_blocks_<isa>(key, stream, pos, nb, out) writes the 2*nb normals of
 * blocks pos .. pos+nb-1 of the stream, exactly as block_pair would. The
 * same source (normal_blocks.inc) is compiled for each instruction set. */
#if defined(__x86_64__) && defined(__GNUC__)
#define SBI_RNG_SIMD 1
#include <immintrin.h>

/* A target attribute per function (not #pragma GCC target, which clang
 * ignores): the same code builds with gcc and clang. */
#define NB_TARGET __attribute__((target("avx512f")))
#define NB_NAME normal_blocks_avx512
#define NB_W 8
#define NB_MUL32(a, m) ((U)_mm512_mul_epu32((__m512i)(a), _mm512_set1_epi64(m)))
#define NB_SQRT(x) ((T)_mm512_sqrt_pd((__m512d)(x)))
#include "rng/normal_blocks.inc"

#define NB_TARGET __attribute__((target("avx2")))
#define NB_NAME normal_blocks_avx2
#define NB_W 4
#define NB_MUL32(a, m) ((U)_mm256_mul_epu32((__m256i)(a), _mm256_set1_epi64x(m)))
#define NB_SQRT(x) ((T)_mm256_sqrt_pd((__m256d)(x)))
#include "rng/normal_blocks.inc"

#define NB_TARGET
#define NB_NAME normal_blocks_sse2
#define NB_W 2
#define NB_MUL32(a, m) ((U)_mm_mul_epu32((__m128i)(a), _mm_set1_epi64x(m)))
#define NB_SQRT(x) ((T)_mm_sqrt_pd((__m128d)(x)))
#include "rng/normal_blocks.inc"
#endif

void sbi__rng_normal_blocks(const uint32_t key[2], const uint32_t stream[2], uint64_t pos,
                            int64_t nb, double *out, int path)
{
#if SBI_RNG_SIMD
    if (path == SBI__RNG_PATH_AUTO)
        path = __builtin_cpu_supports("avx512f") ? SBI__RNG_PATH_AVX512
               : __builtin_cpu_supports("avx2")  ? SBI__RNG_PATH_AVX2
                                                 : SBI__RNG_PATH_SSE2;
    switch (path) {
    case SBI__RNG_PATH_AVX512: normal_blocks_avx512(key, stream, pos, nb, out); return;
    case SBI__RNG_PATH_AVX2: normal_blocks_avx2(key, stream, pos, nb, out); return;
    case SBI__RNG_PATH_SSE2: normal_blocks_sse2(key, stream, pos, nb, out); return;
    default: break;
    }
#else
    (void)path;
#endif
    normal_blocks_scalar(key, stream, pos, nb, out);
}

void sbi__rng_normal_fill(struct sbi_rng *rng, int64_t n, double *out)
{
    int64_t i = 0;
    if (n > 0 && rng->has_spare) {
        out[i++] = rng->spare;
        rng->has_spare = 0;
    }
    /* Whole pairs straight from the block counter when the stream is at a
     * block boundary (always, unless u64/uniform draws were mixed in). */
    if (rng->avail == 0 && n - i >= 2) {
        const int64_t nb = (n - i) / 2;
        uint64_t pos = (uint64_t)rng->ctr[0] | ((uint64_t)rng->ctr[1] << 32);
        sbi__rng_normal_blocks(rng->key, rng->ctr + 2, pos, nb, out + i, SBI__RNG_PATH_AUTO);
        pos += (uint64_t)nb;
        rng->ctr[0] = (uint32_t)pos;
        rng->ctr[1] = (uint32_t)(pos >> 32);
        i += 2 * nb;
    }
    for (; i < n; i++) out[i] = sbi__rng_normal(rng);
}
