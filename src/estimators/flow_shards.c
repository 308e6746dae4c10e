/* Two-shard training steps, optionally on two threads (see flow_shards.h). */
#include "estimators/flow_shards.h"

#include <pthread.h>

int32_t sbi__shard_count(int64_t n) { return n >= SBI__SHARD_MIN_ROWS ? 2 : 1; }

void sbi__shard_rows(int64_t n, int32_t s, int64_t *r0, int64_t *rows)
{
    int64_t first = sbi__shard_count(n) == 1 ? n : n - n / 2;
    *r0 = s == 0 ? 0 : first;
    *rows = s == 0 ? first : n - first;
}

typedef struct shard_job {
    sbi__shard_fn fn;
    void *ctx;
    int64_t r0, rows;
    double loss, *grad;
} shard_job;

static void *shard_main(void *arg)
{
    shard_job *j = arg;
    j->fn(j->ctx, 1, j->r0, j->rows, &j->loss, j->grad);
    return NULL;
}

void sbi__shards_run(int32_t threads, int64_t n, sbi__shard_fn fn, void *ctx, int64_t n_params,
                     double *grad, double *grad1, double *loss)
{
    int64_t r0, rows;
    sbi__shard_rows(n, 0, &r0, &rows);
    if (sbi__shard_count(n) == 1) {
        fn(ctx, 0, r0, rows, loss, grad);
        return;
    }
    shard_job job = {fn, ctx, 0, 0, 0.0, grad1};
    sbi__shard_rows(n, 1, &job.r0, &job.rows);
    pthread_t worker;
    int spawned = threads >= 2 && pthread_create(&worker, NULL, shard_main, &job) == 0;
    double loss0;
    fn(ctx, 0, r0, rows, &loss0, grad);
    if (spawned)
        pthread_join(worker, NULL);
    else
        shard_main(&job);
    /* Fixed order: shard 0 then shard 1, whichever thread finished first. */
    *loss = loss0 + job.loss;
    for (int64_t i = 0; i < n_params; i++) grad[i] += grad1[i];
}
