/* Speed of the Hodgkin-Huxley simulator (not a test; run by hand):
 *   - each integration kernel on one thread (simulations per second, ms per
 *     simulation), and one whole trace at a time;
 *   - the noise alone (12 000 normals per simulation from sbi_rng);
 *   - the libsbi runner with 1 and 2 workers on prior draws (fastest kernel),
 *     and the speed-up.
 * Prints a table, then one CSV line and one JSON line. The reference Python
 * implementation takes 459 ms per simulation on the reference machine
 * (../shared/spec/reference-figures.md).
 *
 * The runner part also measures, per run, the process CPU time and each
 * worker's own CPU time inside the simulator: on a shared, loaded machine
 * the wall-clock speed-up measures the neighbours, while "speed-up with a
 * free core per worker" = CPU time of the 1-worker run / the busiest
 * worker's CPU time in the 2-worker run (chunk balance and overheads
 * included) is what an idle machine would show.
 *
 * usage: bench_hh [--sims N] [--repeats R] [--results DIR]
 *   (defaults 512, 3: best of R; results also go to DIR/hh.{csv,json}) */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/bench_util.h"
#include "sbi.h"
#include "sbi_hh.h"

#define REFERENCE_MS 459.0

/* The HH model as a simulator that also adds up each thread's CPU time. */
typedef struct timed_sim {
    sbi_hh_model *model;
    pthread_mutex_t mu;
    int threads;
    pthread_t id[16];
    double cpu[16];
} timed_sim;

static int timed_simulate(void *ud, int64_t n, int32_t theta_dim, const double *theta,
                          const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    timed_sim *t = ud;
    (void)theta_dim;
    (void)x_dim;
    const double c0 = bench_thread_cpu();
    const int rc = sbi_hh_model_simulate(t->model, n, theta, seeds, x, status);
    const double c = bench_thread_cpu() - c0;
    pthread_mutex_lock(&t->mu);
    int k = 0;
    while (k < t->threads && !pthread_equal(t->id[k], pthread_self())) k++;
    if (k == t->threads && k < 16) t->id[t->threads++] = pthread_self();
    if (k < 16) t->cpu[k] += c;
    pthread_mutex_unlock(&t->mu);
    return rc == SBI_OK ? 0 : 1;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_hh: %s: %s (%s %s)\n", what, sbi_status_string(rc), sbi_last_error(),
            sbi_hh_last_error());
    exit(1);
}

int main(int argc, char **argv)
{
    int64_t n = 512;
    int repeats = 3;
    const char *results = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sims") && i + 1 < argc) n = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--results") && i + 1 < argc) results = argv[++i];
        else {
            fprintf(stderr, "usage: bench_hh [--sims N] [--repeats R] [--results DIR]\n");
            return 2;
        }
    }
    if (n < 16 || repeats < 1) {
        fprintf(stderr, "bench_hh: need --sims >= 16 and --repeats >= 1\n");
        return 2;
    }
    bench_results res;
    bench_results_init(&res, "hh");
    /* Prior draws and seeds as the runner would make them. */
    double lo[2], hi[2];
    sbi_hh_default_prior_box(lo, hi);
    sbi_prior *prior = NULL;
    sbi_rng *rng = NULL;
    int rc = sbi_prior_create_box_uniform(&prior, 2, lo, hi);
    if (!rc) rc = sbi_rng_create(&rng, 1, 0);
    double *theta = malloc(sizeof(double) * 2 * (size_t)n), *x = malloc(sizeof(double) * 7 * (size_t)n);
    uint64_t *seeds = malloc(sizeof(uint64_t) * (size_t)n);
    int32_t *status = malloc(sizeof(int32_t) * (size_t)n);
    if (!theta || !x || !seeds || !status) die("memory", SBI_ENOMEM);
    if (!rc) rc = sbi_prior_sample(prior, rng, n, theta);
    if (rc) die("prior", rc);
    for (int64_t i = 0; i < n; i++) seeds[i] = sbi_seed_for_index(1, (uint64_t)i);

    printf("HH simulator speed: %lld simulations of 12 000 steps with noise, best of %d "
           "(load average %.2f)\n\n",
           (long long)n, repeats, bench_loadavg());
    printf("%-26s %10s %12s %12s %10s\n", "path", "lanes", "ms/sim", "sims/s", "vs ref");
    char csv[2048] = "", json[4096] = "";
    size_t lc = 0, lj = 0;
    lc += (size_t)snprintf(csv + lc, sizeof csv - lc, "bench_hh,sims=%lld", (long long)n);
    lj += (size_t)snprintf(json + lj, sizeof json - lj, "{\"bench\":\"hh\",\"sims\":%lld",
                           (long long)n);

    /* 1. Kernels, one thread, batched. */
    sbi_hh_model *m = NULL;
    if ((rc = sbi_hh_model_create(&m))) die("model", rc);
    for (int32_t k = SBI_HH_KERNEL_GENERIC; k <= SBI_HH_KERNEL_AVX512; k++) {
        if (!sbi_hh_kernel_supported(k)) continue;
        sbi_hh_model_set_kernel(m, k);
        int32_t lanes;
        sbi_hh_model_kernel(m, NULL, &lanes);
        /* The generic kernel calls libm's fma: slow, so fewer rows. */
        const int64_t rows = k == SBI_HH_KERNEL_GENERIC ? 32 : n;
        double best = 1e300;
        for (int r = 0; r < repeats; r++) {
            double t0 = bench_thread_cpu();
            if ((rc = sbi_hh_model_simulate(m, rows, theta, seeds, x, status))) die("simulate", rc);
            double t = bench_thread_cpu() - t0;
            if (t < best) best = t;
        }
        double ms = 1e3 * best / (double)rows;
        char label[64];
        snprintf(label, sizeof label, "kernel %s (batched)", sbi_hh_kernel_name(k));
        printf("%-26s %10d %12.4f %12.0f %9.0fx\n", label, (int)lanes, ms, 1e3 / ms,
               REFERENCE_MS / ms);
        lc += (size_t)snprintf(csv + lc, sizeof csv - lc, ",%s_ms=%.5f", sbi_hh_kernel_name(k), ms);
        lj += (size_t)snprintf(json + lj, sizeof json - lj, ",\"%s_ms\":%.5f",
                               sbi_hh_kernel_name(k), ms);
        bench_result(&res, "ms", ms, "kernel_%s_cpu_ms_per_sim", sbi_hh_kernel_name(k));
    }
    /* 2. One whole trace at a time (the plotting path: one lane). */
    {
        sbi_hh_model_set_kernel(m, SBI_HH_KERNEL_AUTO);
        double *v = malloc(sizeof(double) * 12001), best = 1e300;
        for (int r = 0; r < repeats; r++) {
            double t0 = bench_thread_cpu();
            for (int i = 0; i < 16; i++)
                if ((rc = sbi_hh_model_simulate_trace(m, theta + 2 * i, seeds[i], 12001, v)))
                    die("trace", rc);
            double t = (bench_thread_cpu() - t0) / 16;
            if (t < best) best = t;
        }
        printf("%-26s %10d %12.4f %12.0f %9.0fx\n", "one trace (scalar)", 1, 1e3 * best,
               1.0 / best, REFERENCE_MS / (1e3 * best));
        lc += (size_t)snprintf(csv + lc, sizeof csv - lc, ",trace_ms=%.5f", 1e3 * best);
        lj += (size_t)snprintf(json + lj, sizeof json - lj, ",\"trace_ms\":%.5f", 1e3 * best);
        bench_result(&res, "ms", 1e3 * best, "one_trace_cpu_ms");
        free(v);
    }
    /* 3. The noise alone. */
    {
        double *xi = malloc(sizeof(double) * 12000), best = 1e300;
        for (int r = 0; r < repeats; r++) {
            double t0 = bench_thread_cpu();
            for (int i = 0; i < 64; i++) {
                sbi_rng_reset(rng, seeds[i % n], 0); /* --sims may be below 64 */
                sbi_rng_normal(rng, 12000, xi);
            }
            double t = (bench_thread_cpu() - t0) / 64;
            if (t < best) best = t;
        }
        printf("%-26s %10s %12.4f\n", "noise: 12 000 normals", "-", 1e3 * best);
        lc += (size_t)snprintf(csv + lc, sizeof csv - lc, ",noise_ms=%.5f", 1e3 * best);
        lj += (size_t)snprintf(json + lj, sizeof json - lj, ",\"noise_ms\":%.5f", 1e3 * best);
        bench_result(&res, "ms", 1e3 * best, "noise_12000_normals_cpu_ms");
        free(xi);
    }
    /* 4. The runner on 1 and 2 workers (wall time, fastest kernel). */
    timed_sim ts = {.model = m};
    pthread_mutex_init(&ts.mu, NULL);
    sbi_hh_model_set_kernel(m, SBI_HH_KERNEL_AUTO);
    sbi_simulator *sim = NULL;
    if ((rc = sbi_simulator_create(&sim, 2, 7, timed_simulate, &ts))) die("simulator", rc);
    double per_worker[2] = {0, 0}, proc_cpu[2] = {0, 0}, busiest[2] = {0, 0};
    printf("\n%-26s %10s %12s %12s %10s %12s\n", "runner (wall time)", "workers", "ms/sim",
           "sims/s", "speed-up", "cpu ms/sim");
    for (int w = 1; w <= 2; w++) {
        double best = 1e300;
        double cpus[16], busy[16];
        for (int r = 0; r < repeats && r < 16; r++) {
            sbi_runner *run = NULL;
            sbi_dataset *ds = NULL;
            if ((rc = sbi_runner_create(&run, sim))) die("runner", rc);
            sbi_runner_set_workers(run, w);
            ts.threads = 0;
            memset(ts.cpu, 0, sizeof ts.cpu);
            const double c0 = bench_process_cpu();
            double t0 = bench_wall();
            rc = sbi_runner_run_prior(run, prior, n, 7, &ds);
            double t = bench_wall() - t0;
            cpus[r] = bench_process_cpu() - c0;
            busy[r] = 0;
            for (int k = 0; k < ts.threads; k++) busy[r] = ts.cpu[k] > busy[r] ? ts.cpu[k] : busy[r];
            if (rc) die("runner run", rc);
            sbi_dataset_free(ds);
            sbi_runner_free(run);
            if (t < best) best = t;
        }
        const int reps = repeats < 16 ? repeats : 16;
        proc_cpu[w - 1] = bench_median(cpus, reps);
        busiest[w - 1] = bench_median(busy, reps);
        per_worker[w - 1] = (double)n / best;
        printf("%-26s %10d %12.4f %12.0f %9.2fx %12.4f\n", "run_prior, chunks of 64", w,
               1e3 * best / (double)n, (double)n / best, per_worker[w - 1] / per_worker[0],
               1e3 * proc_cpu[w - 1] / (double)n);
        lc += (size_t)snprintf(csv + lc, sizeof csv - lc, ",runner_w%d_sims_per_s=%.1f", w,
                               per_worker[w - 1]);
        lj += (size_t)snprintf(json + lj, sizeof json - lj, ",\"runner_w%d_sims_per_s\":%.1f", w,
                               per_worker[w - 1]);
        bench_result(&res, "sims/s", per_worker[w - 1], "runner_w%d_wall_sims_per_s", w);
        bench_result(&res, "ms", 1e3 * proc_cpu[w - 1] / (double)n, "runner_w%d_cpu_ms_per_sim", w);
    }
    const double free_speedup = busiest[1] > 0 ? proc_cpu[0] / busiest[1] : NAN;
    printf("%-26s %10s %12s %12s %9.2fx\n", "with a free core per worker", "2", "", "",
           free_speedup);
    printf("  (1-worker CPU %.1f ms / busiest worker's CPU %.1f ms in the 2-worker run; CPU "
           "time of the 2-worker run / 1-worker run: %.3f)\n",
           1e3 * proc_cpu[0], 1e3 * busiest[1], proc_cpu[1] / proc_cpu[0]);
    bench_result(&res, "", per_worker[1] / per_worker[0], "speedup_w2_wall");
    bench_result(&res, "", free_speedup, "speedup_w2_free_cores");
    bench_result(&res, "", proc_cpu[1] / proc_cpu[0], "cpu_w2_over_w1");
    pthread_mutex_destroy(&ts.mu);
    lc += (size_t)snprintf(csv + lc, sizeof csv - lc, ",speedup=%.3f,reference_ms=%.0f",
                           per_worker[1] / per_worker[0], REFERENCE_MS);
    lj += (size_t)snprintf(json + lj, sizeof json - lj, ",\"speedup\":%.3f,\"reference_ms\":%.0f}",
                           per_worker[1] / per_worker[0], REFERENCE_MS);
    printf("\n(reference: %.0f ms per simulation, Python/NumPy, one core)\n%s\n%s\n", REFERENCE_MS,
           csv, json);
    bench_result(&res, "", (double)n, "sims");
    bench_results_write(&res, bench_results_dir(results));
    sbi_simulator_free(sim);
    sbi_hh_model_free(m);
    sbi_prior_free(prior);
    sbi_rng_free(rng);
    free(theta);
    free(x);
    free(seeds);
    free(status);
    return 0;
}
