/* Speed of the density estimators (MDN, MAF, NSF) at the shapes of the
 * benchmark tasks: time per training step (nll_grad at batch 200, forward +
 * backward, median of repeated runs), log_prob throughput (10 000 rows each
 * with its own x, and 10 000 rows at one x through log_prob_at, the
 * posterior's case; "gain" is their ratio, measured in the same run),
 * sampling throughput (10 000 samples at one x) and single-sample latency.
 *
 * Usage: bench_flows [steps] [hidden] [transforms]
 *   (defaults 200 steps, the reference shapes 50 hidden / 5 transforms)
 * Times are process CPU time (see now()), except the two wall-clock columns:
 * a step on one thread and on two (flows split the batch in two shards; the
 * MDN ignores the setting). Run with OPENBLAS_NUM_THREADS=1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "estimators/estimator.h"
#include "rng/rng_internal.h"
#include "sbi.h"
#include "../common/bench_util.h"

/* Process CPU time: on a shared machine wall time measures the neighbours;
 * with one BLAS thread and an idle machine the two agree. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void bench(int32_t kind, const char *task, int32_t d, int32_t xd, int steps, int hidden,
                  int transforms)
{
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, kind, d, xd);
    cfg.hidden_features = hidden;
    cfg.num_transforms = transforms;
    cfg.structure_seed = 1;
    struct sbi_rng rng;
    sbi__rng_init(&rng, 1, 0);
    sbi__estimator *e = NULL;
    if (sbi__estimator_create(&cfg, &rng, &e) != SBI_OK) {
        printf("%s: %s\n", task, sbi_last_error());
        return;
    }
    enum { B = 200, NS = 10000 };
    double *theta = malloc(sizeof(double) * B * (size_t)d), *x = malloc(sizeof(double) * B * (size_t)xd);
    double *grad = malloc(sizeof(double) * (size_t)e->n_params), *t = malloc(sizeof(double) * (size_t)steps);
    double *lp = malloc(sizeof(double) * NS), *s = malloc(sizeof(double) * NS * (size_t)d);
    double *xs = malloc(sizeof(double) * NS * (size_t)xd), *ts = malloc(sizeof(double) * NS * (size_t)d);
    for (int i = 0; i < B * d; i++) theta[i] = sbi__rng_normal(&rng);
    for (int i = 0; i < B * xd; i++) x[i] = sbi__rng_normal(&rng);
    double loss;
    for (int k = 0; k < 5; k++) e->ops->nll_grad(e, B, theta, x, &loss, grad); /* warm-up */
    for (int k = 0; k < steps; k++) {
        double t0 = now();
        e->ops->nll_grad(e, B, theta, x, &loss, grad);
        t[k] = now() - t0;
    }
    double step = median(t, steps);
    /* Wall time of a step on one thread and with the second shard on a
     * second thread (same numbers; needs an idle second core to gain). */
    double w[2];
    for (int th = 1; th <= 2; th++) {
        e->threads = th;
        for (int k = 0; k < steps; k++) {
            double t0 = bench_wall();
            e->ops->nll_grad(e, B, theta, x, &loss, grad);
            t[k] = bench_wall() - t0;
        }
        w[th - 1] = median(t, steps);
    }
    e->threads = 1;
    /* log_prob of 10 000 rows, each with its own x. */
    for (int i = 0; i < NS * xd; i++) xs[i] = sbi__rng_normal(&rng);
    for (int i = 0; i < NS * d; i++) ts[i] = sbi__rng_normal(&rng);
    int reps = 5;
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        e->ops->log_prob(e, NS, ts, xs, lp);
        t[k] = now() - t0;
    }
    double tlp = median(t, reps);
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        e->ops->log_prob_at(e, NS, ts, x, lp);
        t[k] = now() - t0;
    }
    double tat = median(t, reps);
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        e->ops->sample(e, x, NS, &rng, s);
        t[k] = now() - t0;
    }
    double tsamp = median(t, reps);
    int lat_reps = steps < 50 ? 50 : steps;
    double *tl = malloc(sizeof(double) * (size_t)lat_reps);
    for (int k = 0; k < lat_reps; k++) {
        double t0 = now();
        e->ops->sample(e, x, 1, &rng, s);
        tl[k] = now() - t0;
    }
    double lat = median(tl, lat_reps);
    printf("%-16s %-4s %8lld %10.3f %9.3f %9.3f %12.0f %12.0f %6.1f %12.0f %10.1f\n", task,
           e->ops->name, (long long)e->n_params, 1e3 * step, 1e3 * w[0], 1e3 * w[1], NS / tlp,
           NS / tat, tlp / tat, NS / tsamp, 1e6 * lat);
    free(tl);
    free(theta);
    free(x);
    free(grad);
    free(t);
    free(lp);
    free(s);
    free(xs);
    free(ts);
    sbi__estimator_free(e);
}

int main(int argc, char **argv)
{
    int steps = argc > 1 ? atoi(argv[1]) : 200;
    int hidden = argc > 2 ? atoi(argv[2]) : 50;
    int transforms = argc > 3 ? atoi(argv[3]) : 5;
    if (steps < 1 || hidden < 1 || transforms < 1) {
        fprintf(stderr, "usage: bench_flows [steps] [hidden] [transforms]\n");
        return 2;
    }
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    printf("# hidden %d, transforms %d, batch 200, OPENBLAS_NUM_THREADS=%s\n", hidden, transforms,
           env ? env : "(unset)");
    printf("%-16s %-4s %8s %10s %9s %9s %12s %12s %6s %12s %10s\n", "shape (d/x)", "est",
           "params", "step cpu", "wall 1t", "wall 2t", "logprob/s", "at-x/s", "gain", "samples/s",
           "1-smp us");
    const struct {
        const char *name;
        int32_t d, xd;
    } shapes[] = {{"two_moons 2/2", 2, 2}, {"gauss_lin 10/10", 10, 10}, {"slcp 5/8", 5, 8},
                  {"hh 2/7", 2, 7}};
    const int32_t kinds[] = {SBI_ESTIMATOR_MDN, SBI_ESTIMATOR_MAF, SBI_ESTIMATOR_NSF};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (size_t k = 0; k < 3; k++)
            bench(kinds[k], shapes[i].name, shapes[i].d, shapes[i].xd, steps, hidden, transforms);
    return 0;
}
