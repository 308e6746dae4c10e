/* Time sbi_c2st_ex on n rows of N(0, I) against n rows of N(0.3, I) with a
 * fixed epoch cap (the stopping rule rarely ends training this early), 5
 * folds, for each dimension given.
 *
 * Usage: bench_c2st [n=10000] [max_epochs=20] [reps=1] [dims...=2 5 10]
 * Prints, per dimension: CPU seconds per call (best of reps; CPU time, not
 * wall time, so that other processes on a shared machine matter less; run
 * with OPENBLAS_NUM_THREADS=1), ms per epoch per fold (seconds / (5 *
 * max_epochs)) and the accuracy. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sbi.h"
#include "../common/bench_util.h"

static double *gaussian(int64_t n, int32_t dim, double shift, uint64_t seed)
{
    double *x = malloc(sizeof(double) * (size_t)(n * dim));
    sbi_rng *rng = NULL;
    if (!x || sbi_rng_create(&rng, seed, 0) != SBI_OK || sbi_rng_normal(rng, n * dim, x) != SBI_OK) {
        fprintf(stderr, "bench_c2st: setup failed\n");
        exit(1);
    }
    for (int64_t i = 0; i < n * dim; i++) x[i] += shift;
    sbi_rng_free(rng);
    return x;
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? atoll(argv[1]) : 10000;
    int64_t epochs = argc > 2 ? atoll(argv[2]) : 20;
    int reps = argc > 3 ? atoi(argv[3]) : 1;
    int32_t dims[16] = {2, 5, 10};
    int n_dims = 3;
    if (argc > 4) {
        n_dims = 0;
        for (int a = 4; a < argc && n_dims < 16; a++) dims[n_dims++] = (int32_t)atoi(argv[a]);
    }
    for (int k = 0; k < n_dims; k++) {
        double *x = gaussian(n, dims[k], 0.0, 1), *y = gaussian(n, dims[k], 0.3, 2);
        double best = 1e300, acc = 0.0;
        for (int r = 0; r < reps; r++) {
            double t0 = bench_process_cpu();
            if (sbi_c2st_ex(n, x, n, y, dims[k], 1, 5, epochs, 1, NULL, &acc) != SBI_OK) {
                fprintf(stderr, "bench_c2st: %s\n", sbi_last_error());
                return 1;
            }
            double t = bench_process_cpu() - t0;
            if (t < best) best = t;
        }
        printf("d=%-3d n=%lld epochs=%lld: %.3f s CPU, %.3f ms/epoch/fold, accuracy %.4f\n",
               (int)dims[k], (long long)n, (long long)epochs, best,
               1e3 * best / (5.0 * (double)epochs), acc);
        fflush(stdout);
        free(x);
        free(y);
    }
    return 0;
}
