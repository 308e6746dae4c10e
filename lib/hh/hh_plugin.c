/* The HH model as a libsbi plugin (include/sbi/plugin.h): the descriptor a
 * program gets from sbi_plugin_describe() after loading sbi_hh_plugin.so
 * (or libsbi_hh.so), and from sbi_hh_plugin_descriptor() when linked. The
 * options are the model's settable constants; each simulator instance is a
 * model with those values. */
#include <stdlib.h>

#include "hh_internal.h"

static const char *const theta_names[SBI_HH_THETA_DIM] = {"gbar_Na", "gbar_K"};
static const char *const theta_units[SBI_HH_THETA_DIM] = {"mS/cm^2", "mS/cm^2"};
static const char *const x_names[SBI_HH_X_DIM] = {"spike_count", "rest_mean", "rest_std",
                                                  "stim_mean",   "stim_var",  "stim_skew",
                                                  "stim_kurt"};
static const double prior_low[SBI_HH_THETA_DIM] = {0.5, 1e-4};
static const double prior_high[SBI_HH_THETA_DIM] = {80.0, 15.0};
static const double theta_true[SBI_HH_THETA_DIM] = {50.0, 5.0};

/* Options in the order of the SBI_HH_* keys 1..16 (option i is key i+1). */
enum { N_OPTIONS = SBI_HH_SOMA_DIAMETER };
static const char *const option_names[N_OPTIONS] = {
    "noise",  "noise_level", "current", "duration", "dt",     "v0",  "t_on", "g_leak",
    "gbar_M", "tau_max",     "V_T",     "E_leak",   "C_m",    "E_Na", "E_K", "soma_diameter"};
static const double option_defaults[N_OPTIONS] = {1.0,  0.1,   5e-4,  120.0, 0.01, -70.0,
                                                  10.0, 0.1,   0.07,  600.0, -60.0, -70.0,
                                                  1.0,  53.0,  -107.0, 70.0};

static int plugin_create(void **instance, const double *options)
{
    sbi_hh_model *m = NULL;
    int rc = sbi_hh_model_create(&m);
    for (int32_t k = 0; rc == SBI_OK && k < N_OPTIONS; k++) rc = sbi_hh_model_set(m, k + 1, options[k]);
    if (rc == SBI_OK) rc = sbi_hh__check_model(m);
    if (rc != SBI_OK) {
        sbi_hh_model_free(m);
        return rc;
    }
    *instance = m;
    return 0;
}

static void plugin_destroy(void *instance) { sbi_hh_model_free(instance); }

static int plugin_simulate(void *instance, int64_t n, int32_t theta_dim, const double *theta,
                           const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)theta_dim;
    (void)x_dim;
    return sbi_hh_model_simulate(instance, n, theta, seeds, x, status);
}

static const sbi_plugin_descriptor descriptor = {
    .size = sizeof(sbi_plugin_descriptor),
    .abi_version = SBI_PLUGIN_ABI_VERSION,
    .name = "hh",
    .description = "Hodgkin-Huxley neuron (Pospischil et al. 2008) under a step current: "
                   "(gbar_Na, gbar_K) -> 7 summary statistics of the voltage, as the sbi tutorial",
    .version = "1.0",
    .theta_dim = SBI_HH_THETA_DIM,
    .x_dim = SBI_HH_X_DIM,
    .theta_names = theta_names,
    .theta_units = theta_units,
    .x_names = x_names,
    .prior_low = prior_low,
    .prior_high = prior_high,
    .theta_true = theta_true,
    .num_options = N_OPTIONS,
    .option_names = option_names,
    .option_defaults = option_defaults,
    .create = plugin_create,
    .destroy = plugin_destroy,
    .simulate = plugin_simulate,
};

const sbi_plugin_descriptor *sbi_hh_plugin_descriptor(void) { return &descriptor; }

SBI_PLUGIN_EXPORT const sbi_plugin_descriptor *sbi_plugin_describe(void);
const sbi_plugin_descriptor *sbi_plugin_describe(void) { return &descriptor; }
