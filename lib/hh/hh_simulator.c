/* The HH model as libsbi simulators, and shortcuts taking NULL for the
 * tutorial's constants. */
#include <stdlib.h>

#include "hh_internal.h"

static const char *const stat_names[SBI_HH_X_DIM] = {
    "spike_count", "rest_mean", "rest_std", "stim_mean", "stim_var", "stim_skew", "stim_kurt"};

const char *const *sbi_hh_stat_names(void) { return stat_names; }

/* model, or the defaults in *tmp when model is NULL. */
static const sbi_hh_model *or_default(const sbi_hh_model *model, sbi_hh_model *tmp)
{
    if (model) return model;
    sbi_hh__defaults(tmp);
    return tmp;
}

static int stats_fn(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                    const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)theta_dim;
    (void)x_dim;
    return sbi_hh_model_simulate(user_data, n, theta, seeds, x, status);
}

static int traces_fn(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                     const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)theta_dim;
    (void)x_dim;
    return sbi_hh_model_simulate_traces(user_data, n, theta, seeds, x, status);
}

static void model_destroy(void *user_data) { sbi_hh_model_free(user_data); }

static int make_simulator(sbi_simulator **out, const sbi_hh_model *model, int traces,
                          const char *where)
{
    if (!out) return sbi_hh__fail(SBI_EINVAL, "%s: out is NULL", where);
    *out = NULL;
    sbi_hh_model tmp;
    model = or_default(model, &tmp);
    int rc = sbi_hh__check_model(model);
    if (rc != SBI_OK) return rc;
    int64_t n;
    sbi_hh_model_num_samples(model, &n);
    if (traces && n > INT32_MAX)
        return sbi_hh__fail(SBI_EINVAL, "%s: %lld samples are too many for x", where, (long long)n);
    sbi_hh_model *copy = NULL;
    rc = sbi_hh_model_clone(model, &copy);
    if (rc != SBI_OK) return rc;
    sbi_simulator *sim = NULL;
    rc = sbi_simulator_create(&sim, SBI_HH_THETA_DIM, traces ? (int32_t)n : SBI_HH_X_DIM,
                              traces ? traces_fn : stats_fn, copy);
    if (rc == SBI_OK) rc = sbi_simulator_set_destructor(sim, model_destroy);
    if (rc != SBI_OK) {
        sbi_simulator_free(sim);
        sbi_hh_model_free(copy);
        return sbi_hh__fail(rc, "%s: %s", where, sbi_last_error());
    }
    *out = sim;
    return SBI_OK;
}

int sbi_hh_simulator_create(sbi_simulator **out, const sbi_hh_model *model)
{
    return make_simulator(out, model, 0, "sbi_hh_simulator_create");
}

int sbi_hh_trace_simulator_create(sbi_simulator **out, const sbi_hh_model *model)
{
    return make_simulator(out, model, 1, "sbi_hh_trace_simulator_create");
}

int64_t sbi_hh_trace_length(const sbi_hh_model *model)
{
    sbi_hh_model tmp;
    int64_t n = -1;
    if (sbi_hh_model_num_samples(or_default(model, &tmp), &n) != SBI_OK) return -1;
    return n;
}

int sbi_hh_time_and_current(const sbi_hh_model *model, double *t, double *i_inj)
{
    sbi_hh_model tmp;
    model = or_default(model, &tmp);
    int64_t n;
    int rc = sbi_hh_model_num_samples(model, &n);
    if (rc == SBI_OK && t) rc = sbi_hh_model_time(model, n, t);
    if (rc == SBI_OK && i_inj) rc = sbi_hh_model_current(model, n, i_inj);
    return rc;
}

int sbi_hh_trace(const sbi_hh_model *model, const double *theta, uint64_t seed, double *v)
{
    sbi_hh_model tmp;
    model = or_default(model, &tmp);
    int64_t n;
    int rc = sbi_hh_model_num_samples(model, &n);
    if (rc == SBI_OK) rc = sbi_hh_model_simulate_trace(model, theta, seed, n, v);
    return rc;
}
