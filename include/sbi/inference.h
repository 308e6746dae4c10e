/* libsbi neural posterior estimation (NPE, also known as SNPE-C, single
 * round): a trainer learns q(theta | x) from simulated (theta, x) rows with a
 * density estimator, and builds a posterior from it.
 *
 * Defaults follow the reference Python package (sbi 0.27): batch 200,
 * learning rate 5e-4, 10 % validation, stop after 20 epochs without
 * improvement, gradient norm clipped at 5, per-dimension z-scoring of theta
 * and x from the training split. docs/ says where libsbi differs.
 *
 * Thread-safety: one trainer is used by one thread at a time;
 * sbi_trainer_cancel may be called from any thread. */
#ifndef SBI_INFERENCE_H
#define SBI_INFERENCE_H

#include "sbi/core.h"
#include "sbi/prior.h"
#include "sbi/simulator.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbi_trainer sbi_trainer;
typedef struct sbi_posterior sbi_posterior;

/* Density estimators. Values pinned, append-only. */
enum {
    SBI_ESTIMATOR_MDN = 1, /* mixture density network */
    SBI_ESTIMATOR_MAF = 2, /* masked autoregressive flow */
    SBI_ESTIMATOR_NSF = 3  /* neural spline flow */
};
/* The estimator's name ("mdn", "maf", "nsf"); "unknown" for other values. */
SBI_API const char *sbi_estimator_name(int32_t kind);
/* The kind for a name; SBI_EINVAL for an unknown name. */
SBI_API int sbi_estimator_from_name(const char *name, int32_t *kind);

/* Trainer options, set with sbi_trainer_set_int / sbi_trainer_set_double
 * (each option has one type, given here with its default and range). Values
 * pinned, append-only. Estimator-shape options must be set before training. */
enum {
    SBI_OPT_BATCH_SIZE = 1,          /* int, 200, >= 1 */
    SBI_OPT_LEARNING_RATE = 2,       /* double, 5e-4, > 0 */
    SBI_OPT_VALIDATION_FRACTION = 3, /* double, 0.1, in (0, 1) */
    SBI_OPT_STOP_AFTER_EPOCHS = 4,   /* int, 20, >= 1 */
    SBI_OPT_MAX_EPOCHS = 5,          /* int, 2^31-1, >= 1: at most this many epochs */
    SBI_OPT_CLIP_MAX_NORM = 6,       /* double, 5.0; <= 0 disables clipping */
    SBI_OPT_HIDDEN_FEATURES = 7,     /* int, 50, >= 1 */
    SBI_OPT_HIDDEN_LAYERS = 8,       /* int, 2, >= 1 (MDN trunk depth; flow blocks) */
    SBI_OPT_NUM_COMPONENTS = 9,      /* int, 10, >= 1 (MDN) */
    SBI_OPT_NUM_TRANSFORMS = 10,     /* int, 5, >= 1 (flows) */
    SBI_OPT_NUM_BINS = 11,           /* int, 10, >= 2 (NSF) */
    SBI_OPT_Z_SCORE_THETA = 12,      /* int, 1: z-score theta per dimension; 0: none */
    SBI_OPT_Z_SCORE_X = 13,          /* int, 1: z-score x per dimension; 0: none */
    SBI_OPT_THREADS = 14             /* int, 1, in [1, 64]: threads a training step may use;
                                        results are bit-identical whatever the value. Today
                                        only MAF/NSF steps use a second thread (batches of
                                        >= 32 rows); the MDN ignores it */
};

/* Progress of training, called on the training thread after every epoch.
 * Return 0 to go on, non-zero to stop (training then returns SBI_ECANCELED
 * and keeps the best weights so far). */
typedef int (*sbi_train_progress_fn)(void *user_data, int64_t epoch, double train_loss,
                                     double validation_loss);

/* Create a trainer for the given prior (copied) and estimator kind.
 * Errors: SBI_EINVAL (NULL, unknown kind, a prior of more than 4096
 * dimensions, the most a posterior file holds), SBI_ENOMEM. */
SBI_API int sbi_trainer_create(sbi_trainer **out, const sbi_prior *prior, int32_t estimator);
/* Free a trainer; accepts NULL. */
SBI_API void sbi_trainer_free(sbi_trainer *trainer);
/* Set an integer or a floating-point option; SBI_EINVAL for an unknown key,
 * a key of the other type or a value out of range (the message says which). */
SBI_API int sbi_trainer_set_int(sbi_trainer *trainer, int32_t option, int64_t value);
SBI_API int sbi_trainer_set_double(sbi_trainer *trainer, int32_t option, double value);
SBI_API int sbi_trainer_get_int(const sbi_trainer *trainer, int32_t option, int64_t *value);
SBI_API int sbi_trainer_get_double(const sbi_trainer *trainer, int32_t option, double *value);
SBI_API int sbi_trainer_set_progress(sbi_trainer *trainer, sbi_train_progress_fn fn,
                                     void *user_data);

/* Add n simulated rows (copied): theta is double[n][theta_dim] with the
 * prior's dimension, x is double[n][x_dim]. The first call fixes x_dim;
 * later calls must give the same (SBI_EINVAL). Rows whose theta or x holds
 * NaN or Inf are excluded and counted (see sbi_trainer_counts). n may be 0. */
SBI_API int sbi_trainer_append(sbi_trainer *trainer, int64_t n, const double *theta,
                               int32_t x_dim, const double *x);
/* Add the SBI_ROW_OK rows of a dataset; the others are counted as excluded. */
SBI_API int sbi_trainer_append_dataset(sbi_trainer *trainer, const sbi_dataset *ds);
/* Dimensions of theta (the prior's) and x (0 until rows were appended);
 * either pointer may be NULL. */
SBI_API int sbi_trainer_dims(const sbi_trainer *trainer, int32_t *theta_dim, int32_t *x_dim);

/* Train from scratch on all rows appended so far, with the given seed (the
 * validation split, the initialisation and the batch order all derive from
 * it: the same seed and rows give the same weights). Stops after
 * SBI_OPT_STOP_AFTER_EPOCHS epochs without a strict improvement of the
 * validation loss, or at SBI_OPT_MAX_EPOCHS, and keeps the weights of the
 * best validation loss. Calling it again retrains from scratch. Errors:
 * SBI_ESTATE when there is no valid row, SBI_EINVAL when too few valid rows
 * remain to split (at least 2 training rows and 1 validation row), SBI_EINVAL
 * for an estimator kind this build lacks, SBI_ENUMERIC if the loss becomes
 * non-finite (nothing is kept), SBI_ECANCELED (the best weights so far are
 * kept and usable if at least one epoch finished). */
SBI_API int sbi_trainer_train(sbi_trainer *trainer, uint64_t seed);
/* Ask a running training to stop after the current batch. Safe from any
 * thread, including the progress callback. A request made while no training
 * runs is forgotten when the next training starts. */
SBI_API int sbi_trainer_cancel(sbi_trainer *trainer);

/* Row counts: valid rows kept, rows excluded as invalid, and the sizes of
 * the training and validation splits of the last training (any pointer may
 * be NULL). */
SBI_API int sbi_trainer_counts(const sbi_trainer *trainer, int64_t *n_valid,
                               int64_t *n_excluded, int64_t *n_train, int64_t *n_validation);
/* Epochs trained and the best validation loss of the last training (either
 * pointer may be NULL). SBI_ESTATE before a training. */
SBI_API int sbi_trainer_result(const sbi_trainer *trainer, int64_t *epochs,
                               double *best_validation_loss);
/* Dimensions of x that were constant on the training split of the last
 * training (standard deviation below 1e-14; the reference warns about
 * them, libsbi reports them here): *count receives how many (may be NULL),
 * flags (may be NULL) receives x_dim values, 1 for a constant dimension.
 * Such dimensions are z-scored with the floor 1e-7 and carry no information.
 * SBI_ESTATE before a training. */
SBI_API int sbi_trainer_constant_x(const sbi_trainer *trainer, int32_t *count, int32_t *flags);

/* Build a posterior from the trained estimator (a deep copy: the trainer may
 * be freed or retrained afterwards). SBI_ESTATE if not trained. */
SBI_API int sbi_trainer_build_posterior(const sbi_trainer *trainer, sbi_posterior **out);

#ifdef __cplusplus
}
#endif

#endif /* SBI_INFERENCE_H */
