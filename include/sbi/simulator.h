/* libsbi simulators, datasets and the parallel simulation runner.
 *
 * A simulator is a batched callback: n rows of theta in, n rows of x out,
 * row-major doubles. Row i of a run gets seeds[i] = sbi_seed_for_index(seed, i)
 * for its global index i, so results never depend on threads or chunking.
 *
 * Thread-safety: a simulator handle is immutable after creation. The runner
 * calls the callback from `workers` threads at once when workers > 1 (the
 * callback must then be thread-safe); with the default of 1 worker every call
 * happens on the caller's thread (safe for Python or Julia callbacks).
 * sbi_runner_cancel is the only call that is safe on a runner used by
 * another thread. */
#ifndef SBI_SIMULATOR_H
#define SBI_SIMULATOR_H

#include "sbi/core.h"
#include "sbi/prior.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbi_simulator sbi_simulator;
typedef struct sbi_dataset sbi_dataset;
typedef struct sbi_runner sbi_runner;

/* The simulator callback. theta is double[n][theta_dim], x is
 * double[n][x_dim] and status is int32_t[n] (all zero on entry); all three are
 * the library's buffers, valid only during the call. Set status[i] != 0 to
 * mark row i as failed; rows whose x holds NaN or Inf are rejected too. Return
 * 0 on success, or non-zero to stop the whole run (SBI_ESIMULATOR). */
typedef int (*sbi_simulate_fn)(void *user_data, int64_t n, int32_t theta_dim,
                               const double *theta, const uint64_t *seeds, int32_t x_dim,
                               double *x, int32_t *status);
/* Called once with user_data when the simulator handle is freed. */
typedef void (*sbi_destroy_fn)(void *user_data);

/* Row states in a dataset. Values pinned, append-only. */
enum {
    SBI_ROW_OK = 0,        /* simulated, x finite: usable for training */
    SBI_ROW_FAILED = 1,    /* the simulator flagged the row as failed */
    SBI_ROW_NONFINITE = 2, /* x holds NaN or Inf */
    SBI_ROW_PENDING = 3    /* not simulated (the run stopped before it) */
};

/* Wrap a callback. user_data must outlive the handle unless a destructor is
 * set. Errors: SBI_EINVAL (dimensions < 1, fn NULL), SBI_ENOMEM. */
SBI_API int sbi_simulator_create(sbi_simulator **out, int32_t theta_dim, int32_t x_dim,
                                 sbi_simulate_fn fn, void *user_data);
/* Have `destroy(user_data)` called when the handle is freed. */
SBI_API int sbi_simulator_set_destructor(sbi_simulator *sim, sbi_destroy_fn destroy);
/* Free a simulator (calling its destructor, if any); accepts NULL. */
SBI_API void sbi_simulator_free(sbi_simulator *sim);
/* Dimensions of theta and x. */
SBI_API int sbi_simulator_dims(const sbi_simulator *sim, int32_t *theta_dim, int32_t *x_dim);
/* Call the simulator once on the caller's thread for n rows with the given
 * seeds, then mark non-finite rows: status[i] becomes one of SBI_ROW_*.
 * Returns SBI_ESIMULATOR if the callback returned an error. */
SBI_API int sbi_simulator_run(const sbi_simulator *sim, int64_t n, const double *theta,
                              const uint64_t *seeds, double *x, int32_t *status);

/* A dataset: n rows of (theta, x, status). */
/* Copy n rows into a new dataset; rows with non-finite x are marked
 * SBI_ROW_NONFINITE, the others SBI_ROW_OK. n may be 0. */
SBI_API int sbi_dataset_create(sbi_dataset **out, int64_t n, int32_t theta_dim, int32_t x_dim,
                               const double *theta, const double *x);
/* Free a dataset; accepts NULL. */
SBI_API void sbi_dataset_free(sbi_dataset *ds);
/* Number of rows and dimensions (any out-pointer may be NULL). */
SBI_API int sbi_dataset_shape(const sbi_dataset *ds, int64_t *n, int32_t *theta_dim,
                              int32_t *x_dim);
/* Borrowed pointers to the row-major arrays, valid until the dataset is freed. */
SBI_API int sbi_dataset_theta(const sbi_dataset *ds, const double **theta);
SBI_API int sbi_dataset_x(const sbi_dataset *ds, const double **x);
SBI_API int sbi_dataset_status(const sbi_dataset *ds, const int32_t **status);
/* Number of rows whose status equals row_status (one of SBI_ROW_*). */
SBI_API int sbi_dataset_count(const sbi_dataset *ds, int32_t row_status, int64_t *count);
/* Copy the SBI_ROW_OK rows, in order, into theta (double[k][theta_dim]) and x
 * (double[k][x_dim]) sized for at least sbi_dataset_count(ds, SBI_ROW_OK)
 * rows; *k receives the number copied. Either array may be NULL. */
SBI_API int sbi_dataset_copy_valid(const sbi_dataset *ds, double *theta, double *x, int64_t *k);

/* The runner: runs a simulator over many rows in chunks on worker threads.
 * The simulator must outlive the runner. */
SBI_API int sbi_runner_create(sbi_runner **out, const sbi_simulator *sim);
/* Free a runner; accepts NULL. */
SBI_API void sbi_runner_free(sbi_runner *runner);
/* Worker threads (default 1: the caller's thread; 0 means one per core). */
SBI_API int sbi_runner_set_workers(sbi_runner *runner, int32_t workers);
/* Rows per simulator call (default 64). Results do not depend on it. */
SBI_API int sbi_runner_set_chunk_size(sbi_runner *runner, int64_t rows);
/* Progress in rows done out of total, called on the caller's thread. */
SBI_API int sbi_runner_set_progress(sbi_runner *runner, sbi_progress_fn fn, void *user_data);
/* Ask a running run to stop after the chunks in flight. Safe from any thread
 * and from inside the simulator callback. */
SBI_API int sbi_runner_cancel(sbi_runner *runner);

/* Draw theta_i from the prior's stream (seed, i) and simulate n rows. On
 * success *out is a new dataset. If the simulator returns an error
 * (SBI_ESIMULATOR) or the run is cancelled (SBI_ECANCELED), *out still
 * receives the dataset with every row that was simulated (the rest are
 * SBI_ROW_PENDING), so no paid-for simulation is lost; on other errors *out
 * is NULL. Row i of the result is the same for any workers and chunk size. */
SBI_API int sbi_runner_run_prior(sbi_runner *runner, const sbi_prior *prior, int64_t n,
                                 uint64_t seed, sbi_dataset **out);
/* Same with caller-given theta (double[n][theta_dim], copied). */
SBI_API int sbi_runner_run(sbi_runner *runner, int64_t n, const double *theta, uint64_t seed,
                           sbi_dataset **out);

#ifdef __cplusplus
}
#endif

#endif /* SBI_SIMULATOR_H */
