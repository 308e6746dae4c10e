/* NSF training through the trainer with SBI_OPT_THREADS 1 and 2, in one run
 * (a benchmark, never run as a test): alternating trainings of the same rows
 * and seed, each timed in wall and process CPU seconds, and a check that the
 * two posteriors are the same byte for byte. The second thread only gains
 * wall time on an idle second core; the CPU time shows the cost of the
 * thread starts.
 *
 * usage: bench_train_threads [--rows N] [--epochs E] [--repeats R] */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_util.h"
#include "sbi.h"

/* theta ~ N(0, I_3); x = (theta, theta_0 theta_1, sin theta_2) + noise: a small problem. */
static void rows(int64_t n, double *theta, double *x)
{
    sbi_rng *r = NULL;
    if (sbi_rng_create(&r, 1, 0) != SBI_OK) exit(1);
    double z[10];
    for (int64_t i = 0; i < n; i++) {
        if (sbi_rng_normal(r, 10, z) != SBI_OK) exit(1);
        double *t = theta + 3 * i, *v = x + 5 * i;
        for (int j = 0; j < 3; j++) t[j] = z[j];
        for (int j = 0; j < 3; j++) v[j] = t[j] + 0.2 * z[3 + j];
        v[3] = t[0] * t[1] + 0.2 * z[6];
        v[4] = t[2] * t[2] + 0.2 * z[7];
    }
    sbi_rng_free(r);
}

static double train_once(int64_t threads, int64_t n, int64_t epochs, const double *theta,
                         const double *x, double *cpu, void **buf, size_t *len)
{
    const double mean[3] = {0, 0, 0}, var[3] = {1, 1, 1};
    sbi_prior *prior = NULL;
    sbi_trainer *t = NULL;
    sbi_posterior *p = NULL;
    if (sbi_prior_create_gaussian_diag(&prior, 3, mean, var) != SBI_OK ||
        sbi_trainer_create(&t, prior, SBI_ESTIMATOR_NSF) != SBI_OK ||
        sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, epochs) != SBI_OK ||
        sbi_trainer_set_int(t, SBI_OPT_THREADS, threads) != SBI_OK ||
        sbi_trainer_append(t, n, theta, 5, x) != SBI_OK) {
        fprintf(stderr, "setup: %s\n", sbi_last_error());
        exit(1);
    }
    double c0 = bench_process_cpu(), w0 = bench_wall();
    if (sbi_trainer_train(t, 7) != SBI_OK) {
        fprintf(stderr, "train: %s\n", sbi_last_error());
        exit(1);
    }
    double wall = bench_wall() - w0;
    *cpu = bench_process_cpu() - c0;
    if (sbi_trainer_build_posterior(t, &p) != SBI_OK || sbi_posterior_save_mem(p, buf, len) != SBI_OK)
        exit(1);
    sbi_posterior_free(p);
    sbi_trainer_free(t);
    sbi_prior_free(prior);
    return wall;
}

int main(int argc, char **argv)
{
    int64_t n = 2000, epochs = 3;
    int repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rows")) n = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--epochs")) epochs = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--repeats")) repeats = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: bench_train_threads [--rows N] [--epochs E] [--repeats R]\n");
            return 2;
        }
    }
    if (n < 10 || epochs < 1 || repeats < 1 || repeats > 20) return 2;
    bench_single_threaded_blas();
    double *theta = malloc(sizeof(double) * 3 * (size_t)n), *x = malloc(sizeof(double) * 5 * (size_t)n);
    if (!theta || !x) return 1;
    rows(n, theta, x);
    printf("NSF (defaults: hidden 50, 5 transforms, 10 bins, batch 200), %lld rows, d=3, x_dim=5, "
           "%lld epochs, seed 7; load average %.2f\n", (long long)n, (long long)epochs,
           bench_loadavg());
    double wall[2][20], cpu[2][20];
    void *ref = NULL;
    size_t ref_len = 0;
    int same = 1;
    for (int k = 0; k < repeats; k++) {
        for (int th = 1; th <= 2; th++) {
            void *buf = NULL;
            size_t len = 0;
            wall[th - 1][k] = train_once(th, n, epochs, theta, x, &cpu[th - 1][k], &buf, &len);
            if (!ref) {
                ref = buf;
                ref_len = len;
            } else {
                same &= len == ref_len && memcmp(buf, ref, len) == 0;
                sbi_free(buf);
            }
            printf("  threads %d: wall %.3f s, cpu %.3f s\n", th, wall[th - 1][k], cpu[th - 1][k]);
        }
    }
    double w1 = bench_median(wall[0], repeats), w2 = bench_median(wall[1], repeats);
    double c1 = bench_median(cpu[0], repeats), c2 = bench_median(cpu[1], repeats);
    printf("median: 1 thread wall %.3f s cpu %.3f s; 2 threads wall %.3f s cpu %.3f s; "
           "wall ratio 1/2 = %.2f; posteriors %s\n", w1, c1, w2, c2, w1 / w2,
           same ? "identical" : "DIFFER");
    sbi_free(ref);
    free(theta);
    free(x);
    return same ? 0 : 1;
}
