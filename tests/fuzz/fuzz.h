/* Shared by the fuzz targets: the libFuzzer entry point, a check that aborts
 * (the fuzzer's and the replay driver's way of reporting a broken
 * property), and helpers. The library itself never aborts; only these
 * harnesses do. */
#ifndef SBI_FUZZ_H
#define SBI_FUZZ_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s (last error: %s)\n", __FILE__, __LINE__,   \
                    #cond, sbi_last_error());                                                      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Same value, bit for bit, or both NaN (NaN payloads are not part of any
 * format's promise). */
static inline int fuzz_same_double(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static inline int fuzz_same_doubles(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fuzz_same_double(a[i], b[i])) return 0;
    return 1;
}

#endif /* SBI_FUZZ_H */
