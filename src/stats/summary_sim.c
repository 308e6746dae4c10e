/* A simulator composed of a raw simulator and a summary: x = summary(raw). */
#include <math.h>

#include "core/internal.h"
#include "sbi/stats.h"
#include "stats/summary_internal.h"

/* Raw output buffered per batch: bounded so that long raw rows (traces) do
 * not make a large chunk allocate hundreds of megabytes. */
enum { RAW_BATCH_BYTES = 4 << 20 };

struct with_summary {
    const sbi_simulator *raw; /* borrowed: must outlive the composed handle */
    sbi_summary *summary;     /* retained */
    int32_t theta_dim, raw_dim, x_dim;
};

static void with_summary_destroy(void *user_data)
{
    struct with_summary *w = user_data;
    sbi_summary_free(w->summary);
    sbi__free(w);
}

static int with_summary_simulate(void *user_data, int64_t n, int32_t theta_dim,
                                 const double *theta, const uint64_t *seeds, int32_t x_dim,
                                 double *x, int32_t *status)
{
    const struct with_summary *w = user_data;
    int64_t batch = RAW_BATCH_BYTES / ((int64_t)sizeof(double) * w->raw_dim);
    if (batch < 1) batch = 1;
    if (batch > n) batch = n;
    double *raw = sbi__malloc_array((size_t)batch * (size_t)w->raw_dim, sizeof(double));
    int32_t *rst = sbi__malloc_array((size_t)batch, sizeof(int32_t));
    int32_t *sst = sbi__malloc_array((size_t)batch, sizeof(int32_t));
    int rc = (raw && rst && sst) ? SBI_OK : sbi__oom("simulator with summary");
    for (int64_t off = 0; rc == SBI_OK && off < n; off += batch) {
        int64_t b = n - off < batch ? n - off : batch;
        rc = sbi_simulator_run(w->raw, b, theta + off * theta_dim, seeds + off, raw, rst);
        if (rc == SBI_OK) rc = sbi__summary_compute(w->summary, b, raw, x + off * x_dim, sst);
        for (int64_t i = 0; rc == SBI_OK && i < b; i++) {
            if (rst[i] == SBI_ROW_OK && sst[i] == SBI_ROW_OK) continue;
            status[off + i] = 1;
            for (int32_t j = 0; j < x_dim; j++) x[(off + i) * x_dim + j] = NAN;
        }
    }
    sbi__free(raw);
    sbi__free(rst);
    sbi__free(sst);
    return rc;
}

int sbi_simulator_create_with_summary(sbi_simulator **out, const sbi_simulator *raw,
                                      const sbi_summary *summary)
{
    SBI_CHECK_PTR(out, "sbi_simulator_create_with_summary");
    *out = NULL;
    SBI_CHECK_PTR(raw, "sbi_simulator_create_with_summary");
    SBI_CHECK_PTR(summary, "sbi_simulator_create_with_summary");
    int32_t theta_dim, raw_x_dim, raw_dim, x_dim;
    SBI_TRY(sbi_simulator_dims(raw, &theta_dim, &raw_x_dim));
    SBI_TRY(sbi_summary_dims(summary, &raw_dim, &x_dim));
    SBI_CHECK_ARG(raw_x_dim == raw_dim,
                  "sbi_simulator_create_with_summary: the simulator's x_dim %d differs from the "
                  "summary's raw_dim %d",
                  (int)raw_x_dim, (int)raw_dim);
    struct with_summary *w = sbi__calloc(1, sizeof *w);
    if (!w) return sbi__oom("sbi_simulator_create_with_summary");
    w->raw = raw;
    w->theta_dim = theta_dim;
    w->raw_dim = raw_dim;
    w->x_dim = x_dim;
    sbi_simulator *sim = NULL;
    int rc = sbi_simulator_create(&sim, theta_dim, x_dim, with_summary_simulate, w);
    if (rc == SBI_OK) rc = sbi_simulator_set_destructor(sim, with_summary_destroy);
    if (rc != SBI_OK) {
        sbi_simulator_free(sim); /* no destructor set yet, or setting it failed */
        sbi__free(w);
        return rc;
    }
    w->summary = sbi__summary_retain(summary);
    *out = sim;
    return SBI_OK;
}
