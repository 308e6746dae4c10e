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
 * double[n][x_dim] (NaN on entry, so a row left unwritten counts as
 * non-finite) and status is int32_t[n] (all zero on entry); all three are the
 * library's buffers, valid only during the call. seeds[i] is row i's seed:
 * x of a row must depend only on its theta and its seed for results to be
 * reproducible. Set status[i] != 0 to mark row i as failed; rows whose x holds
 * NaN or Inf are rejected too. Return 0 on success, or non-zero to stop the
 * whole run (SBI_ESIMULATOR; the value appears in sbi_last_error()). */
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

/* Wrap a callback (*out receives the handle; free it with
 * sbi_simulator_free). user_data must outlive the handle unless a destructor
 * is set. Errors: SBI_EINVAL (out NULL, dimensions < 1, fn NULL; *out is then
 * NULL), SBI_ENOMEM. */
SBI_API int sbi_simulator_create(sbi_simulator **out, int32_t theta_dim, int32_t x_dim,
                                 sbi_simulate_fn fn, void *user_data);
/* Have `destroy(user_data)` called when the handle is freed. Errors:
 * SBI_EINVAL (sim NULL, or a simulator made by libsbi such as
 * sbi_simulator_create_with_summary, which has no user data). */
SBI_API int sbi_simulator_set_destructor(sbi_simulator *sim, sbi_destroy_fn destroy);
/* Free a simulator (calling its destructor, if any); accepts NULL. */
SBI_API void sbi_simulator_free(sbi_simulator *sim);
/* Dimensions of theta and x (either out-pointer may be NULL). Errors:
 * SBI_EINVAL (sim NULL). */
SBI_API int sbi_simulator_dims(const sbi_simulator *sim, int32_t *theta_dim, int32_t *x_dim);
/* Call the simulator once on the caller's thread for n rows with the given
 * seeds (theta: double[n][theta_dim], seeds: uint64_t[n], x:
 * double[n][x_dim], status: int32_t[n], all caller-owned; NULL allowed when
 * n = 0), then classify the rows: status[i] becomes SBI_ROW_OK,
 * SBI_ROW_FAILED (flagged by the callback; takes precedence) or
 * SBI_ROW_NONFINITE. Returns SBI_ESIMULATOR if the callback returned an
 * error (its value is in sbi_last_error()); then every status is
 * SBI_ROW_PENDING and x is NaN. SBI_EINVAL for NULL pointers (n > 0) or
 * n < 0. */
SBI_API int sbi_simulator_run(const sbi_simulator *sim, int64_t n, const double *theta,
                              const uint64_t *seeds, double *x, int32_t *status);

/* A dataset: n rows of (theta, x, status), immutable once made. Only
 * SBI_ROW_OK rows are meant for training; the others are kept so that
 * failures can be counted and inspected. Several threads may read a dataset
 * at once. */
/* Copy n rows (theta: double[n][theta_dim], x: double[n][x_dim]; NULL
 * allowed when n = 0) into a new dataset; rows with non-finite x are marked
 * SBI_ROW_NONFINITE, the others SBI_ROW_OK. Errors: SBI_EINVAL (out NULL,
 * n < 0, dimensions < 1, NULL arrays, sizes overflowing), SBI_ENOMEM. */
SBI_API int sbi_dataset_create(sbi_dataset **out, int64_t n, int32_t theta_dim, int32_t x_dim,
                               const double *theta, const double *x);
/* Free a dataset; accepts NULL. */
SBI_API void sbi_dataset_free(sbi_dataset *ds);
/* Queries. Errors: SBI_EINVAL for a NULL dataset or (except in
 * sbi_dataset_shape and for the arrays of sbi_dataset_copy_valid) a NULL
 * out-pointer. */
/* Number of rows and dimensions (any out-pointer may be NULL). */
SBI_API int sbi_dataset_shape(const sbi_dataset *ds, int64_t *n, int32_t *theta_dim,
                              int32_t *x_dim);
/* Borrowed pointers to the row-major arrays, valid until the dataset is freed. */
SBI_API int sbi_dataset_theta(const sbi_dataset *ds, const double **theta);
SBI_API int sbi_dataset_x(const sbi_dataset *ds, const double **x);
SBI_API int sbi_dataset_status(const sbi_dataset *ds, const int32_t **status);
/* Number of rows whose status equals row_status (one of SBI_ROW_*, else
 * SBI_EINVAL). */
SBI_API int sbi_dataset_count(const sbi_dataset *ds, int32_t row_status, int64_t *count);
/* Copy the SBI_ROW_OK rows, in order, into theta (double[k][theta_dim]) and x
 * (double[k][x_dim]) sized for at least sbi_dataset_count(ds, SBI_ROW_OK)
 * rows; *k receives the number copied. Either array may be NULL. */
SBI_API int sbi_dataset_copy_valid(const sbi_dataset *ds, double *theta, double *x, int64_t *k);

/* The runner: runs a simulator over many rows in chunks on worker threads.
 * Row i of a run draws theta from the prior with an sbi_rng at stream
 * (seed, i) and gets seeds[i] = sbi_seed_for_index(seed, i): every row is a
 * pure function of (seed, i), so the dataset is bit-identical for any worker
 * count and chunk size (given a simulator whose x depends only on theta and
 * the seed). The simulator must outlive the runner. A runner may be reused
 * for several runs, one at a time. */
SBI_API int sbi_runner_create(sbi_runner **out, const sbi_simulator *sim);
/* Errors of sbi_runner_create: SBI_EINVAL (out or sim NULL), SBI_ENOMEM.
 * Every setter below returns SBI_EINVAL for a NULL runner. Options apply to
 * the runs started after they are set. */
/* Free a runner; accepts NULL. Not while a run is in progress. */
SBI_API void sbi_runner_free(sbi_runner *runner);
/* Worker threads (default 1: every call on the caller's thread and no
 * thread is created; 0 means one per online core). With more than one
 * worker, the simulator callback, and the sample callback of a callback
 * prior, are called from worker threads at once and must be thread-safe; the
 * caller's thread then only reports progress. Errors: SBI_EINVAL unless
 * 0 <= workers <= 4096. */
SBI_API int sbi_runner_set_workers(sbi_runner *runner, int32_t workers);
/* Rows per simulator call (default 64, at least 1). Workers take chunks
 * dynamically. Results do not depend on it. */
SBI_API int sbi_runner_set_chunk_size(sbi_runner *runner, int64_t rows);
/* Progress in rows done out of total, called on the caller's thread after
 * each finished chunk (in completion order; done only grows). A non-zero
 * return cancels the run as sbi_runner_cancel does; no further reports
 * follow. fn NULL removes the callback. */
SBI_API int sbi_runner_set_progress(sbi_runner *runner, sbi_progress_fn fn, void *user_data);
/* Global index of a run's first row (default 0, >= 0): row k of the next
 * runs is global row first + k, with theta from stream (seed, first + k) and
 * seeds[k] = sbi_seed_for_index(seed, first + k). Lets several processes or
 * machines each simulate one slice [first, first + n) of a big run: the
 * slices, concatenated, equal one run of all rows. Errors: SBI_EINVAL for a
 * negative first (and, at run time, when first + n overflows). */
SBI_API int sbi_runner_set_first_index(sbi_runner *runner, int64_t first);

/* Checkpoint the next runs to the file at path (copied; NULL turns
 * checkpointing off). Every finished chunk is appended to the file as a
 * checksummed record as soon as it is done, on the caller's thread. A later
 * run with the same path, seed, n, first index, dimensions and theta source
 * (prior, or caller-given theta) loads the rows already in the file, checks
 * that their theta is what this run would use, simulates only the missing
 * rows, and returns exactly the dataset an uninterrupted run gives, whatever
 * the workers and chunk sizes of either run. A record torn by a crash or
 * kill is dropped and its rows simulated again. The file is locked while a
 * run uses it, is flushed to disk (fsync) when the run ends, and is left in
 * place afterwards (delete it to start over; a complete file makes a rerun
 * simulate nothing). Records are not flushed one by one: after a power
 * failure the last ones may be lost, and are then simulated again. At run
 * time: SBI_EIO if the file cannot be opened, written or is in use by another
 * run; SBI_EFORMAT if the path holds something that is not a checkpoint (it
 * is left untouched); SBI_EINVAL if it is the checkpoint of another run;
 * SBI_EVERSION for a newer checkpoint format. Format: src/sim/checkpoint.h.
 * Errors here: SBI_EINVAL (runner NULL, empty path), SBI_ENOMEM. */
SBI_API int sbi_runner_set_checkpoint(sbi_runner *runner, const char *path);

/* Ask a running run to stop after the chunks in flight (their rows are
 * kept); the run then returns SBI_ECANCELED. Safe from any thread, from
 * inside the simulator callback and from the progress callback. The request
 * is forgotten when the next run starts. */
SBI_API int sbi_runner_cancel(sbi_runner *runner);

/* Draw theta_i from the prior's stream (seed, i) and simulate n rows (n may
 * be 0). On success *out is a new dataset (free with sbi_dataset_free). If
 * the run fails once started -- the simulator returns an error
 * (SBI_ESIMULATOR), a callback prior fails (SBI_ECALLBACK) or the run is
 * cancelled (SBI_ECANCELED) -- *out still receives the dataset with every
 * row that was simulated; the rest are SBI_ROW_PENDING with NaN x (and NaN
 * theta where theta was to come from the prior), so no paid-for simulation
 * is lost. On SBI_EINVAL (bad argument, prior dim != theta_dim) and
 * SBI_ENOMEM *out is NULL. Row i of the result is the same for any workers
 * and chunk size. */
SBI_API int sbi_runner_run_prior(sbi_runner *runner, const sbi_prior *prior, int64_t n,
                                 uint64_t seed, sbi_dataset **out);
/* Same with caller-given theta (double[n][theta_dim], copied; NULL allowed
 * when n = 0); seeds[i] is still sbi_seed_for_index(seed, i). */
SBI_API int sbi_runner_run(sbi_runner *runner, int64_t n, const double *theta, uint64_t seed,
                           sbi_dataset **out);

#ifdef __cplusplus
}
#endif

#endif /* SBI_SIMULATOR_H */
