/* A tiny program built against the *installed* libsbi: a box prior, a
 * simulator callback and the runner on two workers. Exit status 0 when the
 * library behaves and agrees with its headers. */
#include <stdio.h>
#include <string.h>

#include <sbi.h>

static int simulate(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                    const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)user_data;
    (void)status;
    for (int64_t i = 0; i < n; i++)
        for (int32_t j = 0; j < x_dim; j++)
            x[i * x_dim + j] = theta[i * theta_dim + j] + (double)(seeds[i] % 1000) * 1e-6;
    return 0;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != SBI_OK) {                                                                       \
            fprintf(stderr, "%s: %s (%s)\n", #call, sbi_status_string(rc_), sbi_last_error());     \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void)
{
    if (sbi_version_number() != SBI_VERSION_NUMBER ||
        strcmp(sbi_version_string(), SBI_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s does not match headers %s\n", sbi_version_string(),
                SBI_VERSION_STRING);
        return 1;
    }
    const double low[2] = {0.0, 0.0}, high[2] = {1.0, 1.0};
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *runner = NULL;
    sbi_dataset *ds = NULL;
    CHECK(sbi_prior_create_box_uniform(&prior, 2, low, high));
    CHECK(sbi_simulator_create(&sim, 2, 2, simulate, NULL));
    CHECK(sbi_runner_create(&runner, sim));
    CHECK(sbi_runner_set_workers(runner, 2));
    CHECK(sbi_runner_run_prior(runner, prior, 100, 42, &ds));
    int64_t ok = 0;
    CHECK(sbi_dataset_count(ds, SBI_ROW_OK, &ok));
    printf("libsbi %s: %lld of 100 rows simulated\n", sbi_version_string(), (long long)ok);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    return ok == 100 ? 0 : 1;
}
