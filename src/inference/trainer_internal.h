/* The trainer's representation, shared by its option/data code (trainer.c)
 * and the training loop (train.c). */
#ifndef SBI_TRAINER_INTERNAL_H
#define SBI_TRAINER_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "estimators/estimator.h"
#include "sbi/inference.h"

/* Upper bound of SBI_OPT_THREADS (the flows use at most 2 today). */
#define SBI__MAX_TRAIN_THREADS 64

typedef struct sbi__trainer_options {
    int64_t batch_size;
    double learning_rate;
    double validation_fraction;
    int64_t stop_after_epochs;
    int64_t max_epochs;
    double clip_max_norm;
    int64_t hidden_features;
    int64_t hidden_layers;
    int64_t num_components;
    int64_t num_transforms;
    int64_t num_bins;
    int64_t z_score_theta;
    int64_t z_score_x;
    int64_t threads;
} sbi__trainer_options;

struct sbi_trainer {
    sbi_prior *prior; /* owned copy */
    int32_t kind;     /* SBI_ESTIMATOR_* */
    int32_t theta_dim, x_dim;
    sbi__trainer_options opt;
    sbi_train_progress_fn progress;
    void *progress_data;
    atomic_int cancel;

    /* Valid rows, row-major, in append order. */
    double *theta, *x;
    int64_t n, cap, n_excluded;

    /* The last training. */
    int trained; /* 1 when est holds usable weights */
    sbi__estimator *est;
    double *theta_shift, *theta_scale, *x_shift, *x_scale; /* [theta_dim], [x_dim] */
    int32_t *x_constant;                                 /* [x_dim] flags */
    int64_t *split; /* [n] row order of the split: n_train training rows, then validation */
    int64_t n_train, n_validation, epochs;
    double best_validation_loss;
};

/* The training loop (train.c). */
int sbi__trainer_run(sbi_trainer *t, uint64_t seed);
/* Release the results of a previous training. */
void sbi__trainer_reset_result(sbi_trainer *t);
/* The validation loss (theta space, as reported during training) of the
 * trainer's current weights on the last training's validation split, with
 * the same batching. For tests of the best-weights restore. */
int sbi__trainer_validation_loss(const sbi_trainer *t, double *loss);

#endif /* SBI_TRAINER_INTERNAL_H */
