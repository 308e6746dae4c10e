/* Allocation failures in the diagnostics: in a build with
 * -DSBI_FAULT_INJECTION=ON every allocation site of C2ST, SBC (with its
 * simulation and posterior calls), the uniformity tests and the plots fails
 * in turn; each must give SBI_ENOMEM and leak nothing (ASan). In other
 * builds each scenario runs once and must succeed. */
#include "sbi_test.h"
#include "core/internal.h"

/* A simulator that allocates nothing (the task simulators create a
 * generator per call, whose failure would surface as SBI_ESIMULATOR):
 * x = theta + noise from a hash of the row's seed. */
static double hash_unit(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static int noisy_identity(void *user_data, int64_t n, int32_t td, const double *theta,
                          const uint64_t *seeds, int32_t xd, double *x, int32_t *status)
{
    (void)user_data;
    (void)status;
    for (int64_t i = 0; i < n; i++)
        for (int32_t k = 0; k < xd; k++)
            x[i * xd + k] = theta[i * td + k] + 0.2 * (hash_unit(seeds[i] + (uint64_t)k) - 0.5);
    return 0;
}

static int train_tiny(sbi_posterior **out)
{
    /* 60 simulations on U([-1,1]^2), a small MDN trained for 2 epochs. */
    *out = NULL;
    const double lo[2] = {-1, -1}, hi[2] = {1, 1};
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *runner = NULL;
    sbi_dataset *ds = NULL;
    sbi_trainer *t = NULL;
    int rc = sbi_prior_create_box_uniform(&prior, 2, lo, hi);
    if (rc == SBI_OK) rc = sbi_simulator_create(&sim, 2, 2, noisy_identity, NULL);
    if (rc == SBI_OK) rc = sbi_runner_create(&runner, sim);
    if (rc == SBI_OK) rc = sbi_runner_run_prior(runner, prior, 60, 3, &ds);
    if (rc == SBI_OK) rc = sbi_trainer_create(&t, prior, SBI_ESTIMATOR_MDN);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, 4);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_NUM_COMPONENTS, 2);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, 2);
    if (rc == SBI_OK) rc = sbi_trainer_append_dataset(t, ds);
    if (rc == SBI_OK) rc = sbi_trainer_train(t, 1);
    if (rc == SBI_OK) rc = sbi_trainer_build_posterior(t, out);
    sbi_trainer_free(t);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    return rc;
}

typedef struct ctx {
    sbi_posterior *post;
    sbi_simulator *sim;
    char path[64];
} ctx;

static int run_c2st(void *p)
{
    (void)p;
    double x[40 * 2], y[40 * 2], acc, folds[3];
    for (int i = 0; i < 80; i++) x[i] = (i * 37 % 11) / 11.0, y[i] = (i * 17 % 13) / 13.0 + 0.2;
    return sbi_c2st_ex(40, x, 40, y, 2, 1, 3, 3, 1, folds, &acc);
}

static int run_sbc(void *p)
{
    ctx *c = p;
    int32_t ranks[12 * 2], hpd[12];
    double theta[12 * 2], x[12 * 2], pk[2], pc[2], lv[3] = {0.2, 0.5, 0.9}, cov[3];
    int64_t used = 0;
    int rc = sbi_sbc_run(c->post, NULL, c->sim, 12, 20, 9, NULL, NULL, ranks, hpd, theta, x, &used);
    if (rc == SBI_OK) rc = sbi_sbc_run_pairs(c->post, used, theta, x, 20, 9, NULL, NULL, ranks, hpd);
    if (rc == SBI_OK) rc = sbi_sbc_ks(used, 2, ranks, 20, NULL, pk);
    if (rc == SBI_OK) rc = sbi_sbc_chi2(used, 2, ranks, 20, 0, NULL, pc);
    if (rc == SBI_OK) rc = sbi_coverage_curve(used, hpd, 20, 3, lv, cov);
    if (rc == SBI_OK) rc = sbi_sbc_plot_svg(c->path, used, 2, ranks, 20, 0, NULL);
    if (rc == SBI_OK) rc = sbi_coverage_plot_svg(c->path, 3, lv, cov, used);
    return rc;
}

static void walk(int (*fn)(void *), void *arg, int64_t max_sites, const char *what)
{
    int64_t k;
    for (k = 1; k <= max_sites; k++) {
        sbi__fault_arm(k);
        const int rc = fn(arg);
        const int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            break;
        }
        /* SBI_OK is allowed where a failure is tolerated by design (the
         * directory fsync after an atomic file write). */
        if (rc != SBI_ENOMEM && rc != SBI_OK)
            print_error("%s: allocation %lld failed, rc %d (%s)\n", what, (long long)k, rc,
                        sbi_last_error());
        assert_true(rc == SBI_ENOMEM || rc == SBI_OK);
    }
    if (k == 1) print_message("%s: no fault injection in this build, ran once\n", what);
    else print_message("%s: %lld allocation sites failed in turn\n", what, (long long)(k - 1));
}

static void test_allocation_failures(void **state)
{
    (void)state;
    walk(run_c2st, NULL, 100000, "c2st");
    ctx c;
    snprintf(c.path, sizeof c.path, "/tmp/sbi_diag_faults_%d.svg", (int)getpid());
    assert_ok(train_tiny(&c.post));
    assert_ok(sbi_simulator_create(&c.sim, 2, 2, noisy_identity, NULL));
    walk(run_sbc, &c, 100000, "sbc/coverage/plots");
    remove(c.path);
    sbi_simulator_free(c.sim);
    sbi_posterior_free(c.post);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("diagnostics faults", tests, NULL, NULL);
}
