/* Checks shared by the flow estimator tests (MAF, NSF): each takes an
 * estimator and compares it with an independent reference (finite
 * differences, numerical integration over a grid). */
#ifndef SBI_FLOW_TESTING_H
#define SBI_FLOW_TESTING_H

#include "sbi_test.h"
#include "estimators/estimator.h"
#include "core/internal.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"

/* Build an estimator of the given ops directly (setup, allocate, init) and
 * then move every parameter by a N(0, jitter^2) step, so the tests see a
 * density far from the near-identity initialisation. */
static inline sbi__estimator *flow_make(const sbi__estimator_ops *ops,
                                        const sbi__estimator_config *cfg, uint64_t seed,
                                        double jitter)
{
    sbi__estimator *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->ops = ops;
    e->config = *cfg;
    assert_ok(ops->setup(e));
    e->params = calloc((size_t)e->n_params, sizeof(double));
    assert_non_null(e->params);
    struct sbi_rng r;
    sbi__rng_init(&r, seed, 0);
    assert_ok(ops->init(e, &r));
    for (int64_t i = 0; i < e->n_params; i++) e->params[i] += jitter * sbi__rng_normal(&r);
    return e;
}

static inline void flow_free(sbi__estimator *e)
{
    if (!e) return;
    e->ops->destroy(e);
    free(e->params);
    free(e);
}

static inline sbi__estimator_config flow_config(int32_t kind, int32_t d, int32_t c, int32_t hidden,
                                                int32_t blocks, int32_t transforms, int32_t bins)
{
    sbi__estimator_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.kind = kind;
    cfg.theta_dim = d;
    cfg.x_dim = c;
    cfg.hidden_features = hidden;
    cfg.hidden_layers = blocks;
    cfg.num_components = 10;
    cfg.num_transforms = transforms;
    cfg.num_bins = bins;
    cfg.structure_seed = 99;
    return cfg;
}

/* ---- NLL gradient against finite differences of the loss ---------------- */

typedef struct flow_nll_ctx {
    sbi__estimator *e;
    int64_t n;
    const double *theta, *x;
    double *grad_scratch;
} flow_nll_ctx;

static inline int flow_nll_value(void *vctx, const double *v, double *value)
{
    flow_nll_ctx *c = vctx;
    (void)v; /* v is e->params itself, perturbed in place by the checker */
    return c->e->ops->nll_grad(c->e, c->n, c->theta, c->x, value, c->grad_scratch);
}

/* Returns the worst relative error of the analytic NLL gradient. */
static inline double flow_check_nll_grad(sbi__estimator *e, int64_t n, uint64_t seed,
                                         double theta_scale)
{
    int32_t d = e->config.theta_dim, c = e->config.x_dim;
    double *theta = malloc(sizeof(double) * (size_t)(n * d));
    double *x = malloc(sizeof(double) * (size_t)(n * (c > 0 ? c : 1)));
    double *grad = malloc(sizeof(double) * (size_t)e->n_params);
    double *scratch = malloc(sizeof(double) * (size_t)e->n_params);
    struct sbi_rng r;
    sbi__rng_init(&r, seed, 1);
    for (int64_t i = 0; i < n * d; i++) theta[i] = theta_scale * sbi__rng_normal(&r);
    for (int64_t i = 0; i < n * c; i++) x[i] = sbi__rng_normal(&r);
    double loss;
    assert_ok(e->ops->nll_grad(e, n, theta, x, &loss, grad));
    /* The loss equals the mean of -log_prob. */
    double *lp = malloc(sizeof(double) * (size_t)n);
    assert_ok(e->ops->log_prob(e, n, theta, x, lp));
    double mean = 0.0;
    for (int64_t i = 0; i < n; i++) mean -= lp[i] / (double)n;
    assert_close(loss, mean, 1e-12, 1e-12);
    flow_nll_ctx ctx = {e, n, theta, x, scratch};
    int64_t worst = -1;
    double fd = 0.0;
    double err = sbi__gradcheck(flow_nll_value, &ctx, e->params, e->n_params, grad, 1e-6, &worst,
                                &fd);
    print_message("%s: %lld parameters, worst gradient error %.3g (index %lld: %.6g vs fd %.6g)\n",
                  e->ops->name, (long long)e->n_params, err, (long long)worst,
                  worst >= 0 ? grad[worst] : 0.0, fd);
    free(lp);
    free(theta);
    free(x);
    free(grad);
    free(scratch);
    return err;
}

/* ---- two shards on one or two threads --------------------------------- */

/* A batch large enough for two shards gives bit-identical loss and gradient
 * with one thread and with two, and the loss is the mean of -log_prob. */
static inline void flow_check_threads(sbi__estimator *e, int64_t n, uint64_t seed)
{
    int32_t d = e->config.theta_dim, c = e->config.x_dim;
    double *theta = malloc(sizeof(double) * (size_t)(n * d));
    double *x = malloc(sizeof(double) * (size_t)(n * c));
    double *g1 = malloc(sizeof(double) * (size_t)e->n_params);
    double *g2 = malloc(sizeof(double) * (size_t)e->n_params);
    double *lp = malloc(sizeof(double) * (size_t)n);
    struct sbi_rng r;
    sbi__rng_init(&r, seed, 4);
    for (int64_t i = 0; i < n * d; i++) theta[i] = sbi__rng_normal(&r);
    for (int64_t i = 0; i < n * c; i++) x[i] = sbi__rng_normal(&r);
    double l1, l2;
    e->threads = 1;
    assert_ok(e->ops->nll_grad(e, n, theta, x, &l1, g1));
    e->threads = 2;
    for (int rep = 0; rep < 3; rep++) {
        assert_ok(e->ops->nll_grad(e, n, theta, x, &l2, g2));
        assert_true(l1 == l2);
        assert_memory_equal(g1, g2, sizeof(double) * (size_t)e->n_params);
    }
    e->threads = 1;
    assert_ok(e->ops->log_prob(e, n, theta, x, lp));
    double mean = 0.0;
    for (int64_t i = 0; i < n; i++) mean -= lp[i] / (double)n;
    assert_close(l1, mean, 1e-12, 1e-12);
    free(theta);
    free(x);
    free(g1);
    free(g2);
    free(lp);
}

/* ---- gradient of log q with respect to theta ------------------------------ */

static inline double flow_check_grad_theta(const sbi__estimator *e, int64_t n, uint64_t seed)
{
    int32_t d = e->config.theta_dim, c = e->config.x_dim;
    double theta[64 * 8], x[16], lp[64], g[64 * 8], lp2[64], xrep[64 * 16];
    assert_true(n <= 64 && d <= 8 && c <= 16);
    struct sbi_rng r;
    sbi__rng_init(&r, seed, 2);
    for (int64_t i = 0; i < n * d; i++) theta[i] = 1.5 * sbi__rng_normal(&r);
    for (int32_t i = 0; i < c; i++) x[i] = sbi__rng_normal(&r);
    for (int64_t k = 0; k < n; k++) memcpy(xrep + k * c, x, sizeof(double) * (size_t)c);
    assert_ok(e->ops->log_prob_grad_theta(e, n, theta, x, lp, g));
    assert_ok(e->ops->log_prob(e, n, theta, xrep, lp2));
    double worst = 0.0;
    for (int64_t k = 0; k < n; k++) {
        assert_close(lp[k], lp2[k], 1e-12, 1e-12);
        for (int32_t i = 0; i < d; i++) {
            double save = theta[k * d + i], h = 1e-6, a, b;
            theta[k * d + i] = save + h;
            assert_ok(e->ops->log_prob(e, 1, theta + k * d, x, &a));
            theta[k * d + i] = save - h;
            assert_ok(e->ops->log_prob(e, 1, theta + k * d, x, &b));
            theta[k * d + i] = save;
            double fd = (a - b) / (2 * h), gv = g[k * d + i];
            double err = fabs(gv - fd) / fmax(1.0, fmax(fabs(gv), fabs(fd)));
            if (err > worst) worst = err;
        }
    }
    print_message("%s: worst d log q / d theta error %.3g\n", e->ops->name, worst);
    return worst;
}

/* ---- normalisation and moments on a grid --------------------------------- */

/* Integrate q(. | x) over [-L, L]^d (d = 1 or 2) with the midpoint rule on m
 * points per axis; returns the mass and writes the mean [d] and the second
 * moments E[t_i t_j] [d][d]. */
static inline double flow_grid_moments(const sbi__estimator *e, const double *x, double L, int m,
                                       double *mean, double *second)
{
    int32_t d = e->config.theta_dim, c = e->config.x_dim;
    assert_true(d == 1 || d == 2);
    int64_t rows = d == 1 ? m : (int64_t)m * m;
    double *theta = malloc(sizeof(double) * (size_t)(rows * d));
    double *xr = malloc(sizeof(double) * (size_t)(rows * (c > 0 ? c : 1)));
    double *lp = malloc(sizeof(double) * (size_t)rows);
    double h = 2.0 * L / m;
    for (int64_t k = 0; k < rows; k++) {
        if (d == 1) {
            theta[k] = -L + (k + 0.5) * h;
        } else {
            theta[2 * k] = -L + (k / m + 0.5) * h;
            theta[2 * k + 1] = -L + (k % m + 0.5) * h;
        }
        memcpy(xr + k * c, x, sizeof(double) * (size_t)c);
    }
    assert_ok(e->ops->log_prob(e, rows, theta, xr, lp));
    double cell = d == 1 ? h : h * h, mass = 0.0;
    for (int32_t i = 0; i < d; i++) mean[i] = 0.0;
    for (int32_t i = 0; i < d * d; i++) second[i] = 0.0;
    for (int64_t k = 0; k < rows; k++) {
        double w = exp(lp[k]) * cell;
        mass += w;
        for (int32_t i = 0; i < d; i++) {
            mean[i] += w * theta[k * d + i];
            for (int32_t j = 0; j < d; j++) second[i * d + j] += w * theta[k * d + i] * theta[k * d + j];
        }
    }
    free(theta);
    free(xr);
    free(lp);
    return mass;
}

/* Samples' mean and second moments against the grid's, within `zs` standard
 * errors (estimated from the samples themselves). */
static inline void flow_check_sample_moments(const sbi__estimator *e, const double *x,
                                             int64_t n, double L, int m, double zs)
{
    int32_t d = e->config.theta_dim;
    double gmean[2], gsec[4];
    double mass = flow_grid_moments(e, x, L, m, gmean, gsec);
    double *s = malloc(sizeof(double) * (size_t)(n * d));
    struct sbi_rng r;
    sbi__rng_init(&r, 7, 3);
    assert_ok(e->ops->sample(e, x, n, &r, s));
    for (int32_t i = 0; i < d; i++) {
        double mu = 0.0, m2 = 0.0;
        for (int64_t k = 0; k < n; k++) mu += s[k * d + i] / (double)n;
        for (int64_t k = 0; k < n; k++) m2 += (s[k * d + i] - mu) * (s[k * d + i] - mu);
        double var = m2 / (double)(n - 1), se = sqrt(var / (double)n);
        print_message("%s: dim %d sample mean %.4f grid mean %.4f (se %.4f, grid mass %.5f)\n",
                      e->ops->name, (int)i, mu, gmean[i] / mass, se, mass);
        assert_close(mu, gmean[i] / mass, 0.0, zs * se);
        for (int32_t j = 0; j < d; j++) {
            double sm = 0.0, sm2 = 0.0;
            for (int64_t k = 0; k < n; k++) {
                double p = s[k * d + i] * s[k * d + j];
                sm += p / (double)n;
                sm2 += p * p / (double)n;
            }
            double se2 = sqrt((sm2 - sm * sm) / (double)n);
            assert_close(sm, gsec[i * d + j] / mass, 0.0, zs * se2);
        }
    }
    free(s);
}

/* ---- allocation failures ---------------------------------------------------- */

/* Every estimator call of a small flow, built through sbi__estimator_create
 * (the library's allocator); returns the first failing status. */
static inline int flow_exercise(int32_t kind, int32_t d, sbi_rng *rng)
{
    sbi__estimator_config cfg = flow_config(kind, d, 3, 6, 2, 2, 4);
    sbi__estimator *e = NULL, *c = NULL;
    double x[3 * 40], th[3 * 40], lp[40], g2[3 * 40], s[3 * 5];
    for (int i = 0; i < 3 * 40; i++) x[i] = 0.01 * i - 0.5, th[i] = 0.5 - 0.013 * i;
    int rc = sbi__estimator_create(&cfg, rng, &e);
    if (rc != SBI_OK) return rc;
    double *grad = malloc(sizeof(double) * (size_t)e->n_params), loss;
    e->threads = 2;
    rc = e->ops->nll_grad(e, 4, th, x, &loss, grad);
    if (rc == SBI_OK) rc = e->ops->nll_grad(e, 40, th, x, &loss, grad); /* two shards */
    if (rc == SBI_OK) rc = e->ops->log_prob(e, 40, th, x, lp);
    if (rc == SBI_OK) rc = e->ops->log_prob_grad_theta(e, 4, th, x, lp, g2);
    if (rc == SBI_OK) rc = e->ops->sample(e, x, 5, rng, s);
    if (rc == SBI_OK) rc = sbi__estimator_clone(e, &c);
    if (rc == SBI_OK) rc = c->ops->nll_grad(c, 4, th, x, &loss, grad);
    free(grad);
    sbi__estimator_free(c);
    sbi__estimator_free(e);
    return rc;
}

/* With -DSBI_FAULT_INJECTION=ON, fail each allocation in turn: always
 * SBI_ENOMEM, never a crash or (under ASan) a leak. Elsewhere: runs once. */
static inline void flow_check_allocation_failures(int32_t kind, int32_t d)
{
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    int64_t k;
    for (k = 1; k < 5000; k++) {
        sbi__fault_arm(k);
        int rc = flow_exercise(kind, d, rng);
        int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            break;
        }
        assert_int_equal(rc, SBI_ENOMEM);
    }
    if (k > 1) print_message("%lld allocation sites failed in turn\n", (long long)(k - 1));
    sbi_rng_free(rng);
}

#endif /* SBI_FLOW_TESTING_H */
