/* The accuracy benchmark: for each task, simulation budget and density
 * estimator, train NPE once (it is amortised) and score each of the 10
 * sbibm observations with C2ST (10 000 posterior samples against the 10 000
 * reference samples). Prints and writes the table of mean +- sd per cell
 * next to the published NPE numbers. Each scored observation is appended
 * to the CSV at once and skipped when the command runs again, so a stopped
 * run resumes where it was. See docs/accuracy.md.
 *
 *   sbi_bench_accuracy [--tasks a,b] [--budgets 1000,10000] [--estimators mdn,maf,nsf]
 *       [--observations 10] [--samples 10000] [--seed 1] [--batch-size 200]
 *       [--jobs 1] [--root ../shared/data/sbibm] [--csv accuracy.csv]
 *       [--markdown accuracy.md] [--json accuracy.json] [--table-only] [--validate]
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "sbi.h"
#include "sbi_tasks.h"
#include "../common/bench_util.h"

typedef struct opts {
    char tasks[3][32];
    int n_tasks;
    int64_t budgets[8];
    int n_budgets;
    char estimators[3][8];
    int n_estimators;
    int32_t observations;
    int64_t samples;
    uint64_t seed;
    int64_t batch_size;
    int32_t jobs;
    const char *root, *csv, *markdown, *json;
    int table_only, validate;
} opts;

static void usage(void)
{
    fputs("usage: sbi_bench_accuracy [--tasks gaussian_linear,two_moons,slcp]\n"
          "  [--budgets 1000,10000,100000] [--estimators mdn,maf,nsf] [--observations 10]\n"
          "  [--samples 10000] [--seed 1] [--batch-size 200] [--jobs 1]\n"
          "  [--root ../shared/data/sbibm] [--csv accuracy.csv] [--markdown accuracy.md]\n"
          "  [--json accuracy.json] [--table-only] [--validate]\n",
          stderr);
}

/* Split a comma list into fixed-size strings. */
static int split(const char *s, char out[][32], int max, size_t width)
{
    int n = 0;
    while (*s && n < max) {
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= width) return -1;
        memcpy(out[n], s, len);
        out[n][len] = '\0';
        n++;
        s += len + (s[len] == ',');
    }
    return n;
}

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_tasks = 3;
    for (int i = 0; i < 3; i++) snprintf(o->tasks[i], 32, "%s", sbi_tasks_name(i));
    o->n_budgets = 3;
    o->budgets[0] = 1000, o->budgets[1] = 10000, o->budgets[2] = 100000;
    o->n_estimators = 1;
    snprintf(o->estimators[0], 8, "mdn");
    o->observations = 10;
    o->samples = 10000;
    o->seed = 1;
    o->batch_size = 200; /* libsbi's default; sbibm trained NPE with 10 000 (docs/accuracy.md) */
    o->jobs = 1;
    o->root = "../shared/data/sbibm";
    o->csv = "accuracy.csv";
    o->markdown = "accuracy.md";
    o->json = "accuracy.json";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE                                                                                 \
    if (!v) return -1;                                                                             \
    i++
        if (!strcmp(a, "--tasks")) {
            NEED_VALUE;
            if ((o->n_tasks = split(v, o->tasks, 3, 32)) < 1) return -1;
            for (int t = 0; t < o->n_tasks; t++)
                if (sbi_tasks_dims(o->tasks[t], NULL, NULL) != SBI_OK) return -1;
        } else if (!strcmp(a, "--budgets")) {
            NEED_VALUE;
            char b[8][32];
            if ((o->n_budgets = split(v, b, 8, 32)) < 1) return -1;
            for (int k = 0; k < o->n_budgets; k++)
                if ((o->budgets[k] = atoll(b[k])) < 10) return -1;
        } else if (!strcmp(a, "--estimators")) {
            NEED_VALUE;
            char e[3][32];
            if ((o->n_estimators = split(v, e, 3, 8)) < 1) return -1;
            for (int k = 0; k < o->n_estimators; k++) {
                int32_t kind;
                if (sbi_estimator_from_name(e[k], &kind) != SBI_OK) return -1;
                snprintf(o->estimators[k], 8, "%s", e[k]);
            }
        } else if (!strcmp(a, "--observations")) {
            NEED_VALUE;
            if ((o->observations = atoi(v)) < 1 || o->observations > 10) return -1;
        } else if (!strcmp(a, "--samples")) {
            NEED_VALUE;
            if ((o->samples = atoll(v)) < 10) return -1;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE;
            o->seed = strtoull(v, NULL, 10);
        } else if (!strcmp(a, "--batch-size")) {
            NEED_VALUE;
            if ((o->batch_size = atoll(v)) < 1) return -1;
        } else if (!strcmp(a, "--jobs")) {
            NEED_VALUE;
            if ((o->jobs = atoi(v)) < 1 || o->jobs > 64) return -1;
        } else if (!strcmp(a, "--root")) {
            NEED_VALUE;
            o->root = v;
        } else if (!strcmp(a, "--csv")) {
            NEED_VALUE;
            o->csv = v;
        } else if (!strcmp(a, "--markdown")) {
            NEED_VALUE;
            o->markdown = v;
        } else if (!strcmp(a, "--json")) {
            NEED_VALUE;
            o->json = v;
        } else if (!strcmp(a, "--table-only")) {
            o->table_only = 1;
        } else if (!strcmp(a, "--validate")) {
            o->validate = 1;
        } else {
            return -1;
        }
#undef NEED_VALUE
    }
    return 0;
}

/* Scoring of the observations of one cell, shared by the worker threads. */
typedef struct score_job {
    const opts *o;
    const char *task;
    const sbi_posterior *posterior;
    int32_t theta_dim;
    bench_row *rows;       /* [observations], c2st filled in */
    const uint8_t *done;   /* [observations]: already in the CSV, skip */
    pthread_mutex_t lock;  /* guards next, failed and the CSV */
    int32_t next;          /* next observation index to take */
    int failed;
} score_job;

static void score_one(score_job *j, int32_t idx)
{
    const opts *o = j->o;
    bench_row *r = &j->rows[idx];
    int32_t num = idx + 1, d = j->theta_dim, xd = 0;
    sbi_tasks_dims(j->task, NULL, &xd);
    double x[16];
    int64_t n_ref = 0;
    double *ref = NULL, *samples = malloc(sizeof(double) * (size_t)o->samples * (size_t)d);
    sbi_rng *rng = NULL;
    double t0 = bench_wall();
    r->c2st = NAN;
    if (!samples || sbi_tasks_load_observation(o->root, j->task, num, x) != SBI_OK ||
        sbi_tasks_load_reference_samples(o->root, j->task, num, &n_ref, &ref) != SBI_OK) {
        fprintf(stderr, "  %s obs %d: cannot load: %s\n", j->task, (int)num, sbi_tasks_last_error());
        j->failed = 1;
        goto done;
    }
    if (n_ref > 10000) n_ref = 10000; /* the first 10 000, as sbibm */
    int64_t got = 0;
    if (sbi_rng_create(&rng, o->seed, 1000 + (uint64_t)num) != SBI_OK) goto done;
    int rc = sbi_posterior_sample_ex(j->posterior, rng, x, o->samples, 0, samples, &got,
                                     &r->acceptance);
    if (rc != SBI_OK) {
        fprintf(stderr, "  %s obs %d: sampling: %s\n", j->task, (int)num, sbi_last_error());
        goto done;
    }
    rc = sbi_c2st(n_ref, ref, o->samples, samples, d, (uint64_t)num, &r->c2st);
    if (rc != SBI_OK) {
        fprintf(stderr, "  %s obs %d: c2st: %s\n", j->task, (int)num, sbi_last_error());
        r->c2st = NAN;
    }
done:
    r->c2st_seconds = bench_wall() - t0;
    sbi_rng_free(rng);
    sbi_tasks_free(ref);
    free(samples);
}

static void *score_worker(void *arg)
{
    score_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        int32_t idx = j->next++;
        while (idx < j->o->observations && j->done[idx]) idx = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (idx >= j->o->observations) return NULL;
        score_one(j, idx);
        const bench_row *r = &j->rows[idx];
        fprintf(stderr, "  obs %2d: C2ST %.4f (%.0f s, acceptance %.3f)\n", (int)idx + 1,
                r->c2st, r->c2st_seconds, r->acceptance);
        /* Each scored row goes to the CSV at once: a stopped run loses at
         * most the observations being scored, and a rerun skips the rest. */
        pthread_mutex_lock(&j->lock);
        if (!isnan(r->c2st) && bench_csv_append(j->o->csv, r, 1) != 0) {
            fprintf(stderr, "cannot write %s\n", j->o->csv);
            j->failed = 1;
        }
        pthread_mutex_unlock(&j->lock);
    }
}

/* Marks the observations of a cell that the CSV already holds a score for;
 * returns how many. */
static int32_t scored_before(const opts *o, const char *task, int64_t budget, const char *est,
                             uint8_t *done)
{
    bench_row *rows = NULL;
    int64_t n = 0;
    int32_t count = 0;
    memset(done, 0, (size_t)o->observations);
    if (bench_csv_read(o->csv, &rows, &n) != 0) return 0;
    for (int64_t i = 0; i < n; i++) {
        const bench_row *r = &rows[i];
        int32_t k = r->observation - 1;
        if (k >= 0 && k < o->observations && !done[k] && r->budget == budget &&
            !isnan(r->c2st) && !strcmp(r->task, task) && !strcmp(r->estimator, est)) {
            done[k] = 1;
            count++;
        }
    }
    free(rows);
    return count;
}

/* Train one (task, budget, estimator) cell and score the observations the
 * CSV does not hold yet, appending each row as it is scored. */
static int run_cell(const opts *o, int ti, int bi, int ei)
{
    const char *task = o->tasks[ti], *est = o->estimators[ei];
    int64_t budget = o->budgets[bi];
    bench_row rows[10];
    uint8_t done[10];
    if (scored_before(o, task, budget, est, done) == o->observations) {
        fprintf(stderr, "%s, %lld simulations, %s: all %d observations in %s already\n", task,
                (long long)budget, est, (int)o->observations, o->csv);
        return SBI_OK;
    }
    int32_t td = 0, kind = 0;
    sbi_tasks_dims(task, &td, NULL);
    sbi_estimator_from_name(est, &kind);
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *runner = NULL;
    sbi_dataset *ds = NULL;
    sbi_trainer *trainer = NULL;
    sbi_posterior *post = NULL;
    int rc = sbi_tasks_prior_create(task, &prior);
    if (rc == SBI_OK) rc = sbi_tasks_simulator_create(task, &sim);
    /* The same simulations for every estimator of a (task, budget), whatever
     * else is selected: the seeds depend on the task's name and the budget. */
    int32_t task_id = 0;
    while (task_id < sbi_tasks_count() && strcmp(sbi_tasks_name(task_id), task) != 0) task_id++;
    uint64_t cell = ((uint64_t)task_id << 40) | (uint64_t)budget;
    uint64_t sim_seed = sbi_seed_for_index(o->seed, cell);
    uint64_t train_seed = sbi_seed_for_index(o->seed + 1, cell);
    if (rc == SBI_OK) rc = sbi_runner_create(&runner, sim);
    if (rc == SBI_OK) rc = sbi_runner_run_prior(runner, prior, budget, sim_seed, &ds);
    if (rc == SBI_OK) rc = sbi_trainer_create(&trainer, prior, kind);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(trainer, SBI_OPT_BATCH_SIZE, o->batch_size);
    if (rc == SBI_OK) rc = sbi_trainer_append_dataset(trainer, ds);
    double t0 = bench_wall(), train_s = 0;
    if (rc == SBI_OK) rc = sbi_trainer_train(trainer, train_seed);
    train_s = bench_wall() - t0;
    int64_t epochs = 0;
    if (rc == SBI_OK) rc = sbi_trainer_result(trainer, &epochs, NULL);
    if (rc == SBI_OK) rc = sbi_trainer_build_posterior(trainer, &post);
    if (rc != SBI_OK) {
        fprintf(stderr, "%s 10^%.0f %s: %s (%s)\n", task, log10((double)budget), est,
                sbi_status_string(rc), sbi_last_error());
        goto done;
    }
    fprintf(stderr, "%s, %lld simulations, %s: trained in %.1f s (%lld epochs)\n", task,
            (long long)budget, est, train_s, (long long)epochs);
    for (int32_t k = 0; k < o->observations; k++) {
        memset(&rows[k], 0, sizeof rows[k]);
        snprintf(rows[k].task, sizeof rows[k].task, "%s", task);
        snprintf(rows[k].estimator, sizeof rows[k].estimator, "%s", est);
        rows[k].budget = budget;
        rows[k].observation = k + 1;
        rows[k].train_seconds = train_s;
        rows[k].epochs = epochs;
    }
    score_job job = {
        .o = o, .task = task, .posterior = post, .theta_dim = td, .rows = rows, .done = done};
    pthread_mutex_init(&job.lock, NULL);
    pthread_t th[64];
    int32_t nt = o->jobs < o->observations ? o->jobs : o->observations;
    for (int32_t k = 1; k < nt; k++) pthread_create(&th[k], NULL, score_worker, &job);
    score_worker(&job);
    for (int32_t k = 1; k < nt; k++) pthread_join(th[k], NULL);
    pthread_mutex_destroy(&job.lock);
    rc = job.failed ? SBI_EIO : SBI_OK;
done:
    sbi_posterior_free(post);
    sbi_trainer_free(trainer);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    return rc;
}

static int write_tables(const opts *o)
{
    bench_row *rows = NULL;
    int64_t n = 0;
    if (bench_csv_read(o->csv, &rows, &n) != 0) {
        fprintf(stderr, "cannot read %s\n", o->csv);
        return 1;
    }
    bench_write_markdown(stdout, rows, n);
    FILE *f = fopen(o->markdown, "w");
    if (f) bench_write_markdown(f, rows, n), fclose(f);
    f = fopen(o->json, "w");
    if (f) bench_write_json(f, rows, n), fclose(f);
    free(rows);
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o) != 0) {
        usage();
        return 2;
    }
    if (o.validate) return bench_validate(o.seed) == 0 ? 0 : 1;
    if (!o.table_only) {
        for (int t = 0; t < o.n_tasks; t++)
            for (int b = 0; b < o.n_budgets; b++)
                for (int e = 0; e < o.n_estimators; e++) run_cell(&o, t, b, e);
    }
    return write_tables(&o);
}
