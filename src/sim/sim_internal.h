/* Simulator and dataset representations, shared by the sim module's files
 * (and readable by other modules that consume datasets). */
#ifndef SBI_SIM_INTERNAL_H
#define SBI_SIM_INTERNAL_H

#include <stdint.h>

#include "sbi/simulator.h"

struct sbi_simulator {
    int32_t theta_dim;
    int32_t x_dim;
    sbi_simulate_fn fn;
    void *user_data;        /* the caller's, passed to fn */
    sbi_destroy_fn destroy; /* called with user_data on free; may be NULL */
    /* Library-made simulators (sbi_simulator_create_with_summary): their
     * user_data is internal, released by release(owned) on free. */
    void *owned;
    void (*release)(void *owned);
};

struct sbi_dataset {
    int64_t n;
    int32_t theta_dim;
    int32_t x_dim;
    double *theta;   /* [n][theta_dim] */
    double *x;       /* [n][x_dim] */
    int32_t *status; /* [n] SBI_ROW_* */
};

/* A dataset of n rows, all SBI_ROW_PENDING with NaN theta and x. NULL when out
 * of memory or when n*dim overflows. */
struct sbi_dataset *sbi__dataset_new(int64_t n, int32_t theta_dim, int32_t x_dim);

/* Call the simulator once for n rows: x is first filled with NaN (so rows
 * the callback leaves unwritten count as non-finite) and status zeroed;
 * afterwards status[i] is SBI_ROW_OK, _FAILED (flagged; takes precedence) or
 * _NONFINITE. Returns the callback's own return value (0 = success); on a
 * non-zero return every status is SBI_ROW_PENDING and x is NaN again. Sets no
 * error message. */
int sbi__simulator_call(const struct sbi_simulator *sim, int64_t n, const double *theta,
                        const uint64_t *seeds, double *x, int32_t *status);

/* Fill count doubles with NaN. */
void sbi__fill_nan(double *p, size_t count);

#endif /* SBI_SIM_INTERNAL_H */
