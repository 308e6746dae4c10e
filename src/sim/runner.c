/* The runner's handle, its options and the two public entry points. The
 * execution itself (threads, chunks, progress) lives in run.c. */
#include <string.h>

#include "core/internal.h"
#include "prior/prior_internal.h"
#include "sim/runner_internal.h"

/* Upper bound on worker threads: far above any sensible machine, low enough
 * that a typo (e.g. -1 cast to a huge count) fails loudly. */
#define SBI_MAX_WORKERS 4096

int sbi_runner_create(sbi_runner **out, const sbi_simulator *sim)
{
    static const char *where = "sbi_runner_create";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(sim, where);
    struct sbi_runner *r = sbi__calloc(1, sizeof *r);
    if (!r) return sbi__oom(where);
    r->sim = sim;
    r->workers = 1;
    r->chunk_size = 64;
    atomic_init(&r->cancel, 0);
    *out = r;
    return SBI_OK;
}

void sbi_runner_free(sbi_runner *runner)
{
    if (!runner) return;
    sbi__free(runner->checkpoint_path);
    sbi__free(runner);
}

int sbi_runner_set_workers(sbi_runner *runner, int32_t workers)
{
    static const char *where = "sbi_runner_set_workers";
    SBI_CHECK_PTR(runner, where);
    SBI_CHECK_ARG(workers >= 0 && workers <= SBI_MAX_WORKERS,
                  "%s: workers=%d is not in 0..%d", where, (int)workers, SBI_MAX_WORKERS);
    runner->workers = workers;
    return SBI_OK;
}

int sbi_runner_set_chunk_size(sbi_runner *runner, int64_t rows)
{
    static const char *where = "sbi_runner_set_chunk_size";
    SBI_CHECK_PTR(runner, where);
    SBI_CHECK_ARG(rows >= 1, "%s: rows=%lld must be at least 1", where, (long long)rows);
    runner->chunk_size = rows;
    return SBI_OK;
}

int sbi_runner_set_progress(sbi_runner *runner, sbi_progress_fn fn, void *user_data)
{
    SBI_CHECK_PTR(runner, "sbi_runner_set_progress");
    runner->progress = fn;
    runner->progress_data = user_data;
    return SBI_OK;
}

int sbi_runner_set_first_index(sbi_runner *runner, int64_t first)
{
    SBI_CHECK_PTR(runner, "sbi_runner_set_first_index");
    SBI_CHECK_ARG(first >= 0, "sbi_runner_set_first_index: first=%lld is negative",
                  (long long)first);
    runner->first_index = first;
    return SBI_OK;
}

int sbi_runner_set_checkpoint(sbi_runner *runner, const char *path)
{
    static const char *where = "sbi_runner_set_checkpoint";
    SBI_CHECK_PTR(runner, where);
    SBI_CHECK_ARG(path == NULL || path[0] != '\0', "%s: path is empty", where);
    char *copy = NULL;
    if (path) {
        copy = sbi__strdup(path);
        if (!copy) return sbi__oom(where);
    }
    sbi__free(runner->checkpoint_path);
    runner->checkpoint_path = copy;
    return SBI_OK;
}

int sbi_runner_cancel(sbi_runner *runner)
{
    SBI_CHECK_PTR(runner, "sbi_runner_cancel");
    atomic_store(&runner->cancel, 1);
    return SBI_OK;
}

/* Shared checks of the entry points; allocates the result dataset. */
static int run_begin(const char *where, sbi_runner *runner, int64_t n, sbi_dataset **out,
                     struct sbi_dataset **ds)
{
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(runner, where);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    const struct sbi_simulator *sim = runner->sim;
    SBI_CHECK_ARG(n <= INT64_MAX / sim->theta_dim && n <= INT64_MAX / sim->x_dim,
                  "%s: n=%lld rows overflow", where, (long long)n);
    SBI_CHECK_ARG(n <= INT64_MAX - runner->first_index,
                  "%s: first index %lld + n=%lld overflows", where,
                  (long long)runner->first_index, (long long)n);
    *ds = sbi__dataset_new(n, sim->theta_dim, sim->x_dim);
    if (!*ds) return sbi__oom(where);
    return SBI_OK;
}

/* Run, then hand over the dataset: errors before any simulation started
 * leave *out NULL, later ones hand over the partial dataset (see the header). */
static int run_finish(sbi_runner *runner, const sbi_prior *prior, uint64_t seed,
                      struct sbi_dataset *ds, sbi_dataset **out)
{
    int started = 0;
    int rc = sbi__runner_execute(runner, prior, seed, ds, &started);
    if (rc != SBI_OK && !started) {
        sbi_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return rc;
}

int sbi_runner_run_prior(sbi_runner *runner, const sbi_prior *prior, int64_t n, uint64_t seed,
                         sbi_dataset **out)
{
    static const char *where = "sbi_runner_run_prior";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(runner, where);
    SBI_CHECK_PTR(prior, where);
    SBI_CHECK_ARG(prior->dim == runner->sim->theta_dim,
                  "%s: the prior's dim %d differs from the simulator's theta_dim %d", where,
                  (int)prior->dim, (int)runner->sim->theta_dim);
    struct sbi_dataset *ds = NULL;
    SBI_TRY(run_begin(where, runner, n, out, &ds));
    return run_finish(runner, prior, seed, ds, out);
}

int sbi_runner_run(sbi_runner *runner, int64_t n, const double *theta, uint64_t seed,
                   sbi_dataset **out)
{
    static const char *where = "sbi_runner_run";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(runner, where);
    SBI_CHECK_ARG(n == 0 || theta != NULL, "%s: theta is NULL", where);
    struct sbi_dataset *ds = NULL;
    SBI_TRY(run_begin(where, runner, n, out, &ds));
    if (n > 0) memcpy(ds->theta, theta, (size_t)n * (size_t)ds->theta_dim * sizeof(double));
    return run_finish(runner, NULL, seed, ds, out);
}
