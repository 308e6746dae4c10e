/* The internal density-estimator interface: q(theta | x) in z-scored
 * coordinates. The trainer and the posterior talk only to this interface, so
 * MDN, MAF and NSF are interchangeable. z-scoring of theta and x happens
 * outside (in the trainer and the posterior); estimators see standardised
 * values and return densities in that space.
 *
 * An estimator is fully described by its config (saved in the posterior file)
 * plus its flat parameter array: create(config) + params == the same
 * estimator. Fixed random structure (e.g. MAF permutations) is derived from
 * config.structure_seed, never stored separately.
 *
 * Thread-safety: log_prob, log_prob_at, sample and log_prob_grad_theta take a const
 * estimator and allocate their own scratch, so several threads may call them
 * at once. nll_grad mutates scratch inside the estimator: one thread only. */
#ifndef SBI_ESTIMATOR_H
#define SBI_ESTIMATOR_H

#include <stdint.h>

#include "sbi/core.h"
#include "sbi/rng.h"

typedef struct sbi__estimator_config {
    int32_t kind;            /* SBI_ESTIMATOR_MDN / _MAF / _NSF (sbi/inference.h) */
    int32_t theta_dim;       /* d: dimension of the modelled variable */
    int32_t x_dim;           /* dimension of the condition */
    int32_t hidden_features; /* width of hidden layers (default 50) */
    int32_t hidden_layers;   /* MDN trunk depth / flow blocks per transform (default 2) */
    int32_t num_components;  /* MDN mixture components (default 10) */
    int32_t num_transforms;  /* flow transforms (default 5) */
    int32_t num_bins;        /* NSF spline bins (default 10) */
    uint64_t structure_seed; /* fixed random structure, e.g. permutations */
} sbi__estimator_config;

typedef struct sbi__estimator sbi__estimator;

typedef struct sbi__estimator_ops {
    const char *name; /* "mdn", "maf", "nsf" */
    /* Set up e->impl and e->n_params from e->config (params not yet allocated). */
    int (*setup)(sbi__estimator *e);
    /* Initialise e->params (the reference's initialisation) from rng. */
    int (*init)(sbi__estimator *e, sbi_rng *rng);
    /* out[i] = log q(theta_i | x_i) for n rows; theta [n][d], x [n][x_dim]. */
    int (*log_prob)(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                    double *out);
    /* Optional (NULL if absent): out[i] = log q(theta_i | x) for n rows at
     * ONE condition x (x_dim values), computing what depends only on x once
     * (the posterior's log_prob at an observation). Equal to log_prob with x
     * repeated, up to rounding. */
    int (*log_prob_at)(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                       double *out);
    /* Mean over the n rows of -log q(theta_i | x_i) into *loss, and its
     * gradient with respect to e->params into grad (n_params values,
     * overwritten). */
    int (*nll_grad)(sbi__estimator *e, int64_t n, const double *theta, const double *x,
                    double *loss, double *grad);
    /* n draws theta ~ q(. | x) for one condition x (x_dim values): out [n][d]. */
    int (*sample)(const sbi__estimator *e, const double *x, int64_t n, sbi_rng *rng,
                  double *out);
    /* Optional (NULL if absent): log q(theta_i | x) and its gradient with
     * respect to theta_i, for one condition x; grad [n][d]. */
    int (*log_prob_grad_theta)(const sbi__estimator *e, int64_t n, const double *theta,
                               const double *x, double *out, double *grad);
    /* Free e->impl. */
    void (*destroy)(sbi__estimator *e);
} sbi__estimator_ops;

struct sbi__estimator {
    const sbi__estimator_ops *ops;
    sbi__estimator_config config;
    int64_t n_params; /* number of trainable parameters */
    double *params;   /* all trainable parameters, one flat array */
    void *impl;       /* estimator-specific state (layer layout, scratch) */
    int32_t threads;  /* threads nll_grad may use (0 or 1: the caller's only);
                         results never depend on it (flows: flow_shards.h) */
};

/* Largest parameter count an estimator may have (1 GiB of doubles): setup
 * functions reject configs above it, so a corrupt file cannot make create()
 * allocate absurd amounts. */
#define SBI__ESTIMATOR_MAX_PARAMS ((int64_t)1 << 27)

/* Fill cfg with the defaults for a kind. */
void sbi__estimator_config_default(sbi__estimator_config *cfg, int32_t kind, int32_t theta_dim,
                                   int32_t x_dim);
/* Validate cfg, build the estimator and allocate its parameters. If rng is
 * not NULL, initialise them; otherwise they are zero (to be loaded). */
int sbi__estimator_create(const sbi__estimator_config *cfg, sbi_rng *rng, sbi__estimator **out);
/* Deep copy (config and parameters). */
int sbi__estimator_clone(const sbi__estimator *e, sbi__estimator **out);
void sbi__estimator_free(sbi__estimator *e);

/* The implementations. */
extern const sbi__estimator_ops sbi__mdn_ops;
extern const sbi__estimator_ops sbi__maf_ops; /* maf.c */
extern const sbi__estimator_ops sbi__nsf_ops; /* nsf.c */

#endif /* SBI_ESTIMATOR_H */
