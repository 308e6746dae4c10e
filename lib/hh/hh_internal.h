/* Internals of libsbi_hh: the model's constants, the kernel interface and
 * the error helper. */
#ifndef SBI_HH_INTERNAL_H
#define SBI_HH_INTERNAL_H

#include <stdint.h>

#include "sbi_hh.h"

enum { HH_NKEYS = SBI_HH_SOMA_DIAMETER + 1, HH_MAX_LANES = 16 };

struct sbi_hh_model {
    double value[HH_NKEYS]; /* indexed by SBI_HH_* key; [0] unused */
    int32_t kernel;         /* requested SBI_HH_KERNEL_* */
};

/* Everything a kernel needs, derived once from the model's constants. */
struct hh_consts {
    double dt, v0, g_leak, gbar_m, vt, e_leak, e_na, e_k, c_m, tau_max;
    double noise_level;    /* nois_fact; 0 when noise is off */
    double sqrt_dt;        /* dt**0.5 as Python computes it (pow) */
    double inv_sqrt_dt, inv_0_2, inv_18, inv_40; /* RN(1/x) for divisions by constants */
    double amp;            /* injected current density during the step [uA/cm^2] */
    int64_t i_on, i_off;   /* I_inj[k] = amp for i_on <= k < i_off */
    int64_t n;             /* samples */
};

/* State of up to HH_MAX_LANES simulations, one array entry per lane. */
struct hh_lanes {
    double v[HH_MAX_LANES], m[HH_MAX_LANES], h[HH_MAX_LANES], n[HH_MAX_LANES],
        p[HH_MAX_LANES];
    double gna[HH_MAX_LANES], gk[HH_MAX_LANES];
};

/* A kernel of `lanes` simulations side by side. init sets V = V0 and the
 * gates to their steady state at V0; run integrates samples first ..
 * first+steps-1 (first >= 1), reading noise[s*lanes + j] (standard normals,
 * or NULL for none) and writing lane j's V[first+s] to out[s*lanes + j]. */
typedef void (*hh_init_fn)(const struct hh_consts *c, struct hh_lanes *st);
typedef void (*hh_run_fn)(const struct hh_consts *c, struct hh_lanes *st, int64_t first,
                          int64_t steps, const double *noise, double *out);

#define HH_DECLARE_KERNEL(tag)                                                                     \
    int32_t sbi_hh__lanes_##tag(void);                                                             \
    void sbi_hh__init_##tag(const struct hh_consts *c, struct hh_lanes *st);                       \
    void sbi_hh__run_##tag(const struct hh_consts *c, struct hh_lanes *st, int64_t first,          \
                           int64_t steps, const double *noise, double *out);
HH_DECLARE_KERNEL(generic)
#if defined(__x86_64__)
HH_DECLARE_KERNEL(fma)
HH_DECLARE_KERNEL(avx2)
HH_DECLARE_KERNEL(avx512)
#endif

struct hh_kernel {
    int32_t id;
    int32_t (*lanes)(void); /* the lane count the kernel was compiled for */
    hh_init_fn init;
    hh_run_fn run;
};
/* The kernel to use for a requested id (AUTO resolved), or NULL if this CPU
 * cannot run it. */
const struct hh_kernel *sbi_hh__kernel(int32_t id);

/* Record a message for sbi_hh_last_error() and return status. */
int sbi_hh__fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Check the constants form a usable configuration and derive the kernel's
 * view of them. */
int sbi_hh__consts(const sbi_hh_model *m, struct hh_consts *c);
/* SBI_OK if the model's constants make a usable simulation and statistics. */
int sbi_hh__check_model(const sbi_hh_model *model);
/* Fill a model with the tutorial's constants. */
void sbi_hh__defaults(sbi_hh_model *model);
/* 1 if theta (2 values) is a valid parameter: finite and >= 0. */
int sbi_hh__theta_ok(const double *theta);

#endif /* SBI_HH_INTERNAL_H */
