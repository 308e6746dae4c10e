/* The C side of the binding's overhead benchmark: time
 * sbi_posterior_sample(n) on a saved posterior at one observation, as
 * lib/python/bench/bench_overhead.py does from Python, and print the best of
 * `reps` wall times in milliseconds.
 * Usage: python_bench_sample POSTERIOR N REPS SEED X1 [X2 ...] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sbi.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s (%s)\n", what, sbi_status_string(rc), sbi_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s POSTERIOR N REPS SEED X1 [X2 ...]\n", argv[0]);
        return 2;
    }
    sbi_posterior *post = NULL;
    int rc = sbi_posterior_load(&post, argv[1]);
    if (rc) return fail("load", rc);
    int64_t n = atoll(argv[2]);
    int reps = atoi(argv[3]);
    uint64_t seed = strtoull(argv[4], NULL, 10);
    int32_t theta_dim = 0, x_dim = 0;
    sbi_posterior_dims(post, &theta_dim, &x_dim);
    if (argc - 5 != x_dim) {
        fprintf(stderr, "expected %d observation values\n", (int)x_dim);
        return 2;
    }
    double *x = malloc(sizeof(double) * (size_t)x_dim);
    double *out = malloc(sizeof(double) * (size_t)(n * theta_dim));
    if (!x || !out) return 1;
    for (int32_t j = 0; j < x_dim; j++) x[j] = atof(argv[5 + j]);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        sbi_rng *rng = NULL;
        double t0 = now();
        rc = sbi_rng_create(&rng, seed, 0);
        if (!rc) rc = sbi_posterior_sample(post, rng, x, n, out);
        double t = now() - t0;
        sbi_rng_free(rng);
        if (rc) return fail("sample", rc);
        if (t < best) best = t;
    }
    printf("%.4f\n", best * 1e3);
    free(x);
    free(out);
    sbi_posterior_free(post);
    return 0;
}
