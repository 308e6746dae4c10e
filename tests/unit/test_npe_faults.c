/* Allocation failures in the trainer, the posterior and the file format: in
 * a build with -DSBI_FAULT_INJECTION=ON every allocation site fails in turn
 * and each must give SBI_ENOMEM, leak nothing (ASan) and leave the objects
 * safe to free. In other builds each scenario runs once. */
#include "sbi_test.h"
#include "core/internal.h"

static int train_and_build(sbi_posterior **out)
{
    *out = NULL;
    const double lo[2] = {0.0, -1.0}, hi[2] = {1.0, 1.0};
    double th[40 * 2], x[40 * 2];
    for (int i = 0; i < 40; i++) {
        th[2 * i] = (i % 10) / 10.0;
        th[2 * i + 1] = (i % 7) / 7.0 - 0.5;
        x[2 * i] = th[2 * i] + 0.01 * i;
        x[2 * i + 1] = th[2 * i + 1] - 0.02 * (i % 3);
    }
    x[1] = NAN; /* one excluded row */
    sbi_prior *prior = NULL;
    sbi_trainer *t = NULL;
    int rc = sbi_prior_create_box_uniform(&prior, 2, lo, hi);
    if (rc == SBI_OK) rc = sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 4);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_NUM_COMPONENTS, 2);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, 2);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_BATCH_SIZE, 16);
    if (rc == SBI_OK) rc = sbi_trainer_append(t, 20, th, 2, x);
    if (rc == SBI_OK) rc = sbi_trainer_append(t, 20, th + 40, 2, x + 40);
    if (rc == SBI_OK) rc = sbi_trainer_train(t, 3);
    if (rc == SBI_OK) rc = sbi_trainer_build_posterior(t, out);
    sbi_trainer_free(t);
    sbi_prior_free(prior);
    return rc;
}

static int use_posterior(const sbi_posterior *p)
{
    sbi_rng *rng = NULL;
    sbi_posterior *back = NULL;
    void *buf = NULL;
    size_t len = 0;
    const double x[2] = {0.5, 0.0};
    double s[2 * 30], lp[30], c;
    int rc = sbi_rng_create(&rng, 1, 0);
    if (rc == SBI_OK) rc = sbi_posterior_sample(p, rng, x, 30, s);
    if (rc == SBI_OK) rc = sbi_posterior_sample_batched(p, rng, 1, x, 30, s);
    if (rc == SBI_OK) rc = sbi_posterior_log_prob(p, NULL, x, 30, s, lp);
    if (rc == SBI_OK) rc = sbi_posterior_log_prob(p, rng, x, 30, s, lp);
    if (rc == SBI_OK) rc = sbi_posterior_leakage(p, rng, x, &c);
    if (rc == SBI_OK) rc = sbi_posterior_save_mem(p, &buf, &len);
    if (rc == SBI_OK) rc = sbi_posterior_load_mem(&back, buf, len);
    sbi_free(buf);
    sbi_posterior_free(back);
    sbi_rng_free(rng);
    return rc;
}

static int use_map(const sbi_posterior *p)
{
    sbi_rng *rng = NULL;
    const double x[2] = {0.5, 0.0};
    double m[2];
    int rc = sbi_rng_create(&rng, 1, 0);
    if (rc == SBI_OK) rc = sbi_posterior_map(p, rng, x, m, NULL);
    sbi_rng_free(rng);
    return rc;
}

/* Fail allocation k = 1, 2, ... of fn until it runs without a failure (or
 * up to max_sites). */
static void walk(int (*fn)(void *), void *ctx, int64_t max_sites, const char *what)
{
    int64_t k;
    for (k = 1; k <= max_sites; k++) {
        sbi__fault_arm(k);
        const int rc = fn(ctx);
        const int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            break;
        }
        if (rc != SBI_ENOMEM) print_error("%s: allocation %lld failed, rc %d\n", what, (long long)k, rc);
        assert_int_equal(rc, SBI_ENOMEM);
    }
    if (k == 1) print_message("%s: no fault injection in this build, ran once\n", what);
    else print_message("%s: %lld allocation sites failed in turn\n", what, (long long)(k - 1));
}

static int run_train(void *ctx)
{
    (void)ctx;
    sbi_posterior *p = NULL;
    int rc = train_and_build(&p);
    sbi_posterior_free(p);
    return rc;
}

static int run_use(void *ctx) { return use_posterior(ctx); }
static int run_map(void *ctx) { return use_map(ctx); }

static void test_allocation_failures(void **state)
{
    (void)state;
    walk(run_train, NULL, 100000, "train");
    sbi_posterior *p = NULL;
    assert_ok(train_and_build(&p));
    walk(run_use, p, 100000, "sample/log_prob/save/load");
    /* MAP allocates per iteration: its set-up sites and the first steps. */
    walk(run_map, p, 60, "map");
    sbi_posterior_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("npe_faults", tests, NULL, NULL);
}
