/* Helpers for the posterior-file targets. The file format checksums the
 * header and every chunk (CRC-32), so almost every mutation of a valid file
 * dies at the first checksum. Like zstd's fuzzers, which skip checksums in
 * fuzzing builds, the targets also load a copy whose checksums were
 * recomputed ("fixed"): that reaches the chunk decoders and the estimator
 * builders with arbitrary content, without touching the library. */
#ifndef SBI_FUZZ_POSTERIOR_UTIL_H
#define SBI_FUZZ_POSTERIOR_UTIL_H

#include "fuzz.h"
#include "posterior/format_internal.h"

static inline uint32_t fz_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void fz_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Recompute the header and chunk checksums of buf in place, as far as the
 * chunk lengths allow (the same walk as the reader's). */
static inline void fuzz_fix_checksums(unsigned char *buf, size_t len)
{
    if (len < SBI__FORMAT_HEADER_LEN) return;
    fz_put32(buf + 12, sbi__crc32(buf, 12));
    size_t pos = SBI__FORMAT_HEADER_LEN;
    while (len - pos >= 12) {
        const uint64_t plen = (uint64_t)fz_le32(buf + pos + 4) | ((uint64_t)fz_le32(buf + pos + 8) << 32);
        if (plen > (uint64_t)(len - pos - 12) || len - pos - 12 - (size_t)plen < 4) return;
        const size_t total = 12 + (size_t)plen;
        fz_put32(buf + pos + total, sbi__crc32(buf + pos, total));
        pos += total + 4;
    }
}

/* Use a loaded posterior a little: queries, log-probabilities and a few
 * rejection samples under a small budget, at an observation of zeros.
 * Anything may fail with a status; nothing may crash or leak. */
static inline void fuzz_exercise_posterior(const sbi_posterior *p)
{
    int32_t d = 0, xd = 0, kind = 0;
    FUZZ_CHECK(sbi_posterior_dims(p, &d, &xd) == SBI_OK && d >= 1 && xd >= 1);
    FUZZ_CHECK(sbi_posterior_estimator(p, &kind) == SBI_OK);
    const sbi_prior *prior = NULL;
    FUZZ_CHECK(sbi_posterior_prior(p, &prior) == SBI_OK && prior);
    int64_t epochs = 0, n_train = 0;
    double loss = 0;
    FUZZ_CHECK(sbi_posterior_training_summary(p, &epochs, &n_train, &loss) == SBI_OK);
    enum { N = 3 };
    double *x = calloc((size_t)xd, sizeof *x);
    double *theta = calloc((size_t)N * (size_t)d, sizeof *theta);
    double *out = calloc((size_t)N * (size_t)d, sizeof *out);
    double lp[N];
    sbi_rng *rng = NULL;
    if (x && theta && out && sbi_rng_create(&rng, 1, 0) == SBI_OK) {
        (void)sbi_prior_sample(prior, rng, N, theta);
        (void)sbi_posterior_log_prob(p, NULL, x, N, theta, lp);
        int64_t n_out = -1;
        double acc = -1;
        int rc = sbi_posterior_sample_ex(p, rng, x, N, 64, out, &n_out, &acc);
        FUZZ_CHECK(rc != SBI_OK || n_out == N);
        if (rc == SBI_OK || rc == SBI_EBUDGET) FUZZ_CHECK(n_out >= 0 && n_out <= N);
    }
    sbi_rng_free(rng);
    free(x);
    free(theta);
    free(out);
}

#endif /* SBI_FUZZ_POSTERIOR_UTIL_H */
