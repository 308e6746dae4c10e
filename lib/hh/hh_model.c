/* The HH model object: constants with the tutorial's defaults, names,
 * the time grid and injected current (spec hh-model.md A.1), and the
 * error message of this library. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hh_internal.h"

static _Thread_local char hh_error[256];

const char *sbi_hh_last_error(void) { return hh_error; }

int sbi_hh__fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hh_error, sizeof hh_error, fmt, ap);
    va_end(ap);
    return status;
}

static const struct {
    const char *name;
    double value;
} constants[HH_NKEYS] = {
    [SBI_HH_NOISE] = {"noise", 1.0},
    [SBI_HH_NOISE_LEVEL] = {"noise_level", 0.1},
    [SBI_HH_CURRENT] = {"current", 5e-4},
    [SBI_HH_DURATION] = {"duration", 120.0},
    [SBI_HH_DT] = {"dt", 0.01},
    [SBI_HH_V0] = {"v0", -70.0},
    [SBI_HH_T_ON] = {"t_on", 10.0},
    [SBI_HH_G_LEAK] = {"g_leak", 0.1},
    [SBI_HH_GBAR_M] = {"gbar_M", 0.07},
    [SBI_HH_TAU_MAX] = {"tau_max", 6e2},
    [SBI_HH_V_T] = {"V_T", -60.0},
    [SBI_HH_E_LEAK] = {"E_leak", -70.0},
    [SBI_HH_C_M] = {"C_m", 1.0},
    [SBI_HH_E_NA] = {"E_Na", 53.0},
    [SBI_HH_E_K] = {"E_K", -107.0},
    [SBI_HH_SOMA_DIAMETER] = {"soma_diameter", 70.0},
};

const char *sbi_hh_constant_name(int32_t key)
{
    return (key >= 1 && key < HH_NKEYS) ? constants[key].name : NULL;
}

void sbi_hh__defaults(sbi_hh_model *m)
{
    memset(m, 0, sizeof *m);
    for (int k = 1; k < HH_NKEYS; k++) m->value[k] = constants[k].value;
    m->kernel = SBI_HH_KERNEL_AUTO;
}

int sbi_hh_model_create(sbi_hh_model **out)
{
    if (!out) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_create: out is NULL");
    *out = NULL;
    sbi_hh_model *m = malloc(sizeof *m);
    if (!m) return sbi_hh__fail(SBI_ENOMEM, "sbi_hh_model_create: out of memory");
    sbi_hh__defaults(m);
    *out = m;
    return SBI_OK;
}

void sbi_hh_model_free(sbi_hh_model *model) { free(model); }

int sbi_hh_model_clone(const sbi_hh_model *model, sbi_hh_model **out)
{
    if (!model || !out) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_clone: NULL argument");
    *out = malloc(sizeof **out);
    if (!*out) return sbi_hh__fail(SBI_ENOMEM, "sbi_hh_model_clone: out of memory");
    **out = *model;
    return SBI_OK;
}

int sbi_hh_model_set(sbi_hh_model *model, int32_t key, double value)
{
    if (!model) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_set: model is NULL");
    if (key < 1 || key >= HH_NKEYS)
        return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_set: unknown constant %d", (int)key);
    const char *name = constants[key].name;
    if (!isfinite(value))
        return sbi_hh__fail(SBI_EINVAL, "hh: %s=%g is not finite", name, value);
    switch (key) {
    case SBI_HH_NOISE:
        if (value != 0.0 && value != 1.0)
            return sbi_hh__fail(SBI_EINVAL, "hh: noise=%g must be 0 (off) or 1 (on)", value);
        break;
    case SBI_HH_DURATION:
    case SBI_HH_DT:
    case SBI_HH_C_M:
    case SBI_HH_TAU_MAX:
    case SBI_HH_SOMA_DIAMETER:
    case SBI_HH_G_LEAK:
        if (!(value > 0.0)) return sbi_hh__fail(SBI_EINVAL, "hh: %s=%g must be > 0", name, value);
        break;
    case SBI_HH_NOISE_LEVEL:
    case SBI_HH_GBAR_M:
    case SBI_HH_T_ON:
        if (!(value >= 0.0)) return sbi_hh__fail(SBI_EINVAL, "hh: %s=%g must be >= 0", name, value);
        break;
    default:
        break;
    }
    model->value[key] = value;
    return SBI_OK;
}

int sbi_hh_model_get(const sbi_hh_model *model, int32_t key, double *value)
{
    if (!model || !value) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_get: NULL argument");
    if (key < 1 || key >= HH_NKEYS)
        return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_get: unknown constant %d", (int)key);
    *value = model->value[key];
    return SBI_OK;
}

/* ---- names and defaults ---- */

static const char *const theta_names[SBI_HH_THETA_DIM] = {"gbar_Na", "gbar_K"};
static const char *const x_names[SBI_HH_X_DIM] = {"spike_count", "rest_mean", "rest_std",
                                                  "stim_mean",   "stim_var",  "stim_skew",
                                                  "stim_kurt"};

const char *sbi_hh_theta_name(int32_t i) { return (i >= 0 && i < 2) ? theta_names[i] : NULL; }
const char *sbi_hh_theta_unit(int32_t i) { return (i >= 0 && i < 2) ? "mS/cm^2" : NULL; }
const char *sbi_hh_x_name(int32_t j) { return (j >= 0 && j < 7) ? x_names[j] : NULL; }

void sbi_hh_default_prior_box(double *low, double *high)
{
    if (low) {
        low[0] = 0.5;
        low[1] = 1e-4;
    }
    if (high) {
        high[0] = 80.0;
        high[1] = 15.0;
    }
}

void sbi_hh_default_theta_true(double *theta)
{
    if (theta) {
        theta[0] = 50.0;
        theta[1] = 5.0;
    }
}

int sbi_hh__theta_ok(const double *theta)
{
    /* Conductances are physical only when finite and non-negative (NaN fails). */
    return theta[0] >= 0.0 && theta[1] >= 0.0 && isfinite(theta[0]) && isfinite(theta[1]);
}

/* ---- time grid and current ---- */

enum { HH_MAX_SAMPLES = 100000000 };

int sbi_hh__consts(const sbi_hh_model *m, struct hh_consts *c)
{
    const double *k = m->value;
    const double dt = k[SBI_HH_DT], duration = k[SBI_HH_DURATION], t_on = k[SBI_HH_T_ON];
    /* len(np.arange(0, duration + dt, dt)) = ceil((duration + dt) / dt) */
    double len = ceil((duration + dt) / dt);
    if (!(len >= 2.0 && len <= HH_MAX_SAMPLES))
        return sbi_hh__fail(SBI_EINVAL, "hh: duration=%g with dt=%g gives %.0f samples (2..%d)",
                            duration, dt, len, HH_MAX_SAMPLES);
    if (!(t_on < duration - t_on))
        return sbi_hh__fail(SBI_EINVAL, "hh: t_on=%g must be below duration - t_on = %g", t_on,
                            duration - t_on);
    memset(c, 0, sizeof *c);
    c->n = (int64_t)len;
    c->dt = dt;
    c->v0 = k[SBI_HH_V0];
    c->g_leak = k[SBI_HH_G_LEAK];
    c->gbar_m = k[SBI_HH_GBAR_M];
    c->vt = k[SBI_HH_V_T];
    c->e_leak = k[SBI_HH_E_LEAK];
    c->e_na = k[SBI_HH_E_NA];
    c->e_k = k[SBI_HH_E_K];
    c->c_m = k[SBI_HH_C_M];
    c->tau_max = k[SBI_HH_TAU_MAX];
    c->noise_level = k[SBI_HH_NOISE] != 0.0 ? k[SBI_HH_NOISE_LEVEL] : 0.0;
    c->sqrt_dt = pow(dt, 0.5);
    c->inv_sqrt_dt = 1.0 / c->sqrt_dt;
    c->inv_0_2 = 1.0 / 0.2;
    c->inv_18 = 1.0 / 18.0;
    c->inv_40 = 1.0 / 40.0;
    /* A_soma = pi * (d * 1e-4)**2 cm^2; the step is curr_level / A_soma. */
    const double d_cm = k[SBI_HH_SOMA_DIAMETER] * 1e-4;
    c->amp = k[SBI_HH_CURRENT] / (3.141592653589793 * (d_cm * d_cm));
    /* I[int(np.round(t_on/dt)) : int(np.round(t_off/dt))], round half to even */
    double lo = nearbyint(t_on / dt), hi = nearbyint((duration - t_on) / dt);
    c->i_on = lo < 0 ? 0 : lo > len ? c->n : (int64_t)lo;
    c->i_off = hi < 0 ? 0 : hi > len ? c->n : (int64_t)hi;
    return SBI_OK;
}

int sbi_hh_model_num_samples(const sbi_hh_model *model, int64_t *n)
{
    if (!model || !n) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_num_samples: NULL argument");
    struct hh_consts c = {0}; /* -O3 cannot see that SBI_OK sets it */
    int rc = sbi_hh__consts(model, &c);
    if (rc == SBI_OK) *n = c.n;
    return rc;
}

static int check_len(const char *where, const sbi_hh_model *model, int64_t n, const void *arr,
                     struct hh_consts *c)
{
    if (!model || !arr) return sbi_hh__fail(SBI_EINVAL, "%s: NULL argument", where);
    int rc = sbi_hh__consts(model, c);
    if (rc != SBI_OK) return rc;
    if (n != c->n)
        return sbi_hh__fail(SBI_EINVAL, "%s: n=%lld but the trace has %lld samples", where,
                            (long long)n, (long long)c->n);
    return SBI_OK;
}

int sbi_hh_model_time(const sbi_hh_model *model, int64_t n, double *t)
{
    struct hh_consts c;
    int rc = check_len("sbi_hh_model_time", model, n, t, &c);
    if (rc != SBI_OK) return rc;
    for (int64_t i = 0; i < n; i++) t[i] = (double)i * c.dt;
    return SBI_OK;
}

int sbi_hh_model_current(const sbi_hh_model *model, int64_t n, double *i_inj)
{
    struct hh_consts c;
    int rc = check_len("sbi_hh_model_current", model, n, i_inj, &c);
    if (rc != SBI_OK) return rc;
    for (int64_t i = 0; i < n; i++) i_inj[i] = (i >= c.i_on && i < c.i_off) ? c.amp : 0.0;
    return SBI_OK;
}
