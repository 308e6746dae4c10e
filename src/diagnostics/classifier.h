/* The C2ST classifier: scikit-learn's MLPClassifier (as sbibm configures it),
 * in float32 on CBLAS. */
#ifndef SBI_DIAG_CLASSIFIER_H
#define SBI_DIAG_CLASSIFIER_H

#include <stdint.h>

#include "sbi/rng.h"

typedef struct sbi__clf_options {
    int32_t hidden;           /* units per hidden layer (sbibm: 10 * dim) */
    int32_t hidden_layers;    /* sbibm: 2 */
    double learning_rate;     /* 1e-3 */
    double alpha;             /* L2 penalty on weights (not biases), 1e-4 */
    int32_t batch_size;       /* 200 (capped at the training rows) */
    int64_t max_epochs;       /* sklearn's max_iter: 200 by default, sbibm 10 000 */
    double tol;               /* 1e-4 */
    int32_t n_iter_no_change; /* 10 */
} sbi__clf_options;

/* The sbibm settings for data of dimension dim. */
void sbi__clf_options_default(sbi__clf_options *o, int32_t dim);

/* Train on n_train rows (x [n][dim], labels 0/1) and return the accuracy on
 * n_test rows in *accuracy; *epochs (may be NULL) receives the epochs run.
 * rng drives the initialisation and the per-epoch shuffles.
 * SBI_ENOMEM, SBI_ENUMERIC (non-finite loss). */
int sbi__clf_fit_score(const sbi__clf_options *o, int32_t dim, int64_t n_train,
                       const double *x_train, const uint8_t *y_train, int64_t n_test,
                       const double *x_test, const uint8_t *y_test, sbi_rng *rng,
                       double *accuracy, int64_t *epochs);

#endif /* SBI_DIAG_CLASSIFIER_H */
