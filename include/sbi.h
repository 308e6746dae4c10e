/* libsbi: simulation-based inference in C.
 *
 * This umbrella header includes the whole public API. Each module header
 * starts with its own thread-safety note. Conventions everywhere:
 *  - every function that can fail returns an int status (SBI_OK = 0, errors
 *    negative, see sbi/core.h) and sbi_last_error() says what was wrong;
 *  - objects are opaque handles: sbi_<object>_create(&h, ...) hands one over,
 *    sbi_<object>_free(h) releases it and accepts NULL;
 *  - arrays are row-major double[n][dim]; the caller owns output buffers.
 * A NumPy C-order array and a Julia Matrix{Float64}(dim, n) have this layout. */
#ifndef SBI_H
#define SBI_H

#include "sbi/core.h"
#include "sbi/rng.h"
#include "sbi/prior.h"
#include "sbi/simulator.h"
#include "sbi/stats.h"
#include "sbi/plugin.h"
#include "sbi/inference.h"
#include "sbi/posterior.h"
#include "sbi/diagnostics.h"
#include "sbi/io.h"
#include "sbi/plot.h"

#endif /* SBI_H */
