/* NPE with the MDN on the HH reference training sets (the reference's own
 * 300 and 2 000 simulations): training time and epochs, 10 000-sample
 * throughput, single-sample latency, log_prob and MAP cost, save/load, and
 * the posterior's means and standard deviations next to the reference
 * package's (reference_posterior_mdn_<n>.csv).
 *
 * Usage (from the repository root): bench_npe_hh [shared_dir] [seeds]
 * Set OPENBLAS_NUM_THREADS=1 for the single-thread figures. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbi.h"
#include "sbi/io.h"
#include "../common/bench_util.h"

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != SBI_OK) {                                                                       \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #call,                    \
                    sbi_status_string(rc_), sbi_last_error());                                     \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static sbi_table *load(const char *dir, const char *name, int64_t *rows, int32_t *cols,
                       const double **data)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/hh/%s", dir, name);
    sbi_table *t = NULL;
    CHECK(sbi_table_read(&t, path));
    CHECK(sbi_table_shape(t, rows, cols));
    CHECK(sbi_table_data(t, data));
    return t;
}

static void moments(const double *s, int64_t n, int32_t d, double *mean, double *sd)
{
    for (int32_t j = 0; j < d; j++) {
        double m = 0.0, v = 0.0;
        for (int64_t i = 0; i < n; i++) m += s[i * d + j];
        m /= (double)n;
        for (int64_t i = 0; i < n; i++) v += (s[i * d + j] - m) * (s[i * d + j] - m);
        mean[j] = m;
        sd[j] = sqrt(v / (double)(n - 1));
    }
}

static void run(const char *dir, int n_sims, int seeds, const double *xo, const sbi_prior *prior)
{
    char name[64];
    int64_t nt, nx, nr;
    int32_t ct, cx, cr;
    const double *theta, *x, *ref;
    snprintf(name, sizeof name, "train%d_theta.csv", n_sims);
    sbi_table *tt = load(dir, name, &nt, &ct, &theta);
    snprintf(name, sizeof name, "train%d_x.csv", n_sims);
    sbi_table *tx = load(dir, name, &nx, &cx, &x);
    snprintf(name, sizeof name, "reference_posterior_mdn_%d.csv", n_sims);
    sbi_table *tr = load(dir, name, &nr, &cr, &ref);
    double rm[2], rs[2];
    moments(ref, nr, 2, rm, rs);
    printf("\n== %d simulations (theta %lldx%d, x %lldx%d)\n", n_sims, (long long)nt, (int)ct,
           (long long)nx, (int)cx);
    printf("reference MDN posterior: g_Na %.3f +- %.3f, g_K %.4f +- %.4f\n", rm[0], rs[0], rm[1],
           rs[1]);

    const int64_t m = 10000;
    double *s = malloc(sizeof(double) * 2 * (size_t)m);
    for (int seed = 1; seed <= seeds; seed++) {
        sbi_trainer *t = NULL;
        CHECK(sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN));
        CHECK(sbi_trainer_append(t, nt, theta, cx, x));
        double t0 = bench_wall();
        CHECK(sbi_trainer_train(t, (uint64_t)seed));
        const double train_s = bench_wall() - t0;
        int64_t epochs;
        double best;
        CHECK(sbi_trainer_result(t, &epochs, &best));
        sbi_posterior *post = NULL;
        CHECK(sbi_trainer_build_posterior(t, &post));
        sbi_rng *rng = NULL;
        CHECK(sbi_rng_create(&rng, 1000 + (uint64_t)seed, 0));
        int64_t got;
        double acc;
        t0 = bench_wall();
        CHECK(sbi_posterior_sample_ex(post, rng, xo, m, 0, s, &got, &acc));
        const double sample_s = bench_wall() - t0;
        double pm[2], ps[2];
        moments(s, m, 2, pm, ps);
        printf("seed %d: train %.3f s, %lld epochs (%.2f ms/epoch), best val %.4f | 10k samples "
               "%.2f ms (acceptance %.3f) | g_Na %.3f +- %.3f, g_K %.4f +- %.4f\n",
               seed, train_s, (long long)epochs, 1e3 * train_s / (double)epochs, best,
               1e3 * sample_s, acc, pm[0], ps[0], pm[1], ps[1]);
        if (seed == 1) {
            /* Single-sample latency: median of 2 000 calls. */
            double lat[2000], one[2];
            for (int i = 0; i < 2000; i++) {
                t0 = bench_wall();
                CHECK(sbi_posterior_sample(post, rng, xo, 1, one));
                lat[i] = bench_wall() - t0;
            }
            qsort(lat, 2000, sizeof lat[0], bench_cmp_double);
            double lp[10000];
            t0 = bench_wall();
            CHECK(sbi_posterior_log_prob(post, NULL, xo, m, s, lp));
            const double lp_s = bench_wall() - t0;
            t0 = bench_wall();
            double leak;
            CHECK(sbi_posterior_leakage(post, rng, xo, &leak));
            const double leak_s = bench_wall() - t0;
            double map[2], map_lp;
            t0 = bench_wall();
            CHECK(sbi_posterior_map(post, rng, xo, map, &map_lp));
            const double map_s = bench_wall() - t0;
            void *buf = NULL;
            size_t len = 0;
            t0 = bench_wall();
            CHECK(sbi_posterior_save_mem(post, &buf, &len));
            const double save_s = bench_wall() - t0;
            sbi_posterior *back = NULL;
            t0 = bench_wall();
            CHECK(sbi_posterior_load_mem(&back, buf, len));
            const double load_s = bench_wall() - t0;
            printf("  single sample: median %.1f us, p90 %.1f us | log_prob 10k: %.2f ms | "
                   "leakage %.3f in %.2f ms | MAP (%.3f, %.4f) in %.1f ms | file %zu bytes, "
                   "save %.3f ms, load %.3f ms\n",
                   1e6 * lat[1000], 1e6 * lat[1800], 1e3 * lp_s, leak, 1e3 * leak_s, map[0],
                   map[1], 1e3 * map_s, len, 1e3 * save_s, 1e3 * load_s);
            sbi_free(buf);
            sbi_posterior_free(back);
        }
        sbi_rng_free(rng);
        sbi_posterior_free(post);
        sbi_trainer_free(t);
    }
    free(s);
    sbi_table_free(tt);
    sbi_table_free(tx);
    sbi_table_free(tr);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared";
    const int seeds = argc > 2 ? atoi(argv[2]) : 3;
    int64_t no;
    int32_t co;
    const double *xo;
    sbi_table *to = load(dir, "observation_50_5_seed42.csv", &no, &co, &xo);
    const double low[2] = {0.5, 1e-4}, high[2] = {80.0, 15.0};
    sbi_prior *prior = NULL;
    CHECK(sbi_prior_create_box_uniform(&prior, 2, low, high));
    run(dir, 300, seeds, xo, prior);
    run(dir, 2000, seeds, xo, prior);
    sbi_prior_free(prior);
    sbi_table_free(to);
    return 0;
}
