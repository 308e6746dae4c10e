/* Benchmark (not a test): MDN training-step time at batch 200 with the
 * default architecture, next to the dgemm rate on exactly the matrix shapes
 * that step uses (as sbi__dense_* calls them: N,N forward from 16 rows on),
 * measured in the same run; plus MDN sampling and log_prob.
 *
 *   bench_nn [x_dim [theta_dim [batch]]]     (defaults 7 2 200: the HH task)
 *
 * Run with OPENBLAS_NUM_THREADS=1 for per-core figures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbi.h"
#include "estimators/estimator.h"
#include "estimators/mdn.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"
#include "../common/bench_util.h"

/* Median of `reps` timings of fn(ctx), each timing `inner` calls. */
typedef void (*work_fn)(void *ctx);
static double median_time(work_fn fn, void *ctx, int reps, int inner)
{
    double *t = malloc(sizeof(double) * (size_t)reps);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_wall();
        for (int i = 0; i < inner; i++) fn(ctx);
        t[r] = (bench_wall() - t0) / inner;
    }
    qsort(t, (size_t)reps, sizeof(double), bench_cmp_double);
    double m = t[reps / 2];
    free(t);
    return m;
}

/* ---- the dgemm calls of one nll_grad step ------------------------------- */

typedef struct gemm_shape {
    int ta, tb;
    int64_t m, n, k;
    const char *what;
} gemm_shape;

typedef struct gemm_ctx {
    gemm_shape *s;
    int count;
    double *a, *b, *c;
} gemm_ctx;

static void run_gemms(void *p)
{
    gemm_ctx *g = p;
    for (int i = 0; i < g->count; i++) {
        const gemm_shape *s = &g->s[i];
        const int64_t lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
        sbi__gemm(s->ta, s->tb, s->m, s->n, s->k, 1.0, g->a, lda, g->b, ldb, 0.0, g->c, s->n);
    }
}

typedef struct step_ctx {
    sbi__estimator *e;
    int64_t n;
    double *th, *x, *grad, loss;
    sbi__adam *adam;
} step_ctx;

static void run_nll_grad(void *p)
{
    step_ctx *s = p;
    s->e->ops->nll_grad(s->e, s->n, s->th, s->x, &s->loss, s->grad);
}

static void run_train_step(void *p)
{
    step_ctx *s = p;
    s->e->ops->nll_grad(s->e, s->n, s->th, s->x, &s->loss, s->grad);
    sbi__clip_grad_norm(s->grad, s->e->n_params, 5.0);
    /* lr tiny so the weights stay put over many repetitions */
    sbi__adam_step(s->adam, s->e->params, s->grad);
}

typedef struct sample_ctx {
    sbi__estimator *e;
    double *x, *out;
    int64_t n;
    sbi_rng *rng;
} sample_ctx;

static void run_sample(void *p)
{
    sample_ctx *s = p;
    s->e->ops->sample(s->e, s->x, s->n, s->rng, s->out);
}

typedef struct rng_ctx {
    sbi_rng *rng;
    int32_t d;
    double *out;
} rng_ctx;

/* The random numbers 10 000 samples consume (1 uniform + d normals each):
 * the floor under the sampler. */
static void run_rng_only(void *p)
{
    rng_ctx *r = p;
    for (int64_t s = 0; s < 10000; s++) {
        r->out[s * r->d] = sbi__rng_uniform(r->rng);
        for (int32_t i = 0; i < r->d; i++) r->out[s * r->d + i] += sbi__rng_normal(r->rng);
    }
}

typedef struct lp_ctx {
    sbi__estimator *e;
    double *th, *x, *out;
    int64_t n;
} lp_ctx;

static void run_log_prob(void *p)
{
    lp_ctx *s = p;
    s->e->ops->log_prob(s->e, s->n, s->th, s->x, s->out);
}

int main(int argc, char **argv)
{
    const int32_t xd = argc > 1 ? atoi(argv[1]) : 7;
    const int32_t d = argc > 2 ? atoi(argv[2]) : 2;
    const int64_t B = argc > 3 ? atoll(argv[3]) : 200;
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, SBI_ESTIMATOR_MDN, d, xd);
    sbi_rng *rng = NULL;
    sbi_rng_create(&rng, 1, 0);
    sbi__estimator *e = NULL;
    if (sbi__estimator_create(&cfg, rng, &e) != SBI_OK) {
        fprintf(stderr, "create: %s\n", sbi_last_error());
        return 1;
    }
    sbi__mdn_layout L;
    sbi__mdn_get_layout(e, &L);
    const int64_t H = cfg.hidden_features, T = L.T;
    printf("MDN x_dim=%d theta_dim=%d hidden=%lld layers=%d K=%d (T=%lld head outputs), "
           "%lld parameters, batch %lld, OPENBLAS_NUM_THREADS=%s\n",
           (int)xd, (int)d, (long long)H, (int)cfg.hidden_layers, (int)cfg.num_components,
           (long long)T, (long long)e->n_params, (long long)B, threads ? threads : "(unset)");

    /* Data. */
    double *x = malloc(sizeof(double) * (size_t)(B * xd)), *th = malloc(sizeof(double) * (size_t)(B * d));
    for (int64_t i = 0; i < B * xd; i++) x[i] = sbi__rng_normal(rng);
    for (int64_t i = 0; i < B * d; i++) th[i] = sbi__rng_normal(rng);
    double *grad = malloc(sizeof(double) * (size_t)e->n_params);
    sbi__adam adam;
    sbi__adam_init(&adam, e->n_params, 1e-12);
    step_ctx sc = {e, B, th, x, grad, 0.0, &adam};

    /* The dgemm shapes of one step: forward per layer, backward dW per layer
     * and dX for all but the first. */
    gemm_shape shapes[64];
    int ns = 0;
    int64_t widths[40];
    int nw = 0;
    widths[nw++] = xd;
    for (int l = 0; l < cfg.hidden_layers; l++) widths[nw++] = H;
    widths[nw++] = T;
    for (int l = 0; l + 1 < nw; l++)
        shapes[ns++] = (gemm_shape){0, B >= 16 ? 0 : 1, B, widths[l + 1], widths[l], "fwd"};
    for (int l = nw - 2; l >= 0; l--) {
        shapes[ns++] = (gemm_shape){1, 0, widths[l + 1], widths[l], B, "dW"};
        if (l > 0) shapes[ns++] = (gemm_shape){0, 0, B, widths[l], widths[l + 1], "dX"};
    }
    double flops = 0;
    for (int i = 0; i < ns; i++) flops += 2.0 * shapes[i].m * shapes[i].n * shapes[i].k;
    const size_t big = (size_t)(B > T ? B : T) * (size_t)(H > T ? H : T) + 1024;
    gemm_ctx gc = {shapes, ns, calloc(big, sizeof(double)), calloc(big, sizeof(double)),
                   calloc(big, sizeof(double))};
    for (size_t i = 0; i < big; i++) {
        gc.a[i] = sbi__rng_uniform(rng);
        gc.b[i] = sbi__rng_uniform(rng);
    }

    /* Warm up, then measure. */
    for (int i = 0; i < 200; i++) run_nll_grad(&sc);
    for (int i = 0; i < 200; i++) run_gemms(&gc);
    /* Interleaved so that all three see the same machine load (the machine
     * is shared): per repetition, 50 calls of each; medians over 41. */
    enum { REPS = 41, INNER = 50 };
    double tg[REPS], tn[REPS], ts[REPS], ratio[REPS];
    for (int r = 0; r < REPS; r++) {
        tg[r] = median_time(run_gemms, &gc, 1, INNER);
        tn[r] = median_time(run_nll_grad, &sc, 1, INNER);
        ts[r] = median_time(run_train_step, &sc, 1, INNER);
        ratio[r] = tg[r] / ts[r];
    }
    qsort(tg, REPS, sizeof(double), bench_cmp_double);
    qsort(tn, REPS, sizeof(double), bench_cmp_double);
    qsort(ts, REPS, sizeof(double), bench_cmp_double);
    qsort(ratio, REPS, sizeof(double), bench_cmp_double);
    const double t_gemm = tg[REPS / 2], t_nll = tn[REPS / 2], t_step = ts[REPS / 2];

    printf("\n%-44s %12s %10s\n", "stage (median)", "time", "GFLOP/s");
    printf("%-44s %9.1f us %10.2f\n", "dgemm alone, same shapes as one step", 1e6 * t_gemm,
           flops / t_gemm * 1e-9);
    printf("%-44s %9.1f us %10.2f\n", "MDN nll_grad (forward + backward)", 1e6 * t_nll,
           flops / t_nll * 1e-9);
    printf("%-44s %9.1f us %10.2f\n", "training step (nll_grad + clip + Adam)", 1e6 * t_step,
           flops / t_step * 1e-9);
    printf("%-44s %12.1f %%  (median of per-repetition ratios; min %.1f %%, best times %.1f %%)\n",
           "training step rate / dgemm rate", 100.0 * ratio[REPS / 2], 100.0 * ratio[0],
           100.0 * tg[0] / ts[0]);
    printf("\n%.3g MFLOP of dgemm per step over %d calls:\n", flops * 1e-6, ns);
    printf("%-8s %-16s %10s %10s\n", "call", "m x n x k", "time", "GFLOP/s");
    for (int i = 0; i < ns; i++) {
        gemm_ctx one = {&shapes[i], 1, gc.a, gc.b, gc.c};
        const double t1 = median_time(run_gemms, &one, 21, 200);
        char dims[48];
        snprintf(dims, sizeof dims, "%s%lldx%lldx%lld", shapes[i].ta ? "T:" : (shapes[i].tb ? "N,T:" : "N:"),
                 (long long)shapes[i].m, (long long)shapes[i].n, (long long)shapes[i].k);
        printf("%-8s %-16s %7.2f us %10.2f\n", shapes[i].what, dims, 1e6 * t1,
               2.0 * shapes[i].m * shapes[i].n * shapes[i].k / t1 * 1e-9);
    }

    /* Sampling and log_prob at one condition. */
    double *out = malloc(sizeof(double) * 10000 * (size_t)d);
    sample_ctx s1 = {e, x, out, 10000, rng};
    const double t_s10k = median_time(run_sample, &s1, 21, 5);
    sample_ctx s0 = {e, x, out, 1, rng};
    enum { LAT = 20000 };
    double *lat = malloc(sizeof(double) * LAT);
    for (int i = 0; i < 1000; i++) run_sample(&s0);
    for (int i = 0; i < LAT; i++) {
        double t0 = bench_wall();
        run_sample(&s0);
        lat[i] = bench_wall() - t0;
    }
    qsort(lat, LAT, sizeof(double), bench_cmp_double);
    double *xs = malloc(sizeof(double) * 10000 * (size_t)xd);
    for (int64_t r = 0; r < 10000; r++) memcpy(xs + r * xd, x, sizeof(double) * (size_t)xd);
    lp_ctx lc = {e, out, xs, malloc(sizeof(double) * 10000), 10000};
    const double t_lp = median_time(run_log_prob, &lc, 11, 3);
    printf("\n%-44s %9.1f us  (%.3g samples/s)\n", "sample 10 000 at one x", 1e6 * t_s10k,
           10000 / t_s10k);
    rng_ctx rc = {rng, d, out};
    const double t_rng = median_time(run_rng_only, &rc, 21, 5);
    printf("%-44s %9.1f us\n", "  of which RNG alone (1 uniform + d normals)", 1e6 * t_rng);
    printf("%-44s %9.2f us median, %.2f us p99, %.2f us max\n", "sample 1 (latency)",
           1e6 * lat[LAT / 2], 1e6 * lat[LAT * 99 / 100], 1e6 * lat[LAT - 1]);
    printf("%-44s %9.1f us  (%.3g rows/s)\n", "log_prob 10 000 rows", 1e6 * t_lp, 10000 / t_lp);

    free(lat);
    free(xs);
    free(lc.out);
    free(out);
    free(gc.a);
    free(gc.b);
    free(gc.c);
    sbi__adam_destroy(&adam);
    free(grad);
    free(x);
    free(th);
    sbi__estimator_free(e);
    sbi_rng_free(rng);
    return 0;
}
