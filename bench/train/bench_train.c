/* NPE-MDN training on HH simulations made by libsbi's own simulator (a
 * benchmark, never run as a test): for 300, 2 000, 10 000 and 100 000
 * simulations, the training's wall and CPU time, epochs, time per epoch, and
 * the achieved GFLOP/s of the training loop next to the dgemm GFLOP/s on
 * exactly the matrix shapes one epoch uses (as sbi__dense_* calls them),
 * measured in the same run just before and after each training. Their ratio
 * is the figure that does not drift with the machine's load.
 *
 * The simulations are made once (100 000 rows from the HH prior, seed 1,
 * all cores) and cached as .npy in the data folder; the first N rows are the
 * N-simulation training set.
 *
 * usage: bench_train [--sizes 300,2000,10000,100000] [--repeats R]
 *                    [--seed S] [--data DIR] [--results DIR] [--no-dgemm]
 * --no-dgemm skips the dgemm comparison (to profile the training alone).
 * R (default 3) repetitions for sizes up to 2 000, one above: the same seed
 * gives the same epochs, so repetitions only measure the clock. */
#define _GNU_SOURCE
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_util.h"
#include "sbi.h"
#include "sbi/io.h"
#include "sbi_hh.h"

#define N_CACHE 100000
#define REF_300_S 2.0   /* ../shared/spec/reference-figures.md */
#define REF_2000_S 17.2

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != SBI_OK) {                                                                       \
            fprintf(stderr, "bench_train: %s: %s (%s)\n", #call, sbi_status_string(rc_),          \
                    sbi_last_error());                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* ---- the cached simulations --------------------------------------------- */

static int read_npy(const char *path, int64_t need, int32_t cols, double *out)
{
    sbi_table *t = NULL;
    if (sbi_table_read(&t, path) != SBI_OK) return -1;
    int64_t rows;
    int32_t c;
    const double *d;
    int ok = sbi_table_shape(t, &rows, &c) == SBI_OK && c == cols && rows >= need &&
             sbi_table_data(t, &d) == SBI_OK;
    if (ok) memcpy(out, d, sizeof(double) * (size_t)need * (size_t)cols);
    sbi_table_free(t);
    return ok ? 0 : -1;
}

/* theta[n][2], x[n][7]: from the cache, or simulated (and cached). */
static void hh_data(const char *dir, int64_t n, double *theta, double *x)
{
    char pt[4200], px[4200];
    snprintf(pt, sizeof pt, "%s/hh_%d_seed1_theta.npy", dir, N_CACHE);
    snprintf(px, sizeof px, "%s/hh_%d_seed1_x.npy", dir, N_CACHE);
    if (read_npy(pt, n, 2, theta) == 0 && read_npy(px, n, 7, x) == 0) {
        printf("data: %lld simulations from %s/ (cached)\n", (long long)n, dir);
        return;
    }
    double lo[2], hi[2];
    sbi_hh_default_prior_box(lo, hi);
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *run = NULL;
    sbi_dataset *ds = NULL;
    CHECK(sbi_prior_create_box_uniform(&prior, 2, lo, hi));
    CHECK(sbi_hh_simulator_create(&sim, NULL));
    CHECK(sbi_runner_create(&run, sim));
    CHECK(sbi_runner_set_workers(run, 0));
    printf("data: simulating %d HH simulations on all cores (once; cached in %s/) ...\n",
           N_CACHE, dir);
    fflush(stdout);
    const double t0 = bench_wall();
    CHECK(sbi_runner_run_prior(run, prior, N_CACHE, 1, &ds));
    /* All rows are kept in order; an invalid row (none with this prior) would
     * be excluded by the trainer as it is in the tutorial. */
    const double *dt, *dx;
    CHECK(sbi_dataset_theta(ds, &dt));
    CHECK(sbi_dataset_x(ds, &dx));
    printf("data: %.1f s\n", bench_wall() - t0);
    if (bench_mkdirs(dir) == 0) {
        CHECK(sbi_table_write(pt, N_CACHE, 2, dt, NULL, SBI_FORMAT_NPY));
        CHECK(sbi_table_write(px, N_CACHE, 7, dx, NULL, SBI_FORMAT_NPY));
    }
    memcpy(theta, dt, sizeof(double) * 2 * (size_t)n);
    memcpy(x, dx, sizeof(double) * 7 * (size_t)n);
    sbi_dataset_free(ds);
    sbi_runner_free(run);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
}

/* ---- the dgemm calls of one epoch ---------------------------------------- */

typedef struct gemm_call {
    int ta, tb;
    int m, n, k;
} gemm_call;

typedef struct epoch_gemms {
    gemm_call step[64], val[32]; /* one training step, one validation batch */
    int n_step, n_val, nb, nvb;  /* calls in each; steps and validation batches per epoch */
    double flops;                /* of one epoch */
    double *a, *b, *c;           /* operands, big enough for every call */
} epoch_gemms;

/* The products sbi__dense_forward/backward make for one step on a batch of
 * bs rows (forward N,N on a transposed W from 16 rows on, dW = dY^T X, dX =
 * dY W for all but the first layer), and the forward pass of a validation
 * batch. Per epoch: nb steps, nvb validation batches. */
static void plan_epoch(epoch_gemms *g, int nl, const int *width, int bs, int nb, int vbs, int nvb)
{
    g->n_step = g->n_val = 0;
    g->nb = nb;
    g->nvb = nvb;
    g->flops = 0;
    for (int l = 0; l < nl; l++)
        g->step[g->n_step++] = (gemm_call){0, bs >= 16 ? 0 : 1, bs, width[l + 1], width[l]};
    for (int l = nl - 1; l >= 0; l--) {
        g->step[g->n_step++] = (gemm_call){1, 0, width[l + 1], width[l], bs};
        if (l > 0) g->step[g->n_step++] = (gemm_call){0, 0, bs, width[l], width[l + 1]};
    }
    for (int l = 0; l < nl; l++)
        g->val[g->n_val++] = (gemm_call){0, vbs >= 16 ? 0 : 1, vbs, width[l + 1], width[l]};
    for (int i = 0; i < g->n_step; i++)
        g->flops += 2.0 * g->step[i].m * g->step[i].n * g->step[i].k * nb;
    for (int i = 0; i < g->n_val; i++)
        g->flops += 2.0 * g->val[i].m * g->val[i].n * g->val[i].k * nvb;
}

static void run_calls(const epoch_gemms *g, const gemm_call *c, int count)
{
    for (int i = 0; i < count; i++) {
        const gemm_call *s = &c[i];
        const int lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
        cblas_dgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                    s->tb ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 1.0, g->a, lda, g->b,
                    ldb, 0.0, g->c, s->n);
    }
}

static void run_gemms(const epoch_gemms *g)
{
    for (int b = 0; b < g->nb; b++) run_calls(g, g->step, g->n_step);
    for (int b = 0; b < g->nvb; b++) run_calls(g, g->val, g->n_val);
}

/* GFLOP/s of the epoch's dgemm calls on this thread: median of 7 timings of
 * enough epochs for ~50 ms each. */
static double gemm_rate(const epoch_gemms *g)
{
    const double t0 = bench_thread_cpu();
    run_gemms(g);
    const double once = bench_thread_cpu() - t0;
    int inner = (int)(0.05 / (once > 1e-6 ? once : 1e-6)) + 1;
    double rate[7];
    for (int r = 0; r < 7; r++) {
        const double s = bench_thread_cpu();
        for (int i = 0; i < inner; i++) run_gemms(g);
        rate[r] = g->flops * inner / (bench_thread_cpu() - s) * 1e-9;
    }
    return bench_median(rate, 7);
}

/* ---- training ------------------------------------------------------------ */

typedef struct size_result {
    int64_t n, epochs, n_train, n_val;
    double wall, cpu, best, gflops, gemm_gflops, ratio;
} size_result;

static int g_skip_dgemm;

static size_result train_size(const sbi_prior *prior, int64_t n, const double *theta,
                              const double *x, uint64_t seed, int repeats, epoch_gemms *g)
{
    size_result res = {.n = n};
    double walls[16], cpus[16], gemm[32], ratios[16];
    int ng = 0;
    for (int r = 0; r < repeats; r++) {
        sbi_trainer *t = NULL;
        CHECK(sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN));
        CHECK(sbi_trainer_append(t, n, theta, 7, x));
        int64_t H, L, K, B;
        CHECK(sbi_trainer_get_int(t, SBI_OPT_HIDDEN_FEATURES, &H));
        CHECK(sbi_trainer_get_int(t, SBI_OPT_HIDDEN_LAYERS, &L));
        CHECK(sbi_trainer_get_int(t, SBI_OPT_NUM_COMPONENTS, &K));
        CHECK(sbi_trainer_get_int(t, SBI_OPT_BATCH_SIZE, &B));
        const double w0 = bench_wall(), c0 = bench_thread_cpu();
        CHECK(sbi_trainer_train(t, seed));
        walls[r] = bench_wall() - w0;
        cpus[r] = bench_thread_cpu() - c0;
        CHECK(sbi_trainer_result(t, &res.epochs, &res.best));
        CHECK(sbi_trainer_counts(t, NULL, NULL, &res.n_train, &res.n_val));
        sbi_trainer_free(t);
        /* Widths x_dim -> H (L layers) -> T head outputs; T = K(1 + 2d + d(d-1)/2). */
        int width[66], nl = 0;
        width[nl++] = 7;
        for (int l = 0; l < L && l < 64; l++) width[nl++] = (int)H;
        width[nl++] = (int)(K * (1 + 2 * 2 + 1));
        nl--;
        const int bs = (int)(B < res.n_train ? B : res.n_train);
        const int vbs = (int)(B < res.n_val ? B : res.n_val);
        plan_epoch(g, nl, width, bs, (int)(res.n_train / bs), vbs, (int)(res.n_val / vbs));
        /* dgemm on the same shapes right after the training (and, below,
         * before the next one): the rate the loop is compared with. */
        gemm[ng++] = g_skip_dgemm ? NAN : gemm_rate(g);
        const double loop = g->flops * (double)res.epochs / cpus[r] * 1e-9;
        ratios[r] = loop / gemm[ng - 1];
    }
    res.wall = bench_median(walls, repeats);
    res.cpu = bench_median(cpus, repeats);
    res.gflops = g->flops * (double)res.epochs / res.cpu * 1e-9;
    res.gemm_gflops = bench_median(gemm, ng);
    res.ratio = bench_median(ratios, repeats);
    return res;
}

int main(int argc, char **argv)
{
    int64_t sizes[16] = {300, 2000, 10000, 100000};
    int n_sizes = 4, repeats = 3;
    uint64_t seed = 1;
    const char *data = NULL, *results = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--sizes") && v) {
            n_sizes = 0;
            for (char *s = argv[++i], *e; *s && n_sizes < 16; s = *e ? e + 1 : e) {
                sizes[n_sizes] = strtoll(s, &e, 10);
                if (e == s || sizes[n_sizes] < 10 || sizes[n_sizes] > N_CACHE) {
                    fprintf(stderr, "bench_train: --sizes wants numbers in 10..%d\n", N_CACHE);
                    return 2;
                }
                n_sizes++;
            }
        } else if (!strcmp(argv[i], "--repeats") && v) {
            repeats = atoi(argv[++i]);
            if (repeats < 1 || repeats > 15) repeats = 3;
        } else if (!strcmp(argv[i], "--seed") && v) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--data") && v) {
            data = argv[++i];
        } else if (!strcmp(argv[i], "--no-dgemm")) {
            g_skip_dgemm = 1;
        } else if (!strcmp(argv[i], "--results") && v) {
            results = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_train [--sizes 300,2000,10000,100000] [--repeats R] "
                            "[--seed S] [--data DIR] [--results DIR] [--no-dgemm]\n");
            return 2;
        }
    }
#ifdef SBI_BENCH_DATA_DIR
    if (!data) data = SBI_BENCH_DATA_DIR;
#endif
    if (!data) data = "bench-data";
    bench_single_threaded_blas();
    bench_results res;
    bench_results_init(&res, "train");

    int64_t n_max = 0;
    for (int i = 0; i < n_sizes; i++) n_max = sizes[i] > n_max ? sizes[i] : n_max;
    double *theta = malloc(sizeof(double) * 2 * (size_t)n_max);
    double *x = malloc(sizeof(double) * 7 * (size_t)n_max);
    epoch_gemms *g = calloc(1, sizeof *g);
    const size_t big = 256 * 1024; /* operands: 200 x 1024 at most */
    if (!theta || !x || !g) return 1;
    g->a = malloc(sizeof(double) * big);
    g->b = malloc(sizeof(double) * big);
    g->c = malloc(sizeof(double) * big);
    if (!g->a || !g->b || !g->c) return 1;
    for (size_t i = 0; i < big; i++) g->a[i] = g->b[i] = g->c[i] = 1.0 / (double)(1 + i % 97);
    hh_data(data, n_max, theta, x);

    double lo[2], hi[2];
    sbi_hh_default_prior_box(lo, hi);
    sbi_prior *prior = NULL;
    CHECK(sbi_prior_create_box_uniform(&prior, 2, lo, hi));
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    printf("\nNPE-MDN training (defaults: batch 200, lr 5e-4, patience 20), seed %llu, "
           "OPENBLAS_NUM_THREADS=%s\n\n",
           (unsigned long long)seed, threads ? threads : "1 (set by the program)");
    printf("%8s %7s %9s %9s %9s %9s %10s %10s %7s %9s\n", "sims", "epochs", "wall s", "cpu s",
           "ms/epoch", "vs ref", "loop GF/s", "dgemm GF/s", "ratio", "best val");
    for (int i = 0; i < n_sizes; i++) {
        const int rep = sizes[i] <= 2000 ? repeats : 1;
        size_result s = train_size(prior, sizes[i], theta, x, seed, rep, g);
        const double ref = s.n == 300 ? REF_300_S : s.n == 2000 ? REF_2000_S : NAN;
        char vs[16] = "-";
        if (!isnan(ref)) snprintf(vs, sizeof vs, "%.0fx", ref / s.cpu);
        printf("%8lld %7lld %9.3f %9.3f %9.3f %9s %10.2f %10.2f %6.1f%% %9.4f\n",
               (long long)s.n, (long long)s.epochs, s.wall, s.cpu, 1e3 * s.cpu / (double)s.epochs,
               vs, s.gflops, s.gemm_gflops, 100 * s.ratio, s.best);
        fflush(stdout);
        bench_result(&res, "", (double)s.epochs, "epochs_n%lld", (long long)s.n);
        bench_result(&res, "s", s.wall, "train_wall_s_n%lld", (long long)s.n);
        bench_result(&res, "s", s.cpu, "train_cpu_s_n%lld", (long long)s.n);
        bench_result(&res, "ms", 1e3 * s.cpu / (double)s.epochs, "cpu_ms_per_epoch_n%lld",
                     (long long)s.n);
        bench_result(&res, "GFLOP/s", s.gflops, "loop_gflops_n%lld", (long long)s.n);
        bench_result(&res, "GFLOP/s", s.gemm_gflops, "dgemm_gflops_n%lld", (long long)s.n);
        bench_result(&res, "", s.ratio, "loop_over_dgemm_n%lld", (long long)s.n);
        bench_result(&res, "nats", s.best, "best_val_loss_n%lld", (long long)s.n);
        bench_result(&res, "", (double)rep, "repeats_n%lld", (long long)s.n);
    }
    printf("\nwall and cpu: medians of %d runs up to 2 000 simulations, one run above; "
           "cpu = this thread's CPU time.\nloop GF/s: dgemm flops of all epochs / cpu time; "
           "dgemm GF/s: the same calls alone, same run.\nReference (sbi 0.27, PyTorch): "
           "300 sims %.1f s, 2 000 sims %.1f s.\n",
           repeats, REF_300_S, REF_2000_S);
    bench_results_write(&res, bench_results_dir(results));
    sbi_prior_free(prior);
    free(g->a);
    free(g->b);
    free(g->c);
    free(g);
    free(theta);
    free(x);
    return 0;
}
