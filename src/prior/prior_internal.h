/* The prior's representation, shared with the posterior file reader/writer. */
#ifndef SBI_PRIOR_INTERNAL_H
#define SBI_PRIOR_INTERNAL_H

#include "sbi/prior.h"

struct sbi_prior {
    int32_t kind;   /* SBI_PRIOR_* */
    int32_t dim;
    double *low;    /* [dim] support bounds: the box, or -inf/+inf */
    double *high;   /* [dim] */
    double *mean;   /* [dim] Gaussian mean (NULL otherwise) */
    double *cov;    /* [dim*dim] Gaussian covariance, row-major (NULL otherwise) */
    double *chol;   /* [dim*dim] lower Cholesky factor of cov, row-major */
    double log_norm; /* box: -sum log(high-low); Gaussian: -d/2 log 2pi - log det L */
    /* Callback prior. */
    sbi_prior_sample_fn sample_fn;
    sbi_prior_log_prob_fn log_prob_fn;
    sbi_prior_support_fn support_fn;
    void *user_data;
};

#endif /* SBI_PRIOR_INTERNAL_H */
