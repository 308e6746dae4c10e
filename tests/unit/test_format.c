/* The posterior file format: CRC known answer, save -> load -> sample bit for
 * bit (memory and file), atomic file writes, and hostile inputs: every
 * truncation, every single-bit flip, wrong magic, a newer major version,
 * huge declared lengths and sizes, inconsistent chunks - each gives an error,
 * never a crash (run under ASan) and never an allocation beyond a small
 * multiple of the input. Forward compatibility: unknown chunks and longer
 * payloads of a newer minor version are skipped. The golden file written by
 * format 1.0 must keep loading with the same parameters and samples.
 *
 * SBI_WRITE_GOLDEN=<path> regenerates the golden file and prints its pins
 * (only when the format's first version is being made; never afterwards). */
#include <dirent.h>
#include <sys/stat.h>

#include "sbi_test.h"
#include "posterior/format_internal.h"
#include "posterior/posterior_internal.h"
#include "prior/prior_internal.h"
#include "rng/rng_internal.h"

#define GOLDEN_PATH "tests/data/golden/posterior-v1.sbi"

/* ---- helpers -------------------------------------------------------------- */

/* A small trained posterior: box prior in 2-d, x in 3-d, MDN of width 8. */
static sbi_posterior *small_posterior(uint64_t seed, int64_t epochs)
{
    const double lo[2] = {0.0, -1.0}, hi[2] = {1.0, 1.0};
    sbi_prior *prior = NULL;
    assert_ok(sbi_prior_create_box_uniform(&prior, 2, lo, hi));
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 8));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_COMPONENTS, 3));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, epochs));
    const int64_t n = 400;
    double th[400 * 2], x[400 * 3];
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, seed, 0));
    assert_ok(sbi_prior_sample(prior, rng, n, th));
    for (int64_t i = 0; i < n; i++) {
        double e[3];
        assert_ok(sbi_rng_normal(rng, 3, e));
        x[3 * i] = th[2 * i] + 0.1 * e[0];
        x[3 * i + 1] = 10.0 * th[2 * i + 1] + e[1];
        x[3 * i + 2] = th[2 * i] * th[2 * i + 1] + 0.2 * e[2];
    }
    assert_ok(sbi_trainer_append(t, n, th, 3, x));
    assert_ok(sbi_trainer_train(t, seed));
    sbi_posterior *post = NULL;
    assert_ok(sbi_trainer_build_posterior(t, &post));
    sbi_trainer_free(t);
    sbi_prior_free(prior);
    sbi_rng_free(rng);
    return post;
}

static void assert_same_posterior(const sbi_posterior *a, const sbi_posterior *b)
{
    assert_int_equal(a->theta_dim, b->theta_dim);
    assert_int_equal(a->x_dim, b->x_dim);
    assert_memory_equal(&a->est->config, &b->est->config, sizeof a->est->config);
    assert_int_equal(a->est->n_params, b->est->n_params);
    assert_memory_equal(a->est->params, b->est->params, sizeof(double) * (size_t)a->est->n_params);
    assert_memory_equal(a->theta_shift, b->theta_shift, sizeof(double) * (size_t)a->theta_dim);
    assert_memory_equal(a->theta_scale, b->theta_scale, sizeof(double) * (size_t)a->theta_dim);
    assert_memory_equal(a->x_shift, b->x_shift, sizeof(double) * (size_t)a->x_dim);
    assert_memory_equal(a->x_scale, b->x_scale, sizeof(double) * (size_t)a->x_dim);
    assert_int_equal(a->prior->kind, b->prior->kind);
    assert_memory_equal(a->prior->low, b->prior->low, sizeof(double) * (size_t)a->theta_dim);
    assert_memory_equal(a->prior->high, b->prior->high, sizeof(double) * (size_t)a->theta_dim);
    assert_int_equal(a->epochs, b->epochs);
    assert_int_equal(a->n_train, b->n_train);
    assert_true(a->best_validation_loss == b->best_validation_loss);
    /* Same samples, bit for bit. */
    sbi_rng *ra = NULL, *rb = NULL;
    assert_ok(sbi_rng_create(&ra, 5, 1));
    assert_ok(sbi_rng_create(&rb, 5, 1));
    const double x[3] = {0.4, 2.0, 0.1};
    double sa[2 * 300], sb[2 * 300];
    assert_ok(sbi_posterior_sample(a, ra, x, 300, sa));
    assert_ok(sbi_posterior_sample(b, rb, x, 300, sb));
    assert_memory_equal(sa, sb, sizeof sa);
    sbi_rng_free(ra);
    sbi_rng_free(rb);
}

/* Load from an exactly-sized heap copy, so ASan sees any over-read. */
static int load_copy(const unsigned char *buf, size_t len, sbi_posterior **out)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, buf, len);
    int rc = sbi_posterior_load_mem(out, copy, len);
    free(copy);
    return rc;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const unsigned char *p) { return rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

static void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void wr64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Offset of the chunk with the given tag, or (size_t)-1. */
static size_t find_chunk(const unsigned char *buf, size_t len, const char *tag)
{
    size_t pos = 16;
    while (pos + 12 <= len) {
        if (memcmp(buf + pos, tag, 4) == 0) return pos;
        pos += 12 + (size_t)rd64(buf + pos + 4) + 4;
    }
    return (size_t)-1;
}

/* Recompute the CRC of the chunk at pos after editing it. */
static void reseal(unsigned char *buf, size_t pos)
{
    const size_t total = 12 + (size_t)rd64(buf + pos + 4);
    wr32(buf + pos + total, sbi__crc32(buf + pos, total));
}

static void reseal_header(unsigned char *buf) { wr32(buf + 12, sbi__crc32(buf, 12)); }

/* Largest single allocation while active. */
static size_t g_max_alloc;
static void *count_malloc(void *ud, size_t n)
{
    (void)ud;
    if (n > g_max_alloc) g_max_alloc = n;
    return malloc(n);
}
static void *count_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    if (n > g_max_alloc) g_max_alloc = n;
    return realloc(p, n);
}
static void count_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_crc32_known_answer(void **state)
{
    (void)state;
    assert_int_equal(sbi__crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(sbi__crc32("", 0), 0u);
    /* Incremental equals one pass. */
    assert_int_equal(sbi__crc32_update(sbi__crc32("12345", 5), "6789", 4), 0xCBF43926u);
}

static void test_round_trip_memory(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(1, 3);
    void *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, &buf, &len));
    assert_true(len > 16);
    assert_memory_equal(buf, "\x89SBI\r\n\x1a\n", 8);
    sbi_posterior *q = NULL;
    assert_ok(sbi_posterior_load_mem(&q, buf, len));
    assert_same_posterior(p, q);
    /* Saving what was loaded gives the same bytes. */
    void *buf2 = NULL;
    size_t len2 = 0;
    assert_ok(sbi_posterior_save_mem(q, &buf2, &len2));
    assert_int_equal(len, len2);
    assert_memory_equal(buf, buf2, len);
    sbi_free(buf);
    sbi_free(buf2);
    sbi_posterior_free(p);
    sbi_posterior_free(q);
}

static void test_round_trip_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/sbi-format-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/post.sbi", dir);
    sbi_posterior *p = small_posterior(2, 2);
    assert_ok(sbi_posterior_save(p, path));
    /* Overwriting an existing file works too (atomic rename). */
    assert_ok(sbi_posterior_save(p, path));
    sbi_posterior *q = NULL;
    assert_ok(sbi_posterior_load(&q, path));
    assert_same_posterior(p, q);
    /* No temporary file is left behind. */
    DIR *dh = opendir(dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(dh));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) entries++;
    closedir(dh);
    assert_int_equal(entries, 1);
    /* Errors: missing file, unwritable place, a directory. */
    sbi_posterior *r = (sbi_posterior *)1;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.sbi", dir);
    assert_status(sbi_posterior_load(&r, missing), SBI_EIO);
    assert_null(r);
    snprintf(missing, sizeof missing, "%s/no/such/dir/post.sbi", dir);
    assert_status(sbi_posterior_save(p, missing), SBI_EIO);
    assert_status(sbi_posterior_load(&r, dir), SBI_EIO);
    assert_status(sbi_posterior_save(p, ""), SBI_EINVAL);
    assert_status(sbi_posterior_save(NULL, path), SBI_EINVAL);
    /* A file that is not a posterior. */
    snprintf(missing, sizeof missing, "%s/text.sbi", dir);
    FILE *f = fopen(missing, "w");
    fputs("hello, this is not a posterior file at all\n", f);
    fclose(f);
    assert_status(sbi_posterior_load(&r, missing), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "magic"));
    remove(missing);
    remove(path);
    rmdir(dir);
    sbi_posterior_free(p);
    sbi_posterior_free(q);
}

static void test_every_truncation_fails(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(3, 1);
    void *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, &buf, &len));
    for (size_t n = 0; n < len; n++) {
        sbi_posterior *q = (sbi_posterior *)1;
        const int rc = load_copy(buf, n, &q);
        if (rc != SBI_EFORMAT) print_error("truncated to %zu of %zu bytes: rc %d\n", n, len, rc);
        assert_int_equal(rc, SBI_EFORMAT);
        assert_null(q);
    }
    sbi_free(buf);
    sbi_posterior_free(p);
}

static void test_every_bit_flip_fails(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(4, 1);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, (void **)&buf, &len));
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (unsigned char)(1u << bit);
            sbi_posterior *q = NULL;
            const int rc = load_copy(buf, len, &q);
            if (rc == SBI_OK) print_error("flip of bit %d in byte %zu loaded\n", bit, i);
            assert_int_equal(rc, SBI_EFORMAT);
            assert_null(q);
            buf[i] ^= (unsigned char)(1u << bit);
        }
    }
    sbi_free(buf);
    sbi_posterior_free(p);
}

static void test_magic_and_versions(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(5, 1);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, (void **)&buf, &len));
    sbi_posterior *q = NULL;
    /* Wrong magic (a PNG's), and nonsense. */
    unsigned char *b = malloc(len);
    memcpy(b, buf, len);
    memcpy(b, "\x89PNG\r\n\x1a\n", 8);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "magic"));
    assert_status(load_copy((const unsigned char *)"GIF89a..........", 16, &q), SBI_EFORMAT);
    assert_status(sbi_posterior_load_mem(&q, NULL, 0), SBI_EFORMAT);
    assert_status(sbi_posterior_load_mem(&q, NULL, 10), SBI_EINVAL);
    assert_status(sbi_posterior_load_mem(NULL, buf, len), SBI_EINVAL);
    /* A newer major version (with a valid header checksum). */
    memcpy(b, buf, len);
    wr32(b + 8, 2); /* major 2, minor 0 */
    reseal_header(b);
    assert_status(load_copy(b, len, &q), SBI_EVERSION);
    assert_non_null(strstr(sbi_last_error(), "2.0"));
    /* Major 0 never existed. */
    b[8] = 0;
    b[9] = 0;
    reseal_header(b);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    /* A newer minor version loads. */
    memcpy(b, buf, len);
    b[10] = 7;
    reseal_header(b);
    assert_ok(load_copy(b, len, &q));
    sbi_posterior_free(q);
    q = NULL;
    free(b);
    sbi_free(buf);
    sbi_posterior_free(p);
}

static void test_forward_compatible_extensions(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(6, 1);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, (void **)&buf, &len));
    /* Insert an unknown chunk "XTRA" (5 bytes) before END, and grow the
     * TRNG payload by 8 bytes as a newer minor version may. */
    const size_t end = find_chunk(buf, len, "END ");
    const size_t trn = find_chunk(buf, len, "TRNG");
    assert_true(end != (size_t)-1 && trn != (size_t)-1 && trn < end);
    const size_t xlen = 12 + 5 + 4;
    unsigned char *b = malloc(len + xlen + 8);
    size_t o = 0;
    memcpy(b, buf, trn + 12 + 24);
    o = trn + 12 + 24;
    wr64(b + trn + 4, 32);
    memset(b + o, 0xAB, 8);
    o += 8;
    reseal(b, trn);
    o += 4;
    memcpy(b + o, buf + trn + 12 + 24 + 4, end - (trn + 12 + 24 + 4));
    o += end - (trn + 12 + 24 + 4);
    memcpy(b + o, "XTRA", 4);
    wr64(b + o + 4, 5);
    memcpy(b + o + 12, "hello", 5);
    reseal(b, o);
    o += xlen;
    memcpy(b + o, buf + end, len - end);
    o += len - end;
    sbi_posterior *q = NULL;
    /* Longer TRNG from minor 0: refused; from minor 1: accepted. */
    assert_status(load_copy(b, o, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "TRNG"));
    b[10] = 1;
    reseal_header(b);
    assert_ok(load_copy(b, o, &q));
    assert_same_posterior(p, q);
    sbi_posterior_free(q);
    free(b);
    sbi_free(buf);
    sbi_posterior_free(p);
}

static void test_hostile_lengths_and_sizes(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(7, 1);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, (void **)&buf, &len));
    unsigned char *b = malloc(len);
    sbi_posterior *q = NULL;
    assert_ok(sbi_set_allocator(count_malloc, count_realloc, count_free, NULL));
    g_max_alloc = 0;

    /* Chunk lengths far beyond the input. */
    const uint64_t huge[] = {(uint64_t)1 << 62, UINT64_MAX, len, len - 20};
    const char *tags[] = {"META", "PRIO", "ZSCR", "ARCH", "WGTS", "TRNG"};
    for (size_t t = 0; t < 6; t++) {
        for (size_t h = 0; h < 4; h++) {
            memcpy(b, buf, len);
            const size_t pos = find_chunk(b, len, tags[t]);
            wr64(b + pos + 4, huge[h]);
            assert_status(load_copy(b, len, &q), SBI_EFORMAT);
        }
    }
    /* Sizes inside chunks, with valid checksums: a weight count of 2^61,
     * a prior of dimension 2^30, a z-score of 10^6 x-dimensions, an
     * estimator of 4 096 hidden features and 8 layers. */
    memcpy(b, buf, len);
    size_t pos = find_chunk(b, len, "WGTS");
    wr64(b + pos + 12, (uint64_t)1 << 61);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "WGTS"));

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "PRIO");
    wr32(b + pos + 16, 1u << 30);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "ZSCR");
    wr32(b + pos + 16, 1000000);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "ARCH");
    wr32(b + pos + 12 + 12, 4096); /* hidden_features: 7 x 4096^2 weights (940 MB) */
    wr32(b + pos + 12 + 16, 8);    /* hidden_layers: within the estimator's own limit */
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "parameters"));

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "META");
    wr32(b + pos + 16, 0xFFFFFFFFu); /* text length */
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);

    /* Nothing allocated was large: a small multiple of the input at most. */
    assert_ok(sbi_set_allocator(NULL, NULL, NULL, NULL));
    print_message("largest allocation while loading hostile inputs: %zu bytes (input %zu)\n",
                  g_max_alloc, len);
    assert_true(g_max_alloc <= 16 * len + 65536);
    free(b);
    sbi_free(buf);
    sbi_posterior_free(p);
}

static void test_inconsistent_chunks(void **state)
{
    (void)state;
    sbi_posterior *p = small_posterior(8, 1);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, (void **)&buf, &len));
    unsigned char *b = malloc(2 * len);
    sbi_posterior *q = NULL;

    /* A missing required chunk: TRNG cut out. */
    size_t pos = find_chunk(buf, len, "TRNG");
    size_t clen = 12 + 24 + 4;
    memcpy(b, buf, pos);
    memcpy(b + pos, buf + pos + clen, len - pos - clen);
    assert_status(load_copy(b, len - clen, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "missing"));

    /* A duplicated chunk. */
    memcpy(b, buf, pos + clen);
    memcpy(b + pos + clen, buf + pos, len - pos);
    assert_status(load_copy(b, len + clen, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "duplicate"));

    /* Trailing bytes after END. */
    memcpy(b, buf, len);
    b[len] = 0;
    assert_status(load_copy(b, len + 1, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "trailing"));

    /* META not first: swap in PRIO's tag. */
    memcpy(b, buf, len);
    memcpy(b + 16, "XXXX", 4);
    reseal(b, 16);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "META"));

    /* Dimensions that disagree: ARCH's x_dim. */
    memcpy(b, buf, len);
    pos = find_chunk(b, len, "ARCH");
    wr32(b + pos + 12 + 8, 4);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "disagree"));

    /* An unknown estimator kind, an invalid prior, a zero scale, a NaN weight. */
    memcpy(b, buf, len);
    wr32(b + pos + 12, 99);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "PRIO");
    const double swap = 5.0; /* low[0] = 5 > high[0] = 1 */
    memcpy(b + pos + 12 + 8, &swap, 8);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "prior"));

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "ZSCR");
    const double zero = 0.0;
    memcpy(b + pos + 12 + 8 + 16, &zero, 8); /* theta_scale[0] */
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);

    memcpy(b, buf, len);
    pos = find_chunk(b, len, "WGTS");
    const double nan = NAN;
    memcpy(b + pos + 12 + 8, &nan, 8);
    reseal(b, pos);
    assert_status(load_copy(b, len, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "finite"));

    /* One weight fewer than the estimator has (lengths consistent). */
    memcpy(b, buf, len);
    pos = find_chunk(b, len, "WGTS");
    const uint64_t nw = rd64(b + pos + 12);
    wr64(b + pos + 4, 8 + 8 * (nw - 1));
    wr64(b + pos + 12, nw - 1);
    reseal(b, pos);
    memmove(b + pos + 12 + 8 + 8 * (nw - 1) + 4, b + pos + 12 + 8 + 8 * nw + 4,
            len - (pos + 12 + 8 + 8 * nw + 4));
    assert_status(load_copy(b, len - 8, &q), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "weights"));
    free(b);
    sbi_free(buf);
    sbi_posterior_free(p);
}

static int cb_log_prob(void *ud, int64_t n, int32_t dim, const double *theta, double *out)
{
    (void)ud, (void)dim, (void)theta;
    for (int64_t i = 0; i < n; i++) out[i] = 0.0;
    return 0;
}

static int cb_sample(void *ud, sbi_rng *rng, int64_t n, int32_t dim, double *out)
{
    (void)ud;
    return sbi_rng_uniform(rng, n * dim, out);
}

static void test_callback_prior_cannot_be_saved(void **state)
{
    (void)state;
    sbi_prior *prior = NULL;
    assert_ok(sbi_prior_create_callback(&prior, 1, cb_sample, cb_log_prob, NULL, NULL));
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN));
    double th[30], x[30];
    for (int i = 0; i < 30; i++) th[i] = i / 30.0, x[i] = 2.0 * th[i];
    assert_ok(sbi_trainer_append(t, 30, th, 1, x));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, 1));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 4));
    assert_ok(sbi_trainer_train(t, 1));
    sbi_posterior *post = NULL;
    assert_ok(sbi_trainer_build_posterior(t, &post));
    void *buf = (void *)1;
    size_t len = 9;
    assert_status(sbi_posterior_save_mem(post, &buf, &len), SBI_EINVAL);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_non_null(strstr(sbi_last_error(), "callback"));
    assert_status(sbi_posterior_save(post, "/tmp/never-written.sbi"), SBI_EINVAL);
    sbi_posterior_free(post);
    sbi_trainer_free(t);
    sbi_prior_free(prior);
}

static void test_gaussian_prior_round_trip(void **state)
{
    (void)state;
    const double mean[2] = {1.0, -1.0}, cov[4] = {2.0, 0.3, 0.3, 0.5};
    sbi_prior *prior = NULL;
    assert_ok(sbi_prior_create_gaussian(&prior, 2, mean, cov));
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN));
    double th[60], x[60];
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 3, 0));
    assert_ok(sbi_prior_sample(prior, rng, 30, th));
    for (int i = 0; i < 60; i++) x[i] = th[i] + 0.5;
    assert_ok(sbi_trainer_append(t, 30, th, 2, x));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, 1));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 4));
    assert_ok(sbi_trainer_train(t, 1));
    sbi_posterior *post = NULL, *back = NULL;
    assert_ok(sbi_trainer_build_posterior(t, &post));
    void *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(post, &buf, &len));
    assert_ok(sbi_posterior_load_mem(&back, buf, len));
    assert_int_equal(back->prior->kind, SBI_PRIOR_GAUSSIAN);
    assert_memory_equal(back->prior->mean, mean, sizeof mean);
    assert_memory_equal(back->prior->cov, cov, sizeof cov);
    const double th1[2] = {0.3, 0.1};
    double a, b;
    assert_ok(sbi_prior_log_prob(post->prior, 1, th1, &a));
    assert_ok(sbi_prior_log_prob(back->prior, 1, th1, &b));
    assert_true(a == b);
    sbi_free(buf);
    sbi_rng_free(rng);
    sbi_posterior_free(post);
    sbi_posterior_free(back);
    sbi_trainer_free(t);
    sbi_prior_free(prior);
}

/* The reader's parameter-count estimate against the implementations: exact
 * for the MDN, and for the flows within the 4x margin the reader allows
 * (else valid files would be refused). */
static void test_param_estimate_matches_estimators(void **state)
{
    (void)state;
    const int32_t shapes[][6] = {/* d, x, H, L, K, T */
                                 {1, 1, 1, 1, 1, 1},   {2, 3, 8, 2, 3, 2},  {10, 10, 50, 2, 10, 5},
                                 {2, 7, 50, 2, 10, 5}, {5, 40, 20, 3, 2, 3}, {3, 1, 64, 1, 1, 1}};
    const sbi__estimator_ops *ops[3] = {&sbi__mdn_ops, &sbi__maf_ops, &sbi__nsf_ops};
    const int32_t kinds[3] = {SBI_ESTIMATOR_MDN, SBI_ESTIMATOR_MAF, SBI_ESTIMATOR_NSF};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        for (int k = 0; k < 3; k++) {
            sbi__estimator e;
            memset(&e, 0, sizeof e);
            sbi__estimator_config_default(&e.config, kinds[k], shapes[i][0], shapes[i][1]);
            e.config.hidden_features = shapes[i][2];
            e.config.hidden_layers = shapes[i][3];
            e.config.num_components = shapes[i][4];
            e.config.num_transforms = shapes[i][5];
            e.ops = ops[k];
            assert_ok(e.ops->setup(&e));
            const int64_t est = sbi__format_param_estimate(&e.config);
            if (kinds[k] == SBI_ESTIMATOR_MDN) assert_int_equal(est, e.n_params);
            if (!(est <= 4 * e.n_params + 4096 && est >= e.n_params / 4))
                print_error("%s d=%d x=%d H=%d L=%d K=%d T=%d: estimate %lld, actual %lld\n",
                            e.ops->name, shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3],
                            shapes[i][4], shapes[i][5], (long long)est, (long long)e.n_params);
            assert_true(est <= 4 * e.n_params + 4096);
            assert_true(est >= e.n_params / 4);
            e.ops->destroy(&e);
        }
    }
}

/* ---- the golden file ---------------------------------------------------------- */

/* Values pinned when the golden file was written (format 1.0). */
static const double GOLD_X[3] = {0.4, 2.0, 0.1};
static const double GOLD_THETA[3][2] = {{0.5, 0.2}, {0.1, -0.7}, {0.9, 0.9}};
#include "../data/golden/posterior-v1.pins.h"

static void write_golden(const char *path)
{
    sbi_posterior *p = small_posterior(2026, 30);
    assert_ok(sbi_posterior_save(p, path));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    double s[2 * 4], lp[3];
    assert_ok(sbi_posterior_sample(p, rng, GOLD_X, 4, s));
    assert_ok(sbi_posterior_log_prob(p, NULL, GOLD_X, 3, &GOLD_THETA[0][0], lp));
    printf("/* Pins of %s, printed by test_format with SBI_WRITE_GOLDEN. */\n", GOLDEN_PATH);
    printf("#define GOLD_N_PARAMS %lld\n", (long long)p->est->n_params);
    printf("#define GOLD_EPOCHS %lld\n#define GOLD_N_TRAIN %lld\n", (long long)p->epochs,
           (long long)p->n_train);
    printf("static const double GOLD_BEST_LOSS = %.17g;\n", p->best_validation_loss);
    printf("static const double GOLD_PARAMS_HEAD[3] = {%.17g, %.17g, %.17g};\n", p->est->params[0],
           p->est->params[1], p->est->params[2]);
    printf("static const double GOLD_PARAMS_LAST = %.17g;\n", p->est->params[p->est->n_params - 1]);
    double sum = 0.0;
    for (int64_t i = 0; i < p->est->n_params; i++) sum += p->est->params[i];
    printf("static const double GOLD_PARAMS_SUM = %.17g;\n", sum);
    printf("static const double GOLD_THETA_SCALE[2] = {%.17g, %.17g};\n", p->theta_scale[0],
           p->theta_scale[1]);
    printf("static const double GOLD_X_SHIFT[3] = {%.17g, %.17g, %.17g};\n", p->x_shift[0],
           p->x_shift[1], p->x_shift[2]);
    printf("static const double GOLD_LOG_PROB[3] = {%.17g, %.17g, %.17g};\n", lp[0], lp[1], lp[2]);
    printf("static const double GOLD_SAMPLES[8] = {%.17g, %.17g, %.17g, %.17g,\n"
           "                                       %.17g, %.17g, %.17g, %.17g};\n",
           s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    sbi_rng_free(rng);
    sbi_posterior_free(p);
}

static void test_golden_file_still_loads(void **state)
{
    (void)state;
    const char *gen = getenv("SBI_WRITE_GOLDEN");
    if (gen && *gen) {
        write_golden(gen);
        skip();
    }
    sbi_posterior *p = NULL;
    assert_ok(sbi_posterior_load(&p, GOLDEN_PATH));
    /* What the file holds, exactly. */
    int32_t kind;
    assert_ok(sbi_posterior_estimator(p, &kind));
    assert_int_equal(kind, SBI_ESTIMATOR_MDN);
    assert_int_equal(p->theta_dim, 2);
    assert_int_equal(p->x_dim, 3);
    assert_int_equal(p->est->config.hidden_features, 8);
    assert_int_equal(p->est->config.hidden_layers, 2);
    assert_int_equal(p->est->config.num_components, 3);
    assert_int_equal(p->prior->kind, SBI_PRIOR_BOX_UNIFORM);
    assert_true(p->prior->low[0] == 0.0 && p->prior->high[0] == 1.0);
    assert_true(p->prior->low[1] == -1.0 && p->prior->high[1] == 1.0);
    assert_int_equal(p->est->n_params, GOLD_N_PARAMS);
    assert_int_equal(p->epochs, GOLD_EPOCHS);
    assert_int_equal(p->n_train, GOLD_N_TRAIN);
    assert_true(p->best_validation_loss == GOLD_BEST_LOSS);
    for (int i = 0; i < 3; i++) assert_true(p->est->params[i] == GOLD_PARAMS_HEAD[i]);
    assert_true(p->est->params[p->est->n_params - 1] == GOLD_PARAMS_LAST);
    double sum = 0.0;
    for (int64_t i = 0; i < p->est->n_params; i++) sum += p->est->params[i];
    assert_true(sum == GOLD_PARAMS_SUM);
    for (int j = 0; j < 2; j++) assert_true(p->theta_scale[j] == GOLD_THETA_SCALE[j]);
    for (int j = 0; j < 3; j++) assert_true(p->x_shift[j] == GOLD_X_SHIFT[j]);
    /* What it computes: log_prob and samples as when it was written (to
     * rounding: BLAS kernels may sum in another order on other CPUs). */
    double lp[3], s[8];
    assert_ok(sbi_posterior_log_prob(p, NULL, GOLD_X, 3, &GOLD_THETA[0][0], lp));
    for (int i = 0; i < 3; i++) assert_close(lp[i], GOLD_LOG_PROB[i], 1e-10, 1e-12);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    assert_ok(sbi_posterior_sample(p, rng, GOLD_X, 4, s));
    for (int i = 0; i < 8; i++) assert_close(s[i], GOLD_SAMPLES[i], 1e-10, 1e-12);
    /* Re-saving gives the same bytes except the META chunk (writer version). */
    void *buf = NULL;
    size_t len = 0;
    assert_ok(sbi_posterior_save_mem(p, &buf, &len));
    FILE *f = fopen(GOLDEN_PATH, "rb");
    assert_non_null(f);
    unsigned char *gold = malloc(len + 64);
    const size_t glen = fread(gold, 1, len + 64, f);
    fclose(f);
    const size_t gm = find_chunk(gold, glen, "PRIO"), bm = find_chunk(buf, len, "PRIO");
    assert_int_equal(glen - gm, len - bm);
    assert_memory_equal(gold + gm, (unsigned char *)buf + bm, len - bm);
    free(gold);
    sbi_free(buf);
    sbi_rng_free(rng);
    sbi_posterior_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_answer),
        cmocka_unit_test(test_round_trip_memory),
        cmocka_unit_test(test_round_trip_file),
        cmocka_unit_test(test_every_truncation_fails),
        cmocka_unit_test(test_every_bit_flip_fails),
        cmocka_unit_test(test_magic_and_versions),
        cmocka_unit_test(test_forward_compatible_extensions),
        cmocka_unit_test(test_hostile_lengths_and_sizes),
        cmocka_unit_test(test_inconsistent_chunks),
        cmocka_unit_test(test_callback_prior_cannot_be_saved),
        cmocka_unit_test(test_gaussian_prior_round_trip),
        cmocka_unit_test(test_param_estimate_matches_estimators),
        cmocka_unit_test(test_golden_file_still_loads),
    };
    return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
