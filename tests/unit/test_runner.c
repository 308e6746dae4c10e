/* Simulator, dataset and the parallel runner, with a tiny deterministic toy
 * simulator (x from theta and the row's seed): bit-identical results for any
 * worker count and chunk size, invalid rows excluded and counted, a failing
 * simulator stopping the run with its status and a partial dataset,
 * cancellation from the progress callback, the simulator and another thread,
 * and every bad-argument case. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "sbi_test.h"
#include "rng/rng_internal.h"

enum { THETA_DIM = 2, X_DIM = 3 };

typedef struct toy {
    atomic_int calls;       /* simulator calls so far */
    atomic_llong rows;      /* rows simulated so far */
    atomic_int on_main;     /* calls made on the test's own thread */
    atomic_int off_main;    /* calls made on other threads */
    pthread_t main_thread;
    int fail_on_call;       /* return -7 on this call (0: never) */
    int cancel_on_call;     /* call sbi_runner_cancel on this call (0: never) */
    int block_after_first;  /* calls after the first wait until `released` */
    long slow_ns;           /* other calls sleep this long (makes early stops visible) */
    atomic_int released;
    sbi_runner *runner;     /* for cancel_on_call */
    int invalid_rows;       /* produce NaN/Inf/flagged rows (see toy_row) */
    atomic_int dirty_status; /* status entries not zero on entry (must stay 0) */
} toy;

static void toy_init(toy *t)
{
    memset(t, 0, sizeof *t);
    atomic_init(&t->calls, 0);
    atomic_init(&t->rows, 0);
    atomic_init(&t->on_main, 0);
    atomic_init(&t->off_main, 0);
    atomic_init(&t->released, 0);
    atomic_init(&t->dirty_status, 0);
    t->main_thread = pthread_self();
    t->invalid_rows = 1;
}

/* Expected status of a row of the toy, from its theta alone. */
static int32_t toy_expected_status(const double *theta)
{
    if (theta[1] < -1.0) return SBI_ROW_FAILED;
    if (theta[0] > 1.0 || theta[0] < -1.5) return SBI_ROW_NONFINITE;
    return SBI_ROW_OK;
}

/* One row: noise from the row's own seed only. */
static void toy_row(const toy *t, const double *th, uint64_t seed, double *x, int32_t *status)
{
    struct sbi_rng r;
    sbi__rng_init(&r, seed, 0);
    x[0] = th[0] + 0.1 * sbi__rng_normal(&r);
    x[1] = th[0] * th[1] + sbi__rng_uniform(&r);
    x[2] = sin(th[1]) + (double)(seed >> 40);
    if (!t->invalid_rows) return;
    if (th[0] > 1.0) x[1] = NAN;
    if (th[0] < -1.5) x[2] = -INFINITY;
    if (th[1] < -1.0) *status = 1;
}

static void wait_released(toy *t)
{
    for (int i = 0; i < 10000 && !atomic_load(&t->released); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static int toy_sim(void *ud, int64_t n, int32_t theta_dim, const double *theta,
                   const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    toy *t = ud;
    int call = atomic_fetch_add(&t->calls, 1) + 1;
    if (pthread_equal(pthread_self(), t->main_thread)) atomic_fetch_add(&t->on_main, 1);
    else atomic_fetch_add(&t->off_main, 1);
    if (t->fail_on_call == call) return -7;
    if (t->cancel_on_call == call) sbi_runner_cancel(t->runner);
    if (t->block_after_first && call > 1) wait_released(t);
    if (t->slow_ns && call != t->fail_on_call && call != t->cancel_on_call) {
        struct timespec ts = {0, t->slow_ns};
        nanosleep(&ts, NULL);
    }
    for (int64_t i = 0; i < n; i++) {
        if (status[i] != 0) atomic_fetch_add(&t->dirty_status, 1); /* must be zeroed */
        toy_row(t, theta + i * theta_dim, seeds[i], x + i * x_dim, status + i);
    }
    atomic_fetch_add(&t->rows, n);
    return 0;
}

/* A fresh toy (see toy_init) and a simulator over it. */
static sbi_simulator *make_toy_sim(toy *t)
{
    toy_init(t);
    sbi_simulator *sim = NULL;
    assert_ok(sbi_simulator_create(&sim, THETA_DIM, X_DIM, toy_sim, t));
    return sim;
}

static sbi_prior *make_prior(void)
{
    const double mean[THETA_DIM] = {0.0, 0.0}, var[THETA_DIM] = {1.0, 1.0};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&p, THETA_DIM, mean, var));
    return p;
}

static sbi_runner *make_runner(sbi_simulator *sim, int32_t workers, int64_t chunk)
{
    sbi_runner *r = NULL;
    assert_ok(sbi_runner_create(&r, sim));
    assert_ok(sbi_runner_set_workers(r, workers));
    assert_ok(sbi_runner_set_chunk_size(r, chunk));
    return r;
}

static sbi_dataset *run_with(sbi_simulator *sim, const sbi_prior *prior, int64_t n,
                             uint64_t seed, int32_t workers, int64_t chunk)
{
    sbi_runner *r = make_runner(sim, workers, chunk);
    sbi_dataset *ds = NULL;
    assert_ok(sbi_runner_run_prior(r, prior, n, seed, &ds));
    sbi_runner_free(r);
    return ds;
}

/* The dataset's theta, x and status arrays. */
static void dataset_arrays(const sbi_dataset *ds, const double **theta, const double **x,
                           const int32_t **status)
{
    assert_ok(sbi_dataset_theta(ds, theta));
    assert_ok(sbi_dataset_x(ds, x));
    assert_ok(sbi_dataset_status(ds, status));
}

static void assert_same_dataset(const sbi_dataset *a, const sbi_dataset *b)
{
    int64_t na, nb;
    assert_ok(sbi_dataset_shape(a, &na, NULL, NULL));
    assert_ok(sbi_dataset_shape(b, &nb, NULL, NULL));
    assert_int_equal(na, nb);
    const double *ta, *tb, *xa, *xb;
    const int32_t *sa, *sb;
    dataset_arrays(a, &ta, &xa, &sa);
    dataset_arrays(b, &tb, &xb, &sb);
    /* Byte-identical, NaN payloads included. */
    assert_memory_equal(ta, tb, sizeof(double) * (size_t)na * THETA_DIM);
    assert_memory_equal(xa, xb, sizeof(double) * (size_t)na * X_DIM);
    assert_memory_equal(sa, sb, sizeof(int32_t) * (size_t)na);
}

/* Row i of the reference run equals theta from stream (seed, i) and the
 * simulator called alone with seed sbi_seed_for_index(seed, i). */
static void test_rows_follow_their_index(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    const int64_t n = 50;
    const uint64_t seed = 99;
    sbi_dataset *ds = run_with(sim, prior, n, seed, 1, 64);
    const double *theta, *x;
    const int32_t *status;
    dataset_arrays(ds, &theta, &x, &status);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 0, 0));
    for (int64_t i = 0; i < n; i++) {
        double th[THETA_DIM], xi[X_DIM];
        int32_t st;
        uint64_t s = sbi_seed_for_index(seed, (uint64_t)i);
        assert_ok(sbi_rng_reset(rng, seed, (uint64_t)i));
        assert_ok(sbi_prior_sample(prior, rng, 1, th));
        assert_memory_equal(th, theta + i * THETA_DIM, sizeof th);
        assert_ok(sbi_simulator_run(sim, 1, th, &s, xi, &st));
        assert_memory_equal(xi, x + i * X_DIM, sizeof xi);
        assert_int_equal(st, status[i]);
        assert_int_equal(st, toy_expected_status(th));
    }
    sbi_rng_free(rng);
    sbi_dataset_free(ds);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

static void test_determinism_over_workers_and_chunks(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    const int64_t n = 300;
    sbi_dataset *ref = run_with(sim, prior, n, 12345, 1, 64);
    const int32_t workers[] = {1, 2, 4, 0};
    const int64_t chunks[] = {1, 7, 64};
    for (size_t w = 0; w < sizeof workers / sizeof *workers; w++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            sbi_dataset *ds = run_with(sim, prior, n, 12345, workers[w], chunks[c]);
            assert_same_dataset(ref, ds);
            sbi_dataset_free(ds);
        }
    /* Caller-given theta: the same x for any workers and chunks. */
    const double *theta;
    assert_ok(sbi_dataset_theta(ref, &theta));
    for (size_t w = 0; w < 3; w++) {
        sbi_runner *r = make_runner(sim, workers[w], chunks[w]);
        sbi_dataset *ds = NULL;
        assert_ok(sbi_runner_run(r, n, theta, 12345, &ds));
        assert_same_dataset(ref, ds);
        sbi_dataset_free(ds);
        sbi_runner_free(r);
    }
    /* Another seed gives other rows. */
    sbi_dataset *other = run_with(sim, prior, n, 12346, 2, 7);
    const double *to;
    assert_ok(sbi_dataset_theta(other, &to));
    assert_memory_not_equal(theta, to, sizeof(double) * n * THETA_DIM);
    sbi_dataset_free(other);
    assert_int_equal(atomic_load(&t.dirty_status), 0);
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

static void test_threads_used(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    /* One worker: every call on the caller's thread. */
    sbi_dataset *ds = run_with(sim, prior, 100, 1, 1, 10);
    assert_int_equal(atomic_load(&t.calls), 10);
    assert_int_equal(atomic_load(&t.on_main), 10);
    assert_int_equal(atomic_load(&t.rows), 100);
    sbi_dataset_free(ds);
    /* Several workers: calls on worker threads, the caller coordinates. */
    atomic_store(&t.on_main, 0);
    atomic_store(&t.calls, 0);
    ds = run_with(sim, prior, 100, 1, 3, 10);
    assert_int_equal(atomic_load(&t.calls), 10);
    assert_int_equal(atomic_load(&t.on_main), 0);
    assert_int_equal(atomic_load(&t.off_main), 10);
    sbi_dataset_free(ds);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

static void test_invalid_rows_counted_and_excluded(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    const int64_t n = 400;
    sbi_dataset *ds = run_with(sim, prior, n, 7, 2, 16);
    const double *theta, *x;
    const int32_t *status;
    dataset_arrays(ds, &theta, &x, &status);
    int64_t want[4] = {0};
    for (int64_t i = 0; i < n; i++) {
        int32_t e = toy_expected_status(theta + i * THETA_DIM);
        assert_int_equal(status[i], e);
        want[e]++;
    }
    /* With N(0,1) theta all three kinds occur (about 16 %, 14 %, 70 %). */
    assert_true(want[SBI_ROW_FAILED] > 20 && want[SBI_ROW_NONFINITE] > 20 && want[SBI_ROW_OK] > 200);
    int64_t c;
    for (int32_t s = SBI_ROW_OK; s <= SBI_ROW_PENDING; s++) {
        assert_ok(sbi_dataset_count(ds, s, &c));
        assert_int_equal(c, want[s]);
    }
    const int64_t k_ok = want[SBI_ROW_OK];
    double *tv = malloc(sizeof(double) * (size_t)k_ok * THETA_DIM);
    double *xv = malloc(sizeof(double) * (size_t)k_ok * X_DIM);
    int64_t k = -1;
    assert_ok(sbi_dataset_copy_valid(ds, tv, xv, &k));
    assert_int_equal(k, k_ok);
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++) {
        if (status[i] != SBI_ROW_OK) continue;
        assert_memory_equal(tv + j * THETA_DIM, theta + i * THETA_DIM, sizeof(double) * THETA_DIM);
        assert_memory_equal(xv + j * X_DIM, x + i * X_DIM, sizeof(double) * X_DIM);
        for (int d = 0; d < X_DIM; d++) assert_true(isfinite(xv[j * X_DIM + d]));
        j++;
    }
    /* Either array may be NULL. */
    k = -1;
    assert_ok(sbi_dataset_copy_valid(ds, NULL, xv, &k));
    assert_int_equal(k, k_ok);
    k = -1;
    assert_ok(sbi_dataset_copy_valid(ds, NULL, NULL, &k));
    assert_int_equal(k, k_ok);
    free(tv);
    free(xv);
    sbi_dataset_free(ds);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

/* Non-pending rows of a partial run equal the reference rows. */
static int64_t check_partial(const sbi_dataset *part, const sbi_dataset *ref)
{
    int64_t n;
    assert_ok(sbi_dataset_shape(part, &n, NULL, NULL));
    const double *tp, *tr, *xp, *xr;
    const int32_t *sp, *sr;
    dataset_arrays(part, &tp, &xp, &sp);
    dataset_arrays(ref, &tr, &xr, &sr);
    int64_t done = 0;
    for (int64_t i = 0; i < n; i++) {
        if (sp[i] == SBI_ROW_PENDING) {
            for (int d = 0; d < X_DIM; d++) assert_true(isnan(xp[i * X_DIM + d]));
            continue;
        }
        done++;
        assert_int_equal(sp[i], sr[i]);
        assert_memory_equal(tp + i * THETA_DIM, tr + i * THETA_DIM, sizeof(double) * THETA_DIM);
        assert_memory_equal(xp + i * X_DIM, xr + i * X_DIM, sizeof(double) * X_DIM);
    }
    return done;
}

static void test_failing_simulator_stops_run(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    sbi_dataset *ref = run_with(sim, prior, 1000, 5, 1, 10);
    const int32_t workers[] = {1, 2, 4};
    t.slow_ns = 2000000;
    for (size_t w = 0; w < 3; w++) {
        atomic_store(&t.calls, 0);
        t.fail_on_call = 3;
        sbi_runner *r = make_runner(sim, workers[w], 10);
        sbi_dataset *ds = NULL;
        assert_status(sbi_runner_run_prior(r, prior, 1000, 5, &ds), SBI_ESIMULATOR);
        assert_non_null(strstr(sbi_last_error(), "returned -7"));
        assert_non_null(ds); /* the partial dataset */
        int64_t done = check_partial(ds, ref), pending;
        assert_ok(sbi_dataset_count(ds, SBI_ROW_PENDING, &pending));
        assert_int_equal(done + pending, 1000);
        assert_int_equal(done % 10, 0); /* whole chunks or nothing */
        if (workers[w] == 1) {
            assert_int_equal(done, 20);
            assert_int_equal(atomic_load(&t.calls), 3);
        } else {
            /* In-flight chunks finish, no new one starts. How many were in
             * flight depends on scheduling; with 2 ms per call the full run
             * would take 100 calls, so stopping early is plain to see. */
            assert_true(pending >= 10);
            assert_true(atomic_load(&t.calls) < 100);
        }
        sbi_dataset_free(ds);
        sbi_runner_free(r);
    }
    t.fail_on_call = 0;
    t.slow_ns = 0;
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

typedef struct progress_log {
    int calls;
    int64_t last_done, total;
    int64_t cancel_at;   /* return non-zero once done >= cancel_at (0: never) */
    int monotone;
    pthread_t thread;
    int off_thread;      /* calls not on the caller's thread */
    toy *release;        /* set released after cancelling */
    sbi_runner *runner;  /* cancel through the API too */
} progress_log;

static int on_progress(void *ud, int64_t done, int64_t total)
{
    progress_log *p = ud;
    p->calls++;
    if (done < p->last_done) p->monotone = 0;
    p->last_done = done;
    p->total = total;
    if (!pthread_equal(pthread_self(), p->thread)) p->off_thread++;
    if (p->cancel_at && done >= p->cancel_at) {
        if (p->runner) assert_ok(sbi_runner_cancel(p->runner));
        if (p->release) atomic_store(&p->release->released, 1);
        return 1;
    }
    return 0;
}

static void test_progress_and_cancel_from_callback(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    sbi_dataset *ref = run_with(sim, prior, 1000, 3, 1, 10);
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    assert_ok(sbi_runner_create(&r, sim));
    assert_ok(sbi_runner_set_chunk_size(r, 10));

    /* A full run reports every chunk, ending at total. */
    progress_log p = {0, 0, 0, 0, 1, pthread_self(), 0, NULL, NULL};
    assert_ok(sbi_runner_set_progress(r, on_progress, &p));
    assert_ok(sbi_runner_set_workers(r, 2));
    assert_ok(sbi_runner_run_prior(r, prior, 1000, 3, &ds));
    assert_int_equal(p.calls, 100);
    assert_int_equal(p.last_done, 1000);
    assert_int_equal(p.total, 1000);
    assert_true(p.monotone);
    assert_int_equal(p.off_thread, 0);
    assert_same_dataset(ref, ds);
    sbi_dataset_free(ds);

    /* One worker: the run stops exactly after the cancelling chunk. */
    p = (progress_log){0, 0, 0, 30, 1, pthread_self(), 0, NULL, NULL};
    assert_ok(sbi_runner_set_workers(r, 1));
    assert_status(sbi_runner_run_prior(r, prior, 1000, 3, &ds), SBI_ECANCELED);
    assert_non_null(ds);
    assert_int_equal(p.calls, 3);
    assert_int_equal(check_partial(ds, ref), 30);
    sbi_dataset_free(ds);

    /* Two workers, the others held until the cancel: at most the in-flight
     * chunks finish. The callback also cancels through the API. */
    atomic_store(&t.calls, 0);
    atomic_store(&t.released, 0);
    t.block_after_first = 1;
    p = (progress_log){0, 0, 0, 1, 1, pthread_self(), 0, &t, r};
    assert_ok(sbi_runner_set_workers(r, 2));
    assert_status(sbi_runner_run_prior(r, prior, 1000, 3, &ds), SBI_ECANCELED);
    assert_int_equal(p.calls, 1); /* no reports after cancelling */
    int64_t done = check_partial(ds, ref);
    assert_true(done >= 10 && done <= 30);
    assert_int_equal(p.off_thread, 0);
    sbi_dataset_free(ds);
    t.block_after_first = 0;

    /* The cancel flag does not outlive a run. */
    assert_ok(sbi_runner_set_progress(r, NULL, NULL));
    assert_ok(sbi_runner_run_prior(r, prior, 1000, 3, &ds));
    assert_same_dataset(ref, ds);
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

static void test_cancel_from_simulator(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *prior = make_prior();
    sbi_dataset *ref = run_with(sim, prior, 1000, 8, 1, 10);
    const int32_t workers[] = {1, 4};
    t.slow_ns = 2000000;
    for (size_t w = 0; w < 2; w++) {
        sbi_runner *r = make_runner(sim, workers[w], 10);
        sbi_dataset *ds = NULL;
        atomic_store(&t.calls, 0);
        t.cancel_on_call = 3;
        t.runner = r;
        assert_status(sbi_runner_run_prior(r, prior, 1000, 8, &ds), SBI_ECANCELED);
        int64_t done = check_partial(ds, ref);
        /* The cancelling call completes; only in-flight calls follow it. */
        /* Calls 1-3 began before the cancel, so they finish and are kept. */
        if (workers[w] == 1) assert_int_equal(done, 30);
        else assert_true(done >= 30 && done < 1000);
        sbi_dataset_free(ds);
        sbi_runner_free(r);
    }
    t.cancel_on_call = 0;
    t.slow_ns = 0;
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

typedef struct canceller {
    sbi_runner *runner;
    toy *t;
} canceller;

static void *cancel_thread(void *p)
{
    canceller *c = p;
    /* Wait for the run to start, then cancel and let the simulator go on. */
    for (int i = 0; i < 10000 && atomic_load(&c->t->calls) == 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    sbi_runner_cancel(c->runner);
    atomic_store(&c->t->released, 1);
    return NULL;
}

static void test_cancel_from_another_thread(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    t.block_after_first = 1;
    sbi_prior *prior = make_prior();
    for (int32_t workers = 1; workers <= 2; workers++) {
        atomic_store(&t.calls, 0);
        atomic_store(&t.released, 0);
        sbi_runner *r = make_runner(sim, workers, 10);
        sbi_dataset *ds = NULL;
        canceller c = {r, &t};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, cancel_thread, &c), 0);
        assert_status(sbi_runner_run_prior(r, prior, 1000, 8, &ds), SBI_ECANCELED);
        pthread_join(th, NULL);
        int64_t pending;
        assert_ok(sbi_dataset_count(ds, SBI_ROW_PENDING, &pending));
        assert_true(pending >= 1000 - 10 * (1 + workers));
        sbi_dataset_free(ds);
        sbi_runner_free(r);
    }
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

/* A callback prior that fails on its 5th draw. */
static atomic_int prior_draws;
static int failing_sample(void *ud, sbi_rng *rng, int64_t n, int32_t dim, double *out)
{
    (void)ud;
    if (atomic_fetch_add(&prior_draws, 1) + 1 == 5) return 1;
    return sbi_rng_normal(rng, n * dim, out);
}
static int flat_log_prob(void *ud, int64_t n, int32_t dim, const double *theta, double *out)
{
    (void)ud; (void)dim; (void)theta;
    for (int64_t i = 0; i < n; i++) out[i] = 0.0;
    return 0;
}

static void test_prior_failure_and_empty_run(void **state)
{
    (void)state;
    toy t;
    sbi_simulator *sim = make_toy_sim(&t);
    sbi_prior *bad = NULL;
    assert_ok(sbi_prior_create_callback(&bad, THETA_DIM, failing_sample, flat_log_prob, NULL, NULL));
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    assert_ok(sbi_runner_create(&r, sim));
    assert_ok(sbi_runner_set_chunk_size(r, 2));
    atomic_store(&prior_draws, 0);
    assert_status(sbi_runner_run_prior(r, bad, 10, 1, &ds), SBI_ECALLBACK);
    assert_non_null(ds);
    int64_t pending, ok;
    assert_ok(sbi_dataset_count(ds, SBI_ROW_PENDING, &pending));
    assert_ok(sbi_dataset_count(ds, SBI_ROW_OK, &ok));
    assert_int_equal(pending, 10 - 4); /* rows 0-3 were drawn and simulated */
    const double *theta;
    assert_ok(sbi_dataset_theta(ds, &theta));
    assert_true(isnan(theta[4 * THETA_DIM]) && isnan(theta[9 * THETA_DIM + 1]));
    sbi_dataset_free(ds);

    /* n = 0: an empty dataset and no simulator call. */
    sbi_prior *prior = make_prior();
    atomic_store(&t.calls, 0);
    assert_ok(sbi_runner_set_workers(r, 4));
    assert_ok(sbi_runner_run_prior(r, prior, 0, 1, &ds));
    int64_t n = -1;
    assert_ok(sbi_dataset_shape(ds, &n, NULL, NULL));
    assert_int_equal(n, 0);
    assert_int_equal(atomic_load(&t.calls), 0);
    sbi_dataset_free(ds);
    assert_ok(sbi_runner_run(r, 0, NULL, 1, &ds));
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_prior_free(bad);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
}

static int lazy_sim(void *ud, int64_t n, int32_t theta_dim, const double *theta,
                    const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)seeds; (void)status;
    int *mode = ud;
    if (*mode == 2) return 3;
    /* Write only even rows: odd rows keep the library's NaN fill. */
    for (int64_t i = 0; i < n; i += 2)
        for (int32_t j = 0; j < x_dim; j++) x[i * x_dim + j] = theta[i * theta_dim];
    return 0;
}

static int destroyed;
static void on_destroy(void *ud)
{
    destroyed += *(int *)ud;
}

static void test_simulator_run_direct(void **state)
{
    (void)state;
    int mode = 1;
    sbi_simulator *sim = NULL;
    assert_ok(sbi_simulator_create(&sim, 1, 2, lazy_sim, &mode));
    int32_t td = 0, xd = 0;
    assert_ok(sbi_simulator_dims(sim, &td, &xd));
    assert_int_equal(td, 1);
    assert_int_equal(xd, 2);
    assert_ok(sbi_simulator_dims(sim, NULL, NULL));
    const double theta[3] = {1.0, 2.0, 3.0};
    const uint64_t seeds[3] = {1, 2, 3};
    double x[6] = {0};
    int32_t st[3] = {9, 9, 9};
    assert_ok(sbi_simulator_run(sim, 3, theta, seeds, x, st));
    assert_int_equal(st[0], SBI_ROW_OK);
    assert_int_equal(st[1], SBI_ROW_NONFINITE);
    assert_int_equal(st[2], SBI_ROW_OK);
    assert_true(x[0] == 1.0 && isnan(x[2]) && x[5] == 3.0);
    mode = 2;
    assert_status(sbi_simulator_run(sim, 3, theta, seeds, x, st), SBI_ESIMULATOR);
    assert_non_null(strstr(sbi_last_error(), "returned 3"));
    for (int i = 0; i < 3; i++) assert_int_equal(st[i], SBI_ROW_PENDING);
    assert_ok(sbi_simulator_run(sim, 0, NULL, NULL, NULL, NULL));
    /* The destructor runs once, on free. */
    destroyed = 0;
    assert_ok(sbi_simulator_set_destructor(sim, on_destroy));
    assert_int_equal(destroyed, 0);
    sbi_simulator_free(sim);
    assert_int_equal(destroyed, 2);
    sbi_simulator_free(NULL);
}

static void test_dataset_api(void **state)
{
    (void)state;
    const double theta[6] = {1, 2, 3, 4, 5, 6};
    const double x[3] = {0.5, NAN, -INFINITY};
    sbi_dataset *ds = NULL;
    assert_ok(sbi_dataset_create(&ds, 3, 2, 1, theta, x));
    int64_t n;
    int32_t td, xd;
    assert_ok(sbi_dataset_shape(ds, &n, &td, &xd));
    assert_int_equal(n, 3);
    assert_int_equal(td, 2);
    assert_int_equal(xd, 1);
    assert_ok(sbi_dataset_shape(ds, NULL, NULL, NULL));
    const double *pt, *px;
    const int32_t *ps;
    dataset_arrays(ds, &pt, &px, &ps);
    assert_memory_equal(pt, theta, sizeof theta);
    assert_true(pt != theta); /* copied */
    assert_int_equal(ps[0], SBI_ROW_OK);
    assert_int_equal(ps[1], SBI_ROW_NONFINITE);
    assert_int_equal(ps[2], SBI_ROW_NONFINITE);
    int64_t c;
    assert_ok(sbi_dataset_count(ds, SBI_ROW_NONFINITE, &c));
    assert_int_equal(c, 2);
    assert_ok(sbi_dataset_count(ds, SBI_ROW_PENDING, &c));
    assert_int_equal(c, 0);
    double tv[2], xv[1];
    int64_t k;
    assert_ok(sbi_dataset_copy_valid(ds, tv, xv, &k));
    assert_int_equal(k, 1);
    assert_true(tv[0] == 1 && tv[1] == 2 && xv[0] == 0.5);
    sbi_dataset_free(ds);
    sbi_dataset_free(NULL);
    /* An empty dataset. */
    assert_ok(sbi_dataset_create(&ds, 0, 2, 1, NULL, NULL));
    assert_ok(sbi_dataset_copy_valid(ds, NULL, NULL, &k));
    assert_int_equal(k, 0);
    sbi_dataset_free(ds);
}

#define assert_einval(call, text)                                                                  \
    do {                                                                                           \
        assert_status(call, SBI_EINVAL);                                                           \
        if (!strstr(sbi_last_error(), text)) {                                                     \
            print_error("message \"%s\" lacks \"%s\"\n", sbi_last_error(), text);                  \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static void test_bad_arguments(void **state)
{
    (void)state;
    toy t;
    toy_init(&t);
    sbi_simulator *sim = NULL;
    assert_einval(sbi_simulator_create(NULL, 1, 1, toy_sim, &t), "out is NULL");
    assert_einval(sbi_simulator_create(&sim, 0, 1, toy_sim, &t), "theta_dim=0");
    assert_einval(sbi_simulator_create(&sim, 1, -2, toy_sim, &t), "x_dim=-2");
    assert_einval(sbi_simulator_create(&sim, 1, 1, NULL, &t), "callback is NULL");
    assert_null(sim);
    assert_ok(sbi_simulator_create(&sim, THETA_DIM, X_DIM, toy_sim, &t));
    assert_einval(sbi_simulator_set_destructor(NULL, on_destroy), "sim is NULL");
    int32_t i32;
    assert_einval(sbi_simulator_dims(NULL, &i32, &i32), "sim is NULL");
    double th[2] = {0, 0}, x[3];
    uint64_t seed = 1;
    int32_t st;
    assert_einval(sbi_simulator_run(NULL, 1, th, &seed, x, &st), "sim is NULL");
    assert_einval(sbi_simulator_run(sim, -1, th, &seed, x, &st), "n=-1 is negative");
    assert_einval(sbi_simulator_run(sim, 1, NULL, &seed, x, &st), "theta is NULL");
    assert_einval(sbi_simulator_run(sim, 1, th, NULL, x, &st), "seeds is NULL");
    assert_einval(sbi_simulator_run(sim, 1, th, &seed, NULL, &st), "x is NULL");
    assert_einval(sbi_simulator_run(sim, 1, th, &seed, x, NULL), "status is NULL");
    assert_einval(sbi_simulator_run(sim, INT64_MAX, th, &seed, x, &st), "overflow");

    sbi_dataset *ds = (sbi_dataset *)&ds;
    assert_einval(sbi_dataset_create(NULL, 1, 1, 1, th, x), "out is NULL");
    assert_einval(sbi_dataset_create(&ds, -1, 1, 1, th, x), "n=-1");
    assert_null(ds);
    assert_einval(sbi_dataset_create(&ds, 1, 0, 1, th, x), "theta_dim=0");
    assert_einval(sbi_dataset_create(&ds, 1, 1, 0, th, x), "x_dim=0");
    assert_einval(sbi_dataset_create(&ds, 1, 1, 1, NULL, x), "theta is NULL");
    assert_einval(sbi_dataset_create(&ds, 1, 1, 1, th, NULL), "x is NULL");
    assert_einval(sbi_dataset_create(&ds, INT64_MAX, 2, 1, th, x), "overflow");
    assert_ok(sbi_dataset_create(&ds, 1, 2, 3, th, x));
    int64_t i64;
    const double *cd;
    const int32_t *ci;
    assert_einval(sbi_dataset_shape(NULL, &i64, &i32, &i32), "ds is NULL");
    assert_einval(sbi_dataset_theta(NULL, &cd), "ds is NULL");
    assert_einval(sbi_dataset_theta(ds, NULL), "theta is NULL");
    assert_einval(sbi_dataset_x(NULL, &cd), "ds is NULL");
    assert_einval(sbi_dataset_x(ds, NULL), "x is NULL");
    assert_einval(sbi_dataset_status(NULL, &ci), "ds is NULL");
    assert_einval(sbi_dataset_status(ds, NULL), "status is NULL");
    assert_einval(sbi_dataset_count(NULL, SBI_ROW_OK, &i64), "ds is NULL");
    assert_einval(sbi_dataset_count(ds, SBI_ROW_OK, NULL), "count is NULL");
    assert_einval(sbi_dataset_count(ds, 4, &i64), "row_status=4");
    assert_einval(sbi_dataset_count(ds, -1, &i64), "row_status=-1");
    assert_einval(sbi_dataset_copy_valid(NULL, th, x, &i64), "ds is NULL");
    assert_einval(sbi_dataset_copy_valid(ds, th, x, NULL), "k is NULL");
    sbi_dataset_free(ds);

    sbi_runner *r = (sbi_runner *)&r;
    assert_einval(sbi_runner_create(NULL, sim), "out is NULL");
    assert_einval(sbi_runner_create(&r, NULL), "sim is NULL");
    assert_null(r);
    assert_ok(sbi_runner_create(&r, sim));
    assert_einval(sbi_runner_set_workers(NULL, 1), "runner is NULL");
    assert_einval(sbi_runner_set_workers(r, -1), "workers=-1");
    assert_einval(sbi_runner_set_workers(r, 100000), "workers=100000");
    assert_einval(sbi_runner_set_chunk_size(NULL, 1), "runner is NULL");
    assert_einval(sbi_runner_set_chunk_size(r, 0), "rows=0");
    assert_einval(sbi_runner_set_progress(NULL, on_progress, NULL), "runner is NULL");
    assert_einval(sbi_runner_cancel(NULL), "runner is NULL");
    sbi_prior *prior = make_prior();
    const double one[1] = {0.0}, var[1] = {1.0};
    sbi_prior *prior1 = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&prior1, 1, one, var));
    ds = (sbi_dataset *)&ds;
    assert_einval(sbi_runner_run_prior(NULL, prior, 1, 0, &ds), "runner is NULL");
    assert_null(ds);
    assert_einval(sbi_runner_run_prior(r, prior, 1, 0, NULL), "out is NULL");
    assert_einval(sbi_runner_run_prior(r, NULL, 1, 0, &ds), "prior is NULL");
    assert_einval(sbi_runner_run_prior(r, prior1, 1, 0, &ds), "prior's dim 1 differs");
    assert_einval(sbi_runner_run_prior(r, prior, -5, 0, &ds), "n=-5");
    assert_einval(sbi_runner_run_prior(r, prior, INT64_MAX, 0, &ds), "overflow");
    assert_einval(sbi_runner_run(NULL, 1, th, 0, &ds), "runner is NULL");
    assert_einval(sbi_runner_run(r, 1, th, 0, NULL), "out is NULL");
    assert_einval(sbi_runner_run(r, 1, NULL, 0, &ds), "theta is NULL");
    assert_einval(sbi_runner_run(r, -1, th, 0, &ds), "n=-1");
    assert_null(ds);
    assert_int_equal(atomic_load(&t.calls), 0);
    sbi_runner_free(r);
    sbi_runner_free(NULL);
    sbi_prior_free(prior);
    sbi_prior_free(prior1);
    sbi_simulator_free(sim);
}

/* A raw simulator with raw_dim outputs per row: a noisy line. Flags rows
 * with theta[1] < -1.2, puts NaN in rows with theta[0] > 1.5; returns
 * raw_fail when it is non-zero. */
typedef struct raw_toy {
    int32_t raw_dim;
    int raw_fail;
} raw_toy;

static int raw_sim(void *ud, int64_t n, int32_t theta_dim, const double *theta,
                   const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    const raw_toy *r = ud;
    if (r->raw_fail) return r->raw_fail;
    for (int64_t i = 0; i < n; i++) {
        const double *th = theta + i * theta_dim;
        struct sbi_rng g;
        sbi__rng_init(&g, seeds[i], 0);
        for (int32_t j = 0; j < x_dim; j++)
            x[i * x_dim + j] = th[0] + th[1] * j / (double)x_dim + 0.1 * sbi__rng_normal(&g);
        if (th[0] > 1.5) x[i * x_dim + x_dim / 2] = NAN;
        if (th[1] < -1.2) status[i] = 1;
    }
    return 0;
}

/* Summary callback: mean and maximum; flags rows whose mean exceeds 0.8,
 * gives Inf for rows whose maximum is below -1.5; returns 1 if sum_fail. */
static int sum_fail;
static int summary_fn(void *ud, int64_t n, int32_t raw_dim, const double *raw, int32_t out_dim,
                      double *out, int32_t *status)
{
    (void)ud;
    if (sum_fail) return 1;
    for (int64_t i = 0; i < n; i++) {
        double m = 0.0, mx = -INFINITY;
        for (int32_t j = 0; j < raw_dim; j++) {
            m += raw[i * raw_dim + j];
            mx = fmax(mx, raw[i * raw_dim + j]);
        }
        out[i * out_dim] = m / raw_dim;
        out[i * out_dim + 1] = mx < -1.5 ? INFINITY : mx;
        if (m / raw_dim > 0.8) status[i] = 1;
    }
    return 0;
}

/* Row by row through the public pieces: the wrapper's expected output. */
static void expected_summary_row(const sbi_simulator *raw, const sbi_summary *sum, int32_t raw_dim,
                                 const double *theta, uint64_t seed, double *x, int32_t *status)
{
    double *r = malloc(sizeof(double) * (size_t)raw_dim);
    int32_t rs, ss;
    assert_ok(sbi_simulator_run(raw, 1, theta, &seed, r, &rs));
    assert_ok(sbi_summary_compute(sum, 1, r, x, &ss));
    if (rs != SBI_ROW_OK || ss == SBI_ROW_FAILED) {
        *status = SBI_ROW_FAILED;
        x[0] = x[1] = NAN;
    } else {
        *status = ss;
    }
    free(r);
}

static void test_simulator_with_summary(void **state)
{
    (void)state;
    raw_toy rt = {16, 0};
    sbi_simulator *raw = NULL, *sim = NULL;
    sbi_summary *sum = NULL;
    assert_ok(sbi_simulator_create(&raw, THETA_DIM, rt.raw_dim, raw_sim, &rt));
    assert_ok(sbi_summary_create(&sum, rt.raw_dim, 2, summary_fn, NULL));
    assert_ok(sbi_simulator_create_with_summary(&sim, raw, sum));
    sbi_summary_free(sum); /* the wrapper holds its own reference */
    sum = NULL;
    assert_ok(sbi_summary_create(&sum, rt.raw_dim, 2, summary_fn, NULL));
    int32_t td, xd;
    assert_ok(sbi_simulator_dims(sim, &td, &xd));
    assert_int_equal(td, THETA_DIM);
    assert_int_equal(xd, 2);
    assert_status(sbi_simulator_set_destructor(sim, on_destroy), SBI_EINVAL);

    /* Runner output equals the row-by-row composition, any workers/chunks. */
    sbi_prior *prior = make_prior();
    const int64_t n = 300;
    sbi_dataset *ref = run_with(sim, prior, n, 77, 1, 64);
    const double *theta, *x;
    const int32_t *st;
    dataset_arrays(ref, &theta, &x, &st);
    int64_t seen[4] = {0};
    for (int64_t i = 0; i < n; i++) {
        double want[2];
        int32_t ws;
        expected_summary_row(raw, sum, rt.raw_dim, theta + i * THETA_DIM,
                             sbi_seed_for_index(77, (uint64_t)i), want, &ws);
        assert_int_equal(st[i], ws);
        assert_memory_equal(x + i * 2, want, sizeof want);
        seen[ws]++;
    }
    assert_true(seen[SBI_ROW_OK] > 0 && seen[SBI_ROW_FAILED] > 0 && seen[SBI_ROW_NONFINITE] > 0);
    const int32_t workers[] = {2, 4};
    const int64_t chunks[] = {1, 7, 64};
    for (int w = 0; w < 2; w++)
        for (int c = 0; c < 3; c++) {
            sbi_dataset *ds = run_with(sim, prior, n, 77, workers[w], chunks[c]);
            const double *x2;
            const int32_t *s2;
            assert_ok(sbi_dataset_x(ds, &x2));
            assert_ok(sbi_dataset_status(ds, &s2));
            assert_memory_equal(x2, x, sizeof(double) * n * 2);
            assert_memory_equal(s2, st, sizeof(int32_t) * n);
            sbi_dataset_free(ds);
        }

    /* Errors: the raw simulator's value, or the summary's failure. */
    double th3[3 * THETA_DIM];
    memcpy(th3, theta, sizeof th3);
    theta = th3; /* ref is freed below */
    double out[2 * 3];
    int32_t ost[3];
    const uint64_t seeds[3] = {1, 2, 3};
    rt.raw_fail = -9;
    assert_status(sbi_simulator_run(sim, 3, theta, seeds, out, ost), SBI_ESIMULATOR);
    assert_non_null(strstr(sbi_last_error(), "returned -9"));
    rt.raw_fail = 0;
    sum_fail = 1;
    assert_status(sbi_simulator_run(sim, 3, theta, seeds, out, ost), SBI_ESIMULATOR);
    assert_non_null(strstr(sbi_last_error(), "returned -12"));
    sum_fail = 0;
    sbi_simulator_free(sim);
    sbi_summary_free(sum);
    sbi_simulator_free(raw);
    sbi_dataset_free(ref);

    /* Raw rows of 2.4 MB: one row per raw batch, same results. */
    rt.raw_dim = 300000;
    assert_ok(sbi_simulator_create(&raw, THETA_DIM, rt.raw_dim, raw_sim, &rt));
    assert_ok(sbi_summary_create(&sum, rt.raw_dim, 2, summary_fn, NULL));
    assert_ok(sbi_simulator_create_with_summary(&sim, raw, sum));
    assert_ok(sbi_simulator_run(sim, 3, theta, seeds, out, ost));
    for (int i = 0; i < 3; i++) {
        double want[2];
        int32_t ws;
        expected_summary_row(raw, sum, rt.raw_dim, theta + i * THETA_DIM, seeds[i], want, &ws);
        assert_int_equal(ost[i], ws);
        assert_memory_equal(out + 2 * i, want, sizeof want);
    }
    sbi_simulator_free(sim);

    /* Bad arguments. */
    sim = (sbi_simulator *)&sim;
    assert_status(sbi_simulator_create_with_summary(NULL, raw, sum), SBI_EINVAL);
    assert_status(sbi_simulator_create_with_summary(&sim, NULL, sum), SBI_EINVAL);
    assert_null(sim);
    assert_status(sbi_simulator_create_with_summary(&sim, raw, NULL), SBI_EINVAL);
    sbi_summary *small = NULL;
    assert_ok(sbi_summary_create(&small, 5, 2, summary_fn, NULL));
    assert_status(sbi_simulator_create_with_summary(&sim, raw, small), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "x_dim 300000 differs from the summary's raw_dim 5"));
    sbi_summary_free(small);
    sbi_summary_free(sum);
    sbi_simulator_free(raw);
    sbi_prior_free(prior);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_follow_their_index),
        cmocka_unit_test(test_determinism_over_workers_and_chunks),
        cmocka_unit_test(test_threads_used),
        cmocka_unit_test(test_invalid_rows_counted_and_excluded),
        cmocka_unit_test(test_failing_simulator_stops_run),
        cmocka_unit_test(test_progress_and_cancel_from_callback),
        cmocka_unit_test(test_cancel_from_simulator),
        cmocka_unit_test(test_cancel_from_another_thread),
        cmocka_unit_test(test_prior_failure_and_empty_run),
        cmocka_unit_test(test_simulator_run_direct),
        cmocka_unit_test(test_dataset_api),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_simulator_with_summary),
    };
    return cmocka_run_group_tests_name("runner", tests, NULL, NULL);
}
