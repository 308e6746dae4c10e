/* Internal constructors shared by the prior's source files (and by readers
 * that rebuild a prior, such as the posterior file loader). */
#ifndef SBI_PRIOR_BUILD_H
#define SBI_PRIOR_BUILD_H

#include "prior/prior_internal.h"

/* A zeroed prior of the given kind and dim with low/high allocated and set to
 * -inf/+inf; mean/cov/chol stay NULL. Returns NULL when out of memory. */
struct sbi_prior *sbi__prior_new(int32_t kind, int32_t dim);

/* Factorise prior->cov (dim x dim, row-major, symmetric) into prior->chol
 * (allocated here) and set log_norm. `where` names the caller in messages.
 * SBI_EINVAL if cov is not positive definite. */
int sbi__prior_factorise(struct sbi_prior *prior, const char *where);

#endif /* SBI_PRIOR_BUILD_H */
