/* Posterior sampling, log_prob and the posterior file, on an MDN posterior
 * trained here on 2 000 HH simulations (a benchmark, never run as a test):
 *   - throughput of 10 000 and 1 000 000 samples at the tutorial's
 *     observation (thread CPU time and wall time, medians);
 *   - latency of a 1-sample and a 100-sample call: median, p99 and max over
 *     many calls, and the number of allocations each call makes (counted
 *     through sbi_set_allocator; the hot path should make none);
 *   - log_prob throughput (uncorrected, and with the leakage correction);
 *   - batched sampling: 1 000 samples at each of 100 observations;
 *   - save and load of the posterior file: time and size.
 * The reference (sbi 0.27, PyTorch) takes 3 ms for 10 000 MDN samples.
 *
 * usage: bench_sample [--sims N] [--results DIR]   (N default 2 000) */
#define _GNU_SOURCE
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_util.h"
#include "sbi.h"
#include "sbi_hh.h"

#define REF_10K_MS 3.0

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != SBI_OK) {                                                                       \
            fprintf(stderr, "bench_sample: %s: %s (%s)\n", #call, sbi_status_string(rc_),         \
                    sbi_last_error());                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* ---- counting allocator: how many allocations a call makes --------------- */

static atomic_llong g_allocs;
static void *count_malloc(void *ud, size_t n)
{
    (void)ud;
    atomic_fetch_add(&g_allocs, 1);
    return malloc(n);
}
static void *count_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    atomic_fetch_add(&g_allocs, 1);
    return realloc(p, n);
}
static void count_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

/* ---- latency ------------------------------------------------------------- */

typedef struct latency {
    double median, p99, max, allocs_per_call;
} latency;

static latency sample_latency(const sbi_posterior *post, sbi_rng *rng, const double *xo,
                              int64_t n, int calls, double *out)
{
    for (int i = 0; i < calls / 10; i++) CHECK(sbi_posterior_sample(post, rng, xo, n, out));
    double *t = malloc(sizeof(double) * (size_t)calls);
    if (!t) exit(1);
    const long long a0 = atomic_load(&g_allocs);
    for (int i = 0; i < calls; i++) {
        const double t0 = bench_wall();
        CHECK(sbi_posterior_sample(post, rng, xo, n, out));
        t[i] = bench_wall() - t0;
    }
    latency l;
    l.allocs_per_call = (double)(atomic_load(&g_allocs) - a0) / calls;
    l.max = bench_quantile(t, calls, 1.0);
    l.p99 = bench_quantile(t, calls, 0.99);
    l.median = bench_quantile(t, calls, 0.5);
    free(t);
    return l;
}

/* Median over reps of the thread CPU time (and wall time) of one call. */
typedef struct timing {
    double cpu, wall;
} timing;

typedef void (*work_fn)(void *ctx);

static timing time_it(work_fn fn, void *ctx, int reps)
{
    double c[64], w[64];
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        const double w0 = bench_wall(), c0 = bench_thread_cpu();
        fn(ctx);
        c[r] = bench_thread_cpu() - c0;
        w[r] = bench_wall() - w0;
    }
    return (timing){bench_median(c, reps), bench_median(w, reps)};
}

typedef struct ctx {
    const sbi_posterior *post;
    sbi_rng *rng;
    const double *x;
    int64_t n, n_obs;
    double *out, *theta;
    void *buf;
    size_t len;
} ctx;

static void do_sample(void *p)
{
    ctx *c = p;
    CHECK(sbi_posterior_sample(c->post, c->rng, c->x, c->n, c->out));
}
static void do_batched(void *p)
{
    ctx *c = p;
    CHECK(sbi_posterior_sample_batched(c->post, c->rng, c->n_obs, c->x, c->n, c->out));
}
static void do_log_prob(void *p)
{
    ctx *c = p;
    CHECK(sbi_posterior_log_prob(c->post, NULL, c->x, c->n, c->theta, c->out));
}
static void do_log_prob_corrected(void *p)
{
    ctx *c = p;
    CHECK(sbi_posterior_log_prob(c->post, c->rng, c->x, c->n, c->theta, c->out));
}
static void do_save(void *p)
{
    ctx *c = p;
    sbi_free(c->buf);
    CHECK(sbi_posterior_save_mem(c->post, &c->buf, &c->len));
}
static void do_load(void *p)
{
    ctx *c = p;
    sbi_posterior *back = NULL;
    CHECK(sbi_posterior_load_mem(&back, c->buf, c->len));
    sbi_posterior_free(back);
}

int main(int argc, char **argv)
{
    int64_t n_sims = 2000;
    const char *results = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sims") && i + 1 < argc) n_sims = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--results") && i + 1 < argc) results = argv[++i];
        else {
            fprintf(stderr, "usage: bench_sample [--sims N] [--results DIR]\n");
            return 2;
        }
    }
    if (n_sims < 100) n_sims = 100;
    /* Before any other libsbi call, as sbi_set_allocator requires. */
    CHECK(sbi_set_allocator(count_malloc, count_realloc, count_free, NULL));
    bench_single_threaded_blas();
    bench_results res;
    bench_results_init(&res, "sample");

    /* The tutorial's setting: prior box, observation at (50, 5) with noise
     * seed 42, n_sims simulations from the prior (seed 1), MDN, seed 1. */
    double lo[2], hi[2], truth[2], xo[7];
    sbi_hh_default_prior_box(lo, hi);
    sbi_hh_default_theta_true(truth);
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *run = NULL;
    sbi_dataset *ds = NULL;
    sbi_trainer *tr = NULL;
    sbi_posterior *post = NULL;
    CHECK(sbi_prior_create_box_uniform(&prior, 2, lo, hi));
    CHECK(sbi_hh_simulator_create(&sim, NULL));
    uint64_t obs_seed = 42;
    int32_t st;
    CHECK(sbi_simulator_run(sim, 1, truth, &obs_seed, xo, &st));
    CHECK(sbi_runner_create(&run, sim));
    CHECK(sbi_runner_run_prior(run, prior, n_sims, 1, &ds));
    CHECK(sbi_trainer_create(&tr, prior, SBI_ESTIMATOR_MDN));
    CHECK(sbi_trainer_append_dataset(tr, ds));
    CHECK(sbi_trainer_train(tr, 1));
    CHECK(sbi_trainer_build_posterior(tr, &post));
    int64_t epochs;
    CHECK(sbi_trainer_result(tr, &epochs, NULL));
    printf("MDN posterior trained on %lld HH simulations (%lld epochs); observation at "
           "g_Na = 50, g_K = 5\n\n", (long long)n_sims, (long long)epochs);

    sbi_rng *rng = NULL;
    CHECK(sbi_rng_create(&rng, 7, 0));
    const int64_t big = 1000000;
    double *out = malloc(sizeof(double) * 2 * (size_t)big);
    double *lp = malloc(sizeof(double) * (size_t)big);
    if (!out || !lp) return 1;
    ctx c = {.post = post, .rng = rng, .x = xo, .out = out};
    double acc;
    int64_t got;
    CHECK(sbi_posterior_sample_ex(post, rng, xo, 10000, 0, out, &got, &acc));

    printf("%-40s %12s %12s %14s %10s\n", "operation", "cpu (median)", "wall (median)",
           "per second", "vs ref");
    /* Throughput. */
    c.n = 10000;
    const timing t10k = time_it(do_sample, &c, 31);
    printf("%-40s %9.3f ms %9.3f ms %14.3g %9.1fx\n", "sample 10 000", 1e3 * t10k.cpu,
           1e3 * t10k.wall, 1e4 / t10k.cpu, REF_10K_MS / (1e3 * t10k.cpu));
    c.n = big;
    const timing t1m = time_it(do_sample, &c, 3);
    printf("%-40s %9.3f ms %9.3f ms %14.3g\n", "sample 1 000 000", 1e3 * t1m.cpu, 1e3 * t1m.wall,
           1e6 / t1m.cpu);
    /* log_prob of the 10 000 samples (inside the support). */
    c.n = 10000;
    CHECK(sbi_posterior_sample(post, rng, xo, 10000, out));
    double *theta = malloc(sizeof(double) * 2 * 10000);
    if (!theta) return 1;
    memcpy(theta, out, sizeof(double) * 2 * 10000);
    c.theta = theta;
    c.out = lp;
    const timing tlp = time_it(do_log_prob, &c, 21);
    printf("%-40s %9.3f ms %9.3f ms %14.3g\n", "log_prob 10 000 (uncorrected)", 1e3 * tlp.cpu,
           1e3 * tlp.wall, 1e4 / tlp.cpu);
    const timing tlc = time_it(do_log_prob_corrected, &c, 11);
    printf("%-40s %9.3f ms %9.3f ms %14.3g\n", "log_prob 10 000 (leakage-corrected)",
           1e3 * tlc.cpu, 1e3 * tlc.wall, 1e4 / tlc.cpu);
    /* Batched: 100 observations simulated at prior draws (seed 3). */
    double th100[200], x100[700];
    uint64_t seeds[100];
    int32_t status[100];
    sbi_rng *prng = NULL;
    CHECK(sbi_rng_create(&prng, 3, 0));
    CHECK(sbi_prior_sample(prior, prng, 100, th100));
    for (int i = 0; i < 100; i++) seeds[i] = sbi_seed_for_index(3, (uint64_t)i);
    CHECK(sbi_simulator_run(sim, 100, th100, seeds, x100, status));
    c.x = x100;
    c.n_obs = 100;
    c.n = 1000;
    c.out = out;
    const timing tb = time_it(do_batched, &c, 5);
    printf("%-40s %9.3f ms %9.3f ms %14.3g\n", "sample_batched 100 obs x 1 000",
           1e3 * tb.cpu, 1e3 * tb.wall, 1e5 / tb.cpu);
    c.x = xo;
    /* The posterior file. */
    c.buf = NULL;
    const timing tsave = time_it(do_save, &c, 31);
    const timing tload = time_it(do_load, &c, 31);
    printf("%-40s %9.3f ms %9.3f ms   (%zu bytes)\n", "save (to memory)", 1e3 * tsave.cpu,
           1e3 * tsave.wall, c.len);
    printf("%-40s %9.3f ms %9.3f ms\n", "load (from memory, checksum verified)", 1e3 * tload.cpu,
           1e3 * tload.wall);
    char path[4200];
    const char *dir = bench_results_dir(results);
    bench_mkdirs(dir);
    snprintf(path, sizeof path, "%s/bench_sample_posterior.sbi", dir);
    double w0 = bench_wall();
    CHECK(sbi_posterior_save(post, path));
    const double fsave = bench_wall() - w0;
    sbi_posterior *back = NULL;
    w0 = bench_wall();
    CHECK(sbi_posterior_load(&back, path));
    const double fload = bench_wall() - w0;
    sbi_posterior_free(back);
    printf("%-40s %12s %9.3f ms\n", "save to a file (write + rename)", "", 1e3 * fsave);
    printf("%-40s %12s %9.3f ms\n", "load from the file", "", 1e3 * fload);

    /* Latency. */
    printf("\n%-22s %10s %10s %10s %14s\n", "latency (wall)", "median", "p99", "max",
           "allocs/call");
    const latency l1 = sample_latency(post, rng, xo, 1, 20000, out);
    const latency l100 = sample_latency(post, rng, xo, 100, 5000, out);
    printf("%-22s %7.2f us %7.2f us %7.1f us %14.2f\n", "sample 1", 1e6 * l1.median,
           1e6 * l1.p99, 1e6 * l1.max, l1.allocs_per_call);
    printf("%-22s %7.2f us %7.2f us %7.1f us %14.2f\n", "sample 100", 1e6 * l100.median,
           1e6 * l100.p99, 1e6 * l100.max, l100.allocs_per_call);
    printf("\n(acceptance at the observation %.4f; cpu = thread CPU time; reference 10 000 "
           "samples: %.0f ms)\n", acc, REF_10K_MS);

    bench_result(&res, "", (double)n_sims, "train_sims");
    bench_result(&res, "", acc, "acceptance");
    bench_result(&res, "ms", 1e3 * t10k.cpu, "sample_10k_cpu_ms");
    bench_result(&res, "ms", 1e3 * t10k.wall, "sample_10k_wall_ms");
    bench_result(&res, "ms", 1e3 * t1m.cpu, "sample_1m_cpu_ms");
    bench_result(&res, "ms", 1e3 * t1m.wall, "sample_1m_wall_ms");
    bench_result(&res, "ms", 1e3 * tlp.cpu, "log_prob_10k_cpu_ms");
    bench_result(&res, "ms", 1e3 * tlc.cpu, "log_prob_corrected_10k_cpu_ms");
    bench_result(&res, "ms", 1e3 * tb.cpu, "batched_100x1000_cpu_ms");
    bench_result(&res, "ms", 1e3 * tsave.cpu, "save_mem_cpu_ms");
    bench_result(&res, "ms", 1e3 * tload.cpu, "load_mem_cpu_ms");
    bench_result(&res, "ms", 1e3 * fsave, "save_file_wall_ms");
    bench_result(&res, "ms", 1e3 * fload, "load_file_wall_ms");
    bench_result(&res, "bytes", (double)c.len, "file_bytes");
    bench_result(&res, "us", 1e6 * l1.median, "latency1_median_us");
    bench_result(&res, "us", 1e6 * l1.p99, "latency1_p99_us");
    bench_result(&res, "us", 1e6 * l1.max, "latency1_max_us");
    bench_result(&res, "", l1.allocs_per_call, "latency1_allocs_per_call");
    bench_result(&res, "us", 1e6 * l100.median, "latency100_median_us");
    bench_result(&res, "us", 1e6 * l100.p99, "latency100_p99_us");
    bench_result(&res, "us", 1e6 * l100.max, "latency100_max_us");
    bench_result(&res, "", l100.allocs_per_call, "latency100_allocs_per_call");
    bench_results_write(&res, dir);

    sbi_free(c.buf);
    free(theta);
    free(out);
    free(lp);
    sbi_rng_free(prng);
    sbi_rng_free(rng);
    sbi_posterior_free(post);
    sbi_trainer_free(tr);
    sbi_dataset_free(ds);
    sbi_runner_free(run);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    return 0;
}
