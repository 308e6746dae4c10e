/* The runner's representation and its execution engine (run.c). */
#ifndef SBI_RUNNER_INTERNAL_H
#define SBI_RUNNER_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "sim/sim_internal.h"

struct sbi_runner {
    const struct sbi_simulator *sim; /* borrowed: must outlive the runner */
    int32_t workers;                 /* threads; 0 = one per core; 1 = caller's thread */
    int64_t chunk_size;              /* rows per simulator call */
    sbi_progress_fn progress;        /* may be NULL */
    void *progress_data;
    atomic_int cancel;               /* set by sbi_runner_cancel, cleared when a run starts */
    char *checkpoint_path;           /* NULL: no checkpoint file */
    int64_t first_index;             /* global index of a run's row 0 */
};

/* Run the simulator over every SBI_ROW_PENDING row of ds (theta drawn from
 * prior at stream (seed, i) when prior is not NULL, else already in ds). Rows
 * are cut into ranges of at most chunk_size and handed out dynamically.
 * Returns the run's status with the message set on the calling thread;
 * *started tells whether any row was handed to the simulator (or read back
 * from a checkpoint), i.e. whether ds holds results worth returning. */
int sbi__runner_execute(struct sbi_runner *runner, const sbi_prior *prior, uint64_t seed,
                        struct sbi_dataset *ds, int *started);

#endif /* SBI_RUNNER_INTERNAL_H */
