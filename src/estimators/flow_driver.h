/* The estimator ops MAF and NSF share, written once over a flow's forward
 * and backward passes: the base density N(0, I), chunked evaluation
 * (per-row or one condition), sharded training steps and gradients with
 * respect to theta.
 *
 * A flow's impl starts with a sbi__flow (first member), so these functions
 * serve directly as its sbi__estimator_ops entries. d and x_dim come from
 * e->config. */
#ifndef SBI_ESTIMATORS_FLOW_DRIVER_H
#define SBI_ESTIMATORS_FLOW_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "estimators/estimator.h"

/* What a flow provides; ws is the flow's own workspace type. */
typedef struct sbi__flow_ops {
    size_t ws_bytes; /* sizeof the workspace struct (zeroed = empty) */
    /* Make ws hold cap rows; keep_all: keep what backward needs. */
    int (*ws_reserve)(void *ws, const void *impl, int64_t cap, int keep_all);
    void (*ws_destroy)(void *ws);
    /* Data -> noise for n <= cap rows; x holds one row per theta row, or a
     * single row for all if one_x. Sets *z to the noise [n][d] and returns
     * each row's summed log-determinant [n] (both inside ws; the driver adds
     * the base density there). */
    double *(*forward)(const void *impl, const double *params, int64_t n, const double *theta,
                       const double *x, int one_x, void *ws, const double **z);
    /* After a per-row forward with a keep-all ws, for a loss that depends on
     * each row's z and total log-determinant only through dL/dz = gz_scale z
     * and dL/dlogdet = gl: parameter gradients into grad (overwritten) and,
     * if gtheta != NULL, dL/dtheta [n][d]. */
    void (*backward)(const void *impl, const double *params, int64_t n, const double *x,
                     void *ws, double gz_scale, double gl, double *grad, double *gtheta);
} sbi__flow_ops;

/* The head of a flow's impl. */
typedef struct sbi__flow {
    const sbi__flow_ops *ops;
    void *train[2]; /* nll_grad's workspaces, one per shard (flow_shards.h) */
    double *grad1;  /* [n_params] shard 1's gradient */
} sbi__flow;

/* Free the training scratch (the flow's destroy calls it). */
void sbi__flow_release(sbi__flow *f);

/* The sbi__estimator_ops entries of the same names. */
int sbi__flow_log_prob(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                       double *out);
int sbi__flow_log_prob_at(const sbi__estimator *e, int64_t n, const double *theta,
                          const double *x, double *out);
int sbi__flow_nll_grad(sbi__estimator *e, int64_t n, const double *theta, const double *x,
                       double *loss, double *grad);
int sbi__flow_log_prob_grad_theta(const sbi__estimator *e, int64_t n, const double *theta,
                                  const double *x, double *out, double *grad);

#endif /* SBI_ESTIMATORS_FLOW_DRIVER_H */
