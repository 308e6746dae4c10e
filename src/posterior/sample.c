/* Sampling with rejection to the prior's support, batched as the reference
 * does (spec B.5), with a proposal budget so that it never hangs. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "posterior/posterior_internal.h"

/* Proposal buffers: on the stack while a batch is small (a latency-critical
 * call of a few samples then allocates nothing), else on the heap. Their
 * contents never outlive a batch, so growing does not copy. */
#define STACK_PROPOSALS 128
#define STACK_DOUBLES 512

typedef struct proposals {
    double stack_buf[STACK_DOUBLES];
    int32_t stack_inside[STACK_PROPOSALS];
    double *buf;
    int32_t *inside;
    int64_t cap; /* rows */
} proposals;

static void proposals_release(proposals *q)
{
    if (q->buf != q->stack_buf) sbi__free(q->buf);
    if (q->inside != q->stack_inside) sbi__free(q->inside);
    q->buf = NULL;
    q->inside = NULL;
    q->cap = 0;
}

/* Room for `rows` proposals of dimension d (what was there is lost). */
static int proposals_reserve(proposals *q, int64_t rows, int32_t d)
{
    if (rows <= q->cap) return SBI_OK;
    proposals_release(q);
    if (rows <= STACK_PROPOSALS && rows * d <= STACK_DOUBLES) {
        q->buf = q->stack_buf;
        q->inside = q->stack_inside;
    } else {
        q->buf = sbi__malloc_array((size_t)rows * (size_t)d, sizeof(double));
        q->inside = sbi__malloc_array((size_t)rows, sizeof(int32_t));
        if (!q->buf || !q->inside) {
            proposals_release(q);
            return sbi__oom("posterior sample");
        }
    }
    q->cap = rows;
    return SBI_OK;
}

int sbi__posterior_rejection(const sbi_posterior *p, sbi_rng *rng, const double *xz, int64_t n,
                             int64_t budget, double *out, int64_t *n_out, int64_t *drawn,
                             int64_t *accepted)
{
    const int32_t d = p->theta_dim;
    int64_t written = 0, total_drawn = 0, total_accepted = 0;
    *n_out = 0;
    *drawn = 0;
    *accepted = 0;
    if (n == 0) return SBI_OK;

    int64_t batch = n < SBI__REJECTION_MAX_BATCH ? n : SBI__REJECTION_MAX_BATCH;
    /* Buffers for the first batch; they grow if later batches are larger. */
    proposals q = {.cap = 0};
    int rc = proposals_reserve(&q, batch, d);
    if (rc != SBI_OK) goto done;
    while (written < n) {
        if (total_drawn >= budget) {
            rc = sbi__fail(SBI_EBUDGET,
                           "posterior sample: the budget of %lld proposals ran out with %lld of "
                           "%lld samples inside the prior's support (acceptance %.3g%%)",
                           (long long)budget, (long long)written, (long long)n,
                           100.0 * (double)total_accepted / (double)total_drawn);
            goto done;
        }
        const int64_t b = batch < budget - total_drawn ? batch : budget - total_drawn;
        rc = proposals_reserve(&q, b, d);
        if (rc != SBI_OK) goto done;
        double *buf = q.buf;
        int32_t *inside = q.inside;
        rc = p->est->ops->sample(p->est, xz, b, rng, buf);
        if (rc != SBI_OK) goto done;
        for (int64_t i = 0; i < b; i++)
            for (int32_t j = 0; j < d; j++)
                buf[i * d + j] = buf[i * d + j] * p->theta_scale[j] + p->theta_shift[j];
        rc = sbi__posterior_in_support(p, b, buf, inside);
        if (rc != SBI_OK) goto done;
        for (int64_t i = 0; i < b; i++) {
            if (!inside[i]) continue;
            total_accepted++;
            if (written < n) {
                if (out) memcpy(out + written * d, buf + i * d, (size_t)d * sizeof(double));
                written++;
            }
        }
        total_drawn += b;
        /* Next batch: enough to finish at the current acceptance, with 50 %
         * margin, within [100, 10 000]. */
        const double rate = (double)total_accepted / (double)total_drawn;
        const double want = floor(1.5 * (double)(n - written) / (rate > 1e-12 ? rate : 1e-12));
        batch = want > SBI__REJECTION_MAX_BATCH ? SBI__REJECTION_MAX_BATCH
                : want < SBI__REJECTION_MIN_BATCH ? SBI__REJECTION_MIN_BATCH
                                                  : (int64_t)want;
    }
done:
    *n_out = written;
    *drawn = total_drawn;
    *accepted = total_accepted;
    proposals_release(&q);
    return rc;
}

static int check_x(const sbi_posterior *p, const double *x, const char *where)
{
    SBI_CHECK_PTR(x, where);
    for (int32_t j = 0; j < p->x_dim; j++)
        SBI_CHECK_ARG(isfinite(x[j]), "%s: x[%d]=%g is not finite", where, (int)j, x[j]);
    return SBI_OK;
}

int sbi_posterior_sample_ex(const sbi_posterior *p, sbi_rng *rng, const double *x, int64_t n,
                            int64_t max_proposals, double *out, int64_t *n_out,
                            double *acceptance)
{
    static const char where[] = "sbi_posterior_sample_ex";
    if (n_out) *n_out = 0;
    if (acceptance) *acceptance = NAN;
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_PTR(rng, where);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    SBI_CHECK_ARG(max_proposals >= 0, "%s: max_proposals=%lld is negative", where,
                  (long long)max_proposals);
    SBI_CHECK_ARG(n == 0 || out != NULL, "%s: out is NULL", where);
    SBI_TRY(check_x(p, x, where));

    /* The z-scored x: on the stack for the usual few dimensions. */
    double xz_stack[64];
    double *xz = p->x_dim <= 64 ? xz_stack : sbi__malloc_array((size_t)p->x_dim, sizeof(double));
    if (!xz) return sbi__oom(where);
    sbi__posterior_zscore_x(p, x, xz);
    const int64_t budget = max_proposals ? max_proposals : sbi__posterior_default_budget(n);
    int64_t written = 0, drawn = 0, accepted = 0;
    int rc = sbi__posterior_rejection(p, rng, xz, n, budget, out, &written, &drawn, &accepted);
    if (xz != xz_stack) sbi__free(xz);
    if (n_out) *n_out = written;
    if (acceptance) *acceptance = drawn ? (double)accepted / (double)drawn : 1.0;
    return rc;
}

int sbi_posterior_sample(const sbi_posterior *p, sbi_rng *rng, const double *x, int64_t n,
                         double *out)
{
    return sbi_posterior_sample_ex(p, rng, x, n, 0, out, NULL, NULL);
}

int sbi_posterior_sample_batched(const sbi_posterior *p, sbi_rng *rng, int64_t n_obs,
                                 const double *xs, int64_t n, double *out)
{
    static const char where[] = "sbi_posterior_sample_batched";
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_PTR(rng, where);
    SBI_CHECK_ARG(n_obs >= 0, "%s: n_obs=%lld is negative", where, (long long)n_obs);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    if (n_obs == 0 || n == 0) return SBI_OK;
    SBI_CHECK_PTR(xs, where);
    SBI_CHECK_PTR(out, where);
    SBI_CHECK_ARG(n <= INT64_MAX / n_obs / p->theta_dim, "%s: n_obs*n*theta_dim overflows",
                  where);
    /* Check every observation first, so a bad one fails before any work. */
    for (int64_t i = 0; i < n_obs; i++)
        for (int32_t j = 0; j < p->x_dim; j++)
            SBI_CHECK_ARG(isfinite(xs[i * p->x_dim + j]), "%s: xs[%lld][%d]=%g is not finite",
                          where, (long long)i, (int)j, xs[i * p->x_dim + j]);

    double *xz = sbi__malloc_array((size_t)p->x_dim, sizeof(double));
    if (!xz) return sbi__oom(where);
    const int64_t budget = sbi__posterior_default_budget(n);
    int rc = SBI_OK;
    /* One observation after the other from the same generator: the result
     * is a pure function of (posterior, rng state, xs, n). */
    for (int64_t i = 0; i < n_obs && rc == SBI_OK; i++) {
        int64_t written, drawn, accepted;
        sbi__posterior_zscore_x(p, xs + i * p->x_dim, xz);
        rc = sbi__posterior_rejection(p, rng, xz, n, budget, out + i * n * p->theta_dim, &written,
                                      &drawn, &accepted);
        if (rc == SBI_EBUDGET)
            rc = sbi__fail(SBI_EBUDGET,
                           "%s: observation %lld: the budget of %lld proposals ran out with %lld "
                           "of %lld samples accepted (observations before it are complete)",
                           where, (long long)i, (long long)budget, (long long)written,
                           (long long)n);
    }
    sbi__free(xz);
    return rc;
}
