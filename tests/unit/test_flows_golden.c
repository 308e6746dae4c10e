/* Golden posterior files with flow estimators, beside the format's MDN golden
 * file (test_format.c): tests/data/golden/posterior-{maf,nsf}-v1.sbi were
 * written by libsbi 0.1 (format 1.0), together with the log-densities and
 * samples that version computed from them (*.expected.csv). Every later
 * version must load them and reproduce those numbers (up to 1e-12 relative:
 * BLAS may round differently on other machines).
 *
 * Regenerate (only when the format or the flows change on purpose) by running
 * this test with SBI_WRITE_FLOW_GOLDEN=1 from the repository root. */
#include "sbi_test.h"

#define GOLDEN_DIR "tests/data/golden/"
enum { N_LP = 6, N_SAMPLES = 5 };

static const double XO[2] = {0.12, -0.31};
static const double THETA[N_LP * 2] = {0.0, 0.0, 0.3, -0.2, -0.7, 0.5, 0.9, 0.9, -0.1, 0.25, 0.5, -0.8};

/* A small posterior on two-moons-like data (sizes kept small for the file). */
static sbi_posterior *make(int32_t kind)
{
    const double lo[2] = {-1, -1}, hi[2] = {1, 1};
    sbi_prior *prior = NULL;
    assert_ok(sbi_prior_create_box_uniform(&prior, 2, lo, hi));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 3, 0));
    double th[2 * 400], x[2 * 400], u[400], z[400];
    assert_ok(sbi_rng_uniform(rng, 800, th));
    assert_ok(sbi_rng_uniform(rng, 400, u));
    assert_ok(sbi_rng_normal(rng, 400, z));
    for (int i = 0; i < 400; i++) {
        double t0 = 2 * th[2 * i] - 1, t1 = 2 * th[2 * i + 1] - 1, a = M_PI * (u[i] - 0.5);
        double r = 0.1 + 0.01 * z[i];
        th[2 * i] = t0;
        th[2 * i + 1] = t1;
        x[2 * i] = r * cos(a) + 0.25 - fabs(t0 + t1) / sqrt(2.0);
        x[2 * i + 1] = r * sin(a) + (t1 - t0) / sqrt(2.0);
    }
    sbi_trainer *t = NULL;
    assert_ok(sbi_trainer_create(&t, prior, kind));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 6));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_TRANSFORMS, 2));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_NUM_BINS, 4));
    assert_ok(sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, 5));
    assert_ok(sbi_trainer_append(t, 400, th, 2, x));
    assert_ok(sbi_trainer_train(t, 9));
    sbi_posterior *p = NULL;
    assert_ok(sbi_trainer_build_posterior(t, &p));
    sbi_trainer_free(t);
    sbi_prior_free(prior);
    sbi_rng_free(rng);
    return p;
}

/* The numbers a posterior gives: N_LP log-densities at XO, then N_SAMPLES
 * samples (seed 21, stream 0). */
static void compute(const sbi_posterior *p, double *out)
{
    assert_ok(sbi_posterior_log_prob(p, NULL, XO, N_LP, THETA, out));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 21, 0));
    assert_ok(sbi_posterior_sample(p, rng, XO, N_SAMPLES, out + N_LP));
    sbi_rng_free(rng);
}

static void check_golden(const char *name, int32_t kind)
{
    char path[256], epath[256];
    snprintf(path, sizeof path, GOLDEN_DIR "posterior-%s-v1.sbi", name);
    snprintf(epath, sizeof epath, GOLDEN_DIR "posterior-%s-v1.expected.csv", name);
    double got[N_LP + 2 * N_SAMPLES];
    if (getenv("SBI_WRITE_FLOW_GOLDEN")) {
        sbi_posterior *p = make(kind);
        assert_ok(sbi_posterior_save(p, path));
        compute(p, got);
        FILE *f = fopen(epath, "w");
        assert_non_null(f);
        fprintf(f, "value\n");
        for (int i = 0; i < N_LP + 2 * N_SAMPLES; i++) fprintf(f, "%.17g\n", got[i]);
        fclose(f);
        sbi_posterior_free(p);
    }
    sbi_posterior *q = NULL;
    assert_ok(sbi_posterior_load(&q, path));
    int32_t k, d, xd;
    assert_ok(sbi_posterior_estimator(q, &k));
    assert_int_equal(k, kind);
    assert_ok(sbi_posterior_dims(q, &d, &xd));
    assert_int_equal(d, 2);
    assert_int_equal(xd, 2);
    compute(q, got);
    double *want = NULL;
    int cols = 0;
    assert_int_equal(sbi_test_read_csv(epath, &cols, &want), N_LP + 2 * N_SAMPLES);
    for (int i = 0; i < N_LP + 2 * N_SAMPLES; i++) assert_close(got[i], want[i], 1e-12, 1e-13);
    free(want);
    sbi_posterior_free(q);
}

static void test_maf_golden_file(void **state)
{
    (void)state;
    check_golden("maf", SBI_ESTIMATOR_MAF);
}

static void test_nsf_golden_file(void **state)
{
    (void)state;
    check_golden("nsf", SBI_ESTIMATOR_NSF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maf_golden_file),
        cmocka_unit_test(test_nsf_golden_file),
    };
    return cmocka_run_group_tests_name("flows_golden", tests, NULL, NULL);
}
