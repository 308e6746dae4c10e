/* Running the kernels: dispatch by CPU, noise supply in chunks, single
 * traces, batched simulation to statistics, and the 7 statistics (spec
 * hh-model.md A.3) through libsbi's statistics module. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hh_internal.h"

/* ---- kernels ---- */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HH_X86 1
#else
#define HH_X86 0
#endif

static const struct hh_kernel kernels[] = {
    {SBI_HH_KERNEL_GENERIC, sbi_hh__lanes_generic, sbi_hh__init_generic, sbi_hh__run_generic},
#if HH_X86
    {SBI_HH_KERNEL_SCALAR, sbi_hh__lanes_fma, sbi_hh__init_fma, sbi_hh__run_fma},
    {SBI_HH_KERNEL_AVX2, sbi_hh__lanes_avx2, sbi_hh__init_avx2, sbi_hh__run_avx2},
    {SBI_HH_KERNEL_AVX512, sbi_hh__lanes_avx512, sbi_hh__init_avx512, sbi_hh__run_avx512},
#endif
};

int32_t sbi_hh_kernel_supported(int32_t kernel)
{
    switch (kernel) {
    case SBI_HH_KERNEL_AUTO:
    case SBI_HH_KERNEL_GENERIC:
        return 1;
#if HH_X86
    case SBI_HH_KERNEL_SCALAR:
        return __builtin_cpu_supports("fma") ? 1 : 0;
    case SBI_HH_KERNEL_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    case SBI_HH_KERNEL_AVX512:
        return __builtin_cpu_supports("avx512f") ? 1 : 0;
#endif
    default:
        return 0;
    }
}

const char *sbi_hh_kernel_name(int32_t kernel)
{
    switch (kernel) {
    case SBI_HH_KERNEL_AUTO: return "auto";
    case SBI_HH_KERNEL_GENERIC: return "generic";
    case SBI_HH_KERNEL_SCALAR: return "scalar";
    case SBI_HH_KERNEL_AVX2: return "avx2";
    case SBI_HH_KERNEL_AVX512: return "avx512";
    default: return NULL;
    }
}

const struct hh_kernel *sbi_hh__kernel(int32_t id)
{
    if (id == SBI_HH_KERNEL_AUTO) {
        id = sbi_hh_kernel_supported(SBI_HH_KERNEL_AVX512) ? SBI_HH_KERNEL_AVX512
             : sbi_hh_kernel_supported(SBI_HH_KERNEL_AVX2) ? SBI_HH_KERNEL_AVX2
             : sbi_hh_kernel_supported(SBI_HH_KERNEL_SCALAR) ? SBI_HH_KERNEL_SCALAR
                                                             : SBI_HH_KERNEL_GENERIC;
    }
    if (!sbi_hh_kernel_supported(id)) return NULL;
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
        if (kernels[i].id == id) return &kernels[i];
    return NULL;
}

int sbi_hh_model_set_kernel(sbi_hh_model *model, int32_t kernel)
{
    if (!model) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_set_kernel: model is NULL");
    if (!sbi_hh__kernel(kernel))
        return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_set_kernel: kernel %d is %s", (int)kernel,
                            sbi_hh_kernel_name(kernel) ? "not supported by this CPU" : "unknown");
    model->kernel = kernel;
    return SBI_OK;
}

int sbi_hh_model_kernel(const sbi_hh_model *model, int32_t *kernel, int32_t *lanes)
{
    if (!model) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_kernel: model is NULL");
    const struct hh_kernel *k = sbi_hh__kernel(model->kernel);
    if (kernel) *kernel = k->id;
    if (lanes) *lanes = k->lanes();
    return SBI_OK;
}

/* ---- running a group of lanes ---- */

enum { CHUNK = 512 }; /* steps of noise buffered per lane */

struct workspace {
    const struct hh_kernel *k;
    struct hh_consts c;
    double *trace[HH_MAX_LANES]; /* c.n samples per lane (idle lanes too) */
    double *noise;               /* CHUNK * lanes, step-major */
    double *vbuf;                /* CHUNK * lanes: the kernel's output, step-major */
    double *tmp;                 /* CHUNK */
    sbi_rng *rng[HH_MAX_LANES];  /* one stream per lane */
    double *block;               /* owns trace, noise and tmp */
};

static void ws_free(struct workspace *w)
{
    for (int j = 0; j < HH_MAX_LANES; j++) sbi_rng_free(w->rng[j]);
    free(w->block);
}

static int ws_init(struct workspace *w, const sbi_hh_model *m, int32_t kernel)
{
    memset(w, 0, sizeof *w);
    int rc = sbi_hh__consts(m, &w->c);
    if (rc != SBI_OK) return rc;
    w->k = sbi_hh__kernel(kernel);
    if (!w->k) return sbi_hh__fail(SBI_EINVAL, "hh: kernel %d is not available", (int)kernel);
    const size_t lanes = (size_t)w->k->lanes(), n = (size_t)w->c.n;
    w->block = malloc(sizeof(double) * (lanes * n + 2 * CHUNK * lanes + CHUNK));
    if (!w->block) return sbi_hh__fail(SBI_ENOMEM, "hh: out of memory for %zu traces", lanes);
    for (size_t j = 0; j < lanes; j++) w->trace[j] = w->block + j * n;
    w->noise = w->block + lanes * n;
    w->vbuf = w->noise + CHUNK * lanes;
    w->tmp = w->vbuf + CHUNK * lanes;
    for (size_t j = 0; j < lanes; j++) {
        if (sbi_rng_create(&w->rng[j], 0, 0) != SBI_OK) {
            ws_free(w);
            return sbi_hh__fail(SBI_ENOMEM, "hh: out of memory for the generators");
        }
    }
    return SBI_OK;
}

/* Simulate `used` lanes (theta_j = (gna[j], gk[j])) with noise from stream
 * (seeds[j], 0), or from xi for lane 0 when xi is given; the traces land in
 * w->trace[j]. */
static void run_group(struct workspace *w, int used, const double *gna, const double *gk,
                      const uint64_t *seeds, const double *xi)
{
    const int lanes = w->k->lanes();
    const struct hh_consts *c = &w->c;
    struct hh_lanes st;
    memset(&st, 0, sizeof st);
    for (int j = 0; j < lanes; j++) {
        /* Idle lanes repeat lane 0 without noise: wasted work, harmless. */
        st.gna[j] = gna[j < used ? j : 0];
        st.gk[j] = gk[j < used ? j : 0];
    }
    w->k->init(c, &st);
    for (int j = 0; j < lanes; j++) w->trace[j][0] = c->v0;
    const int noisy = c->noise_level != 0.0;
    if (noisy) {
        memset(w->noise, 0, sizeof(double) * CHUNK * (size_t)lanes);
        if (!xi)
            for (int j = 0; j < used; j++) sbi_rng_reset(w->rng[j], seeds[j], 0);
    }
    for (int64_t first = 1; first < c->n; first += CHUNK) {
        const int64_t steps = c->n - first < CHUNK ? c->n - first : CHUNK;
        for (int j = 0; noisy && j < used; j++) {
            const double *src = xi ? xi + (first - 1) : w->tmp;
            if (!xi) sbi_rng_normal(w->rng[j], steps, w->tmp); /* arguments valid: cannot fail */
            for (int64_t s = 0; s < steps; s++) w->noise[s * lanes + j] = src[s];
        }
        w->k->run(c, &st, first, steps, noisy ? w->noise : NULL, w->vbuf);
        for (int j = 0; j < used; j++)
            for (int64_t s = 0; s < steps; s++) w->trace[j][first + s] = w->vbuf[s * lanes + j];
    }
}

/* ---- statistics ---- */

/* Sample windows of the statistics, from the constants (spec A.3). */
struct windows {
    double dt, t_on, t_off;
    int64_t rest_b, rest_e, rstd_b, rstd_e, stim_b, stim_e;
};

static int windows_of(const sbi_hh_model *m, const struct hh_consts *c, struct windows *win)
{
    win->dt = c->dt;
    win->t_on = m->value[SBI_HH_T_ON];
    win->t_off = m->value[SBI_HH_DURATION] - win->t_on;
    int rc = sbi_stats_time_window(c->n, c->dt, -INFINITY, win->t_on, &win->rest_b, &win->rest_e);
    if (rc == SBI_OK)
        rc = sbi_stats_time_window(c->n, c->dt, win->t_on, win->t_off, &win->stim_b, &win->stim_e);
    if (rc != SBI_OK) return sbi_hh__fail(rc, "hh: %s", sbi_last_error());
    /* v[int(0.9*t_on/dt) : int(t_on/dt)] (Python int() truncates) */
    double b = trunc(0.9 * win->t_on / c->dt), e = trunc(win->t_on / c->dt);
    win->rstd_b = b > (double)c->n ? c->n : (int64_t)b;
    win->rstd_e = e > (double)c->n ? c->n : (int64_t)e;
    if (win->rest_b >= win->rest_e || win->rstd_b >= win->rstd_e || win->stim_b >= win->stim_e)
        return sbi_hh__fail(SBI_EINVAL,
                            "hh: t_on=%g, duration=%g and dt=%g leave a statistics window empty",
                            win->t_on, m->value[SBI_HH_DURATION], c->dt);
    return SBI_OK;
}

/* The 7 statistics; the windows are valid, so the libsbi calls cannot fail. */
static void stats_of(const struct windows *win, int64_t n, const double *v, double *x)
{
    int64_t count = 0;
    sbi_stats_spike_count(v, n, win->dt, -10.0, win->t_on, win->t_off, 0.5, &count);
    x[0] = (double)count;
    sbi_stats_mean(v + win->rest_b, win->rest_e - win->rest_b, &x[1]);
    sbi_stats_mean_std(v + win->rstd_b, win->rstd_e - win->rstd_b, NULL, &x[2]);
    sbi_stats_moments(v + win->stim_b, win->stim_e - win->stim_b,
                      SBI_MOMENT_MEAN | SBI_MOMENT_VAR | SBI_MOMENT_SKEW | SBI_MOMENT_KURT, &x[3]);
}

int sbi_hh_model_stats(const sbi_hh_model *model, int64_t n, const double *v, double *x)
{
    if (!model || !v || !x) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_stats: NULL argument");
    struct hh_consts c;
    struct windows win;
    int rc = sbi_hh__consts(model, &c);
    if (rc == SBI_OK) rc = windows_of(model, &c, &win);
    if (rc != SBI_OK) return rc;
    if (n != c.n)
        return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_stats: n=%lld but the trace has %lld samples",
                            (long long)n, (long long)c.n);
    stats_of(&win, n, v, x);
    return SBI_OK;
}

int sbi_hh_model_summary(const sbi_hh_model *model, sbi_summary **out)
{
    if (!model || !out) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_summary: NULL argument");
    *out = NULL;
    struct hh_consts c;
    struct windows win;
    int rc = sbi_hh__consts(model, &c);
    if (rc == SBI_OK) rc = windows_of(model, &c, &win);
    if (rc != SBI_OK) return rc;
    if (c.n > INT32_MAX) return sbi_hh__fail(SBI_EINVAL, "hh: trace too long for a summary");
    const int32_t raw = (int32_t)c.n;
    sbi_summary *part[4] = {NULL, NULL, NULL, NULL};
    rc = sbi_summary_create_spike_count(&part[0], raw, c.dt, -10.0, win.t_on, win.t_off, 0.5);
    if (rc == SBI_OK)
        rc = sbi_summary_create_moments(&part[1], raw, win.rest_b, win.rest_e, SBI_MOMENT_MEAN);
    if (rc == SBI_OK)
        rc = sbi_summary_create_moments(&part[2], raw, win.rstd_b, win.rstd_e, SBI_MOMENT_STD);
    if (rc == SBI_OK)
        rc = sbi_summary_create_moments(&part[3], raw, win.stim_b, win.stim_e,
                                        SBI_MOMENT_MEAN | SBI_MOMENT_VAR | SBI_MOMENT_SKEW |
                                            SBI_MOMENT_KURT);
    if (rc == SBI_OK) rc = sbi_summary_create_concat(out, 4, (const sbi_summary *const *)part);
    for (int i = 0; i < 4; i++) sbi_summary_free(part[i]);
    if (rc != SBI_OK) return sbi_hh__fail(rc, "hh: %s", sbi_last_error());
    return SBI_OK;
}

/* ---- single traces ---- */

static int simulate_one(const sbi_hh_model *model, const double *theta, uint64_t seed,
                        const double *xi, int64_t n, double *v, const char *where)
{
    if (!model || !theta || !v) return sbi_hh__fail(SBI_EINVAL, "%s: NULL argument", where);
    if (!sbi_hh__theta_ok(theta))
        return sbi_hh__fail(SBI_EINVAL, "%s: theta=(%g, %g) must be finite and >= 0", where,
                            theta[0], theta[1]);
    /* One simulation fills one lane: a one-lane kernel wastes nothing. */
    int32_t kernel = model->kernel;
    if (kernel == SBI_HH_KERNEL_AUTO)
        kernel = sbi_hh_kernel_supported(SBI_HH_KERNEL_SCALAR) ? SBI_HH_KERNEL_SCALAR
                                                               : SBI_HH_KERNEL_GENERIC;
    struct workspace w;
    int rc = ws_init(&w, model, kernel);
    if (rc != SBI_OK) return rc;
    if (n != w.c.n) {
        ws_free(&w);
        return sbi_hh__fail(SBI_EINVAL, "%s: n=%lld but the trace has %lld samples", where,
                            (long long)n, (long long)w.c.n);
    }
    run_group(&w, 1, &theta[0], &theta[1], &seed, xi);
    memcpy(v, w.trace[0], sizeof(double) * (size_t)n);
    ws_free(&w);
    return SBI_OK;
}

int sbi_hh_model_simulate_trace(const sbi_hh_model *model, const double *theta, uint64_t seed,
                                int64_t n, double *v)
{
    return simulate_one(model, theta, seed, NULL, n, v, "sbi_hh_model_simulate_trace");
}

int sbi_hh_model_simulate_trace_noise(const sbi_hh_model *model, const double *theta,
                                      const double *xi, int64_t n, double *v)
{
    if (!xi) return sbi_hh__fail(SBI_EINVAL, "sbi_hh_model_simulate_trace_noise: xi is NULL");
    return simulate_one(model, theta, 0, xi, n, v, "sbi_hh_model_simulate_trace_noise");
}

/* ---- batched simulation ---- */

/* Rows to statistics (x: double[n][7]) or to whole traces (x: double[n][N]). */
static int simulate_batch(const sbi_hh_model *model, int64_t n, const double *theta,
                          const uint64_t *seeds, double *x, int32_t *status, int traces,
                          const char *where)
{
    if (!model) return sbi_hh__fail(SBI_EINVAL, "%s: model is NULL", where);
    if (n < 0) return sbi_hh__fail(SBI_EINVAL, "%s: n=%lld is negative", where, (long long)n);
    if (n == 0) return SBI_OK;
    if (!theta || !seeds || !x || !status)
        return sbi_hh__fail(SBI_EINVAL, "%s: NULL argument", where);
    struct workspace w;
    struct windows win;
    int rc = ws_init(&w, model, model->kernel);
    if (rc != SBI_OK) return rc;
    rc = windows_of(model, &w.c, &win);
    if (rc != SBI_OK) {
        ws_free(&w);
        return rc;
    }
    const int64_t width = traces ? w.c.n : 7;
    /* Valid rows are packed into groups of `lanes`; results do not depend on
     * the packing because every lane computes the same bits. */
    const int lanes = w.k->lanes();
    int64_t rows[HH_MAX_LANES];
    double gna[HH_MAX_LANES], gk[HH_MAX_LANES];
    uint64_t sd[HH_MAX_LANES];
    int used = 0;
    for (int64_t i = 0; i <= n; i++) {
        if (i < n) {
            const double *th = theta + 2 * i;
            if (!sbi_hh__theta_ok(th)) {
                status[i] = 1;
                for (int64_t j = 0; j < width; j++) x[width * i + j] = NAN;
                continue;
            }
            status[i] = 0;
            rows[used] = i;
            gna[used] = th[0];
            gk[used] = th[1];
            sd[used] = seeds[i];
            used++;
        }
        if (used == lanes || (i == n && used > 0)) {
            run_group(&w, used, gna, gk, sd, NULL);
            for (int j = 0; j < used; j++) {
                if (traces)
                    memcpy(x + width * rows[j], w.trace[j], sizeof(double) * (size_t)width);
                else
                    stats_of(&win, w.c.n, w.trace[j], x + width * rows[j]);
            }
            used = 0;
        }
    }
    ws_free(&w);
    return SBI_OK;
}

int sbi_hh_model_simulate(const sbi_hh_model *model, int64_t n, const double *theta,
                          const uint64_t *seeds, double *x, int32_t *status)
{
    return simulate_batch(model, n, theta, seeds, x, status, 0, "sbi_hh_model_simulate");
}

int sbi_hh_model_simulate_traces(const sbi_hh_model *model, int64_t n, const double *theta,
                                 const uint64_t *seeds, double *v, int32_t *status)
{
    return simulate_batch(model, n, theta, seeds, v, status, 1, "sbi_hh_model_simulate_traces");
}

int sbi_hh__check_model(const sbi_hh_model *model)
{
    struct hh_consts c;
    struct windows win;
    int rc = sbi_hh__consts(model, &c);
    if (rc == SBI_OK) rc = windows_of(model, &c, &win);
    return rc;
}
