/* The runner's checkpoint/resume: a child process killed mid-run leaves a
 * file from which a rerun produces the byte-identical dataset of an
 * uninterrupted run; torn and corrupt tails are dropped and re-simulated;
 * checkpoints of other runs and foreign files are refused untouched; run
 * slices by first index concatenate to the whole run. */
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "sbi_test.h"
#include "sbi_fault.h"
#include "rng/rng_internal.h"

enum { TD = 2, XD = 3 };

typedef struct toy {
    atomic_llong rows;   /* rows simulated */
    atomic_int calls;
    int fail_on_call;    /* return -7 on this call */
    int kill_after;      /* child: from this call on, wait for kill_size bytes, then SIGKILL */
    const char *kill_path;
    long long kill_size;
} toy;

static void toy_reset(toy *t)
{
    atomic_store(&t->rows, 0);
    atomic_store(&t->calls, 0);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int toy_sim(void *ud, int64_t n, int32_t theta_dim, const double *theta,
                   const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    toy *t = ud;
    int call = atomic_fetch_add(&t->calls, 1) + 1;
    if (t->fail_on_call == call) return -7;
    if (t->kill_after && call >= t->kill_after) {
        /* Wait until the caller's thread has written some records. */
        for (int i = 0; i < 5000 && file_size(t->kill_path) < t->kill_size; i++) sleep_ms(1);
        raise(SIGKILL);
    }
    for (int64_t i = 0; i < n; i++) {
        const double *th = theta + i * theta_dim;
        struct sbi_rng r;
        sbi__rng_init(&r, seeds[i], 0);
        x[i * x_dim] = th[0] + 0.1 * sbi__rng_normal(&r);
        x[i * x_dim + 1] = th[0] * th[1] + sbi__rng_uniform(&r);
        x[i * x_dim + 2] = th[0] > 1.2 ? NAN : th[1];
        if (th[1] < -1.2) status[i] = 1;
    }
    atomic_fetch_add(&t->rows, n);
    return 0;
}

typedef struct fixture {
    char dir[64];
    char path[128];
    toy t;
    sbi_simulator *sim;
    sbi_prior *prior;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sbi_ckpt_XXXXXX");
    if (!f || !mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/run.ckpt", f->dir);
    const double mean[TD] = {0.0, 0.0}, var[TD] = {1.0, 1.0};
    if (sbi_simulator_create(&f->sim, TD, XD, toy_sim, &f->t) != SBI_OK) return -1;
    if (sbi_prior_create_gaussian_diag(&f->prior, TD, mean, var) != SBI_OK) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    sbi_simulator_free(f->sim);
    sbi_prior_free(f->prior);
    free(f);
    return 0;
}

/* Run with the given options; returns the status, *out the dataset. */
static int run(fixture *f, const char *ckpt, int32_t workers, int64_t chunk, int64_t first,
               int64_t n, uint64_t seed, const double *theta, sbi_dataset **out)
{
    sbi_runner *r = NULL;
    assert_ok(sbi_runner_create(&r, f->sim));
    assert_ok(sbi_runner_set_workers(r, workers));
    assert_ok(sbi_runner_set_chunk_size(r, chunk));
    assert_ok(sbi_runner_set_first_index(r, first));
    assert_ok(sbi_runner_set_checkpoint(r, ckpt));
    int rc = theta ? sbi_runner_run(r, n, theta, seed, out)
                   : sbi_runner_run_prior(r, f->prior, n, seed, out);
    sbi_runner_free(r);
    return rc;
}

static void assert_same(const sbi_dataset *a, const sbi_dataset *b, int64_t offset_b)
{
    int64_t na, nb;
    assert_ok(sbi_dataset_shape(a, &na, NULL, NULL));
    assert_ok(sbi_dataset_shape(b, &nb, NULL, NULL));
    assert_true(offset_b + na <= nb);
    const double *ta, *tb, *xa, *xb;
    const int32_t *sa, *sb;
    assert_ok(sbi_dataset_theta(a, &ta));
    assert_ok(sbi_dataset_theta(b, &tb));
    assert_ok(sbi_dataset_x(a, &xa));
    assert_ok(sbi_dataset_x(b, &xb));
    assert_ok(sbi_dataset_status(a, &sa));
    assert_ok(sbi_dataset_status(b, &sb));
    assert_memory_equal(ta, tb + offset_b * TD, sizeof(double) * (size_t)na * TD);
    assert_memory_equal(xa, xb + offset_b * XD, sizeof(double) * (size_t)na * XD);
    assert_memory_equal(sa, sb + offset_b, sizeof(int32_t) * (size_t)na);
}

static void test_kill_and_resume(void **state)
{
    fixture *f = *state;
    const int64_t n = 3000;
    sbi_dataset *ref = NULL, *ds = NULL;
    assert_ok(run(f, NULL, 1, 16, 0, n, 11, NULL, &ref));

    /* The child runs on 2 workers and is killed once records are on disk. */
    toy_reset(&f->t);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        f->t.kill_after = 30;
        f->t.kill_path = f->path;
        f->t.kill_size = 52 + 10 * (20 + 16 * (8 * (TD + XD) + 4) + 4);
        sbi_dataset *child = NULL;
        run(f, f->path, 2, 16, 0, n, 11, NULL, &child);
        _exit(3); /* not killed: the parent's checks fail */
    }
    int wstatus = 0;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    long long size = file_size(f->path);
    assert_true(size >= 52 + 10 * (20 + 16 * (8 * (TD + XD) + 4) + 4));

    /* Resume with other workers and chunks: only the missing rows run. */
    toy_reset(&f->t);
    assert_ok(run(f, f->path, 4, 7, 0, n, 11, NULL, &ds));
    long long simulated = atomic_load(&f->t.rows);
    print_message("file %lld bytes; resumed run simulated %lld of %lld rows\n", size, simulated, (long long)n);
    assert_true(simulated >= 1 && simulated <= n - 160);
    assert_same(ds, ref, 0);
    int64_t c;
    assert_ok(sbi_dataset_count(ds, SBI_ROW_FAILED, &c));
    assert_true(c > 0);
    assert_ok(sbi_dataset_count(ds, SBI_ROW_NONFINITE, &c));
    assert_true(c > 0);
    sbi_dataset_free(ds);

    /* A complete file: a rerun simulates nothing. */
    toy_reset(&f->t);
    assert_ok(run(f, f->path, 1, 64, 0, n, 11, NULL, &ds));
    assert_int_equal(atomic_load(&f->t.rows), 0);
    assert_same(ds, ref, 0);
    sbi_dataset_free(ds);
    sbi_dataset_free(ref);
}

static void rewrite(const char *path, long long keep, long long flip_at, const char *append)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static unsigned char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    if (keep >= 0 && (size_t)keep < len) len = (size_t)keep;
    if (flip_at >= 0) buf[flip_at] ^= 0x40;
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, len, fp), len);
    if (append) fputs(append, fp);
    fclose(fp);
}

static void test_torn_and_corrupt_records(void **state)
{
    fixture *f = *state;
    const int64_t n = 500;
    const long long rec = 20 + 10 * (8 * (TD + XD) + 4) + 4; /* a 10-row record */
    sbi_dataset *ref = NULL, *ds = NULL;
    assert_ok(run(f, f->path, 1, 10, 0, n, 5, NULL, &ref));
    const long long full = file_size(f->path);
    assert_int_equal(full, 52 + 50 * rec);
    struct {
        long long keep, flip;
        const char *append;
        long long resimulated;
    } cases[] = {
        {full - 7, -1, NULL, 10},          /* torn last record */
        {-1, 52 + 2 * rec + 100, NULL, 480}, /* corrupt 3rd record: it and the rest */
        {-1, 52 + 5 * rec + 3, NULL, 450},   /* corrupt count field of the 6th record */
        {-1, -1, "junk after the records", 0},
        {0, -1, NULL, n},                  /* empty file: a fresh start */
        {30, -1, NULL, n},                 /* header torn while being written */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rewrite(f->path, cases[i].keep, cases[i].flip, cases[i].append);
        toy_reset(&f->t);
        assert_ok(run(f, f->path, 2, 10, 0, n, 5, NULL, &ds));
        assert_int_equal(atomic_load(&f->t.rows), cases[i].resimulated);
        assert_same(ds, ref, 0);
        sbi_dataset_free(ds);
        assert_int_equal(file_size(f->path), full);
    }
    sbi_dataset_free(ref);
}

static void test_error_and_cancel_resume(void **state)
{
    fixture *f = *state;
    const int64_t n = 200;
    sbi_dataset *ref = NULL, *ds = NULL;
    assert_ok(run(f, NULL, 1, 10, 0, n, 9, NULL, &ref));
    f->t.fail_on_call = 5;
    toy_reset(&f->t);
    assert_status(run(f, f->path, 1, 10, 0, n, 9, NULL, &ds), SBI_ESIMULATOR);
    int64_t pending;
    assert_ok(sbi_dataset_count(ds, SBI_ROW_PENDING, &pending));
    assert_int_equal(pending, n - 40);
    sbi_dataset_free(ds);
    f->t.fail_on_call = 0;
    toy_reset(&f->t);
    assert_ok(run(f, f->path, 2, 10, 0, n, 9, NULL, &ds));
    assert_int_equal(atomic_load(&f->t.rows), n - 40);
    assert_same(ds, ref, 0);
    sbi_dataset_free(ds);
    sbi_dataset_free(ref);
}

static void test_other_runs_refused(void **state)
{
    fixture *f = *state;
    sbi_dataset *ds = (sbi_dataset *)f;
    assert_ok(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds));
    const double *theta;
    assert_ok(sbi_dataset_theta(ds, &theta));
    double given[100 * TD];
    memcpy(given, theta, sizeof given);
    sbi_dataset_free(ds);
    FILE *fp = fopen(f->path, "rb");
    static unsigned char before[1 << 16], after[1 << 16];
    size_t len = fread(before, 1, sizeof before, fp);
    fclose(fp);

    struct {
        int64_t first, n;
        uint64_t seed;
        int given;
        const char *text;
    } cases[] = {{0, 100, 2, 0, "seed is 1, this run's is 2"},
                 {0, 101, 1, 0, "n is 100"},
                 {5, 100, 1, 0, "first index is 0"},
                 {0, 100, 1, 1, "theta source"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ds = (sbi_dataset *)f;
        assert_status(run(f, f->path, 1, 10, cases[i].first, cases[i].n, cases[i].seed,
                          cases[i].given ? given : NULL, &ds),
                      SBI_EINVAL);
        assert_non_null(strstr(sbi_last_error(), cases[i].text));
        assert_null(ds);
    }
    /* Another prior with the same seed draws other theta. */
    const double low[TD] = {-1, -1}, high[TD] = {1, 1};
    sbi_prior *box = NULL;
    assert_ok(sbi_prior_create_box_uniform(&box, TD, low, high));
    sbi_prior *keep = f->prior;
    f->prior = box;
    assert_status(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "another prior"));
    assert_null(ds);
    f->prior = keep;
    sbi_prior_free(box);
    fp = fopen(f->path, "rb");
    assert_int_equal(fread(after, 1, sizeof after, fp), len);
    fclose(fp);
    assert_memory_equal(before, after, len);

    /* A given-theta checkpoint checks theta row by row. */
    unlink(f->path);
    assert_ok(run(f, f->path, 1, 10, 0, 100, 1, given, &ds));
    sbi_dataset_free(ds);
    given[77 * TD + 1] += 1e-9;
    assert_status(run(f, f->path, 1, 10, 0, 100, 1, given, &ds), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "another theta for row 77"));

    /* A file that is not a checkpoint is left alone. */
    fp = fopen(f->path, "wb");
    fputs("precious data, not a checkpoint\n", fp);
    fclose(fp);
    assert_status(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds), SBI_EFORMAT);
    assert_int_equal(file_size(f->path), 32);
    /* A corrupt header. */
    unlink(f->path);
    assert_ok(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds));
    sbi_dataset_free(ds);
    rewrite(f->path, -1, 30, NULL);
    assert_status(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "corrupt header"));
    unlink(f->path);
}

static void test_io_errors(void **state)
{
    fixture *f = *state;
    sbi_dataset *ds = NULL;
    char missing[192];
    snprintf(missing, sizeof missing, "%s/no/such/dir/run.ckpt", f->dir);
    assert_status(run(f, missing, 1, 10, 0, 100, 1, NULL, &ds), SBI_EIO);
    assert_null(ds);
    /* A file locked by another run. */
    int fd = open(f->path, O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    assert_status(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds), SBI_EIO);
    assert_non_null(strstr(sbi_last_error(), "in use"));
    close(fd);
    assert_ok(run(f, f->path, 1, 10, 0, 100, 1, NULL, &ds));
    sbi_dataset_free(ds);
    unlink(f->path);
}

static void test_first_index_slices(void **state)
{
    fixture *f = *state;
    sbi_dataset *whole = NULL, *a = NULL, *b = NULL;
    assert_ok(run(f, NULL, 2, 9, 0, 200, 21, NULL, &whole));
    assert_ok(run(f, NULL, 1, 64, 0, 120, 21, NULL, &a));
    assert_ok(run(f, NULL, 4, 5, 120, 80, 21, NULL, &b));
    assert_same(a, whole, 0);
    assert_same(b, whole, 120);
    sbi_dataset_free(a);
    sbi_dataset_free(b);
    /* With a checkpoint per slice. */
    assert_ok(run(f, f->path, 2, 7, 120, 80, 21, NULL, &b));
    sbi_dataset_free(b);
    toy_reset(&f->t);
    assert_ok(run(f, f->path, 1, 3, 120, 80, 21, NULL, &b));
    assert_int_equal(atomic_load(&f->t.rows), 0);
    assert_same(b, whole, 120);
    sbi_dataset_free(b);
    unlink(f->path);
    sbi_dataset_free(whole);
}

static void test_bad_arguments(void **state)
{
    fixture *f = *state;
    sbi_runner *r = NULL;
    assert_status(sbi_runner_set_checkpoint(NULL, "x"), SBI_EINVAL);
    assert_status(sbi_runner_set_first_index(NULL, 0), SBI_EINVAL);
    assert_ok(sbi_runner_create(&r, f->sim));
    assert_status(sbi_runner_set_checkpoint(r, ""), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "path is empty"));
    assert_status(sbi_runner_set_first_index(r, -1), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "first=-1"));
    assert_ok(sbi_runner_set_checkpoint(r, f->path));
    assert_ok(sbi_runner_set_checkpoint(r, NULL)); /* off again */
    assert_ok(sbi_runner_set_first_index(r, INT64_MAX - 5));
    sbi_dataset *ds = NULL;
    assert_status(sbi_runner_run_prior(r, f->prior, 10, 1, &ds), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "overflows"));
    assert_null(ds);
    assert_int_equal(file_size(f->path), -1);
    sbi_runner_free(r);
}

/* Simulator, runner (2 workers, a checkpoint written then resumed) and
 * dataset with each allocation failing. */
static int runner_scenario(void *ctx)
{
    fixture *f = ctx;
    unlink(f->path);
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL, *copy = NULL;
    int rc = sbi_simulator_create(&sim, TD, XD, toy_sim, &f->t);
    if (rc == SBI_OK) rc = sbi_runner_create(&r, sim);
    if (rc == SBI_OK) rc = sbi_runner_set_workers(r, 2);
    if (rc == SBI_OK) rc = sbi_runner_set_chunk_size(r, 8);
    if (rc == SBI_OK) rc = sbi_runner_set_checkpoint(r, f->path);
    for (int pass = 0; pass < 2 && rc == SBI_OK; pass++) { /* write, then resume */
        rc = sbi_runner_run_prior(r, f->prior, 40, 3, &ds);
        if (rc == SBI_OK) {
            const double *theta, *x;
            sbi_dataset_theta(ds, &theta);
            sbi_dataset_x(ds, &x);
            rc = sbi_dataset_create(&copy, 40, TD, XD, theta, x);
        }
        sbi_dataset_free(ds);
        sbi_dataset_free(copy);
        ds = copy = NULL;
    }
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    return rc;
}

static void test_allocation_failures(void **state)
{
    sbi_test_fault_walk(runner_scenario, *state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_and_corrupt_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_and_cancel_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_runs_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_index_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup, teardown),
    };
    return cmocka_run_group_tests_name("checkpoint", tests, NULL, NULL);
}
