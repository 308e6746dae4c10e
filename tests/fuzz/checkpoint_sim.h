/* The simulator of the checkpoint target's runs. make_seeds.c writes the
 * seed checkpoints with it, so both must use this one definition: a seed
 * written by another simulator would be a foreign run, not a valid input. */
#ifndef SBI_FUZZ_CHECKPOINT_SIM_H
#define SBI_FUZZ_CHECKPOINT_SIM_H

#include <stdint.h>

/* x copies theta cyclically plus a seed-dependent offset; rows with
 * theta[0] > 1.5 are flagged invalid. */
static int checkpoint_sim(void *ud, int64_t n, int32_t td, const double *theta,
                          const uint64_t *seeds, int32_t xd, double *x, int32_t *status)
{
    (void)ud;
    for (int64_t i = 0; i < n; i++) {
        for (int32_t j = 0; j < xd; j++)
            x[i * xd + j] = theta[i * td + j % td] + (double)(seeds[i] >> 40) * 1e-9;
        if (theta[i * td] > 1.5) status[i] = 1;
    }
    return 0;
}

#endif /* SBI_FUZZ_CHECKPOINT_SIM_H */
