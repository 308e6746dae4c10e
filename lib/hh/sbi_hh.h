/* libsbi_hh: the Hodgkin-Huxley example model of the reference `sbi`
 * tutorial ("Inference on Hodgkin-Huxley model"), built only on libsbi's
 * public API. It is the model to copy when wrapping your own simulator.
 *
 * theta = (gbar_Na, gbar_K) in mS/cm^2. A simulation integrates the
 * Pospischil et al. (2008) single-compartment model with exponential Euler
 * (dt = 0.01 ms, 120 ms, 12 001 samples, V0 = -70 mV) under a 0.5 nA step
 * current from 10 to 110 ms, with intrinsic current noise 0.1*xi/sqrt(dt).
 * x = 7 summary statistics: spike count, resting mean and std, and mean,
 * variance, skewness and Pearson kurtosis during the stimulus.
 *
 * Noise comes from libsbi's RNG: simulation with seed s draws its 12 000
 * normals from stream (s, 0), so a run is reproducible for any thread count,
 * batch size or instruction set (every code path gives the same bits).
 *
 * Thread-safety: a model is configured with sbi_hh_model_set* from one
 * thread; after that its const functions may be called from any number of
 * threads at once. sbi_hh_last_error() is per thread.
 *
 * Errors: functions return libsbi status codes (SBI_OK, SBI_EINVAL,
 * SBI_ENOMEM...); the message for a failure in this library is given by
 * sbi_hh_last_error() (libsbi's own calls keep using sbi_last_error()). */
#ifndef SBI_HH_H
#define SBI_HH_H

#include <stddef.h>
#include <stdint.h>

#include "sbi.h"

/* Export decoration of libsbi_hh (as SBI_API is libsbi's). */
#ifndef SBI_HH_API
#  if defined(__GNUC__) && !defined(SBI_HH_STATIC)
#    define SBI_HH_API __attribute__((visibility("default")))
#  else
#    define SBI_HH_API
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbi_hh_model sbi_hh_model;

/* Settable constants (sbi_hh_model_set / _get). Units in brackets, the
 * tutorial's value after "=". Values pinned, append-only. */
enum {
    SBI_HH_NOISE = 1,          /* intrinsic noise on (1) or off (0)        = 1 */
    SBI_HH_NOISE_LEVEL = 2,    /* nois_fact [uA/cm^2]: current noise scale = 0.1 */
    SBI_HH_CURRENT = 3,        /* step current amplitude curr_level [uA]   = 5e-4 (0.5 nA) */
    SBI_HH_DURATION = 4,       /* simulated time [ms]                      = 120 */
    SBI_HH_DT = 5,             /* time step [ms]                           = 0.01 */
    SBI_HH_V0 = 6,             /* initial membrane potential [mV]          = -70 */
    SBI_HH_T_ON = 7,           /* stimulus onset [ms]; offset = duration - t_on = 10 */
    SBI_HH_G_LEAK = 8,         /* leak conductance [mS/cm^2]               = 0.1 */
    SBI_HH_GBAR_M = 9,         /* slow K (M) conductance [mS/cm^2]         = 0.07 */
    SBI_HH_TAU_MAX = 10,       /* M-current time constant scale [ms]       = 600 */
    SBI_HH_V_T = 11,           /* threshold shift V_T [mV]                 = -60 */
    SBI_HH_E_LEAK = 12,        /* leak reversal [mV]                       = -70 */
    SBI_HH_C_M = 13,           /* membrane capacitance [uF/cm^2]           = 1 */
    SBI_HH_E_NA = 14,          /* Na reversal [mV]                         = 53 */
    SBI_HH_E_K = 15,           /* K reversal (also the M current's) [mV]   = -107 */
    SBI_HH_SOMA_DIAMETER = 16  /* soma diameter [um]; area = pi d^2        = 70 */
};

/* Integration kernels: the same numbers bit for bit, different speed.
 * Values pinned, append-only. */
enum {
    SBI_HH_KERNEL_AUTO = 0,    /* the fastest one this CPU supports (default) */
    SBI_HH_KERNEL_GENERIC = 1, /* portable C, one lane (fused multiply-adds by libm's fma) */
    SBI_HH_KERNEL_SCALAR = 2,  /* one lane with FMA instructions (x86-64 with FMA3) */
    SBI_HH_KERNEL_AVX2 = 3,    /* 8 simulations in AVX2 lanes (AVX2 and FMA3) */
    SBI_HH_KERNEL_AVX512 = 4   /* 16 simulations in AVX-512 lanes (AVX-512F) */
};

/* Dimensions of theta and x, and the number of raw trace samples with the
 * default constants. */
enum { SBI_HH_THETA_DIM = 2, SBI_HH_X_DIM = 7 };

/* The message of the last failure of an sbi_hh_* call on this thread; never
 * NULL, "" if none. */
SBI_HH_API const char *sbi_hh_last_error(void);

/* A model with the tutorial's constants. Free with sbi_hh_model_free.
 * Errors: SBI_EINVAL (out NULL), SBI_ENOMEM. */
SBI_HH_API int sbi_hh_model_create(sbi_hh_model **out);
/* Free a model; accepts NULL. Simulators made from it keep their own copy. */
SBI_HH_API void sbi_hh_model_free(sbi_hh_model *model);
/* An independent copy. Errors: SBI_EINVAL, SBI_ENOMEM. */
SBI_HH_API int sbi_hh_model_clone(const sbi_hh_model *model, sbi_hh_model **out);

/* Set one constant (SBI_HH_*). Errors: SBI_EINVAL for an unknown key or a
 * value out of its range: SBI_HH_NOISE 0 or 1; DURATION, DT, C_M, TAU_MAX,
 * SOMA_DIAMETER finite and > 0 (DT <= DURATION, at most 10^8 samples);
 * NOISE_LEVEL, G_LEAK, GBAR_M finite and >= 0 (G_LEAK > 0); T_ON in
 * [0, duration/2]; the others finite. */
SBI_HH_API int sbi_hh_model_set(sbi_hh_model *model, int32_t key, double value);
/* Read one constant. Errors: SBI_EINVAL (NULL, unknown key). */
SBI_HH_API int sbi_hh_model_get(const sbi_hh_model *model, int32_t key, double *value);
/* Static English name of a key ("noise_level"...), or NULL if unknown. */
SBI_HH_API const char *sbi_hh_constant_name(int32_t key);

/* Choose the integration kernel (default SBI_HH_KERNEL_AUTO). Every kernel
 * gives identical results; this exists for tests and benchmarks.
 * Errors: SBI_EINVAL (unknown kernel, or not supported by this CPU). */
SBI_HH_API int sbi_hh_model_set_kernel(sbi_hh_model *model, int32_t kernel);
/* The kernel actually used (AUTO resolved) and its lane count. */
SBI_HH_API int sbi_hh_model_kernel(const sbi_hh_model *model, int32_t *kernel, int32_t *lanes);
/* 1 if this CPU can run the kernel, else 0 (unknown kernels give 0). */
SBI_HH_API int32_t sbi_hh_kernel_supported(int32_t kernel);
/* Static name of a kernel ("avx512"...), or NULL if unknown. */
SBI_HH_API const char *sbi_hh_kernel_name(int32_t kernel);

/* Names and units: theta i (0 = "gbar_Na", 1 = "gbar_K", "mS/cm^2") and x j
 * ("spike_count", "rest_mean", "rest_std", "stim_mean", "stim_var",
 * "stim_skew", "stim_kurt"). Static strings; NULL for an index out of range. */
SBI_HH_API const char *sbi_hh_theta_name(int32_t i);
SBI_HH_API const char *sbi_hh_theta_unit(int32_t i);
SBI_HH_API const char *sbi_hh_x_name(int32_t j);
/* The tutorial's prior box [0.5, 80] x [1e-4, 15] and true parameters
 * (50, 5); each array has SBI_HH_THETA_DIM entries (any pointer may be NULL). */
SBI_HH_API void sbi_hh_default_prior_box(double *low, double *high);
SBI_HH_API void sbi_hh_default_theta_true(double *theta);

/* Number of samples N of a trace: len(arange(0, duration + dt, dt)) as NumPy
 * computes it (12 001 by default). */
SBI_HH_API int sbi_hh_model_num_samples(const sbi_hh_model *model, int64_t *n);
/* The sample times t_i = i*dt [ms] and the injected current density I_inj
 * [uA/cm^2] (curr_level / (pi d^2) on samples round(t_on/dt) ..
 * round(t_off/dt)-1, else 0); each array double[n] with n == N.
 * Errors: SBI_EINVAL (NULL, n != N). */
SBI_HH_API int sbi_hh_model_time(const sbi_hh_model *model, int64_t n, double *t);
SBI_HH_API int sbi_hh_model_current(const sbi_hh_model *model, int64_t n, double *i_inj);

/* Simulate the whole voltage trace v (double[n], n == N, in mV) for one theta
 * (double[2]) with the noise of `seed` (ignored if noise is off).
 * theta must be finite and >= 0 (SBI_EINVAL otherwise). Errors: SBI_EINVAL,
 * SBI_ENOMEM. */
SBI_HH_API int sbi_hh_model_simulate_trace(const sbi_hh_model *model, const double *theta, uint64_t seed,
                                int64_t n, double *v);

/* The same with caller-given standard normal draws xi (double[n-1], one per
 * step, in step order) instead of libsbi's RNG; xi is ignored if noise is off.
 * This is the hook for comparing with another generator (the reference used
 * NumPy's RandomState). Errors as sbi_hh_model_simulate_trace. */
SBI_HH_API int sbi_hh_model_simulate_trace_noise(const sbi_hh_model *model, const double *theta,
                                      const double *xi, int64_t n, double *v);

/* The 7 summary statistics of a trace v (double[n], n == N) into
 * x (double[7]), exactly as the tutorial computes them (see
 * docs/hh-model.md). NaN in v gives NaN statistics (no error).
 * Errors: SBI_EINVAL (NULL, n != N, windows empty for these constants). */
SBI_HH_API int sbi_hh_model_stats(const sbi_hh_model *model, int64_t n, const double *v, double *x);

/* The same statistics as a libsbi summary handle (raw_dim N, out_dim 7),
 * built from the library's pieces: spike count, moments over windows.
 * Errors: SBI_EINVAL, SBI_ENOMEM. */
SBI_HH_API int sbi_hh_model_summary(const sbi_hh_model *model, sbi_summary **out);

/* Batched simulation to statistics: theta double[n][2], seeds uint64_t[n],
 * x double[n][7], status int32_t[n] (0 = OK, 1 = theta invalid: not finite or
 * negative; x is then NaN). Runs in the model's kernel lanes. n may be 0.
 * Errors: SBI_EINVAL (NULL, n < 0), SBI_ENOMEM. */
SBI_HH_API int sbi_hh_model_simulate(const sbi_hh_model *model, int64_t n, const double *theta,
                          const uint64_t *seeds, double *x, int32_t *status);

/* Batched simulation to whole traces: v is double[n][N] (N samples per row),
 * status as sbi_hh_model_simulate (rows with invalid theta are NaN). */
SBI_HH_API int sbi_hh_model_simulate_traces(const sbi_hh_model *model, int64_t n,
                                            const double *theta, const uint64_t *seeds,
                                            double *v, int32_t *status);

/* ---- libsbi simulators and shortcuts --------------------------------------
 * In these, model may be NULL for the tutorial's constants. */

/* A libsbi simulator (theta_dim 2, x_dim 7) running sbi_hh_model_simulate on
 * a copy of the model (later changes to model do not affect it); thread-safe,
 * so the runner may use several workers. Rows with invalid theta are flagged
 * failed (the runner excludes them).
 * Errors: SBI_EINVAL (out NULL, unusable constants), SBI_ENOMEM. */
SBI_HH_API int sbi_hh_simulator_create(sbi_simulator **out, const sbi_hh_model *model);
/* The same with x = the whole trace (x_dim N <= INT32_MAX), e.g. to apply
 * your own summary with sbi_simulator_create_with_summary. */
SBI_HH_API int sbi_hh_trace_simulator_create(sbi_simulator **out, const sbi_hh_model *model);

/* The 7 statistic names as a static array (as sbi_hh_x_name). */
SBI_HH_API const char *const *sbi_hh_stat_names(void);
/* N, the samples of a trace, or -1 if the model's constants are unusable. */
SBI_HH_API int64_t sbi_hh_trace_length(const sbi_hh_model *model);
/* Time grid [ms] and injected current [uA/cm^2], each double[N] (either may
 * be NULL). Errors: SBI_EINVAL. */
SBI_HH_API int sbi_hh_time_and_current(const sbi_hh_model *model, double *t, double *i_inj);
/* One trace v (double[N]) for theta (double[2]) with the noise of seed, as
 * sbi_hh_model_simulate_trace. */
SBI_HH_API int sbi_hh_trace(const sbi_hh_model *model, const double *theta, uint64_t seed,
                            double *v);

/* The plugin descriptor of the HH model (the same object sbi_plugin_describe
 * returns when libsbi_hh.so or sbi_hh_plugin.so is loaded as a plugin), for
 * sbi_plugin_open_descriptor in programs that link libsbi_hh. Static. */
SBI_HH_API const sbi_plugin_descriptor *sbi_hh_plugin_descriptor(void);

#ifdef __cplusplus
}
#endif

#endif /* SBI_HH_H */
