/* libsbi summary statistics: reusable pieces (moments over a window, spike
 * counting, time windows) and summary handles that turn a raw simulator
 * output row into the x a density estimator is trained on.
 *
 * The pieces reproduce the reference HH tutorial's definitions exactly: moments
 * are central moments with 1/n normalisation (NumPy/SciPy defaults), summed
 * pairwise in NumPy's order; spike counting is the tutorial's clamp-mask-
 * candidate scheme with its refractory rule.
 *
 * Thread-safety: the sbi_stats_* functions are pure and re-entrant. A summary
 * handle is immutable once created (set its destructor before sharing it);
 * sbi_summary_compute may then be called from several threads at once, as
 * long as a callback summary's callback is itself thread-safe. Handles are
 * reference counted internally, so a composite (concatenation, simulator with
 * summary) keeps its parts alive: the caller may free its own references at
 * any time. */
#ifndef SBI_STATS_H
#define SBI_STATS_H

#include "sbi/core.h"
#include "sbi/simulator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Pieces on a plain array ---------------------------------------------- */

/* Which moments sbi_stats_moments computes: OR these flags. Outputs come in
 * increasing flag order (mean, var, std, skew, kurt), one value per set flag.
 * Values pinned, append-only. */
enum {
    SBI_MOMENT_MEAN = 1, /* arithmetic mean */
    SBI_MOMENT_VAR = 2,  /* population variance m2 = mean((v-mean)^2) (divide by n) */
    SBI_MOMENT_STD = 4,  /* population standard deviation s = sqrt(m2) */
    SBI_MOMENT_SKEW = 8, /* skewness m3 / s^3 */
    SBI_MOMENT_KURT = 16 /* Pearson kurtosis m4 / s^4 (no -3) */
};

/* Number of values sbi_stats_moments writes for `which` (the number of set
 * flags). Errors: SBI_EINVAL (count NULL, which has unknown bits or is 0). */
SBI_API int sbi_stats_moment_count(int32_t which, int32_t *count);

/* Moments of v[0..n-1] selected by `which` into out (see the flags above). A
 * constant window gives skew and kurtosis NaN (0/0), as NumPy/SciPy do; NaN in
 * v propagates. Errors: SBI_EINVAL (NULL pointers, n < 1, bad flags). */
SBI_API int sbi_stats_moments(const double *v, int64_t n, int32_t which, double *out);

/* Mean of v[0..n-1] (pairwise summation). Errors: SBI_EINVAL (NULL, n < 1). */
SBI_API int sbi_stats_mean(const double *v, int64_t n, double *mean);

/* Mean and population standard deviation (1/n) of v[0..n-1]; either output
 * may be NULL. Errors: SBI_EINVAL (v NULL, n < 1). */
SBI_API int sbi_stats_mean_std(const double *v, int64_t n, double *mean, double *std);

/* The sample indices i in [0, n) whose time t_i = i*dt (computed as a
 * double product, not by accumulation) lies strictly between t_lo and t_hi:
 * [*begin, *end), possibly empty (*begin == *end). t_lo may be -INFINITY and
 * t_hi +INFINITY. Example: the HH tutorial's stimulus window is
 * (10, 110) with dt = 0.01, i.e. samples 1001..10999.
 * Errors: SBI_EINVAL (n < 0, dt not finite and > 0, a bound NaN, NULL). */
SBI_API int sbi_stats_time_window(int64_t n, double dt, double t_lo, double t_hi,
                                  int64_t *begin, int64_t *end);

/* Spike detection as the reference HH tutorial does it, on a copy of v:
 *  1. every sample below `threshold` becomes `threshold`;
 *  2. every sample k (0 <= k < n-1) followed by a lower sample becomes
 *     `threshold` (the mask is computed before any assignment);
 *  3. candidates are the k (0 <= k < n-1) still followed by a lower sample:
 *     that is one sample before each local maximum above the threshold;
 *  4. only candidates with t_start < k*dt < t_end (strict) are kept;
 *  5. the first is kept, each later one only if its time minus the time of the
 *     immediately preceding candidate of step 4 (kept or not) is > refractory.
 * *count receives the number of spikes; the first min(count, capacity) indices
 * k go to index (which may be NULL when capacity is 0). NaN samples never make
 * a candidate. Errors: SBI_EINVAL (NULL pointers, n < 0, dt not finite and
 * > 0, threshold or refractory not finite, t_start/t_end NaN, capacity < 0). */
SBI_API int sbi_stats_spike_times(const double *v, int64_t n, double dt, double threshold,
                                  double t_start, double t_end, double refractory,
                                  int64_t capacity, int64_t *index, int64_t *count);

/* The number of spikes of sbi_stats_spike_times. Same arguments and errors. */
SBI_API int sbi_stats_spike_count(const double *v, int64_t n, double dt, double threshold,
                                  double t_start, double t_end, double refractory,
                                  int64_t *count);

/* ---- Summary handles ------------------------------------------------------ */

/* A summary maps each raw simulator output row (raw_dim values) to x (out_dim
 * values). */
typedef struct sbi_summary sbi_summary;

/* A batched user summary. raw is double[n][raw_dim], out is
 * double[n][out_dim], status is int32_t[n] (all zero on entry); all three are
 * the library's buffers, valid only during the call. Set status[i] != 0 to
 * mark row i as failed; rows whose output holds NaN or Inf are rejected too.
 * Return 0 on success, non-zero to fail the whole call (SBI_ECALLBACK). */
typedef int (*sbi_summary_fn)(void *user_data, int64_t n, int32_t raw_dim, const double *raw,
                              int32_t out_dim, double *out, int32_t *status);

/* Wrap a callback. user_data must outlive the handle unless a destructor is
 * set. Errors: SBI_EINVAL (out or fn NULL, a dimension < 1), SBI_ENOMEM. */
SBI_API int sbi_summary_create(sbi_summary **out, int32_t raw_dim, int32_t out_dim,
                               sbi_summary_fn fn, void *user_data);

/* Moments (flags SBI_MOMENT_*) of raw samples [begin, end) of each row; the
 * output has one value per set flag. Errors: SBI_EINVAL (raw_dim < 1, the
 * window empty or outside [0, raw_dim), bad flags), SBI_ENOMEM. */
SBI_API int sbi_summary_create_moments(sbi_summary **out, int32_t raw_dim, int64_t begin,
                                       int64_t end, int32_t which);

/* Spike count (one output value) of each row, with the rule and arguments of
 * sbi_stats_spike_count (sample i is at time i*dt). Errors: as that function,
 * plus SBI_EINVAL for raw_dim < 1, SBI_ENOMEM. */
SBI_API int sbi_summary_create_spike_count(sbi_summary **out, int32_t raw_dim, double dt,
                                           double threshold, double t_start, double t_end,
                                           double refractory);

/* A sub-sampled copy of the raw row: samples begin, begin+step, ... < end
 * (for example a down-sampled trace as x). Errors: SBI_EINVAL (empty window,
 * window outside [0, raw_dim), step < 1), SBI_ENOMEM. */
SBI_API int sbi_summary_create_samples(sbi_summary **out, int32_t raw_dim, int64_t begin,
                                       int64_t end, int64_t step);

/* Concatenation: the outputs of parts[0], parts[1], ... side by side. Every
 * part must have the same raw_dim. The parts are retained (the caller may
 * free its references); a row fails if it fails in any part.
 * Errors: SBI_EINVAL (count < 1, a NULL part, raw_dim mismatch, total out_dim
 * above INT32_MAX), SBI_ENOMEM. */
SBI_API int sbi_summary_create_concat(sbi_summary **out, int32_t count,
                                      const sbi_summary *const *parts);

/* Have destroy(user_data) called when the last reference to a callback
 * summary goes. Call before sharing the handle. Errors: SBI_EINVAL (NULL
 * summary, not a callback summary). */
SBI_API int sbi_summary_set_destructor(sbi_summary *summary, sbi_destroy_fn destroy);

/* Release the caller's reference; accepts NULL. */
SBI_API void sbi_summary_free(sbi_summary *summary);

/* Input and output dimensions (either out-pointer may be NULL). */
SBI_API int sbi_summary_dims(const sbi_summary *summary, int32_t *raw_dim, int32_t *out_dim);

/* Apply the summary to n rows: raw is double[n][raw_dim], out is
 * double[n][out_dim], status (int32_t[n], may be NULL) receives SBI_ROW_OK,
 * SBI_ROW_FAILED (the callback flagged the row) or SBI_ROW_NONFINITE (the row's
 * output holds NaN or Inf). n may be 0.
 * Errors: SBI_EINVAL (NULL pointers, n < 0), SBI_ECALLBACK (a user callback
 * returned non-zero; out is then unspecified), SBI_ENOMEM. */
SBI_API int sbi_summary_compute(const sbi_summary *summary, int64_t n, const double *raw,
                                double *out, int32_t *status);

/* A simulator whose x is summary(raw simulator output): theta_dim is the raw
 * simulator's, x_dim the summary's out_dim, and the raw x_dim must equal the
 * summary's raw_dim. Rows the raw simulator fails (or whose raw output is not
 * finite) and rows the summary fails are marked failed, with x set to NaN. The
 * raw simulator is called in batches of at most a few megabytes of output
 * with the same seeds, so results are those of the raw simulator row by row.
 * `raw` must outlive the new handle; `summary` is retained.
 * Thread-safety: as thread-safe as the raw simulator and the summary.
 * Errors: SBI_EINVAL (NULL, dimension mismatch), SBI_ENOMEM. */
SBI_API int sbi_simulator_create_with_summary(sbi_simulator **out, const sbi_simulator *raw,
                                              const sbi_summary *summary);

#ifdef __cplusplus
}
#endif

#endif /* SBI_STATS_H */
