/* Deterministic data parallelism for a training step: the batch is cut into
 * a fixed number of row shards that depends only on the batch size, each
 * shard's gradient goes to its own buffer, and the buffers are added in
 * shard order. Running shard 1 on a second thread therefore gives exactly
 * the same numbers as running both shards on the caller's thread.
 *
 * Thread-safety: the shard function must only touch its shard's scratch. */
#ifndef SBI_ESTIMATORS_FLOW_SHARDS_H
#define SBI_ESTIMATORS_FLOW_SHARDS_H

#include <stdint.h>

/* Batches of at least this many rows are split in two shards. */
#define SBI__SHARD_MIN_ROWS 32

/* Work on rows [r0, r0 + rows) as shard `shard`: add nothing, write the
 * shard's parameter gradient into grad (overwritten) and the sum of its
 * rows' losses into *loss. Must not fail (reserve scratch beforehand). */
typedef void (*sbi__shard_fn)(void *ctx, int32_t shard, int64_t r0, int64_t rows, double *loss,
                              double *grad);

/* Number of shards for a batch of n rows (1 or 2). */
int32_t sbi__shard_count(int64_t n);
/* Rows of shard s of n (shard 0 takes the larger half). */
void sbi__shard_rows(int64_t n, int32_t s, int64_t *r0, int64_t *rows);
/* Run the shards of an n-row batch; with threads >= 2 shard 1 runs on a
 * worker thread (if one cannot be started it runs here: same result).
 * grad receives the summed gradient (n_params), grad1 is scratch of the
 * same size (unused with one shard), *loss the summed loss. */
void sbi__shards_run(int32_t threads, int64_t n, sbi__shard_fn fn, void *ctx, int64_t n_params,
                     double *grad, double *grad1, double *loss);

#endif /* SBI_ESTIMATORS_FLOW_SHARDS_H */
