/* A simulator whose x is a summary of another simulator's raw output
 * (declared in sbi/stats.h): the raw simulator runs in batches of at most
 * RAW_BATCH_BYTES of output, with the rows' own seeds, and each batch is
 * summarised at once. */
#include <math.h>

#include "core/internal.h"
#include "sim/sim_internal.h"
#include "stats/summary_internal.h"

/* Raw output held at once per call (per worker thread). */
#define RAW_BATCH_BYTES ((size_t)4 << 20)

typedef struct summary_sim {
    const struct sbi_simulator *raw; /* borrowed: must outlive the wrapper */
    sbi_summary *summary;            /* retained */
    int32_t raw_dim;
} summary_sim;

static void summary_sim_release(void *p)
{
    summary_sim *w = p;
    sbi_summary_free(w->summary);
    sbi__free(w);
}

/* The wrapper's simulate callback. Returns the raw simulator's non-zero
 * value if it fails, SBI_ECALLBACK if the summary fails, SBI_ENOMEM. */
static int summary_sim_run(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                           const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    const summary_sim *w = user_data;
    const size_t rd = (size_t)w->raw_dim;
    int64_t batch = (int64_t)(RAW_BATCH_BYTES / sizeof(double) / rd);
    if (batch < 1) batch = 1;
    if (batch > n) batch = n;
    double *raw = sbi__malloc_array((size_t)batch * rd, sizeof(double));
    int32_t *raw_status = sbi__malloc_array((size_t)batch, sizeof(int32_t));
    int32_t *sum_status = sbi__malloc_array((size_t)batch, sizeof(int32_t));
    int rc = (raw && raw_status && sum_status) ? 0 : SBI_ENOMEM;
    for (int64_t b = 0; b < n && rc == 0; b += batch) {
        const int64_t m = n - b < batch ? n - b : batch;
        rc = sbi__simulator_call(w->raw, m, theta + (size_t)b * (size_t)theta_dim, seeds + b, raw,
                                 raw_status);
        if (rc != 0) break;
        double *xb = x + (size_t)b * (size_t)x_dim;
        if (sbi__summary_compute(w->summary, m, raw, xb, sum_status) != SBI_OK) {
            rc = SBI_ECALLBACK;
            break;
        }
        for (int64_t i = 0; i < m; i++) {
            if (raw_status[i] == SBI_ROW_OK && sum_status[i] != SBI_ROW_FAILED) continue;
            status[b + i] = 1;
            sbi__fill_nan(xb + (size_t)i * (size_t)x_dim, (size_t)x_dim);
        }
    }
    sbi__free(raw);
    sbi__free(raw_status);
    sbi__free(sum_status);
    return rc;
}

int sbi_simulator_create_with_summary(sbi_simulator **out, const sbi_simulator *raw,
                                      const sbi_summary *summary)
{
    static const char *where = "sbi_simulator_create_with_summary";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(raw, where);
    SBI_CHECK_PTR(summary, where);
    int32_t raw_dim = 0, out_dim = 0;
    SBI_TRY(sbi_summary_dims(summary, &raw_dim, &out_dim));
    SBI_CHECK_ARG(raw->x_dim == raw_dim,
                  "%s: the raw simulator's x_dim %d differs from the summary's raw_dim %d", where,
                  (int)raw->x_dim, (int)raw_dim);
    summary_sim *w = sbi__calloc(1, sizeof *w);
    if (!w) return sbi__oom(where);
    w->raw = raw;
    w->raw_dim = raw_dim;
    int rc = sbi_simulator_create(out, raw->theta_dim, out_dim, summary_sim_run, w);
    if (rc != SBI_OK) {
        sbi__free(w);
        return rc;
    }
    w->summary = sbi__summary_retain(summary);
    (*out)->owned = w;
    (*out)->release = summary_sim_release;
    return SBI_OK;
}
