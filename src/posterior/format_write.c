/* Writing a posterior in the chunked file format (docs/posterior-format.md).
 * Everything is serialised byte by byte in little-endian order, so the file
 * is the same on every machine. */
#include <string.h>

#include "core/internal.h"
#include "posterior/format_internal.h"
#include "posterior/posterior_internal.h"
#include "prior/prior_internal.h"

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *np = sbi__realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u16(wbuf *b, uint16_t v)
{
    const unsigned char s[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(b, s, 2);
}

static void put_u32(wbuf *b, uint32_t v)
{
    unsigned char s[4];
    for (int i = 0; i < 4; i++) s[i] = (unsigned char)(v >> (8 * i));
    put(b, s, 4);
}

static void put_u64(wbuf *b, uint64_t v)
{
    unsigned char s[8];
    for (int i = 0; i < 8; i++) s[i] = (unsigned char)(v >> (8 * i));
    put(b, s, 8);
}

static void put_i32(wbuf *b, int32_t v) { put_u32(b, (uint32_t)v); }
static void put_i64(wbuf *b, int64_t v) { put_u64(b, (uint64_t)v); }

/* IEEE-754 binary64, its bit pattern little-endian. */
static void put_f64(wbuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    put_u64(b, u);
}

static void put_f64s(wbuf *b, const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++) put_f64(b, v[i]);
}

/* A chunk: tag and a length placeholder now, length and CRC at the end. */
static size_t chunk_begin(wbuf *b, uint32_t tag)
{
    const size_t start = b->len;
    put_u32(b, tag);
    put_u64(b, 0);
    return start;
}

static void chunk_end(wbuf *b, size_t start)
{
    if (b->oom) return;
    const uint64_t payload = (uint64_t)(b->len - start - 12);
    for (int i = 0; i < 8; i++) b->p[start + 4 + i] = (unsigned char)(payload >> (8 * i));
    put_u32(b, sbi__crc32(b->p + start, b->len - start));
}

static void write_all(wbuf *b, const sbi_posterior *p)
{
    /* Header: magic, version, CRC of the 12 bytes. */
    put(b, SBI__FORMAT_MAGIC, SBI__FORMAT_MAGIC_LEN);
    put_u16(b, SBI__FORMAT_MAJOR);
    put_u16(b, SBI__FORMAT_MINOR);
    if (!b->oom) put_u32(b, sbi__crc32(b->p, 12));

    size_t c = chunk_begin(b, SBI__TAG_META);
    const char *text = "libsbi " SBI_VERSION_STRING;
    put_i32(b, sbi_version_number());
    put_u32(b, (uint32_t)strlen(text));
    put(b, text, strlen(text));
    chunk_end(b, c);

    const sbi_prior *pr = p->prior;
    const int32_t d = p->theta_dim, xd = p->x_dim;
    c = chunk_begin(b, SBI__TAG_PRIOR);
    put_i32(b, pr->kind);
    put_i32(b, pr->dim);
    if (pr->kind == SBI_PRIOR_BOX_UNIFORM) {
        put_f64s(b, pr->low, d);
        put_f64s(b, pr->high, d);
    } else {
        put_f64s(b, pr->mean, d);
        put_f64s(b, pr->cov, (int64_t)d * d);
    }
    chunk_end(b, c);

    c = chunk_begin(b, SBI__TAG_ZSCORE);
    put_i32(b, d);
    put_i32(b, xd);
    put_f64s(b, p->theta_shift, d);
    put_f64s(b, p->theta_scale, d);
    put_f64s(b, p->x_shift, xd);
    put_f64s(b, p->x_scale, xd);
    chunk_end(b, c);

    const sbi__estimator_config *cfg = &p->est->config;
    c = chunk_begin(b, SBI__TAG_ARCH);
    put_i32(b, cfg->kind);
    put_i32(b, cfg->theta_dim);
    put_i32(b, cfg->x_dim);
    put_i32(b, cfg->hidden_features);
    put_i32(b, cfg->hidden_layers);
    put_i32(b, cfg->num_components);
    put_i32(b, cfg->num_transforms);
    put_i32(b, cfg->num_bins);
    put_u64(b, cfg->structure_seed);
    chunk_end(b, c);

    c = chunk_begin(b, SBI__TAG_WGTS);
    put_u64(b, (uint64_t)p->est->n_params);
    put_f64s(b, p->est->params, p->est->n_params);
    chunk_end(b, c);

    c = chunk_begin(b, SBI__TAG_TRAIN);
    put_i64(b, p->epochs);
    put_i64(b, p->n_train);
    put_f64(b, p->best_validation_loss);
    chunk_end(b, c);

    chunk_end(b, chunk_begin(b, SBI__TAG_END));
}

int sbi_posterior_save_mem(const sbi_posterior *p, void **buf, size_t *len)
{
    static const char where[] = "sbi_posterior_save_mem";
    SBI_CHECK_PTR(buf, where);
    SBI_CHECK_PTR(len, where);
    *buf = NULL;
    *len = 0;
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_ARG(p->prior->kind == SBI_PRIOR_BOX_UNIFORM || p->prior->kind == SBI_PRIOR_GAUSSIAN,
                  "%s: the posterior's prior is a callback prior, which cannot be saved (the file "
                  "holds box-uniform and Gaussian priors only)", where);
    wbuf b = {NULL, 0, 0, 0};
    write_all(&b, p);
    if (b.oom) {
        sbi__free(b.p);
        return sbi__oom(where);
    }
    *buf = b.p;
    *len = b.len;
    return SBI_OK;
}
