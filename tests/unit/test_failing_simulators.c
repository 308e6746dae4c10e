/* Failing simulators, end to end (issue 10, item 4): a simulator that
 * returns NaN or Inf for some theta, flags failures, returns an error
 * midway, is cancelled midway (from the simulator, the progress callback
 * and another thread) or is slow -- on 1 and several workers. Every run is
 * watched by a timeout (a deadlock fails the test instead of hanging it),
 * reports its counts, keeps every good row exactly as an undisturbed run
 * makes it, and stops cleanly; the trainer then trains on the good rows
 * only: bit for bit the posterior of training on the good rows alone. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "sbi_test.h"

enum { D = 2, XD = 3, N = 240, CHUNK = 8 };
#define RUN_TIMEOUT_S 60

/* ---- a simulator with switchable failure modes ---------------------------- */

typedef struct sim_ctl {
    int nonfinite;        /* NaN for theta[0] > 1.2, +Inf for theta[0] < -1.2 */
    int flag;             /* status 1 (and garbage x) for theta[1] > 1.1 */
    int fail_on_call;     /* return 42 on this call (0: never) */
    int cancel_on_call;   /* call sbi_runner_cancel on this call */
    long sleep_us;        /* per call */
    sbi_runner *runner;
    atomic_int calls;
    atomic_llong rows;
    atomic_int triggered; /* the failing or cancelling call has happened */
} sim_ctl;

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* x depends only on theta and the row's seed. */
static void row(const sim_ctl *c, const double *th, uint64_t seed, double *x, int32_t *st)
{
    const double u = (double)(seed >> 11) * 0x1.0p-53;
    x[0] = th[0] + 0.1 * (u - 0.5);
    x[1] = th[1] - 0.2 * u;
    x[2] = th[0] * th[1] + 0.05 * u;
    if (c->nonfinite && th[0] > 1.2) x[1] = NAN;
    if (c->nonfinite && th[0] < -1.2) x[2] = INFINITY;
    if (c->flag && th[1] > 1.1) {
        *st = 1;
        x[0] = 1e300; /* garbage that would wreck training if it were used */
    }
}

static int sim_fn(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
                  int32_t xd, double *x, int32_t *status)
{
    sim_ctl *c = ud;
    const int call = atomic_fetch_add(&c->calls, 1) + 1;
    const int trigger = c->fail_on_call ? c->fail_on_call : c->cancel_on_call;
    if (trigger && call > trigger) {
        /* Calls after the failing or cancelling one wait for it (and give
         * the runner 20 ms to act on a failure), so the bounds on what runs
         * after it hold even when that call's thread is descheduled on a
         * loaded machine. */
        for (int i = 0; i < 5000 && !atomic_load(&c->triggered); i++) sleep_us(1000);
        if (c->fail_on_call) sleep_us(20000);
    }
    if (c->sleep_us) sleep_us(c->sleep_us);
    if (call == c->fail_on_call) {
        atomic_store(&c->triggered, 1);
        return 42;
    }
    if (call == c->cancel_on_call) {
        sbi_runner_cancel(c->runner);
        atomic_store(&c->triggered, 1);
    }
    for (int64_t i = 0; i < n; i++) row(c, theta + i * td, seeds[i], x + i * xd, status + i);
    atomic_fetch_add(&c->rows, n);
    return 0;
}

static sbi_prior *gaussian_prior(void)
{
    const double mean[D] = {0, 0}, var[D] = {1, 1};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&p, D, mean, var));
    return p;
}

/* ---- runs under a watchdog ------------------------------------------------- */

typedef struct job {
    sbi_runner *runner;
    const sbi_prior *prior;
    int64_t n;
    uint64_t seed;
    sbi_dataset *ds;
    int rc;
    const char *msg;
    char message[512];
} job;

static void *job_main(void *p)
{
    job *j = p;
    j->rc = sbi_runner_run_prior(j->runner, j->prior, j->n, j->seed, &j->ds);
    snprintf(j->message, sizeof j->message, "%s", sbi_last_error());
    return NULL;
}

/* Run on a helper thread; fail (instead of hanging) if it takes too long. */
static void run_watched(job *j)
{
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, job_main, j), 0);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += RUN_TIMEOUT_S;
    const int rc = pthread_timedjoin_np(th, NULL, &deadline);
    if (rc != 0) {
        print_error("the run did not finish within %d s (deadlock?)\n", RUN_TIMEOUT_S);
        fail();
    }
}

static sbi_runner *make_runner(const sbi_simulator *sim, int32_t workers)
{
    sbi_runner *r = NULL;
    assert_ok(sbi_runner_create(&r, sim));
    assert_ok(sbi_runner_set_workers(r, workers));
    assert_ok(sbi_runner_set_chunk_size(r, CHUNK));
    return r;
}

/* The undisturbed reference run: every failure mode on, nothing stopping. */
static sbi_dataset *reference_run(const sbi_prior *prior, uint64_t seed)
{
    sim_ctl c = {.nonfinite = 1, .flag = 1};
    sbi_simulator *sim = NULL;
    assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
    sbi_runner *r = make_runner(sim, 1);
    job j = {.runner = r, .prior = prior, .n = N, .seed = seed};
    run_watched(&j);
    assert_int_equal(j.rc, SBI_OK);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    return j.ds;
}

typedef struct counts {
    int64_t ok, failed, nonfinite, pending;
} counts;

static counts count_rows(const sbi_dataset *ds)
{
    counts c;
    assert_ok(sbi_dataset_count(ds, SBI_ROW_OK, &c.ok));
    assert_ok(sbi_dataset_count(ds, SBI_ROW_FAILED, &c.failed));
    assert_ok(sbi_dataset_count(ds, SBI_ROW_NONFINITE, &c.nonfinite));
    assert_ok(sbi_dataset_count(ds, SBI_ROW_PENDING, &c.pending));
    return c;
}

/* Every row of ds that was simulated equals the reference's row (theta, x
 * and status, bit for bit); every pending row holds NaN theta and x.
 * Returns the number of simulated rows. */
static int64_t assert_rows_kept(const sbi_dataset *ds, const sbi_dataset *ref)
{
    int64_t n;
    assert_ok(sbi_dataset_shape(ds, &n, NULL, NULL));
    assert_int_equal(n, N);
    const double *t, *x, *rt, *rx;
    const int32_t *s, *rs;
    assert_ok(sbi_dataset_theta(ds, &t));
    assert_ok(sbi_dataset_x(ds, &x));
    assert_ok(sbi_dataset_status(ds, &s));
    assert_ok(sbi_dataset_theta(ref, &rt));
    assert_ok(sbi_dataset_x(ref, &rx));
    assert_ok(sbi_dataset_status(ref, &rs));
    int64_t done = 0;
    for (int64_t i = 0; i < n; i++) {
        if (s[i] == SBI_ROW_PENDING) {
            for (int k = 0; k < D; k++) assert_true(isnan(t[i * D + k]));
            for (int k = 0; k < XD; k++) assert_true(isnan(x[i * XD + k]));
            continue;
        }
        done++;
        assert_int_equal(s[i], rs[i]);
        assert_memory_equal(t + i * D, rt + i * D, sizeof(double) * D);
        if (s[i] == SBI_ROW_OK) assert_memory_equal(x + i * XD, rx + i * XD, sizeof(double) * XD);
    }
    return done;
}

/* ---- NaN, Inf and flagged rows --------------------------------------------- */

static void test_invalid_rows_counted_and_kept(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    sbi_dataset *ref = reference_run(prior, 11);
    const counts rc = count_rows(ref);
    /* Each mode occurs (about 11 %, 11 % and 14 % of a standard normal). */
    assert_true(rc.failed > 5 && rc.nonfinite > 5 && rc.ok > N / 2);
    assert_int_equal(rc.pending, 0);
    assert_int_equal(rc.ok + rc.failed + rc.nonfinite, N);

    /* The counts follow from theta alone (flag takes precedence). */
    const double *t;
    const int32_t *s;
    assert_ok(sbi_dataset_theta(ref, &t));
    assert_ok(sbi_dataset_status(ref, &s));
    for (int64_t i = 0; i < N; i++) {
        const double *th = t + i * D;
        const int32_t want = th[1] > 1.1                     ? SBI_ROW_FAILED
                             : (th[0] > 1.2 || th[0] < -1.2) ? SBI_ROW_NONFINITE
                                                             : SBI_ROW_OK;
        assert_int_equal(s[i], want);
    }

    /* Several workers and another chunk size: the same rows, bit for bit. */
    for (int32_t workers = 2; workers <= 4; workers += 2) {
        sim_ctl c = {.nonfinite = 1, .flag = 1, .sleep_us = 200};
        sbi_simulator *sim = NULL;
        assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
        sbi_runner *r = make_runner(sim, workers);
        assert_ok(sbi_runner_set_chunk_size(r, 5));
        job j = {.runner = r, .prior = prior, .n = N, .seed = 11};
        run_watched(&j);
        assert_int_equal(j.rc, SBI_OK);
        assert_int_equal(assert_rows_kept(j.ds, ref), N);
        const counts cc = count_rows(j.ds);
        assert_int_equal(cc.ok, rc.ok);
        assert_int_equal(cc.failed, rc.failed);
        assert_int_equal(cc.nonfinite, rc.nonfinite);
        sbi_dataset_free(j.ds);
        sbi_runner_free(r);
        sbi_simulator_free(sim);
    }
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

/* ---- an error midway ------------------------------------------------------- */

static void test_error_midway_keeps_good_rows(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    sbi_dataset *ref = reference_run(prior, 12);
    for (int32_t workers = 1; workers <= 3; workers++) {
        sim_ctl c = {.nonfinite = 1, .flag = 1, .fail_on_call = 6, .sleep_us = 300};
        sbi_simulator *sim = NULL;
        assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
        sbi_runner *r = make_runner(sim, workers);
        job j = {.runner = r, .prior = prior, .n = N, .seed = 12};
        run_watched(&j);
        assert_int_equal(j.rc, SBI_ESIMULATOR);
        assert_non_null(strstr(j.message, "42")); /* the simulator's own code */
        assert_non_null(j.ds);                    /* paid-for rows are returned */
        const int64_t done = assert_rows_kept(j.ds, ref);
        const counts cc = count_rows(j.ds);
        assert_int_equal(cc.ok + cc.failed + cc.nonfinite, done);
        assert_int_equal(done + cc.pending, N);
        /* Calls 1-5 finished before call 6 failed; at most the calls in
         * flight on the other workers follow. */
        assert_true(done >= 5 * CHUNK);
        assert_true(done <= (5 + 2 * (workers - 1)) * CHUNK);
        if (workers == 1) assert_int_equal(done, 5 * CHUNK);
        assert_true(atomic_load(&c.calls) <= 6 + 2 * (workers - 1));
        sbi_dataset_free(j.ds);
        sbi_runner_free(r);
        sbi_simulator_free(sim);
    }
    /* Failing on the very first call: nothing done, every row pending. */
    sim_ctl c = {.nonfinite = 1, .flag = 1, .fail_on_call = 1};
    sbi_simulator *sim = NULL;
    assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
    sbi_runner *r = make_runner(sim, 2);
    job j = {.runner = r, .prior = prior, .n = N, .seed = 12};
    run_watched(&j);
    assert_int_equal(j.rc, SBI_ESIMULATOR);
    const counts cf = count_rows(j.ds);
    assert_int_equal(assert_rows_kept(j.ds, ref), cf.ok + cf.failed + cf.nonfinite);
    assert_true(cf.pending >= N - CHUNK); /* the other worker's call at most */
    sbi_dataset_free(j.ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

/* ---- cancellation ---------------------------------------------------------- */

static void test_cancel_from_simulator(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    sbi_dataset *ref = reference_run(prior, 13);
    for (int32_t workers = 1; workers <= 4; workers += 3) {
        sim_ctl c = {.nonfinite = 1, .flag = 1, .cancel_on_call = 4, .sleep_us = 300};
        sbi_simulator *sim = NULL;
        assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
        sbi_runner *r = make_runner(sim, workers);
        c.runner = r;
        job j = {.runner = r, .prior = prior, .n = N, .seed = 13};
        run_watched(&j);
        assert_int_equal(j.rc, SBI_ECANCELED);
        const int64_t done = assert_rows_kept(j.ds, ref);
        /* The cancelling call's rows are kept; in-flight calls finish. */
        assert_true(done >= 4 * CHUNK);
        assert_true(done <= (4 + 2 * (workers - 1)) * CHUNK);
        if (workers == 1) assert_int_equal(done, 4 * CHUNK);
        sbi_dataset_free(j.ds);
        sbi_runner_free(r);
        sbi_simulator_free(sim);
    }
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

typedef struct progress_ctl {
    int64_t cancel_at;
    int reports_after;
    int cancelled;
} progress_ctl;

static int progress_fn(void *ud, int64_t done, int64_t total)
{
    progress_ctl *p = ud;
    assert_true(done <= total);
    if (p->cancelled) p->reports_after++;
    if (done >= p->cancel_at) p->cancelled = 1;
    return p->cancelled;
}

static void test_cancel_from_progress(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    sbi_dataset *ref = reference_run(prior, 14);
    for (int32_t workers = 1; workers <= 3; workers += 2) {
        sim_ctl c = {.nonfinite = 1, .flag = 1, .sleep_us = 300};
        sbi_simulator *sim = NULL;
        assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
        sbi_runner *r = make_runner(sim, workers);
        progress_ctl p = {.cancel_at = 3 * CHUNK};
        assert_ok(sbi_runner_set_progress(r, progress_fn, &p));
        job j = {.runner = r, .prior = prior, .n = N, .seed = 14};
        run_watched(&j);
        assert_int_equal(j.rc, SBI_ECANCELED);
        assert_int_equal(p.reports_after, 0);
        const int64_t done = assert_rows_kept(j.ds, ref);
        assert_true(done >= 3 * CHUNK && done < N);
        sbi_dataset_free(j.ds);
        sbi_runner_free(r);
        sbi_simulator_free(sim);
    }
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

typedef struct canceller {
    sbi_runner *runner;
    sim_ctl *ctl;
    int64_t after_rows;
} canceller;

static void *cancel_main(void *p)
{
    canceller *c = p;
    for (int i = 0; i < 20000 && atomic_load(&c->ctl->rows) < c->after_rows; i++) sleep_us(500);
    sbi_runner_cancel(c->runner);
    return NULL;
}

/* A slow simulator cancelled from another thread stops after the calls in
 * flight, well before it would have finished. */
static void test_cancel_slow_from_another_thread(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    sbi_dataset *ref = reference_run(prior, 15);
    for (int32_t workers = 1; workers <= 4; workers += 3) {
        sim_ctl c = {.nonfinite = 1, .flag = 1, .sleep_us = 20000}; /* 20 ms a call: 0.6 s in all */
        sbi_simulator *sim = NULL;
        assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
        sbi_runner *r = make_runner(sim, workers);
        canceller k = {r, &c, 2 * CHUNK};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, cancel_main, &k), 0);
        job j = {.runner = r, .prior = prior, .n = N, .seed = 15};
        run_watched(&j);
        pthread_join(th, NULL);
        assert_int_equal(j.rc, SBI_ECANCELED);
        const int64_t done = assert_rows_kept(j.ds, ref);
        assert_true(done >= 2 * CHUNK);
        assert_true(done < N);
        const counts cc = count_rows(j.ds);
        assert_int_equal(cc.pending, N - done);
        sbi_dataset_free(j.ds);
        sbi_runner_free(r);
        sbi_simulator_free(sim);
    }
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

/* A slow simulator on several workers finishes with the serial result. */
static void test_slow_simulator_completes(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    sbi_dataset *ref = reference_run(prior, 16);
    sim_ctl c = {.nonfinite = 1, .flag = 1, .sleep_us = 3000};
    sbi_simulator *sim = NULL;
    assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
    sbi_runner *r = make_runner(sim, 6);
    job j = {.runner = r, .prior = prior, .n = N, .seed = 16};
    run_watched(&j);
    assert_int_equal(j.rc, SBI_OK);
    assert_int_equal(assert_rows_kept(j.ds, ref), N);
    sbi_dataset_free(j.ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

/* ---- training on what is left -------------------------------------------- */

static sbi_trainer *small_trainer(const sbi_prior *prior)
{
    sbi_trainer *tr = NULL;
    assert_ok(sbi_trainer_create(&tr, prior, SBI_ESTIMATOR_MDN));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_HIDDEN_FEATURES, 8));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_NUM_COMPONENTS, 2));
    assert_ok(sbi_trainer_set_int(tr, SBI_OPT_MAX_EPOCHS, 5));
    return tr;
}

/* Train on ds (through append_dataset) and on its good rows alone (through
 * append): the same posterior, byte for byte. */
static void assert_trains_on_good_rows(const sbi_prior *prior, const sbi_dataset *ds)
{
    const counts cc = count_rows(ds);
    sbi_trainer *a = small_trainer(prior), *b = small_trainer(prior);
    assert_ok(sbi_trainer_append_dataset(a, ds));
    int64_t valid, excluded;
    assert_ok(sbi_trainer_counts(a, &valid, &excluded, NULL, NULL));
    assert_int_equal(valid, cc.ok);
    assert_int_equal(excluded, cc.failed + cc.nonfinite + cc.pending);

    double *theta = malloc(sizeof(double) * (size_t)(cc.ok ? cc.ok : 1) * D);
    double *x = malloc(sizeof(double) * (size_t)(cc.ok ? cc.ok : 1) * XD);
    int64_t k = -1;
    assert_non_null(theta);
    assert_non_null(x);
    assert_ok(sbi_dataset_copy_valid(ds, theta, x, &k));
    assert_int_equal(k, cc.ok);
    assert_ok(sbi_trainer_append(b, k, theta, XD, x));

    assert_ok(sbi_trainer_train(a, 99));
    assert_ok(sbi_trainer_train(b, 99));
    double loss;
    assert_ok(sbi_trainer_result(a, NULL, &loss));
    assert_true(isfinite(loss));
    sbi_posterior *pa = NULL, *pb = NULL;
    assert_ok(sbi_trainer_build_posterior(a, &pa));
    assert_ok(sbi_trainer_build_posterior(b, &pb));
    void *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    assert_ok(sbi_posterior_save_mem(pa, &ba, &la));
    assert_ok(sbi_posterior_save_mem(pb, &bb, &lb));
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    sbi_free(ba);
    sbi_free(bb);
    sbi_posterior_free(pa);
    sbi_posterior_free(pb);
    free(theta);
    free(x);
    sbi_trainer_free(a);
    sbi_trainer_free(b);
}

static void test_trainer_uses_good_rows_only(void **state)
{
    (void)state;
    sbi_prior *prior = gaussian_prior();
    /* A complete run with every kind of invalid row. */
    sbi_dataset *ref = reference_run(prior, 17);
    assert_trains_on_good_rows(prior, ref);

    /* A run stopped midway: pending rows are left out too. */
    sim_ctl c = {.nonfinite = 1, .flag = 1, .fail_on_call = 20};
    sbi_simulator *sim = NULL;
    assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &c));
    sbi_runner *r = make_runner(sim, 2);
    job j = {.runner = r, .prior = prior, .n = N, .seed = 17};
    run_watched(&j);
    assert_int_equal(j.rc, SBI_ESIMULATOR);
    assert_true(count_rows(j.ds).pending > 0);
    assert_trains_on_good_rows(prior, j.ds);
    sbi_dataset_free(j.ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);

    /* Nothing usable: training refuses with a clear status. */
    sim_ctl none = {.fail_on_call = 1};
    assert_ok(sbi_simulator_create(&sim, D, XD, sim_fn, &none));
    r = make_runner(sim, 1);
    job j2 = {.runner = r, .prior = prior, .n = N, .seed = 17};
    run_watched(&j2);
    assert_int_equal(j2.rc, SBI_ESIMULATOR);
    sbi_trainer *tr = small_trainer(prior);
    assert_ok(sbi_trainer_append_dataset(tr, j2.ds));
    int rc = sbi_trainer_train(tr, 1);
    assert_true(rc == SBI_ESTATE || rc == SBI_EINVAL);
    assert_true(strlen(sbi_last_error()) > 0);
    sbi_trainer_free(tr);
    sbi_dataset_free(j2.ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_dataset_free(ref);
    sbi_prior_free(prior);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_rows_counted_and_kept),
        cmocka_unit_test(test_error_midway_keeps_good_rows),
        cmocka_unit_test(test_cancel_from_simulator),
        cmocka_unit_test(test_cancel_from_progress),
        cmocka_unit_test(test_cancel_slow_from_another_thread),
        cmocka_unit_test(test_slow_simulator_completes),
        cmocka_unit_test(test_trainer_uses_good_rows_only),
    };
    return cmocka_run_group_tests_name("failing_simulators", tests, NULL, NULL);
}
