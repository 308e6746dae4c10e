/* libsbi benchmark tasks: the three sbibm tasks with reference posteriors
 * (gaussian_linear, two_moons, slcp) as priors and batched simulators, and a
 * loader for their observations and reference posterior samples.
 * The definitions are those of ../shared/spec/benchmark-tasks.md.
 *
 * Built only on libsbi's public API (this is not part of libsbi.so); link the
 * sbi_tasks target together with sbi or sbi_static.
 *
 * Thread-safety: every function is safe to call from any thread; the
 * simulator callbacks are re-entrant (each call uses its own generator), so
 * they may run on several runner workers at once. sbi_tasks_last_error() is
 * per thread. */
#ifndef SBI_TASKS_H
#define SBI_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "sbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of tasks (3) and the name of task i in 0..count-1 ("gaussian_linear",
 * "two_moons", "slcp"); NULL for an index out of range. */
int32_t sbi_tasks_count(void);
const char *sbi_tasks_name(int32_t index);

/* Dimensions of theta and x for a task name (either pointer may be NULL).
 * Errors: SBI_EINVAL for an unknown name. */
int sbi_tasks_dims(const char *task, int32_t *theta_dim, int32_t *x_dim);

/* The task's prior: N(0, 0.1 I_10), U([-1,1]^2) or U([-3,3]^5). Free with
 * sbi_prior_free. Errors: SBI_EINVAL (unknown name), SBI_ENOMEM. */
int sbi_tasks_prior_create(const char *task, sbi_prior **out);

/* The task's simulator as a libsbi simulator handle (no user_data). Row i
 * uses only the generator stream (seeds[i], 0), so a row's output depends
 * on its theta and seed alone. Free with sbi_simulator_free. */
int sbi_tasks_simulator_create(const char *task, sbi_simulator **out);

/* The simulator callbacks themselves (sbi_simulate_fn; user_data unused).
 * They return non-zero only when the dimensions do not match the task or a
 * generator cannot be allocated. */
int sbi_tasks_gaussian_linear_simulate(void *user_data, int64_t n, int32_t theta_dim,
                                       const double *theta, const uint64_t *seeds,
                                       int32_t x_dim, double *x, int32_t *status);
int sbi_tasks_two_moons_simulate(void *user_data, int64_t n, int32_t theta_dim,
                                 const double *theta, const uint64_t *seeds, int32_t x_dim,
                                 double *x, int32_t *status);
int sbi_tasks_slcp_simulate(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                            const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status);

/* Read a numeric CSV with one header row (as in the sbibm files) into a new
 * row-major array *data (double[*rows][*cols]); free it with
 * sbi_tasks_free. Errors: SBI_EIO (cannot open), SBI_EFORMAT (no header, a
 * non-numeric field, rows of different lengths, no data rows), SBI_ENOMEM. */
int sbi_tasks_read_csv(const char *path, int64_t *rows, int32_t *cols, double **data);
/* Free an array returned by this library; accepts NULL. */
void sbi_tasks_free(void *ptr);

/* Files of observation num (1..10) of a task under root, which is the folder
 * holding the task folders (from the repository root: "../shared/data/sbibm").
 * observation.csv -> x (x_dim values); true_parameters.csv -> theta
 * (theta_dim values). Errors: SBI_EINVAL (unknown task, num < 1, NULL),
 * SBI_EIO, SBI_EFORMAT (not exactly one row of the task's width). */
int sbi_tasks_load_observation(const char *root, const char *task, int32_t num, double *x);
int sbi_tasks_load_true_parameters(const char *root, const char *task, int32_t num,
                                   double *theta);
/* reference_posterior_samples.csv -> *samples (double[*n][theta_dim]), a new
 * array to free with sbi_tasks_free. */
int sbi_tasks_load_reference_samples(const char *root, const char *task, int32_t num,
                                     int64_t *n, double **samples);

/* The detailed message of the last failure of an sbi_tasks_* call on this
 * thread; never NULL, "" if none. */
const char *sbi_tasks_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SBI_TASKS_H */
