/* C2ST known answers at the benchmark's size, 10 000 vs 10 000: the same
 * distribution (-> 0.5) and shifted unit Gaussians (-> the Bayes accuracy
 * Phi(|delta|/2)), in the dimensions of the three tasks. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "sbi.h"
#include "../common/bench_util.h"

int bench_validate(uint64_t seed)
{
    enum { N = 10000 };
    static const struct {
        int32_t dim, axes; /* shift spread evenly over the first `axes` axes */
        double norm;       /* |delta| */
    } cases[] = {{1, 1, 0.0}, {1, 1, 1.0}, {2, 2, 0.0}, {2, 2, 1.0},  {5, 1, 1.2},
                 {5, 5, 1.5}, {5, 5, 0.0}, {10, 10, 0.0}, {10, 10, 1.0}, {10, 1, 0.5}};
    printf("| dim | shift | Bayes accuracy | C2ST | difference | seconds |\n|---|---|---|---|---|---|\n");
    int worst_ok = 1;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int32_t d = cases[c].dim;
        double *x = malloc(sizeof(double) * N * (size_t)d), *y = malloc(sizeof(double) * N * (size_t)d);
        sbi_rng *rng = NULL;
        if (!x || !y || sbi_rng_create(&rng, seed, 100 + c) != SBI_OK) return -1;
        sbi_rng_normal(rng, (int64_t)N * d, x);
        sbi_rng_normal(rng, (int64_t)N * d, y);
        for (int64_t i = 0; i < N; i++)
            for (int32_t k = 0; k < cases[c].axes; k++)
                y[i * d + k] += cases[c].norm / sqrt((double)cases[c].axes);
        double acc = NAN, t0 = bench_wall();
        int rc = sbi_c2st(N, x, N, y, d, seed, &acc);
        double bayes = 0.5 * erfc(-(cases[c].norm / 2) / sqrt(2.0));
        if (rc != SBI_OK) fprintf(stderr, "c2st failed: %s\n", sbi_last_error());
        printf("| %d | %s%.2f | %.4f | %.4f | %+.4f | %.1f |\n", (int)d,
               cases[c].axes > 1 ? "all axes, |delta|=" : "one axis, ", cases[c].norm, bayes, acc,
               acc - bayes, bench_wall() - t0);
        fflush(stdout);
        if (!(fabs(acc - bayes) <= 0.02)) worst_ok = 0;
        sbi_rng_free(rng);
        free(x);
        free(y);
    }
    printf("\nall within 0.02 of the Bayes accuracy: %s\n", worst_ok ? "yes" : "no");
    return 0;
}
