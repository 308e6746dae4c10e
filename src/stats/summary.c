/* Summary handles: a user callback or a built-in piece (moments, spike
 * count, sub-sampled samples), and concatenations of them. Handles are
 * immutable and reference counted, so composites keep their parts alive. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "core/internal.h"
#include "sbi/stats.h"
#include "stats/stats_internal.h"
#include "stats/summary_internal.h"

enum summary_kind { KIND_CALLBACK = 1, KIND_MOMENTS, KIND_SPIKES, KIND_SAMPLES, KIND_CONCAT };

struct sbi_summary {
    atomic_long refs;        /* references held by the caller and by composites */
    int kind;                /* one of enum summary_kind */
    int32_t raw_dim, out_dim;
    /* KIND_CALLBACK */
    sbi_summary_fn fn;
    void *user_data;
    sbi_destroy_fn destroy;
    /* KIND_MOMENTS and KIND_SAMPLES: window [begin, end), step; moment flags */
    int64_t begin, end, step;
    int32_t which;
    /* KIND_SPIKES */
    double dt, threshold, t_start, t_end, refractory;
    /* KIND_CONCAT: retained parts */
    int32_t nparts;
    sbi_summary **parts;
};

static int summary_new(sbi_summary **out, int kind, int32_t raw_dim, int32_t out_dim)
{
    sbi_summary *s = sbi__calloc(1, sizeof *s);
    if (!s) return sbi__oom("summary");
    atomic_init(&s->refs, 1);
    s->kind = kind;
    s->raw_dim = raw_dim;
    s->out_dim = out_dim;
    *out = s;
    return SBI_OK;
}

sbi_summary *sbi__summary_retain(const sbi_summary *summary)
{
    /* The count is the one mutable field of an otherwise immutable handle. */
    sbi_summary *s = (sbi_summary *)summary;
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void sbi_summary_free(sbi_summary *s)
{
    if (!s) return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) return;
    if (s->kind == KIND_CALLBACK && s->destroy) s->destroy(s->user_data);
    for (int32_t i = 0; i < s->nparts; i++) sbi_summary_free(s->parts[i]);
    sbi__free(s->parts);
    sbi__free(s);
}

int sbi_summary_create(sbi_summary **out, int32_t raw_dim, int32_t out_dim, sbi_summary_fn fn,
                       void *user_data)
{
    SBI_CHECK_PTR(out, "sbi_summary_create");
    *out = NULL;
    SBI_CHECK_PTR(fn, "sbi_summary_create");
    SBI_CHECK_ARG(raw_dim >= 1 && out_dim >= 1,
                  "sbi_summary_create: raw_dim=%d and out_dim=%d must be at least 1",
                  (int)raw_dim, (int)out_dim);
    sbi_summary *s = NULL;
    SBI_TRY(summary_new(&s, KIND_CALLBACK, raw_dim, out_dim));
    s->fn = fn;
    s->user_data = user_data;
    *out = s;
    return SBI_OK;
}

static int check_window(const char *where, int32_t raw_dim, int64_t begin, int64_t end)
{
    SBI_CHECK_ARG(raw_dim >= 1, "%s: raw_dim=%d must be at least 1", where, (int)raw_dim);
    SBI_CHECK_ARG(begin >= 0 && begin < end && end <= raw_dim,
                  "%s: window [%lld, %lld) is empty or outside [0, %d)", where, (long long)begin,
                  (long long)end, (int)raw_dim);
    return SBI_OK;
}

int sbi_summary_create_moments(sbi_summary **out, int32_t raw_dim, int64_t begin, int64_t end,
                               int32_t which)
{
    SBI_CHECK_PTR(out, "sbi_summary_create_moments");
    *out = NULL;
    SBI_TRY(check_window("sbi_summary_create_moments", raw_dim, begin, end));
    int32_t count;
    SBI_TRY(sbi_stats_moment_count(which, &count));
    sbi_summary *s = NULL;
    SBI_TRY(summary_new(&s, KIND_MOMENTS, raw_dim, count));
    s->begin = begin;
    s->end = end;
    s->which = which;
    *out = s;
    return SBI_OK;
}

int sbi_summary_create_spike_count(sbi_summary **out, int32_t raw_dim, double dt,
                                   double threshold, double t_start, double t_end,
                                   double refractory)
{
    SBI_CHECK_PTR(out, "sbi_summary_create_spike_count");
    *out = NULL;
    SBI_CHECK_ARG(raw_dim >= 1, "sbi_summary_create_spike_count: raw_dim=%d must be at least 1",
                  (int)raw_dim);
    /* Validate with the plain function on an empty trace. */
    int64_t unused;
    SBI_TRY(sbi_stats_spike_count(NULL, 0, dt, threshold, t_start, t_end, refractory, &unused));
    sbi_summary *s = NULL;
    SBI_TRY(summary_new(&s, KIND_SPIKES, raw_dim, 1));
    s->dt = dt;
    s->threshold = threshold;
    s->t_start = t_start;
    s->t_end = t_end;
    s->refractory = refractory;
    *out = s;
    return SBI_OK;
}

int sbi_summary_create_samples(sbi_summary **out, int32_t raw_dim, int64_t begin, int64_t end,
                               int64_t step)
{
    SBI_CHECK_PTR(out, "sbi_summary_create_samples");
    *out = NULL;
    SBI_TRY(check_window("sbi_summary_create_samples", raw_dim, begin, end));
    SBI_CHECK_ARG(step >= 1, "sbi_summary_create_samples: step=%lld must be at least 1",
                  (long long)step);
    sbi_summary *s = NULL;
    SBI_TRY(summary_new(&s, KIND_SAMPLES, raw_dim, (int32_t)((end - begin + step - 1) / step)));
    s->begin = begin;
    s->end = end;
    s->step = step;
    *out = s;
    return SBI_OK;
}

int sbi_summary_create_concat(sbi_summary **out, int32_t count, const sbi_summary *const *parts)
{
    SBI_CHECK_PTR(out, "sbi_summary_create_concat");
    *out = NULL;
    SBI_CHECK_ARG(count >= 1, "sbi_summary_create_concat: count=%d must be at least 1",
                  (int)count);
    SBI_CHECK_PTR(parts, "sbi_summary_create_concat");
    int64_t total = 0;
    for (int32_t i = 0; i < count; i++) {
        SBI_CHECK_ARG(parts[i] != NULL, "sbi_summary_create_concat: parts[%d] is NULL", (int)i);
        SBI_CHECK_ARG(parts[i]->raw_dim == parts[0]->raw_dim,
                      "sbi_summary_create_concat: parts[%d] has raw_dim %d, parts[0] has %d",
                      (int)i, (int)parts[i]->raw_dim, (int)parts[0]->raw_dim);
        total += parts[i]->out_dim;
    }
    SBI_CHECK_ARG(total <= INT32_MAX, "sbi_summary_create_concat: total out_dim %lld is too large",
                  (long long)total);
    sbi_summary *s = NULL;
    SBI_TRY(summary_new(&s, KIND_CONCAT, parts[0]->raw_dim, (int32_t)total));
    s->parts = sbi__calloc((size_t)count, sizeof *s->parts);
    if (!s->parts) {
        sbi__free(s);
        return sbi__oom("sbi_summary_create_concat");
    }
    for (int32_t i = 0; i < count; i++) s->parts[i] = sbi__summary_retain(parts[i]);
    s->nparts = count;
    *out = s;
    return SBI_OK;
}

int sbi_summary_set_destructor(sbi_summary *summary, sbi_destroy_fn destroy)
{
    SBI_CHECK_PTR(summary, "sbi_summary_set_destructor");
    SBI_CHECK_ARG(summary->kind == KIND_CALLBACK,
                  "sbi_summary_set_destructor: only a callback summary has user data");
    summary->destroy = destroy;
    return SBI_OK;
}

int sbi_summary_dims(const sbi_summary *summary, int32_t *raw_dim, int32_t *out_dim)
{
    SBI_CHECK_PTR(summary, "sbi_summary_dims");
    if (raw_dim) *raw_dim = summary->raw_dim;
    if (out_dim) *out_dim = summary->out_dim;
    return SBI_OK;
}

static int row_finite(const double *x, int32_t d)
{
    for (int32_t j = 0; j < d; j++)
        if (!isfinite(x[j])) return 0;
    return 1;
}

int sbi__summary_compute(const sbi_summary *s, int64_t n, const double *raw, double *out,
                         int32_t *status)
{
    const int64_t rd = s->raw_dim, od = s->out_dim;
    if (s->kind != KIND_CALLBACK && s->kind != KIND_CONCAT)
        for (int64_t i = 0; i < n; i++) status[i] = SBI_ROW_OK;
    switch (s->kind) {
    case KIND_CALLBACK: {
        memset(status, 0, sizeof(int32_t) * (size_t)n);
        int rc = s->fn(s->user_data, n, s->raw_dim, raw, s->out_dim, out, status);
        if (rc != 0)
            return sbi__fail(SBI_ECALLBACK, "summary: the callback returned %d", rc);
        for (int64_t i = 0; i < n; i++)
            status[i] = status[i] ? SBI_ROW_FAILED : SBI_ROW_OK;
        break;
    }
    case KIND_MOMENTS:
        for (int64_t i = 0; i < n; i++)
            sbi__stats_moments(raw + i * rd + s->begin, s->end - s->begin, s->which, out + i * od);
        break;
    case KIND_SPIKES:
        for (int64_t i = 0; i < n; i++)
            out[i] = (double)sbi__stats_spikes(raw + i * rd, rd, s->dt, s->threshold, s->t_start,
                                               s->t_end, s->refractory, 0, NULL);
        break;
    case KIND_SAMPLES:
        for (int64_t i = 0; i < n; i++) {
            int64_t k = 0;
            for (int64_t j = s->begin; j < s->end; j += s->step) out[i * od + k++] = raw[i * rd + j];
        }
        break;
    case KIND_CONCAT: {
        int32_t widest = 0;
        for (int32_t p = 0; p < s->nparts; p++)
            if (s->parts[p]->out_dim > widest) widest = s->parts[p]->out_dim;
        double *buf = sbi__malloc_array((size_t)n * (size_t)widest, sizeof(double));
        int32_t *st = sbi__malloc_array((size_t)n, sizeof(int32_t));
        if ((!buf || !st) && n > 0) {
            sbi__free(buf);
            sbi__free(st);
            return sbi__oom("summary");
        }
        for (int64_t i = 0; i < n; i++) status[i] = SBI_ROW_OK;
        int64_t col = 0;
        for (int32_t p = 0; p < s->nparts; p++) {
            const int64_t pd = s->parts[p]->out_dim;
            int rc = sbi__summary_compute(s->parts[p], n, raw, buf, st);
            if (rc != SBI_OK) {
                sbi__free(buf);
                sbi__free(st);
                return rc;
            }
            for (int64_t i = 0; i < n; i++) {
                memcpy(out + i * od + col, buf + i * pd, sizeof(double) * (size_t)pd);
                /* A failure in any part wins over a non-finite value. */
                if (st[i] == SBI_ROW_FAILED || status[i] == SBI_ROW_OK) {
                    if (st[i] != SBI_ROW_OK) status[i] = st[i];
                }
            }
            col += pd;
        }
        sbi__free(buf);
        sbi__free(st);
        return SBI_OK; /* the parts already marked non-finite rows */
    }
    default:
        return sbi__fail(SBI_EINVAL, "summary: corrupt handle"); /* LCOV_EXCL_LINE */
    }
    for (int64_t i = 0; i < n; i++)
        if (status[i] == SBI_ROW_OK && !row_finite(out + i * od, s->out_dim))
            status[i] = SBI_ROW_NONFINITE;
    return SBI_OK;
}

int sbi_summary_compute(const sbi_summary *summary, int64_t n, const double *raw, double *out,
                        int32_t *status)
{
    SBI_CHECK_PTR(summary, "sbi_summary_compute");
    SBI_CHECK_ARG(n >= 0, "sbi_summary_compute: n=%lld is negative", (long long)n);
    if (n == 0) return SBI_OK;
    SBI_CHECK_PTR(raw, "sbi_summary_compute");
    SBI_CHECK_PTR(out, "sbi_summary_compute");
    int32_t *st = status;
    if (!st) {
        st = sbi__malloc_array((size_t)n, sizeof(int32_t));
        if (!st) return sbi__oom("sbi_summary_compute");
    }
    int rc = sbi__summary_compute(summary, n, raw, out, st);
    if (st != status) sbi__free(st);
    return rc;
}
