/* The posterior's representation, shared by the trainer (which builds one),
 * the sampling / log_prob / MAP code and the file reader and writer. */
#ifndef SBI_POSTERIOR_INTERNAL_H
#define SBI_POSTERIOR_INTERNAL_H

#include <stdint.h>

#include "estimators/estimator.h"
#include "sbi/posterior.h"

/* Sane maxima for estimator shapes: the trainer refuses options beyond them
 * and the file reader refuses files declaring more (before allocating). */
#define SBI__MAX_THETA_DIM 4096
#define SBI__MAX_X_DIM 1048576
#define SBI__MAX_HIDDEN_FEATURES 65536
#define SBI__MAX_HIDDEN_LAYERS 256
#define SBI__MAX_COMPONENTS 4096
#define SBI__MAX_TRANSFORMS 256
#define SBI__MAX_BINS 4096

/* The reference's rejection-sampling constants (spec B.5). */
#define SBI__REJECTION_MAX_BATCH 10000
#define SBI__REJECTION_MIN_BATCH 100
#define SBI__LEAKAGE_SAMPLES 10000

struct sbi_posterior {
    sbi__estimator *est; /* owned */
    sbi_prior *prior;    /* owned */
    int32_t theta_dim, x_dim;
    /* z = (theta - theta_shift) / theta_scale; xz = (x - x_shift) / x_scale */
    double *theta_shift, *theta_scale, *x_shift, *x_scale;
    double log_jacobian; /* -sum log theta_scale: added to the estimator's log q */
    /* Training summary. */
    int64_t epochs, n_train;
    double best_validation_loss;
};

/* Assemble a posterior. Takes ownership of est and prior in every case (they
 * are freed on failure); copies the z-score arrays. */
int sbi__posterior_assemble(sbi_posterior **out, sbi__estimator *est, sbi_prior *prior,
                            const double *theta_shift, const double *theta_scale,
                            const double *x_shift, const double *x_scale, int64_t epochs,
                            int64_t n_train, double best_validation_loss);

/* x (x_dim values) into z-scored xz. */
void sbi__posterior_zscore_x(const sbi_posterior *p, const double *x, double *xz);

/* Rejection sampling at a z-scored condition xz, batched as the reference
 * does (spec B.5). Writes up to n accepted rows (theta space) into out (may
 * be NULL to only count), *n_out the number written. *drawn and *accepted
 * receive the candidates drawn and accepted in total (accepted may exceed n
 * within the last batch, as in the reference's acceptance rate). Returns
 * SBI_EBUDGET once `budget` candidates were drawn without n acceptances. */
int sbi__posterior_rejection(const sbi_posterior *p, sbi_rng *rng, const double *xz, int64_t n,
                             int64_t budget, double *out, int64_t *n_out, int64_t *drawn,
                             int64_t *accepted);

/* The default proposal budget for n samples: max(10^6, 1000 n). */
int64_t sbi__posterior_default_budget(int64_t n);

/* log q(theta_i | x) in theta space for n rows at a z-scored condition xz,
 * without the support check or leakage correction (the estimator evaluates
 * what depends only on xz once when it has the log_prob_at op). */
int sbi__posterior_log_q(const sbi_posterior *p, const double *xz, int64_t n,
                         const double *theta, double *out);

/* 1 if row theta (theta_dim values) is finite and inside the prior's support. */
int sbi__posterior_in_support(const sbi_posterior *p, int64_t n, const double *theta,
                              int32_t *inside);

#endif /* SBI_POSTERIOR_INTERNAL_H */
