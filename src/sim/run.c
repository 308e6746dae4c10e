/* The runner's execution engine.
 *
 * Rows still pending are cut into ranges of at most chunk_size rows; workers
 * take ranges dynamically (an atomic counter) and write their rows of the
 * dataset in place (ranges are disjoint, so no locking is needed for data).
 * Row i of the run is global row g = first + i: its theta comes from the
 * prior's stream (seed, g) and its simulator seed is sbi_seed_for_index(seed,
 * g), so a row's result depends on nothing but (seed, g), whatever the thread
 * count, chunk size or order.
 *
 * Every finished range passes through commit_range() on the caller's thread,
 * in completion order: the one place where results leave the run (checkpoint
 * record, progress report). With one worker the caller's thread does all
 * the work and no thread is created.
 *
 * With a checkpoint file, rows found in it are loaded first and only the
 * rows still pending are planned: since a row depends only on (seed, global
 * index), the resumed dataset equals an uninterrupted run's. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "prior/prior_internal.h"
#include "rng/rng_internal.h"
#include "sim/checkpoint.h"
#include "sim/runner_internal.h"

typedef struct run_range {
    int64_t start; /* first row (index into the run's dataset) */
    int64_t count; /* rows, 1..chunk_size */
} run_range;

typedef struct run_state {
    struct sbi_runner *runner;
    const struct sbi_simulator *sim;
    const sbi_prior *prior; /* NULL when theta was given */
    uint64_t seed;
    int64_t first;          /* global index of row 0 */
    struct sbi_dataset *ds;
    sbi__checkpoint *checkpoint; /* NULL: none */
    int checkpoint_failed;  /* a record failed: append no more (caller's thread) */
    run_range *ranges;
    int64_t n_ranges;
    int64_t rows_done;      /* committed rows (caller's thread only) */
    atomic_llong next;      /* next range to hand out */
    atomic_int stop;        /* an error happened: take no new range */
    pthread_mutex_t mu;     /* guards the fields below */
    pthread_cond_t cv;      /* signalled when a range completes or a worker exits */
    int64_t *completed;     /* [n_ranges] finished range indices, in order */
    int64_t n_completed;
    int active;             /* worker threads still running */
    int status;             /* first error of the run (SBI_OK if none) */
    char message[512];      /* its message, copied from the failing thread */
} run_state;

typedef struct worker_arg {
    run_state *run;
    uint64_t *seeds; /* [chunk_size] scratch */
} worker_arg;

/* Record the first error (with the calling thread's message) and stop. */
static void record_error(run_state *run, int status)
{
    pthread_mutex_lock(&run->mu);
    if (run->status == SBI_OK) {
        run->status = status;
        snprintf(run->message, sizeof run->message, "%s", sbi_last_error());
    }
    pthread_mutex_unlock(&run->mu);
    atomic_store(&run->stop, 1);
}

static int should_stop(run_state *run)
{
    return atomic_load(&run->stop) || atomic_load(&run->runner->cancel);
}

/* Simulate one range into the dataset. On error the message is set on the
 * calling thread and the range's rows stay pending (theta drawn from the
 * prior goes back to NaN). */
static int simulate_range(run_state *run, const run_range *rg, uint64_t *seeds)
{
    struct sbi_dataset *ds = run->ds;
    const size_t td = (size_t)ds->theta_dim, xd = (size_t)ds->x_dim;
    const uint64_t global = (uint64_t)(run->first + rg->start);
    double *theta = ds->theta + (size_t)rg->start * td;
    if (run->prior) {
        struct sbi_rng rng;
        for (int64_t k = 0; k < rg->count; k++) {
            sbi__rng_init(&rng, run->seed, global + (uint64_t)k);
            int rc = sbi_prior_sample(run->prior, &rng, 1, theta + (size_t)k * td);
            if (rc != SBI_OK) {
                sbi__fill_nan(theta, (size_t)rg->count * td);
                return rc;
            }
        }
    }
    for (int64_t k = 0; k < rg->count; k++)
        seeds[k] = sbi_seed_for_index(run->seed, global + (uint64_t)k);
    int rc = sbi__simulator_call(run->sim, rg->count, theta, seeds, ds->x + (size_t)rg->start * xd,
                                 ds->status + rg->start);
    if (rc != 0) {
        if (run->prior) sbi__fill_nan(theta, (size_t)rg->count * td);
        return sbi__fail(SBI_ESIMULATOR,
                         "runner: the simulator returned %d for rows %lld..%lld of the run", rc,
                         (long long)rg->start, (long long)(rg->start + rg->count - 1));
    }
    return SBI_OK;
}

/* The one place where a finished range leaves the run (caller's thread). */
static int commit_range(run_state *run, const run_range *rg)
{
    struct sbi_runner *runner = run->runner;
    /* After a failed write the file may end in a torn record, which a resume
     * stops at: appending more would only add records nobody reads. */
    if (run->checkpoint && !run->checkpoint_failed) {
        int rc = sbi__checkpoint_append(run->checkpoint, run->ds, rg->start, rg->count);
        if (rc != SBI_OK) {
            run->checkpoint_failed = 1;
            return rc;
        }
    }
    run->rows_done += rg->count;
    if (runner->progress && !should_stop(run)) {
        if (runner->progress(runner->progress_data, run->rows_done, run->ds->n) != 0)
            atomic_store(&runner->cancel, 1);
    }
    return SBI_OK;
}

static void *worker_main(void *p)
{
    worker_arg *w = p;
    run_state *run = w->run;
    while (!should_stop(run)) {
        int64_t r = atomic_fetch_add(&run->next, 1);
        if (r >= run->n_ranges) break;
        int rc = simulate_range(run, &run->ranges[r], w->seeds);
        if (rc != SBI_OK) {
            record_error(run, rc);
            break;
        }
        pthread_mutex_lock(&run->mu);
        run->completed[run->n_completed++] = r;
        pthread_cond_signal(&run->cv);
        pthread_mutex_unlock(&run->mu);
    }
    pthread_mutex_lock(&run->mu);
    run->active--;
    pthread_cond_signal(&run->cv);
    pthread_mutex_unlock(&run->mu);
    return NULL;
}

/* All work on the caller's thread. */
static void run_serial(run_state *run, uint64_t *seeds)
{
    for (int64_t r = 0; r < run->n_ranges && !should_stop(run); r++) {
        int rc = simulate_range(run, &run->ranges[r], seeds);
        if (rc == SBI_OK) rc = commit_range(run, &run->ranges[r]);
        if (rc != SBI_OK) record_error(run, rc);
    }
}

/* Start up to `workers` threads; the caller's thread commits finished ranges
 * as they arrive. If no thread can be started, fall back to serial. */
static void run_parallel(run_state *run, int workers, worker_arg *args, pthread_t *threads)
{
    int started = 0;
    for (int t = 0; t < workers; t++) {
        pthread_mutex_lock(&run->mu);
        run->active++;
        pthread_mutex_unlock(&run->mu);
        if (pthread_create(&threads[t], NULL, worker_main, &args[t]) != 0) {
            pthread_mutex_lock(&run->mu);
            run->active--;
            pthread_mutex_unlock(&run->mu);
            break; /* run with the threads we have */
        }
        started++;
    }
    if (started == 0) {
        run_serial(run, args[0].seeds);
        return;
    }
    int64_t head = 0;
    pthread_mutex_lock(&run->mu);
    while (run->active > 0 || head < run->n_completed) {
        if (head == run->n_completed) {
            pthread_cond_wait(&run->cv, &run->mu);
            continue;
        }
        int64_t r = run->completed[head++];
        pthread_mutex_unlock(&run->mu);
        int rc = commit_range(run, &run->ranges[r]);
        if (rc != SBI_OK) record_error(run, rc);
        pthread_mutex_lock(&run->mu);
    }
    pthread_mutex_unlock(&run->mu);
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
}

/* Cut the pending rows of ds into ranges of at most chunk rows. */
static int plan_ranges(run_state *run, int64_t chunk)
{
    const struct sbi_dataset *ds = run->ds;
    int64_t count = 0;
    for (int pass = 0; pass < 2; pass++) {
        int64_t i = 0;
        count = 0;
        while (i < ds->n) {
            if (ds->status[i] != SBI_ROW_PENDING) {
                i++;
                continue;
            }
            int64_t j = i;
            while (j < ds->n && ds->status[j] == SBI_ROW_PENDING && j - i < chunk) j++;
            if (pass == 1) run->ranges[count] = (run_range){i, j - i};
            count++;
            i = j;
        }
        if (pass == 0) {
            run->ranges = sbi__malloc_array((size_t)(count ? count : 1), sizeof(run_range));
            run->completed = sbi__malloc_array((size_t)(count ? count : 1), sizeof(int64_t));
            if (!run->ranges || !run->completed) return sbi__oom("runner");
        }
    }
    run->n_ranges = count;
    return SBI_OK;
}

static int effective_workers(const struct sbi_runner *runner, int64_t n_ranges)
{
    int64_t w = runner->workers;
    if (w == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        w = cores > 0 ? cores : 1;
    }
    if (w > n_ranges) w = n_ranges;
    return w < 1 ? 1 : (int)w;
}

/* Open the checkpoint and load the rows it holds; for a prior run, check
 * that the loaded theta are what this prior draws for those rows. */
static int open_checkpoint(run_state *run, int64_t chunk_rows, int *started)
{
    struct sbi_dataset *ds = run->ds;
    const sbi__run_identity id = {ds->theta_dim, ds->x_dim, run->prior == NULL, run->seed,
                                  run->first, ds->n};
    int64_t loaded = 0;
    SBI_TRY(sbi__checkpoint_open(&run->checkpoint, run->runner->checkpoint_path, &id, ds,
                                 chunk_rows, &loaded));
    run->rows_done = loaded;
    if (loaded == 0) return SBI_OK;
    if (run->prior) {
        const size_t td = (size_t)ds->theta_dim;
        double *draw = sbi__malloc_array(td, sizeof(double));
        if (!draw) return sbi__oom("runner");
        struct sbi_rng rng;
        int rc = SBI_OK;
        for (int64_t i = 0; i < ds->n && rc == SBI_OK; i++) {
            if (ds->status[i] == SBI_ROW_PENDING) continue;
            sbi__rng_init(&rng, run->seed, (uint64_t)(run->first + i));
            rc = sbi_prior_sample(run->prior, &rng, 1, draw);
            if (rc == SBI_OK && memcmp(draw, ds->theta + (size_t)i * td, td * sizeof(double)) != 0)
                rc = sbi__fail(SBI_EINVAL,
                               "runner: checkpoint '%s' holds another theta for row %lld than "
                               "this prior draws (was it written with another prior?)",
                               run->runner->checkpoint_path, (long long)i);
        }
        sbi__free(draw);
        SBI_TRY(rc);
    }
    *started = 1;
    return SBI_OK;
}

/* Close the checkpoint (flushing it), keeping an earlier error's message. */
static int close_checkpoint(run_state *run, int rc)
{
    if (!run->checkpoint) return rc;
    char saved[512];
    snprintf(saved, sizeof saved, "%s", sbi_last_error());
    int close_rc = sbi__checkpoint_close(run->checkpoint);
    run->checkpoint = NULL;
    if (rc == SBI_OK) return close_rc;
    return sbi__fail(rc, "%s", saved);
}

int sbi__runner_execute(struct sbi_runner *runner, const sbi_prior *prior, uint64_t seed,
                        struct sbi_dataset *ds, int *started)
{
    *started = 0;
    atomic_store(&runner->cancel, 0);
    run_state run;
    memset(&run, 0, sizeof run);
    run.runner = runner;
    run.sim = runner->sim;
    run.prior = prior;
    run.seed = seed;
    run.first = runner->first_index;
    run.ds = ds;
    atomic_init(&run.next, 0);
    atomic_init(&run.stop, 0);
    run.status = SBI_OK;

    /* Rows per range: at most the chunk size, and no more than there are. */
    const int64_t chunk_rows = runner->chunk_size < ds->n ? runner->chunk_size
                                                          : (ds->n > 0 ? ds->n : 1);
    int rc = SBI_OK;
    if (runner->checkpoint_path) rc = open_checkpoint(&run, chunk_rows, started);
    if (rc == SBI_OK) rc = plan_ranges(&run, chunk_rows);
    int workers = effective_workers(runner, run.n_ranges);
    /* Scratch per worker, allocated here so workers never allocate. */
    uint64_t *seeds = NULL;
    worker_arg *args = NULL;
    pthread_t *threads = NULL;
    if (rc == SBI_OK) {
        seeds = sbi__malloc_array((size_t)workers * (size_t)chunk_rows, sizeof(uint64_t));
        args = sbi__malloc_array((size_t)workers, sizeof(worker_arg));
        threads = sbi__malloc_array((size_t)workers, sizeof(pthread_t));
        if (!seeds || !args || !threads) rc = sbi__oom("runner");
    }
    if (rc == SBI_OK) {
        for (int t = 0; t < workers; t++)
            args[t] = (worker_arg){&run, seeds + (size_t)t * (size_t)chunk_rows};
        pthread_mutex_init(&run.mu, NULL);
        pthread_cond_init(&run.cv, NULL);
        *started = 1;
        if (workers == 1) run_serial(&run, seeds);
        else run_parallel(&run, workers, args, threads);
        pthread_cond_destroy(&run.cv);
        pthread_mutex_destroy(&run.mu);
        if (run.status != SBI_OK) rc = sbi__fail(run.status, "%s", run.message);
        else if (atomic_load(&runner->cancel))
            rc = sbi__fail(SBI_ECANCELED, "runner: cancelled with %lld of %lld rows done",
                           (long long)run.rows_done, (long long)ds->n);
    }
    rc = close_checkpoint(&run, rc);
    sbi__free(seeds);
    sbi__free(args);
    sbi__free(threads);
    sbi__free(run.ranges);
    sbi__free(run.completed);
    return rc;
}
