/* No lost simulations (issue 10, item 5), from the outside: a child process
 * runs a checkpointed simulation on 3 workers and writes the dataset to a
 * .npy file at the end; the parent SIGKILLs it at pseudo-random moments,
 * again and again, restarting it each time, until a child completes. The
 * final file must be byte-identical to the one an uninterrupted run writes,
 * and no killed child may leave a file under the final name. (The runner's
 * own tests kill from inside the simulator at a chosen point; here the kill
 * lands anywhere: mid-record, mid-fsync, mid-write of the output.) */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "sbi_test.h"

enum { D = 2, XD = 3, N = 3000, CHUNK = 10 };

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* x from theta and the row's seed only; some NaN and flagged rows; slow
 * enough (2 ms a call) for kills to land mid-run. */
static int sim_fn(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
                  int32_t xd, double *x, int32_t *status)
{
    (void)ud;
    sleep_us(2000);
    for (int64_t i = 0; i < n; i++) {
        const double *t = theta + i * td;
        const double u = (double)(seeds[i] >> 11) * 0x1.0p-53;
        x[i * xd + 0] = t[0] + u;
        x[i * xd + 1] = t[0] > 1.5 ? NAN : t[1] * u;
        x[i * xd + 2] = sin(t[0] * t[1]) + u * u;
        if (t[1] < -1.5) status[i] = 1;
    }
    return 0;
}

/* The child: run (resuming from ckpt if given), write theta|x|status to out. */
static int child_run(const char *ckpt, const char *out, int32_t workers)
{
    const double mean[D] = {0, 0}, var[D] = {1, 1};
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    double *table = NULL;
    int rc = sbi_prior_create_gaussian_diag(&prior, D, mean, var);
    if (rc == SBI_OK) rc = sbi_simulator_create(&sim, D, XD, sim_fn, NULL);
    if (rc == SBI_OK) rc = sbi_runner_create(&r, sim);
    if (rc == SBI_OK) rc = sbi_runner_set_workers(r, workers);
    if (rc == SBI_OK) rc = sbi_runner_set_chunk_size(r, CHUNK);
    if (rc == SBI_OK && ckpt) rc = sbi_runner_set_checkpoint(r, ckpt);
    if (rc == SBI_OK) rc = sbi_runner_run_prior(r, prior, N, 2024, &ds);
    const double *theta = NULL, *x = NULL;
    const int32_t *st = NULL;
    if (rc == SBI_OK) {
        sbi_dataset_theta(ds, &theta);
        sbi_dataset_x(ds, &x);
        sbi_dataset_status(ds, &st);
        table = malloc(sizeof(double) * N * (D + XD + 1));
        if (!table) rc = SBI_ENOMEM;
    }
    if (rc == SBI_OK) {
        for (int64_t i = 0; i < N; i++) {
            double *row = table + i * (D + XD + 1);
            memcpy(row, theta + i * D, sizeof(double) * D);
            memcpy(row + D, x + i * XD, sizeof(double) * XD);
            row[D + XD] = st[i];
        }
        rc = sbi_table_write(out, N, D + XD + 1, table, NULL, SBI_FORMAT_NPY);
    }
    if (rc != SBI_OK) fprintf(stderr, "child: %s\n", sbi_last_error());
    free(table);
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    return rc == SBI_OK ? 0 : 1;
}

static pid_t start_child(const char *ckpt, const char *out, int32_t workers)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(child_run(ckpt, out, workers));
    return pid;
}

static long read_file(const char *path, unsigned char **data)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)n + 1);
    if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) n = -1;
    fclose(f);
    return n;
}

static void test_killed_again_and_again(void **state)
{
    (void)state;
    char dir[] = "/tmp/sbi-resume-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ref[64], out[64], ckpt[64];
    snprintf(ref, sizeof ref, "%s/ref.npy", dir);
    snprintf(out, sizeof out, "%s/out.npy", dir);
    snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", dir);

    /* The uninterrupted run, without a checkpoint, on one worker. */
    int ws = 0;
    pid_t pid = start_child(NULL, ref, 1);
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

    /* Killed at pseudo-random moments, resumed each time. */
    uint64_t lcg = 12345;
    int kills = 0, attempts = 0;
    long delay_us = 0;
    for (;;) {
        assert_true(++attempts <= 200);
        pid = start_child(ckpt, out, 3);
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        /* 5..65 ms, growing so a slow machine (sanitizers) still progresses */
        delay_us = 5000 + 2000L * attempts + (long)((lcg >> 33) % 60000);
        sleep_us(delay_us);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &ws, 0), pid);
        if (WIFEXITED(ws)) {
            assert_int_equal(WEXITSTATUS(ws), 0);
            break; /* finished before the kill */
        }
        assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
        kills++;
        /* A killed run leaves no output under the final name, unless it was
         * killed after the atomic rename: then the file is complete. */
        struct stat st;
        if (stat(out, &st) == 0) {
            unsigned char *a = NULL, *b = NULL;
            long na = read_file(ref, &a), nb = read_file(out, &b);
            assert_true(na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0);
            free(a);
            free(b);
            break;
        }
    }
    print_message("killed %d times in %d attempts (last delay %ld us)\n", kills, attempts,
                  delay_us);
    assert_true(kills >= 3); /* the test really interrupted the run */

    unsigned char *a = NULL, *b = NULL;
    long na = read_file(ref, &a), nb = read_file(out, &b);
    assert_true(na > 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, (size_t)na);
    free(a);
    free(b);

    /* A rerun with the complete checkpoint writes the same file again. */
    unlink(out);
    pid = start_child(ckpt, out, 2);
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    na = read_file(ref, &a);
    nb = read_file(out, &b);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, (size_t)na);
    free(a);
    free(b);

    unlink(ref);
    unlink(out);
    unlink(ckpt);
    /* Temporaries of outputs killed mid-write may remain: remove them. */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_again_and_again),
    };
    return cmocka_run_group_tests_name("resume_kill", tests, NULL, NULL);
}
