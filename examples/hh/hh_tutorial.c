/* The Hodgkin-Huxley tutorial of libsbi, after the reference package's
 * "Inference on Hodgkin-Huxley model": infer the sodium and potassium
 * conductances (g_Na, g_K) of a neuron from 7 summary statistics of its
 * voltage response to a step current.
 *
 *   observation  theta_true = (50, 5) simulated with a fixed seed
 *   simulate     N draws from the box prior [0.5, 80] x [1e-4, 15] (mS/cm2),
 *                on all cores through the runner
 *   train        neural posterior estimation (MDN by default)
 *   sample       10 000 posterior samples at the observation
 *   report       mean, sd and 95 % interval per parameter next to the truth;
 *                samples (CSV + .npy), the posterior file and three SVG plots
 *
 * Usage: hh_tutorial [--simulations N] [--workers W] [--seed S]
 *                    [--estimator mdn|maf|nsf] [--out DIR] ...  (--help)
 * Only libsbi's public API and the HH model of lib/hh are used. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sbi.h"
#include "sbi_hh.h"

#define N_STATS SBI_HH_X_DIM
/* The reference tutorial's labels (lib/hh names them gbar_Na, gbar_K). */
static const char *const k_param_names[2] = {"g_Na", "g_K"};
static const char *const k_param_labels[2] = {"g_Na (mS/cm\xC2\xB2)", "g_K (mS/cm\xC2\xB2)"};

/* ---- options ---- */

typedef struct {
    int64_t simulations, samples;
    int32_t workers;
    uint64_t seed, observation_seed;
    int32_t estimator;
    const char *out;
    int quiet, plots;
    /* training options: NaN / -1 = library default */
    int64_t batch_size, max_epochs, stop_after, hidden, components;
    double learning_rate;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hh_tutorial [options]\n\n"
            "The Hodgkin-Huxley tutorial: simulate, train a neural posterior estimator,\n"
            "sample the posterior at an observation simulated from g_Na = 50, g_K = 5,\n"
            "report, and write samples, the posterior file and plots.\n\n"
            "options:\n"
            "  --simulations N       training simulations (default 300, as the reference tutorial)\n"
            "  --workers W           simulation threads (default 0 = all cores)\n"
            "  --seed S              seed of the prior draws, noise, training and sampling (default 1)\n"
            "  --observation-seed S  noise seed of the observation (default 42)\n"
            "  --samples N           posterior samples (default 10000)\n"
            "  --estimator NAME      mdn (default), maf or nsf\n"
            "  --batch-size N        training batch size (default 200)\n"
            "  --learning-rate R     Adam learning rate (default 5e-4)\n"
            "  --stop-after-epochs N early stopping patience (default 20)\n"
            "  --max-epochs N        upper bound on epochs (default: none)\n"
            "  --hidden-features N   width of the hidden layers (default 50)\n"
            "  --components N        MDN mixture components (default 10)\n"
            "  --out DIR             output folder (default out/hh; created if missing)\n"
            "  --no-plots            skip the SVG plots\n"
            "  --quiet               print only the final report\n"
            "  -h, --help            this help\n\n"
            "Writes to DIR: samples.csv (header g_Na,g_K), samples.npy, posterior.sbi,\n"
            "observation.csv, traces.svg, pairplot.svg, predictive.svg.\n");
}

static int parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "hh_tutorial: %s '%s' is not an integer in %lld..%lld\n", opt, s,
                (long long)lo, (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.simulations = 300, .samples = 10000, .workers = 0, .seed = 1,
                   .observation_seed = 42, .estimator = SBI_ESTIMATOR_MDN, .out = "out/hh",
                   .plots = 1, .batch_size = -1, .max_epochs = -1, .stop_after = -1, .hidden = -1,
                   .components = -1, .learning_rate = NAN};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t t;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = 1;
            continue;
        } else if (!strcmp(a, "--no-plots")) {
            o->plots = 0;
            continue;
        }
        if (!v) {
            fprintf(stderr, "hh_tutorial: unknown option or missing value: '%s' (see --help)\n", a);
            return -1;
        }
        i++;
        if (!strcmp(a, "--simulations")) {
            if (parse_i64(a, v, 3, (int64_t)1 << 31, &o->simulations)) return -1;
        } else if (!strcmp(a, "--samples")) {
            if (parse_i64(a, v, 1, (int64_t)1 << 31, &o->samples)) return -1;
        } else if (!strcmp(a, "--workers")) {
            if (parse_i64(a, v, 0, 4096, &t)) return -1;
            o->workers = (int32_t)t;
        } else if (!strcmp(a, "--seed")) {
            if (parse_i64(a, v, 0, INT64_MAX, &t)) return -1;
            o->seed = (uint64_t)t;
        } else if (!strcmp(a, "--observation-seed")) {
            if (parse_i64(a, v, 0, INT64_MAX, &t)) return -1;
            o->observation_seed = (uint64_t)t;
        } else if (!strcmp(a, "--estimator")) {
            if (sbi_estimator_from_name(v, &o->estimator) != SBI_OK) {
                fprintf(stderr, "hh_tutorial: --estimator '%s' is not mdn, maf or nsf\n", v);
                return -1;
            }
        } else if (!strcmp(a, "--batch-size")) {
            if (parse_i64(a, v, 1, INT32_MAX, &o->batch_size)) return -1;
        } else if (!strcmp(a, "--max-epochs")) {
            if (parse_i64(a, v, 1, INT32_MAX, &o->max_epochs)) return -1;
        } else if (!strcmp(a, "--stop-after-epochs")) {
            if (parse_i64(a, v, 1, INT32_MAX, &o->stop_after)) return -1;
        } else if (!strcmp(a, "--hidden-features")) {
            if (parse_i64(a, v, 1, 100000, &o->hidden)) return -1;
        } else if (!strcmp(a, "--components")) {
            if (parse_i64(a, v, 1, 1000, &o->components)) return -1;
        } else if (!strcmp(a, "--learning-rate")) {
            char *end;
            o->learning_rate = strtod(v, &end);
            if (end == v || *end || !(o->learning_rate > 0)) {
                fprintf(stderr, "hh_tutorial: --learning-rate '%s' is not a positive number\n", v);
                return -1;
            }
        } else if (!strcmp(a, "--out")) {
            o->out = v;
        } else {
            fprintf(stderr, "hh_tutorial: unknown option '%s' (see --help)\n", a);
            return -1;
        }
    }
    return 0;
}

/* ---- reporting ---- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process (all threads): on a shared machine the wall
 * time says little, this says what the work cost. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    int tty, quiet, last_decile;
    double start, last_draw;
    const char *label;
} progress;

static void progress_start(progress *p, const char *label, int quiet)
{
    p->tty = isatty(STDOUT_FILENO);
    p->quiet = quiet;
    p->last_decile = -1;
    p->start = now();
    p->last_draw = 0;
    p->label = label;
}

/* A bar redrawn in place on a terminal; a line per 10 % into a file or pipe. */
static void progress_show(progress *p, int64_t done, int64_t total, const char *extra)
{
    if (p->quiet) return;
    double frac = total > 0 ? (double)done / (double)total : 1;
    if (p->tty) {
        /* At most 20 redraws a second, but always the last one. */
        double t = now();
        if (done < total && t - p->last_draw < 0.05) return;
        p->last_draw = t;
        char bar[26];
        int filled = (int)(frac * 25);
        for (int i = 0; i < 25; i++) bar[i] = i < filled ? '#' : '.';
        bar[25] = '\0';
        printf("\r  %s [%s] %lld/%lld %s", p->label, bar, (long long)done, (long long)total,
               extra ? extra : "");
        fflush(stdout);
    } else {
        int decile = (int)(frac * 10);
        if (decile > p->last_decile) {
            p->last_decile = decile;
            printf("  %s %lld/%lld %s\n", p->label, (long long)done, (long long)total,
                   extra ? extra : "");
            fflush(stdout);
        }
    }
}

static void progress_end(progress *p)
{
    if (!p->quiet && p->tty) printf("\r\033[K");
}

static void say(const options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const options *o, const char *fmt, ...)
{
    if (o->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static int fail(int rc, const char *what)
{
    fprintf(stderr, "hh_tutorial: %s: %s (%s)\n", what, sbi_last_error(), sbi_status_string(rc));
    return 1;
}

/* Failures inside lib/hh carry their message in sbi_hh_last_error(). */
static int fail_hh(int rc, const char *what)
{
    const char *m = sbi_hh_last_error();
    fprintf(stderr, "hh_tutorial: %s: %s (%s)\n", what, *m ? m : sbi_last_error(),
            sbi_status_string(rc));
    return 1;
}

static int on_sim_progress(void *ud, int64_t done, int64_t total)
{
    progress_show(ud, done, total, "simulations");
    return 0;
}

typedef struct {
    progress bar;
    int64_t last_epoch;
    double last_val;
} train_ui;

static int on_epoch(void *ud, int64_t epoch, double train_loss, double val_loss)
{
    train_ui *ui = ud;
    (void)train_loss;
    ui->last_epoch = epoch;
    ui->last_val = val_loss;
    if (ui->bar.quiet) return 0;
    if (ui->bar.tty) {
        double t = now();
        if (t - ui->bar.last_draw < 0.05) return 0;
        ui->bar.last_draw = t;
        printf("\r  training: epoch %lld, validation loss %.4f   ", (long long)epoch, val_loss);
        fflush(stdout);
    } else if (epoch % 50 == 0) {
        printf("  training: epoch %lld, validation loss %.4f\n", (long long)epoch, val_loss);
        fflush(stdout);
    }
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted values by linear interpolation (NumPy's default). */
static double quantile(const double *sorted, int64_t n, double q)
{
    double pos = q * (double)(n - 1);
    int64_t i = (int64_t)pos;
    if (i >= n - 1) return sorted[n - 1];
    double f = pos - (double)i;
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

/* ---- plots ---- */

static int plot_traces(const char *path, const double *t, const double *cur, double *const v[3],
                       const double theta[3][2], int64_t n)
{
    sbi_plot *p;
    int rc = sbi_plot_create(&p, 820, 520, 2, 1);
    if (rc) return rc;
    sbi_plot_set_title(p, "Hodgkin-Huxley model: voltage responses to a current step");
    sbi_plot_set_row_weight(p, 0, 3);
    char label[64];
    for (int k = 0; k < 3 && rc == SBI_OK; k++) {
        snprintf(label, sizeof label, "g_Na = %g, g_K = %g", theta[k][0], theta[k][1]);
        rc = sbi_plot_add_line(p, 0, n, t, v[k], label, NULL, 1.1, SBI_PLOT_SOLID);
    }
    if (!rc) rc = sbi_plot_set_labels(p, 0, NULL, NULL, "membrane potential (mV)");
    if (!rc) rc = sbi_plot_set_limits(p, 0, NAN, NAN, -90, 75);
    if (!rc) rc = sbi_plot_add_line(p, 1, n, t, cur, "injected current", "black", 1.4, 0);
    if (!rc) rc = sbi_plot_set_labels(p, 1, NULL, "time (ms)", "current (nA)");
    if (!rc) rc = sbi_plot_set_limits(p, 1, NAN, NAN, -0.1, 0.7);
    if (!rc) rc = sbi_plot_save(p, path);
    sbi_plot_free(p);
    return rc;
}

static int plot_predictive(const char *path, const double *t, const double *obs, const double *pred,
                           const double theta_pred[2], int64_t n)
{
    sbi_plot *p;
    int rc = sbi_plot_create(&p, 820, 420, 1, 1);
    if (rc) return rc;
    char label[96];
    snprintf(label, sizeof label, "posterior sample g_Na = %.3g, g_K = %.3g", theta_pred[0],
             theta_pred[1]);
    sbi_plot_set_title(p, "Posterior predictive check: observed trace and a trace simulated from "
                          "a posterior sample");
    rc = sbi_plot_add_line(p, 0, n, t, obs, "observation (g_Na = 50, g_K = 5)", "black", 1.3, 0);
    if (!rc) rc = sbi_plot_add_line(p, 0, n, t, pred, label, "#ff7f0e", 1.3, SBI_PLOT_SOLID);
    if (!rc) rc = sbi_plot_set_labels(p, 0, NULL, "time (ms)", "membrane potential (mV)");
    if (!rc) rc = sbi_plot_set_limits(p, 0, NAN, NAN, -90, 75);
    if (!rc) rc = sbi_plot_save(p, path);
    sbi_plot_free(p);
    return rc;
}

/* ---- the tutorial ---- */

/* The simulator callback: how any C simulator plugs into libsbi. The runner
 * hands over a batch of theta rows and one seed per row; the HH model fills
 * x (7 statistics per row) and flags invalid theta in status. The model is
 * const here, so several worker threads may call this at once. */
static int hh_simulate(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                       const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)theta_dim;
    (void)x_dim;
    return sbi_hh_model_simulate(user_data, n, theta, seeds, x, status) == SBI_OK ? 0 : 1;
}

typedef struct {
    options o;
    sbi_hh_model *model;
    sbi_simulator *sim;
    sbi_prior *prior;
    sbi_runner *runner;
    sbi_dataset *data;
    sbi_trainer *trainer;
    sbi_posterior *post;
    sbi_rng *rng;
    double *samples;
    double *trace_t, *trace_i, *traces[5];
} state;

static void cleanup(state *s)
{
    sbi_posterior_free(s->post);
    sbi_trainer_free(s->trainer);
    sbi_dataset_free(s->data);
    sbi_runner_free(s->runner);
    sbi_prior_free(s->prior);
    sbi_simulator_free(s->sim);
    sbi_hh_model_free(s->model);
    sbi_rng_free(s->rng);
    free(s->samples);
    free(s->trace_t);
    free(s->trace_i);
    for (int k = 0; k < 5; k++) free(s->traces[k]);
}

static int run(state *s)
{
    const options *o = &s->o;
    char path[4200];
    int rc;
    double t_total = now(), c_total = cpu_now(), c0;
    if (make_dirs(o->out) != 0) {
        fprintf(stderr, "hh_tutorial: cannot create the output folder '%s': %s\n", o->out,
                strerror(errno));
        return 1;
    }
    say(o, "libsbi %s: the Hodgkin-Huxley tutorial\n", sbi_version_string());
    say(o, "prior: uniform on g_Na in [0.5, 80], g_K in [1e-4, 15] (mS/cm\xC2\xB2)\n");

    /* The model and its simulator: theta -> 7 summary statistics of a
     * 120 ms trace; the prior box and true parameters of the tutorial. */
    double low[2], high[2], truth[2];
    sbi_hh_default_prior_box(low, high);
    sbi_hh_default_theta_true(truth);
    rc = sbi_hh_model_create(&s->model);
    if (rc) return fail_hh(rc, "HH model");
    rc = sbi_simulator_create(&s->sim, SBI_HH_THETA_DIM, SBI_HH_X_DIM, hh_simulate, s->model);
    if (rc) return fail(rc, "HH simulator");
    rc = sbi_prior_create_box_uniform(&s->prior, 2, low, high);
    if (rc) return fail(rc, "prior");

    /* 1. The observation. */
    double t0 = now(), x_o[N_STATS];
    uint64_t obs_seed = o->observation_seed;
    int32_t obs_status = 0;
    rc = sbi_simulator_run(s->sim, 1, truth, &obs_seed, x_o, &obs_status);
    if (rc || obs_status != SBI_ROW_OK) return fail(rc ? rc : SBI_ENUMERIC, "observation");
    say(o, "[1/4] observation: g_Na = 50, g_K = 5, noise seed %llu -> %g spikes, resting %.2f mV "
           "(%.3f s)\n", (unsigned long long)obs_seed, x_o[0], x_o[1], now() - t0);
    snprintf(path, sizeof path, "%s/observation.csv", o->out);
    const char *stat_names[N_STATS];
    for (int j = 0; j < N_STATS; j++) stat_names[j] = sbi_hh_x_name(j);
    rc = sbi_table_write(path, 1, N_STATS, x_o, stat_names, SBI_FORMAT_CSV);
    if (rc) return fail(rc, "observation.csv");

    /* 2. Simulations from the prior, on all cores. */
    t0 = now();
    c0 = cpu_now();
    rc = sbi_runner_create(&s->runner, s->sim);
    if (!rc) rc = sbi_runner_set_workers(s->runner, o->workers);
    progress bar;
    progress_start(&bar, "simulating", o->quiet);
    if (!rc) rc = sbi_runner_set_progress(s->runner, on_sim_progress, &bar);
    if (!rc) rc = sbi_runner_set_chunk_size(s->runner, 16);
    if (rc) return fail(rc, "runner");
    rc = sbi_runner_run_prior(s->runner, s->prior, o->simulations, o->seed, &s->data);
    progress_end(&bar);
    if (rc) return fail(rc, "simulation");
    int64_t n_ok = 0, n_failed = 0, n_nonfinite = 0;
    sbi_dataset_count(s->data, SBI_ROW_OK, &n_ok);
    sbi_dataset_count(s->data, SBI_ROW_FAILED, &n_failed);
    sbi_dataset_count(s->data, SBI_ROW_NONFINITE, &n_nonfinite);
    double t_sim = now() - t0, c_sim = cpu_now() - c0;
    long workers = o->workers > 0 ? o->workers : sysconf(_SC_NPROCESSORS_ONLN);
    say(o, "[2/4] simulated %lld: %lld valid, %lld invalid excluded (%.3f s on %ld worker%s, "
           "%.2f ms of CPU per simulation)\n",
        (long long)o->simulations, (long long)n_ok, (long long)(n_failed + n_nonfinite), t_sim,
        workers, workers == 1 ? "" : "s", 1e3 * c_sim / (double)o->simulations);

    /* 3. Training. */
    t0 = now();
    c0 = cpu_now();
    rc = sbi_trainer_create(&s->trainer, s->prior, o->estimator);
    if (rc) return fail(rc, "trainer");
    if (o->batch_size > 0) rc = sbi_trainer_set_int(s->trainer, SBI_OPT_BATCH_SIZE, o->batch_size);
    if (!rc && o->max_epochs > 0) rc = sbi_trainer_set_int(s->trainer, SBI_OPT_MAX_EPOCHS, o->max_epochs);
    if (!rc && o->stop_after > 0)
        rc = sbi_trainer_set_int(s->trainer, SBI_OPT_STOP_AFTER_EPOCHS, o->stop_after);
    if (!rc && o->hidden > 0) rc = sbi_trainer_set_int(s->trainer, SBI_OPT_HIDDEN_FEATURES, o->hidden);
    if (!rc && o->components > 0)
        rc = sbi_trainer_set_int(s->trainer, SBI_OPT_NUM_COMPONENTS, o->components);
    if (!rc && !isnan(o->learning_rate))
        rc = sbi_trainer_set_double(s->trainer, SBI_OPT_LEARNING_RATE, o->learning_rate);
    if (rc) return fail(rc, "training options");
    rc = sbi_trainer_append_dataset(s->trainer, s->data);
    if (rc) return fail(rc, "training data");
    train_ui ui = {.last_epoch = 0, .last_val = NAN};
    progress_start(&ui.bar, "training", o->quiet);
    sbi_trainer_set_progress(s->trainer, on_epoch, &ui);
    rc = sbi_trainer_train(s->trainer, o->seed);
    progress_end(&ui.bar);
    if (rc) return fail(rc, "training");
    int64_t epochs = 0, n_train = 0, n_val = 0;
    double best = NAN;
    sbi_trainer_result(s->trainer, &epochs, &best);
    sbi_trainer_counts(s->trainer, NULL, NULL, &n_train, &n_val);
    rc = sbi_trainer_build_posterior(s->trainer, &s->post);
    if (rc) return fail(rc, "posterior");
    double t_train = now() - t0, c_train = cpu_now() - c0;
    say(o, "[3/4] trained %s on %lld + %lld validation rows: %lld epochs, best validation loss "
           "%.4f (%.3f s)\n", sbi_estimator_name(o->estimator), (long long)n_train,
        (long long)n_val, (long long)epochs, best, t_train);

    /* 4. Sampling at the observation. */
    t0 = now();
    s->samples = malloc(sizeof(double) * 2 * (size_t)o->samples);
    if (!s->samples) return fail(SBI_ENOMEM, "samples");
    rc = sbi_rng_create(&s->rng, o->seed, 1);
    if (rc) return fail(rc, "rng");
    int64_t got = 0;
    double acceptance = NAN;
    rc = sbi_posterior_sample_ex(s->post, s->rng, x_o, o->samples, 0, s->samples, &got, &acceptance);
    if (rc) return fail(rc, "sampling");
    double t_sample = now() - t0;
    say(o, "[4/4] sampled %lld at the observation: acceptance rate %.3f (%.3f s)\n",
        (long long)o->samples, acceptance, t_sample);

    /* Outputs. */
    t0 = now();
    snprintf(path, sizeof path, "%s/samples.csv", o->out);
    rc = sbi_table_write(path, o->samples, 2, s->samples, (const char *const *)k_param_names,
                         SBI_FORMAT_CSV);
    if (!rc) {
        snprintf(path, sizeof path, "%s/samples.npy", o->out);
        rc = sbi_table_write(path, o->samples, 2, s->samples, NULL, SBI_FORMAT_NPY);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/posterior.sbi", o->out);
        rc = sbi_posterior_save(s->post, path);
    }
    if (rc) return fail(rc, "writing outputs");
    if (o->plots) {
        /* Traces: three example parameter sets, the observation and a
         * posterior-predictive simulation from the first posterior sample. */
        const double ex[3][2] = {{50, 1}, {4, 1.5}, {20, 15}};
        int64_t n = 0;
        double diameter_um = 0;
        sbi_hh_model_num_samples(s->model, &n);
        sbi_hh_model_get(s->model, SBI_HH_SOMA_DIAMETER, &diameter_um);
        s->trace_t = malloc(sizeof(double) * (size_t)n);
        s->trace_i = malloc(sizeof(double) * (size_t)n);
        for (int k = 0; k < 5; k++) s->traces[k] = malloc(sizeof(double) * (size_t)n);
        for (int k = 0; k < 5; k++)
            if (!s->traces[k]) return fail(SBI_ENOMEM, "traces");
        if (!s->trace_t || !s->trace_i) return fail(SBI_ENOMEM, "traces");
        rc = sbi_hh_model_time(s->model, n, s->trace_t);
        if (!rc) rc = sbi_hh_model_current(s->model, n, s->trace_i);
        /* uA/cm2 -> nA, as the reference plots it: I * area (cm2) * 1e3. */
        double area = M_PI * (diameter_um * 1e-4) * (diameter_um * 1e-4);
        for (int64_t i = 0; i < n; i++) s->trace_i[i] *= area * 1e3;
        for (int k = 0; k < 3 && !rc; k++)
            rc = sbi_hh_model_simulate_trace(s->model, ex[k],
                                             sbi_seed_for_index(o->seed, 1000000 + (uint64_t)k),
                                             n, s->traces[k]);
        /* The observation's own trace (same seed as x_o) and a trace
         * simulated from the first posterior sample. */
        if (!rc) rc = sbi_hh_model_simulate_trace(s->model, truth, obs_seed, n, s->traces[3]);
        if (!rc)
            rc = sbi_hh_model_simulate_trace(s->model, s->samples,
                                             sbi_seed_for_index(o->seed, 2000000), n, s->traces[4]);
        if (rc) return fail_hh(rc, "traces");
        snprintf(path, sizeof path, "%s/traces.svg", o->out);
        rc = plot_traces(path, s->trace_t, s->trace_i, s->traces, ex, n);
        if (!rc) {
            snprintf(path, sizeof path, "%s/pairplot.svg", o->out);
            char title[128];
            snprintf(title, sizeof title, "Posterior at the observation (%s, %lld simulations)",
                     sbi_estimator_name(o->estimator), (long long)o->simulations);
            rc = sbi_plot_pairplot(path, o->samples, 2, s->samples, low, high,
                                   (const char *const *)k_param_labels, truth, 0, title);
        }
        if (!rc) {
            snprintf(path, sizeof path, "%s/predictive.svg", o->out);
            rc = plot_predictive(path, s->trace_t, s->traces[3], s->traces[4], s->samples, n);
        }
        if (rc) return fail(rc, "plots");
    }
    double t_out = now() - t0;

    /* The report. */
    printf("\nposterior at the observation (%lld samples)\n", (long long)o->samples);
    printf("  %-6s %10s %10s %10s %10s %8s\n", "", "mean", "sd", "2.5%", "97.5%", "true");
    double *col = malloc(sizeof(double) * (size_t)o->samples);
    if (!col) return fail(SBI_ENOMEM, "report");
    for (int j = 0; j < 2; j++) {
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < o->samples; i++) {
            col[i] = s->samples[2 * i + j];
            sum += col[i];
        }
        double mean = sum / (double)o->samples;
        for (int64_t i = 0; i < o->samples; i++) sq += (col[i] - mean) * (col[i] - mean);
        double sd = o->samples > 1 ? sqrt(sq / (double)(o->samples - 1)) : NAN;
        qsort(col, (size_t)o->samples, sizeof(double), cmp_double);
        double lo = quantile(col, o->samples, 0.025), hi = quantile(col, o->samples, 0.975);
        int inside = truth[j] >= lo && truth[j] <= hi;
        printf("  %-6s %10.3f %10.3f %10.3f %10.3f %8g  %s\n", k_param_names[j], mean, sd, lo, hi,
               truth[j], inside ? "inside the 95% interval" : "OUTSIDE the 95% interval");
    }
    free(col);
    printf("\ntime: simulate %.3f s, train %.3f s, sample %.3f s, write %.3f s; total %.2f s\n",
           t_sim, t_train, t_sample, t_out, now() - t_total);
    printf("cpu:  simulate %.3f s, train %.3f s; total %.2f s (all threads)\n", c_sim, c_train,
           cpu_now() - c_total);
    printf("wrote %s/: samples.csv, samples.npy, posterior.sbi, observation.csv%s\n", o->out,
           o->plots ? ", traces.svg, pairplot.svg, predictive.svg" : "");
    return 0;
}

/* The networks are small (50 wide): BLAS threads only add synchronisation
 * (the reference measured the same with torch). Use one unless the user set
 * OPENBLAS_NUM_THREADS; looked up at run time so any CBLAS works. */
static void single_threaded_blas(void)
{
    if (getenv("OPENBLAS_NUM_THREADS")) return;
    void *sym = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (!sym) return;
    void (*set_threads)(int);
    memcpy(&set_threads, &sym, sizeof set_threads);
    set_threads(1);
}

int main(int argc, char **argv)
{
    single_threaded_blas();
    state s;
    memset(&s, 0, sizeof s);
    if (parse_options(argc, argv, &s.o) != 0) return 2;
    int rc = run(&s);
    cleanup(&s);
    return rc;
}
