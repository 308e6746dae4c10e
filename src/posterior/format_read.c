/* Reading a posterior file from memory (docs/posterior-format.md). Nothing
 * is trusted before its checksum; every length is checked against the
 * remaining input and against what the declared dimensions imply before
 * anything is allocated, so a corrupt or hostile input costs at most memory
 * proportional to its own size. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "posterior/format_internal.h"
#include "posterior/posterior_internal.h"
#include "prior/prior_internal.h"

/* ---- little-endian reading within one chunk payload ------------------------ */

typedef struct rd {
    const unsigned char *p;
    size_t len, pos;
} rd;

/* Callers check the payload length first; the reads stay inside it. */
static uint32_t get_u32(rd *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)r->p[r->pos + i] << (8 * i);
    r->pos += 4;
    return v;
}

static uint64_t get_u64(rd *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += 8;
    return v;
}

static int32_t get_i32(rd *r) { return (int32_t)get_u32(r); }
static int64_t get_i64(rd *r) { return (int64_t)get_u64(r); }

static double get_f64(rd *r)
{
    const uint64_t u = get_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void get_f64s(rd *r, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) out[i] = get_f64(r);
}

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* ---- the loader's state --------------------------------------------------- */

typedef struct loader {
    uint16_t minor; /* the file's minor version */
    int seen_meta, seen_prior, seen_zscore, seen_arch, seen_wgts, seen_train;
    int32_t writer_version;
    sbi_prior *prior;
    int32_t z_theta_dim, z_x_dim;
    double *z; /* theta_shift, theta_scale, x_shift, x_scale, back to back */
    sbi__estimator_config cfg;
    uint64_t n_weights;
    const unsigned char *weights; /* inside the input: decoded once the estimator exists */
    int64_t epochs, n_train;
    double best_validation_loss;
} loader;

#define FMT_FAIL(...) sbi__fail(SBI_EFORMAT, "posterior file: " __VA_ARGS__)

static const char *tag_name(uint32_t tag, char buf[16])
{
    for (int i = 0; i < 4; i++) {
        const unsigned char c = (unsigned char)(tag >> (8 * i));
        buf[i] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    buf[4] = '\0';
    return buf;
}

/* A payload must have exactly `want` bytes, or more only when the file comes
 * from a newer minor version (extra fields appended at the end, ignored). */
static int check_len(const loader *L, const char *name, uint64_t have, uint64_t want)
{
    if (have == want || (have > want && L->minor > SBI__FORMAT_MINOR)) return SBI_OK;
    return FMT_FAIL("%s chunk holds %llu bytes where %llu are expected", name,
                    (unsigned long long)have, (unsigned long long)want);
}

static int read_meta(loader *L, rd *r)
{
    if (r->len < 8) return FMT_FAIL("META chunk is too short (%zu bytes)", r->len);
    L->writer_version = get_i32(r);
    const uint32_t n = get_u32(r);
    if (n > SBI__META_MAX_TEXT)
        return FMT_FAIL("META text length %u exceeds %d", (unsigned)n, SBI__META_MAX_TEXT);
    return check_len(L, "META", r->len, 8 + (uint64_t)n);
}

static int read_prior(loader *L, rd *r)
{
    if (r->len < 8) return FMT_FAIL("PRIO chunk is too short (%zu bytes)", r->len);
    const int32_t kind = get_i32(r), dim = get_i32(r);
    if (dim < 1 || dim > SBI__MAX_THETA_DIM)
        return FMT_FAIL("prior dimension %d is out of range [1, %d]", (int)dim,
                        SBI__MAX_THETA_DIM);
    uint64_t want;
    if (kind == SBI_PRIOR_BOX_UNIFORM) want = 8 + 16 * (uint64_t)dim;
    else if (kind == SBI_PRIOR_GAUSSIAN) want = 8 + 8 * (uint64_t)dim * (uint64_t)(dim + 1);
    else return FMT_FAIL("unknown prior kind %d", (int)kind);
    SBI_TRY(check_len(L, "PRIO", r->len, want));

    const size_t n = kind == SBI_PRIOR_BOX_UNIFORM ? 2 * (size_t)dim : (size_t)dim * (dim + 1);
    double *v = sbi__malloc_array(n, sizeof(double));
    if (!v) return sbi__oom("sbi_posterior_load");
    get_f64s(r, v, (int64_t)n);
    int rc = kind == SBI_PRIOR_BOX_UNIFORM
                 ? sbi_prior_create_box_uniform(&L->prior, dim, v, v + dim)
                 : sbi_prior_create_gaussian(&L->prior, dim, v, v + dim);
    sbi__free(v);
    if (rc == SBI_EINVAL) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", sbi_last_error());
        return FMT_FAIL("the stored prior is invalid: %s", msg);
    }
    return rc;
}

static int read_zscore(loader *L, rd *r)
{
    if (r->len < 8) return FMT_FAIL("ZSCR chunk is too short (%zu bytes)", r->len);
    const int32_t d = get_i32(r), xd = get_i32(r);
    if (d < 1 || d > SBI__MAX_THETA_DIM || xd < 1 || xd > SBI__MAX_X_DIM)
        return FMT_FAIL("z-score dimensions theta %d, x %d are out of range", (int)d, (int)xd);
    SBI_TRY(check_len(L, "ZSCR", r->len, 8 + 16 * ((uint64_t)d + (uint64_t)xd)));
    const size_t n = 2 * ((size_t)d + (size_t)xd);
    L->z = sbi__malloc_array(n, sizeof(double));
    if (!L->z) return sbi__oom("sbi_posterior_load");
    get_f64s(r, L->z, (int64_t)n);
    L->z_theta_dim = d;
    L->z_x_dim = xd;
    const double *ts = L->z, *tc = L->z + d, *xs = L->z + 2 * d, *xc = L->z + 2 * d + xd;
    for (int32_t j = 0; j < d; j++)
        if (!isfinite(ts[j]) || !isfinite(tc[j]) || !(tc[j] > 0.0))
            return FMT_FAIL("theta z-score %d (shift %g, scale %g) is not finite and positive",
                            (int)j, ts[j], tc[j]);
    for (int32_t j = 0; j < xd; j++)
        if (!isfinite(xs[j]) || !isfinite(xc[j]) || !(xc[j] > 0.0))
            return FMT_FAIL("x z-score %d (shift %g, scale %g) is not finite and positive",
                            (int)j, xs[j], xc[j]);
    return SBI_OK;
}

static int read_arch(loader *L, rd *r)
{
    SBI_TRY(check_len(L, "ARCH", r->len, 40));
    sbi__estimator_config *c = &L->cfg;
    c->kind = get_i32(r);
    c->theta_dim = get_i32(r);
    c->x_dim = get_i32(r);
    c->hidden_features = get_i32(r);
    c->hidden_layers = get_i32(r);
    c->num_components = get_i32(r);
    c->num_transforms = get_i32(r);
    c->num_bins = get_i32(r);
    c->structure_seed = get_u64(r);
    if (c->kind < SBI_ESTIMATOR_MDN || c->kind > SBI_ESTIMATOR_NSF)
        return FMT_FAIL("unknown estimator kind %d", (int)c->kind);
#define RANGE(field, lo, hi)                                                                       \
    if (c->field < (lo) || c->field > (hi))                                                       \
        return FMT_FAIL("ARCH " #field "=%d is out of range [%d, %d]", (int)c->field, (int)(lo),  \
                        (int)(hi));
    RANGE(theta_dim, 1, SBI__MAX_THETA_DIM)
    RANGE(x_dim, 1, SBI__MAX_X_DIM)
    RANGE(hidden_features, 1, SBI__MAX_HIDDEN_FEATURES)
    RANGE(hidden_layers, 1, SBI__MAX_HIDDEN_LAYERS)
    RANGE(num_components, 1, SBI__MAX_COMPONENTS)
    RANGE(num_transforms, 1, SBI__MAX_TRANSFORMS)
    RANGE(num_bins, 2, SBI__MAX_BINS)
#undef RANGE
    return SBI_OK;
}

static int read_wgts(loader *L, rd *r)
{
    if (r->len < 8) return FMT_FAIL("WGTS chunk is too short (%zu bytes)", r->len);
    const uint64_t n = get_u64(r);
    /* n is bounded by the payload actually present. */
    if (n > (r->len - 8) / 8)
        return FMT_FAIL("WGTS declares %llu weights but holds %zu bytes",
                        (unsigned long long)n, r->len - 8);
    SBI_TRY(check_len(L, "WGTS", r->len, 8 + 8 * n));
    L->n_weights = n;
    L->weights = r->p + 8;
    return SBI_OK;
}

static int read_train(loader *L, rd *r)
{
    SBI_TRY(check_len(L, "TRNG", r->len, 24));
    L->epochs = get_i64(r);
    L->n_train = get_i64(r);
    L->best_validation_loss = get_f64(r);
    if (L->epochs < 0 || L->n_train < 0 || isnan(L->best_validation_loss))
        return FMT_FAIL("TRNG summary (epochs %lld, rows %lld, loss %g) is invalid",
                        (long long)L->epochs, (long long)L->n_train, L->best_validation_loss);
    return SBI_OK;
}

static int dispatch(loader *L, uint32_t tag, rd *r)
{
    char name[16];
    int *seen = NULL;
    int (*fn)(loader *, rd *) = NULL;
    switch (tag) {
    case SBI__TAG_PRIOR: seen = &L->seen_prior, fn = read_prior; break;
    case SBI__TAG_ZSCORE: seen = &L->seen_zscore, fn = read_zscore; break;
    case SBI__TAG_ARCH: seen = &L->seen_arch, fn = read_arch; break;
    case SBI__TAG_WGTS: seen = &L->seen_wgts, fn = read_wgts; break;
    case SBI__TAG_TRAIN: seen = &L->seen_train, fn = read_train; break;
    case SBI__TAG_META: return FMT_FAIL("a second META chunk");
    default: return SBI_OK; /* unknown chunk (a newer writer's): skipped */
    }
    if (*seen) return FMT_FAIL("duplicate %s chunk", tag_name(tag, name));
    *seen = 1;
    return fn(L, r);
}

/* Walk the chunks after the header: CRC first, then the content. */
static int read_chunks(loader *L, const unsigned char *buf, size_t len)
{
    size_t pos = SBI__FORMAT_HEADER_LEN;
    int index = 0;
    char name[16];
    for (;;) {
        const size_t left = len - pos;
        if (left < 12)
            return FMT_FAIL("truncated: %zu bytes left at offset %zu where a chunk header (12 "
                            "bytes) is expected", left, pos);
        const uint32_t tag = le32(buf + pos);
        const uint64_t plen = le64(buf + pos + 4);
        if (plen > (uint64_t)(left - 12) || left - 12 - (size_t)plen < 4)
            return FMT_FAIL("truncated or corrupt: chunk %s at offset %zu declares %llu bytes "
                            "but only %zu remain", tag_name(tag, name), pos,
                            (unsigned long long)plen, left - 12);
        const size_t total = 12 + (size_t)plen;
        const uint32_t crc = le32(buf + pos + total);
        if (sbi__crc32(buf + pos, total) != crc)
            return FMT_FAIL("checksum mismatch in chunk %s at offset %zu (corrupt data)",
                            tag_name(tag, name), pos);
        rd r = {buf + pos + 12, (size_t)plen, 0};
        if (index == 0) {
            if (tag != SBI__TAG_META)
                return FMT_FAIL("the first chunk is %s, not META", tag_name(tag, name));
            L->seen_meta = 1;
            SBI_TRY(read_meta(L, &r));
        } else if (tag == SBI__TAG_END) {
            if (plen != 0) return FMT_FAIL("END chunk is not empty");
            if (pos + total + 4 != len)
                return FMT_FAIL("%zu bytes of trailing data after the END chunk",
                                len - (pos + total + 4));
            return SBI_OK;
        } else {
            SBI_TRY(dispatch(L, tag, &r));
        }
        pos += total + 4;
        index++;
    }
}

/* Cross-checks between chunks, then the estimator and the posterior. */
static int assemble(loader *L, sbi_posterior **out)
{
    const char *missing = !L->seen_prior    ? "PRIO"
                          : !L->seen_zscore ? "ZSCR"
                          : !L->seen_arch   ? "ARCH"
                          : !L->seen_wgts   ? "WGTS"
                          : !L->seen_train  ? "TRNG"
                                            : NULL;
    if (missing) return FMT_FAIL("the required chunk %s is missing", missing);
    const sbi__estimator_config *c = &L->cfg;
    if (c->theta_dim != L->prior->dim || c->theta_dim != L->z_theta_dim)
        return FMT_FAIL("theta dimensions disagree: ARCH %d, PRIO %d, ZSCR %d",
                        (int)c->theta_dim, (int)L->prior->dim, (int)L->z_theta_dim);
    if (c->x_dim != L->z_x_dim)
        return FMT_FAIL("x dimensions disagree: ARCH %d, ZSCR %d", (int)c->x_dim,
                        (int)L->z_x_dim);
    /* Refuse a config far larger than the weights present before building
     * it (its allocations would not be bounded by the input's size). */
    const int64_t estimate = sbi__format_param_estimate(c);
    if (estimate < 0 || (uint64_t)estimate > 4 * L->n_weights + 4096)
        return FMT_FAIL("the ARCH chunk describes an estimator of about %lld parameters but "
                        "WGTS holds %llu", (long long)estimate,
                        (unsigned long long)L->n_weights);
    sbi__estimator *est = NULL;
    int rc = sbi__estimator_create(c, NULL, &est);
    if (rc == SBI_EINVAL) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", sbi_last_error());
        return FMT_FAIL("the %s estimator of the ARCH chunk cannot be built: %s",
                        sbi_estimator_name(c->kind), msg);
    }
    if (rc != SBI_OK) return rc;
    if ((uint64_t)est->n_params != L->n_weights) {
        rc = FMT_FAIL("WGTS holds %llu weights where the %s estimator has %lld",
                      (unsigned long long)L->n_weights, sbi_estimator_name(c->kind),
                      (long long)est->n_params);
        sbi__estimator_free(est);
        return rc;
    }
    rd r = {L->weights, 8 * (size_t)L->n_weights, 0};
    get_f64s(&r, est->params, est->n_params);
    for (int64_t i = 0; i < est->n_params; i++) {
        if (!isfinite(est->params[i])) {
            rc = FMT_FAIL("weight %lld is not finite", (long long)i);
            sbi__estimator_free(est);
            return rc;
        }
    }
    const int32_t d = L->z_theta_dim, xd = L->z_x_dim;
    sbi_prior *prior = L->prior;
    L->prior = NULL; /* handed over */
    return sbi__posterior_assemble(out, est, prior, L->z, L->z + d, L->z + 2 * d,
                                   L->z + 2 * d + xd, L->epochs, L->n_train,
                                   L->best_validation_loss);
}

int sbi_posterior_load_mem(sbi_posterior **out, const void *buf, size_t len)
{
    static const char where[] = "sbi_posterior_load_mem";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(buf != NULL || len == 0, "%s: buf is NULL", where);
    const unsigned char *b = buf;
    if (len < SBI__FORMAT_HEADER_LEN)
        return FMT_FAIL("%zu bytes are too few for the %d-byte header", len,
                        SBI__FORMAT_HEADER_LEN);
    if (memcmp(b, SBI__FORMAT_MAGIC, SBI__FORMAT_MAGIC_LEN) != 0)
        return FMT_FAIL("not a libsbi posterior file (wrong magic bytes)");
    if (sbi__crc32(b, 12) != le32(b + 12))
        return FMT_FAIL("header checksum mismatch (corrupt header)");
    const uint16_t major = le16(b + 8), minor = le16(b + 10);
    if (major > SBI__FORMAT_MAJOR)
        return sbi__fail(SBI_EVERSION,
                         "posterior file: format version %u.%u is newer than this library reads "
                         "(%d.x); upgrade libsbi", (unsigned)major, (unsigned)minor,
                         SBI__FORMAT_MAJOR);
    if (major < 1) return FMT_FAIL("format major version %u does not exist", (unsigned)major);

    loader L;
    memset(&L, 0, sizeof L);
    L.minor = minor;
    int rc = read_chunks(&L, b, len);
    if (rc == SBI_OK) rc = assemble(&L, out);
    sbi_prior_free(L.prior);
    sbi__free(L.z);
    return rc;
}

/* ---- parameter-count estimate --------------------------------------------- */

int64_t sbi__format_param_estimate(const sbi__estimator_config *c)
{
    /* All fields are range-checked, so int64 arithmetic cannot overflow:
     * H <= 2^16, x <= 2^20, d <= 2^12, K <= 2^12, T, L <= 2^8, B <= 2^12. */
    const int64_t d = c->theta_dim, x = c->x_dim, H = c->hidden_features;
    const int64_t L = c->hidden_layers, K = c->num_components, T = c->num_transforms;
    const int64_t B = c->num_bins;
    switch (c->kind) {
    case SBI_ESTIMATOR_MDN:
        /* Trunk x->H, (L-1) x H->H; heads: logits K, means K d, precision
         * diagonal K d, strict upper triangle K d(d-1)/2 (spec B.2). */
        return x * H + H + (L - 1) * (H * H + H) + (H + 1) * (K + 2 * K * d + K * d * (d - 1) / 2);
    case SBI_ESTIMATOR_MAF:
        /* Per transform, MADE: input d->H, context x->H, L blocks H->H,
         * output H->2d (spec B.1). */
        return T * (d * H + H + x * H + H + L * (H * H + H) + 2 * d * H + 2 * d);
    case SBI_ESTIMATOR_NSF:
        /* Per coupling: a residual conditioner (input, L blocks of two H->H
         * layers with a context layer each, output of (3B - 1) values per
         * transformed dimension) and an LU layer (spec B.1). */
        return T * ((d + x + 1) * H + L * (2 * (H * H + H) + x * H) + (H + 1) * d * (3 * B - 1) +
                    d * d + d);
    default: return -1;
    }
}
