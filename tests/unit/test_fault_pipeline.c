/* Allocation failure across a whole pipeline (issue 10, item 3), as SQLite's
 * faultsim: prior -> simulate with the runner (2 workers) -> train -> sample
 * -> save_mem -> load_mem -> sample, then the file writers (posterior, CSV
 * and .npy tables, a figure, a pairplot) and readers, with the 1st, 2nd, ...
 * allocation failing until the pipeline runs through without a failure.
 *
 * For every N the pipeline runs twice:
 *  - abort: the failing call must return SBI_ENOMEM with an "out of memory"
 *    message; the pipeline then frees every handle it holds (ASan/LSan see
 *    any leak) and the output folder must hold no file (no partial output);
 *  - recover: the failing call is repeated without injection and the
 *    pipeline completes; its results (samples, posterior bytes, table and
 *    SVG bytes) must equal those of an undisturbed run, bit for bit, so a
 *    failed call leaves its handle in a usable state.
 * Only active in builds with -DSBI_FAULT_INJECTION=ON (skipped otherwise). */
#include <dirent.h>
#include <sys/stat.h>

#include "sbi_test.h"
#include "core/internal.h"

enum { D = 2, XD = 3, N_SIM = 60, N_SAMPLES = 20 };

/* The pipeline's outputs, compared between runs. */
typedef struct outputs {
    double samples[2][N_SAMPLES * D];
    void *post_bytes;
    size_t post_len;
    void *csv_bytes, *svg_bytes;
    size_t csv_len, svg_len;
} outputs;

static void outputs_free(outputs *o)
{
    sbi_free(o->post_bytes);
    sbi_free(o->csv_bytes);
    sbi_free(o->svg_bytes);
    memset(o, 0, sizeof *o);
}

typedef struct ctx {
    int recover;       /* repeat a failed call without injection */
    int failed;        /* a call failed in this run */
    int injected;      /* the injected failure fired (recover mode disarms) */
    int status;        /* its status */
    char call[160];    /* which call */
    char message[512]; /* its message */
    char dir[256];     /* output folder, emptied after every run */
    int32_t kind;      /* the estimator (SBI_ESTIMATOR_*) */
} ctx;

static int sim_fn(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
                  int32_t xd, double *x, int32_t *status)
{
    (void)ud;
    (void)status;
    for (int64_t i = 0; i < n; i++) {
        const double u = (double)(seeds[i] >> 11) * 0x1.0p-53;
        const double *t = theta + i * td;
        x[i * xd + 0] = t[0] + 0.1 * u;
        x[i * xd + 1] = t[1] - 0.1 * u;
        x[i * xd + 2] = t[0] * t[1];
    }
    return 0;
}

/* On a failure: record it; in recover mode disarm and say "repeat". */
static int on_failure(ctx *c, int rc, const char *call)
{
    if (!c->failed) {
        c->failed = 1;
        c->status = rc;
        snprintf(c->call, sizeof c->call, "%s", call);
        snprintf(c->message, sizeof c->message, "%s", sbi_last_error());
    }
    if (!c->recover || !sbi__fault_fired()) return 0;
    c->injected = 1;
    sbi__fault_arm(0);
    return 1;
}

#define STEP(call)                                                                                 \
    do {                                                                                           \
        int step_rc_ = (call);                                                                     \
        if (step_rc_ != SBI_OK && on_failure(c, step_rc_, #call)) step_rc_ = (call);              \
        if (step_rc_ != SBI_OK) {                                                                  \
            if (!c->failed) on_failure(c, step_rc_, #call);                                        \
            rc = step_rc_;                                                                         \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* The same for a call drawing from rng: a failed call may have advanced the
 * generator (docs/reliability.md), so each attempt starts from `seed`. */
#define STEP_RNG(seed, call)                                                                       \
    do {                                                                                           \
        STEP(sbi_rng_reset(rng, seed, 0));                                                         \
        int rng_rc_ = (call);                                                                      \
        if (rng_rc_ != SBI_OK && on_failure(c, rng_rc_, #call)) {                                \
            STEP(sbi_rng_reset(rng, seed, 0));                                                     \
            rng_rc_ = (call);                                                                     \
        }                                                                                          \
        if (rng_rc_ != SBI_OK) {                                                                   \
            if (!c->failed) on_failure(c, rng_rc_, #call);                                         \
            rc = rng_rc_;                                                                         \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

static int pipeline(ctx *c, outputs *o)
{
    const double low[D] = {-1, -1}, high[D] = {1, 1};
    const char *names[D] = {"alpha", "beta"};
    char path[512];
    int rc = SBI_OK;
    sbi_prior *prior = NULL, *spec_prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *runner = NULL;
    sbi_dataset *ds = NULL;
    sbi_trainer *tr = NULL;
    sbi_posterior *post = NULL, *loaded = NULL, *from_file = NULL;
    sbi_rng *rng = NULL;
    sbi_table *table = NULL;
    sbi_plot *plot = NULL;
    void *buf = NULL;
    size_t len = 0;
    const double x_obs[XD] = {0.2, -0.1, 0.0};

    STEP(sbi_prior_parse_spec("box:-1,-1:1,1", &spec_prior));
    STEP(sbi_prior_create_box_uniform(&prior, D, low, high));
    STEP(sbi_simulator_create(&sim, D, XD, sim_fn, NULL));
    STEP(sbi_runner_create(&runner, sim));
    STEP(sbi_runner_set_workers(runner, 2));
    STEP(sbi_runner_set_chunk_size(runner, 16));
    STEP(sbi_runner_run_prior(runner, spec_prior, N_SIM, 3, &ds));

    STEP(sbi_trainer_create(&tr, prior, c->kind));
    STEP(sbi_trainer_set_int(tr, SBI_OPT_HIDDEN_FEATURES, 6));
    STEP(sbi_trainer_set_int(tr, SBI_OPT_NUM_COMPONENTS, 2));
    STEP(sbi_trainer_set_int(tr, SBI_OPT_NUM_TRANSFORMS, 2));
    STEP(sbi_trainer_set_int(tr, SBI_OPT_NUM_BINS, 4));
    STEP(sbi_trainer_set_int(tr, SBI_OPT_MAX_EPOCHS, 2));
    STEP(sbi_trainer_set_int(tr, SBI_OPT_BATCH_SIZE, 16));
    STEP(sbi_trainer_append_dataset(tr, ds));
    STEP(sbi_trainer_train(tr, 4));
    STEP(sbi_trainer_build_posterior(tr, &post));

    STEP(sbi_rng_create(&rng, 5, 0));
    STEP_RNG(5, sbi_posterior_sample(post, rng, x_obs, N_SAMPLES, o->samples[0]));
    STEP(sbi_posterior_save_mem(post, &o->post_bytes, &o->post_len));
    STEP(sbi_posterior_load_mem(&loaded, o->post_bytes, o->post_len));
    STEP_RNG(6, sbi_posterior_sample(loaded, rng, x_obs, N_SAMPLES, o->samples[1]));

    snprintf(path, sizeof path, "%s/posterior.sbi", c->dir);
    STEP(sbi_posterior_save(loaded, path));
    STEP(sbi_posterior_load(&from_file, path));

    STEP(sbi_table_write_mem(&o->csv_bytes, &o->csv_len, N_SAMPLES, D, o->samples[1], names,
                             SBI_FORMAT_CSV));
    snprintf(path, sizeof path, "%s/samples.csv", c->dir);
    STEP(sbi_table_write(path, N_SAMPLES, D, o->samples[1], names, SBI_FORMAT_AUTO));
    STEP(sbi_table_read(&table, path));
    sbi_table_free(table);
    table = NULL;
    snprintf(path, sizeof path, "%s/samples.npy", c->dir);
    STEP(sbi_table_write(path, N_SAMPLES, D, o->samples[1], NULL, SBI_FORMAT_AUTO));
    STEP(sbi_table_read(&table, path));

    STEP(sbi_plot_create(&plot, 400, 300, 1, 2));
    STEP(sbi_plot_set_title(plot, "fault walk"));
    STEP(sbi_plot_set_labels(plot, 0, "a line", "x (1)", "y (1)"));
    STEP(sbi_plot_add_line(plot, 0, N_SAMPLES, NULL, o->samples[1], "line", NULL, 0,
                           SBI_PLOT_SOLID));
    STEP(sbi_plot_add_histogram(plot, 1, N_SAMPLES, o->samples[1], D, 8, -1, 1, "hist", NULL));
    STEP(sbi_plot_render(plot, &o->svg_bytes, &o->svg_len));
    snprintf(path, sizeof path, "%s/figure.svg", c->dir);
    STEP(sbi_plot_save(plot, path));
    snprintf(path, sizeof path, "%s/pairplot.svg", c->dir);
    STEP(sbi_plot_pairplot(path, N_SAMPLES, D, o->samples[1], low, high, names, NULL, 10,
                           "pairs"));
    /* Everything written reads back (no partial file under a final name). */
    STEP(sbi_posterior_save_mem(from_file, &buf, &len));
    if (len != o->post_len || memcmp(buf, o->post_bytes, len) != 0) {
        rc = SBI_EFORMAT;
        snprintf(c->call, sizeof c->call, "posterior file round trip");
        c->failed = 1;
        c->status = rc;
    }

done:
    sbi_free(buf);
    sbi_plot_free(plot);
    sbi_table_free(table);
    sbi_rng_free(rng);
    sbi_posterior_free(from_file);
    sbi_posterior_free(loaded);
    sbi_posterior_free(post);
    sbi_trainer_free(tr);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    sbi_prior_free(spec_prior);
    return rc;
}

/* The names in the output folder, emptying it; returns how many there were
 * that a completed pipeline does not write (temporaries, strays). */
static int sweep_dir(const char *dir, int complete, char *listing, size_t cap)
{
    static const char *final[] = {"posterior.sbi", "samples.csv", "samples.npy", "figure.svg",
                                  "pairplot.svg"};
    DIR *d = opendir(dir);
    assert_non_null(d);
    int strays = 0;
    listing[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        int expected = 0;
        for (size_t i = 0; i < sizeof final / sizeof *final; i++)
            expected |= strcmp(e->d_name, final[i]) == 0;
        if (!expected || !complete) {
            strays++;
            size_t l = strlen(listing);
            snprintf(listing + l, cap - l, " %s", e->d_name);
        }
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return strays;
}

static int fault_injection_enabled(void)
{
    sbi__fault_arm(1);
    void *p = sbi__malloc(8);
    const int fired = sbi__fault_fired();
    sbi__free(p);
    sbi__fault_arm(0);
    return fired;
}

static void assert_same_outputs(const outputs *a, const outputs *b, int64_t n, const char *call)
{
    int same = memcmp(a->samples, b->samples, sizeof a->samples) == 0 &&
               a->post_len == b->post_len && memcmp(a->post_bytes, b->post_bytes, a->post_len) == 0 &&
               a->csv_len == b->csv_len && memcmp(a->csv_bytes, b->csv_bytes, a->csv_len) == 0 &&
               a->svg_len == b->svg_len && memcmp(a->svg_bytes, b->svg_bytes, a->svg_len) == 0;
    if (!same) {
        print_error("allocation %lld failing (in %s): results differ from an undisturbed run "
                    "(samples %d, posterior %d, csv %d, svg %zu vs %zu)\n", (long long)n, call,
                    memcmp(a->samples, b->samples, sizeof a->samples) == 0,
                    a->post_len == b->post_len && memcmp(a->post_bytes, b->post_bytes, a->post_len) == 0,
                    a->csv_len == b->csv_len && memcmp(a->csv_bytes, b->csv_bytes, a->csv_len) == 0,
                    a->svg_len, b->svg_len);
        if (a->svg_len == b->svg_len)
            for (size_t i = 0; i < a->svg_len; i++)
                if (((const char *)a->svg_bytes)[i] != ((const char *)b->svg_bytes)[i]) {
                    print_error("svg differs at %zu: ...%.60s... vs ...%.60s...\n", i,
                                (const char *)a->svg_bytes + (i > 20 ? i - 20 : 0),
                                (const char *)b->svg_bytes + (i > 20 ? i - 20 : 0));
                    break;
                }
        fail();
    }
}

static void fault_walk(int32_t kind)
{
    if (!fault_injection_enabled()) {
        print_message("skipped: built without SBI_FAULT_INJECTION\n");
        skip();
    }
    ctx c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    /* tmpfs when there is one: every file write ends with fsync, hundreds of
     * times over, which costs seconds on a disk and nothing in memory. */
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                      : getenv("TMPDIR")           ? getenv("TMPDIR")
                                                   : "/tmp";
    snprintf(c.dir, sizeof c.dir, "%s/sbi-fault-XXXXXX", tmp);
    assert_non_null(mkdtemp(c.dir));
    char listing[1024];

    /* The undisturbed run. */
    outputs ref;
    memset(&ref, 0, sizeof ref);
    sbi__fault_arm(0);
    assert_ok(pipeline(&c, &ref));
    assert_int_equal(sweep_dir(c.dir, 1, listing, sizeof listing), 0);

    int64_t n = 1, recovered = 0, benign = 0;
    for (;; n++) {
        for (int recover = 0; recover <= 1; recover++) {
            outputs o;
            memset(&o, 0, sizeof o);
            memset(c.call, 0, sizeof c.call);
            memset(c.message, 0, sizeof c.message);
            c.recover = recover;
            c.failed = 0;
            c.injected = 0;
            c.status = SBI_OK;
            sbi__fault_arm(n);
            const int rc = pipeline(&c, &o);
            const int fired = sbi__fault_fired() || c.injected;
            sbi__fault_arm(0);
            if (!fired) {
                /* Past the last allocation: the pipeline must have completed. */
                assert_ok(rc);
                outputs_free(&o);
                goto walked;
            }
            if (!recover && rc == SBI_OK) {
                /* A best-effort allocation (e.g. the folder fsync after a
                 * rename): its failure may not change any result. */
                assert_same_outputs(&o, &ref, n, c.call);
                sweep_dir(c.dir, 1, listing, sizeof listing);
                benign++;
            } else if (!recover) {
                if (rc != SBI_ENOMEM || !strstr(c.message, "out of memory")) {
                    print_error("allocation %lld failing: %s returned %d (%s: %s), expected "
                                "SBI_ENOMEM with an 'out of memory' message\n",
                                (long long)n, c.call, c.status, sbi_status_string(c.status),
                                c.message);
                    fail();
                }
                /* A failed writer leaves no file; earlier ones may have written. */
                sweep_dir(c.dir, 0, listing, sizeof listing);
                if (strstr(listing, ".tmp")) {
                    print_error("allocation %lld failing in %s left:%s\n", (long long)n, c.call,
                                listing);
                    fail();
                }
            } else {
                if (rc != SBI_OK) {
                    print_error("allocation %lld failing in %s: repeating the call gave %d (%s)\n",
                                (long long)n, c.call, rc, c.message);
                    fail();
                }
                assert_same_outputs(&o, &ref, n, c.call);
                assert_int_equal(sweep_dir(c.dir, 1, listing, sizeof listing), 0);
                recovered++;
            }
            outputs_free(&o);
        }
    }
walked:
    print_message("%s: walked %lld allocations of the pipeline (%lld best-effort ones), %lld "
                  "failed calls repeated successfully\n", sbi_estimator_name(kind), (long long)(n - 1), (long long)benign,
                  (long long)recovered);
    assert_true(n > 100); /* the walk really went through the pipeline */
    outputs_free(&ref);
    rmdir(c.dir);
}

static void test_fault_walk_mdn(void **state)
{
    (void)state;
    fault_walk(SBI_ESTIMATOR_MDN);
}

static void test_fault_walk_maf(void **state)
{
    (void)state;
    fault_walk(SBI_ESTIMATOR_MAF);
}

static void test_fault_walk_nsf(void **state)
{
    (void)state;
    fault_walk(SBI_ESTIMATOR_NSF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_walk_mdn),
        cmocka_unit_test(test_fault_walk_maf),
        cmocka_unit_test(test_fault_walk_nsf),
    };
    return cmocka_run_group_tests_name("fault_pipeline", tests, NULL, NULL);
}
