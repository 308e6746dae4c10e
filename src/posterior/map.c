/* Maximum a posteriori estimate, the reference's method (spec B.5): 1 000
 * posterior samples, the best 100 climbed with Adam (lr 0.01) for 1 000
 * iterations in an unconstrained space (logit for a bounded dimension),
 * maximising log q(theta | x) with no Jacobian term. libsbi keeps the best
 * point among all evaluated ones (every iteration, not every 10th): the
 * potential comes with the gradient, so this costs nothing. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "nn/nn.h"
#include "posterior/posterior_internal.h"
#include "prior/prior_internal.h"

#define MAP_NUM_INIT 1000
#define MAP_NUM_OPTIMIZE 100
#define MAP_NUM_ITER 1000
#define MAP_LR 0.01

/* Per-dimension map between theta and the unconstrained u. */
enum { DIM_FREE = 0, DIM_BOX = 1, DIM_LOWER = 2, DIM_UPPER = 3 };

typedef struct map_space {
    int32_t d;
    const double *low, *high;
    int *type; /* DIM_* per dimension */
} map_space;

static double to_u(const map_space *s, int32_t j, double t)
{
    switch (s->type[j]) {
    case DIM_BOX: {
        double q = (t - s->low[j]) / (s->high[j] - s->low[j]);
        /* Samples can sit on the boundary (the check is inclusive). */
        if (q < 1e-12) q = 1e-12;
        if (q > 1.0 - 1e-12) q = 1.0 - 1e-12;
        return log(q) - log1p(-q);
    }
    case DIM_LOWER: return log(fmax(t - s->low[j], 1e-300));
    case DIM_UPPER: return log(fmax(s->high[j] - t, 1e-300));
    default: return t;
    }
}

/* theta from u, and d theta / d u. */
static double from_u(const map_space *s, int32_t j, double u, double *dt_du)
{
    switch (s->type[j]) {
    case DIM_BOX: {
        const double w = s->high[j] - s->low[j];
        const double sg = u >= 0 ? 1.0 / (1.0 + exp(-u)) : exp(u) / (1.0 + exp(u));
        *dt_du = w * sg * (1.0 - sg);
        double t = s->low[j] + w * sg;
        return t > s->high[j] ? s->high[j] : t;
    }
    case DIM_LOWER: {
        const double e = exp(u);
        *dt_du = e;
        return s->low[j] + e;
    }
    case DIM_UPPER: {
        const double e = exp(u);
        *dt_du = -e;
        return s->high[j] - e;
    }
    default: *dt_du = 1.0; return u;
    }
}

/* log q(theta_i | x) in theta space (support ignored) and its gradient with
 * respect to theta, for m rows at the z-scored condition xz. Uses the
 * estimator's analytic gradient when it has one, else central differences. */
static int potential_grad(const sbi_posterior *p, const double *xz, int64_t m,
                          const double *theta, double *z, double *lp, double *grad)
{
    const int32_t d = p->theta_dim;
    for (int64_t i = 0; i < m; i++)
        for (int32_t j = 0; j < d; j++)
            z[i * d + j] = (theta[i * d + j] - p->theta_shift[j]) / p->theta_scale[j];
    if (p->est->ops->log_prob_grad_theta) {
        SBI_TRY(p->est->ops->log_prob_grad_theta(p->est, m, z, xz, lp, grad));
    } else {
        SBI_TRY(sbi__posterior_log_q(p, xz, m, theta, lp));
        double *tp = sbi__malloc_array((size_t)m * (size_t)d, sizeof(double));
        double *lp2 = sbi__malloc_array((size_t)m * 2, sizeof(double));
        int rc = (tp && lp2) ? SBI_OK : sbi__oom("posterior map");
        for (int32_t j = 0; j < d && rc == SBI_OK; j++) {
            const double h = 1e-5 * p->theta_scale[j];
            for (int s = 0; s < 2 && rc == SBI_OK; s++) {
                memcpy(tp, theta, (size_t)m * (size_t)d * sizeof(double));
                for (int64_t i = 0; i < m; i++) tp[i * d + j] += s ? -h : h;
                rc = sbi__posterior_log_q(p, xz, m, tp, lp2 + s * m);
            }
            for (int64_t i = 0; rc == SBI_OK && i < m; i++)
                grad[i * d + j] = (lp2[i] - lp2[m + i]) / (2.0 * h);
        }
        sbi__free(tp);
        sbi__free(lp2);
        return rc; /* already in theta units, Jacobian included */
    }
    for (int64_t i = 0; i < m; i++) {
        lp[i] += p->log_jacobian;
        for (int32_t j = 0; j < d; j++) grad[i * d + j] /= p->theta_scale[j];
    }
    return SBI_OK;
}

/* Indices of the k largest values (ties: lower index first); taken is
 * scratch of n bytes. A partial selection sort: k*n = 10^5 steps. */
static void top_k(const double *v, int64_t n, int64_t k, int64_t *idx, char *taken)
{
    memset(taken, 0, (size_t)n);
    for (int64_t r = 0; r < k; r++) {
        int64_t best = -1;
        for (int64_t i = 0; i < n; i++) {
            if (taken[i]) continue;
            if (best < 0 || v[i] > v[best]) best = i;
        }
        idx[r] = best;
        taken[best] = 1;
    }
}

int sbi_posterior_map(const sbi_posterior *p, sbi_rng *rng, const double *x, double *theta_map,
                      double *log_prob)
{
    static const char where[] = "sbi_posterior_map";
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_PTR(rng, where);
    SBI_CHECK_PTR(x, where);
    SBI_CHECK_PTR(theta_map, where);
    for (int32_t j = 0; j < p->x_dim; j++)
        SBI_CHECK_ARG(isfinite(x[j]), "%s: x[%d]=%g is not finite", where, (int)j, x[j]);

    const int32_t d = p->theta_dim;
    const int64_t n0 = MAP_NUM_INIT, m = MAP_NUM_OPTIMIZE;
    const size_t nd0 = (size_t)n0 * (size_t)d, md = (size_t)m * (size_t)d;
    double *xz = sbi__malloc_array((size_t)p->x_dim, sizeof(double));
    double *init = sbi__malloc_array(nd0, sizeof(double));
    double *pot = sbi__malloc_array((size_t)n0, sizeof(double));
    int64_t *idx = sbi__malloc_array((size_t)m, sizeof(int64_t));
    double *u = sbi__malloc_array(md, sizeof(double));
    double *theta = sbi__malloc_array(md, sizeof(double));
    double *dtdu = sbi__malloc_array(md, sizeof(double));
    double *z = sbi__malloc_array(nd0, sizeof(double));
    double *grad = sbi__malloc_array(nd0, sizeof(double));
    double *gu = sbi__malloc_array(md, sizeof(double));
    sbi__adam adam = {0};
    double *best = sbi__malloc_array((size_t)d, sizeof(double));
    int32_t *inside = sbi__malloc_array((size_t)n0, sizeof(int32_t));
    int *type = sbi__malloc_array((size_t)d, sizeof(int));
    char *taken = sbi__malloc((size_t)n0);
    int rc = SBI_OK;
    if (!xz || !init || !pot || !idx || !u || !theta || !dtdu || !z || !grad || !gu || !best || !inside || !type ||
        !taken) {
        rc = sbi__oom(where);
        goto done;
    }
    sbi__posterior_zscore_x(p, x, xz);

    int64_t got, drawn, accepted;
    rc = sbi__posterior_rejection(p, rng, xz, n0, sbi__posterior_default_budget(n0), init, &got,
                                  &drawn, &accepted);
    if (rc != SBI_OK) goto done;
    rc = potential_grad(p, xz, n0, init, z, pot, grad);
    if (rc != SBI_OK) goto done;
    top_k(pot, n0, m, idx, taken);
    double best_lp = pot[idx[0]];
    memcpy(best, init + idx[0] * d, (size_t)d * sizeof(double));

    map_space sp = {d, p->prior->low, p->prior->high, type};
    for (int32_t j = 0; j < d; j++) {
        const int lo = isfinite(sp.low[j]), hi = isfinite(sp.high[j]);
        type[j] = lo && hi ? DIM_BOX : lo ? DIM_LOWER : hi ? DIM_UPPER : DIM_FREE;
    }
    for (int64_t i = 0; i < m; i++)
        for (int32_t j = 0; j < d; j++) u[i * d + j] = to_u(&sp, j, init[idx[i] * d + j]);

    rc = sbi__adam_init(&adam, (int64_t)md, MAP_LR);
    if (rc != SBI_OK) goto done;
    for (int it = 0; it <= MAP_NUM_ITER; it++) {
        for (size_t k = 0; k < md; k++) theta[k] = from_u(&sp, (int32_t)(k % (size_t)d), u[k], &dtdu[k]);
        rc = potential_grad(p, xz, m, theta, z, pot, grad);
        if (rc != SBI_OK) goto done;
        rc = sbi__posterior_in_support(p, m, theta, inside);
        if (rc != SBI_OK) goto done;
        for (int64_t i = 0; i < m; i++)
            if (inside[i] && pot[i] > best_lp) {
                best_lp = pot[i];
                memcpy(best, theta + i * d, (size_t)d * sizeof(double));
            }
        if (it == MAP_NUM_ITER) break; /* the last step's result is scored, not stepped */
        /* Adam on the loss -sum_i log q(theta_i | x), in u. */
        for (size_t k = 0; k < md; k++) {
            const double g = -grad[k] * dtdu[k];
            gu[k] = isfinite(g) ? g : 0.0;
        }
        sbi__adam_step(&adam, u, gu);
    }
    memcpy(theta_map, best, (size_t)d * sizeof(double));
    if (log_prob) *log_prob = best_lp;
done:
    sbi__free(xz);
    sbi__free(init);
    sbi__free(pot);
    sbi__free(idx);
    sbi__free(u);
    sbi__free(theta);
    sbi__free(dtdu);
    sbi__free(z);
    sbi__free(grad);
    sbi__free(gu);
    sbi__adam_destroy(&adam);
    sbi__free(best);
    sbi__free(inside);
    sbi__free(type);
    sbi__free(taken);
    return rc;
}
