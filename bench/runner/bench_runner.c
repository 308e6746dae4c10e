/* Runner throughput (never run as a test).
 * usage: bench_runner [rows] [checkpoint-dir]
 * For each simulator cost (about 0 and about 20 us per row) and 1, 2, 4
 * workers: rows per second, and the runner's overhead per row compared with
 * calling the simulator directly in one batch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sbi.h>
#include "../common/bench_util.h"

/* x = theta plus `work` iterations of a cheap recurrence per row. */
static int simulate(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
                    int32_t xd, double *x, int32_t *status)
{
    const long work = *(const long *)ud;
    (void)status;
    for (int64_t i = 0; i < n; i++) {
        double v = theta[i * td] + (double)(seeds[i] & 0xff) * 1e-3;
        for (long k = 0; k < work; k++) v = v * 0.999999 + 1e-6 * sin(v);
        for (int32_t j = 0; j < xd; j++) x[i * xd + j] = v + theta[i * td + j % td];
    }
    return 0;
}

int main(int argc, char **argv)
{
    const int64_t n = argc > 1 ? atoll(argv[1]) : 200000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    const double low[4] = {0, 0, 0, 0}, high[4] = {1, 1, 1, 1};
    sbi_prior *prior = NULL;
    if (sbi_prior_create_box_uniform(&prior, 4, low, high) != SBI_OK) return 1;
    const long works[2] = {0, 400}; /* ~0 and ~20 us per row */
    printf("rows=%lld, theta_dim=4, x_dim=8, chunk=64\n", (long long)n);
    for (int w = 0; w < 2; w++) {
        long work = works[w];
        sbi_simulator *sim = NULL;
        if (sbi_simulator_create(&sim, 4, 8, simulate, &work) != SBI_OK) return 1;
        /* Direct batched call: the floor the runner is compared with. */
        int64_t m = n < 20000 ? n : 20000;
        double *theta = malloc(sizeof(double) * (size_t)m * 4);
        double *x = malloc(sizeof(double) * (size_t)m * 8);
        uint64_t *seeds = malloc(sizeof(uint64_t) * (size_t)m);
        int32_t *st = malloc(sizeof(int32_t) * (size_t)m);
        sbi_rng *rng = NULL;
        sbi_rng_create(&rng, 1, 0);
        sbi_prior_sample(prior, rng, m, theta);
        for (int64_t i = 0; i < m; i++) seeds[i] = sbi_seed_for_index(1, (uint64_t)i);
        double t0 = bench_wall();
        sbi_simulator_run(sim, m, theta, seeds, x, st);
        double direct = (bench_wall() - t0) / (double)m;
        printf("simulator ~%ld iterations/row: direct call %.3f us/row\n", work, 1e6 * direct);
        for (int32_t workers = 1; workers <= 4; workers *= 2)
            for (int ck = 0; ck < 2; ck++) {
                char path[512];
                snprintf(path, sizeof path, "%s/bench_runner_%d.ckpt", dir, (int)getpid());
                unlink(path);
                sbi_runner *r = NULL;
                sbi_dataset *ds = NULL;
                sbi_runner_create(&r, sim);
                sbi_runner_set_workers(r, workers);
                if (ck) sbi_runner_set_checkpoint(r, path);
                t0 = bench_wall();
                int rc = sbi_runner_run_prior(r, prior, n, 1, &ds);
                double t = bench_wall() - t0;
                printf("  workers=%d checkpoint=%s: %s, %.0f rows/s, %.3f us/row (%+.3f us/row vs "
                       "direct)\n",
                       (int)workers, ck ? "on " : "off", sbi_status_string(rc), (double)n / t,
                       1e6 * t / (double)n, 1e6 * (t / (double)n - direct / workers));
                sbi_dataset_free(ds);
                sbi_runner_free(r);
                unlink(path);
            }
        free(theta);
        free(x);
        free(seeds);
        free(st);
        sbi_rng_free(rng);
        sbi_simulator_free(sim);
    }
    sbi_prior_free(prior);
    return 0;
}
