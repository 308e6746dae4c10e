/* Mixture density network (the reference's MultivariateGaussianMDN, sbi
 * 0.27): an MLP trunk on x, and linear heads giving K mixture logits, K means
 * and K upper-triangular precision factors A_k (softplus diagonal). The four
 * heads are stored as ONE dense layer of T = K(1 + 2d + d(d-1)/2) outputs, so
 * the network is a single MLP and a batch costs one dgemm per layer.
 *
 *   log q(theta|x) = logsumexp_k [ log w_k - d/2 log 2pi + sum_i log A_k,ii
 *                                  - 1/2 (theta-mu_k)^T (A_k^T A_k + eps I) (theta-mu_k) ]
 *
 * The log-determinant term is the reference's sum_i log A_ii (see docs/mdn.md
 * for why libsbi keeps it). */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "estimators/estimator.h"
#include "estimators/mdn.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"

#define LOG_2PI 1.83787706640934548356
/* Rows per chunk in log_prob: bounds the per-call workspace. */
#define MDN_CHUNK 256

typedef struct mdn_impl {
    sbi__mdn_layout lay;
    sbi__mlp net; /* x -> trunk (ReLU) -> heads (identity), T outputs */
    /* nll_grad scratch (one thread, grows with the batch) */
    sbi__mlp_ws ws;
    double *dout;  /* [cap][T] loss gradient w.r.t. the head outputs */
    int64_t cap;   /* rows dout holds */
    double *work;  /* per-row work (row_work_size doubles) */
} mdn_impl;

/* Per-row work: delta, r, softplus, sigmoid/softplus ratio, sigmoid (K*d
 * each), the component scores c, their exponentials and the logits'
 * exponentials (K each). */
static size_t row_work_size(const sbi__mdn_layout *l)
{
    return (size_t)l->K * (5 * (size_t)l->d + 3);
}

/* softplus(a) and what its derivative needs, stable for any a:
 * sp = log(1+e^a), sigmoid(a), and sigmoid(a)/sp (= d log sp / da). */
static inline void softplus_parts(double a, double *sp, double *sig, double *ratio)
{
    if (a < -30.0) {
        /* sp = e^a (1 - e^a/2 ...): to double precision sig/sp = 1. */
        const double e = exp(a);
        *sp = e;
        *sig = e;
        *ratio = 1.0;
        return;
    }
    const double e = exp(-fabs(a));
    const double s = (a > 0.0 ? a : 0.0) + log1p(e);
    *sp = s;
    *sig = a >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    *ratio = *sig / s;
}

/* log softplus(a), exact also where softplus(a) underflows. */
static inline double log_softplus(double a, double sp)
{
    return a < -30.0 ? a : log(sp);
}

/* log q(theta | head outputs o) for one row. With g != 0 and d_o / d_th not
 * NULL, also writes g * dlogq/do into d_o[T] and g * dlogq/dtheta into
 * d_th[d] (overwritten). */
static double row_eval(const sbi__mdn_layout *L, const double *o, const double *th, double *work,
                       double g, double *d_o, double *d_th)
{
    const int32_t d = L->d, K = L->K, nu = L->n_upper;
    double *delta = work, *r = delta + (size_t)K * d, *sp = r + (size_t)K * d;
    double *ratio = sp + (size_t)K * d, *sig = ratio + (size_t)K * d;
    double *c = sig + (size_t)K * d, *ec = c + K, *el = ec + K;
    const double *logits = o, *mu = o + L->o_mu, *ad = o + L->o_diag, *up = o + L->o_up;

    /* log-normaliser of the logits */
    double lmax = logits[0];
    for (int32_t k = 1; k < K; k++) lmax = logits[k] > lmax ? logits[k] : lmax;
    double lsum = 0.0;
    for (int32_t k = 0; k < K; k++) {
        el[k] = exp(logits[k] - lmax);
        lsum += el[k];
    }
    const double lse_l = lmax + log(lsum);

    const double cst = -0.5 * d * LOG_2PI;
    double cmax = -INFINITY;
    for (int32_t k = 0; k < K; k++) {
        double *dk = delta + (size_t)k * d, *rk = r + (size_t)k * d, *sk = sp + (size_t)k * d;
        const double *mk = mu + (size_t)k * d, *ak = ad + (size_t)k * d;
        const double *uk = up + (size_t)k * nu;
        double prod = 1.0, dd = 0.0;
        for (int32_t i = 0; i < d; i++) {
            softplus_parts(ak[i], &sk[i], &sig[(size_t)k * d + i], &ratio[(size_t)k * d + i]);
            prod *= sk[i];
            dk[i] = th[i] - mk[i];
            dd += dk[i] * dk[i];
        }
        /* sum_i log A_ii as one log of the product (log is the costliest
         * call here), unless the product leaves the normal range. */
        double sumlog;
        if (prod > 1e-300 && prod < 1e300) {
            sumlog = log(prod);
        } else {
            sumlog = 0.0;
            for (int32_t i = 0; i < d; i++) sumlog += log_softplus(ak[i], sk[i]);
        }
        /* r = A delta, A upper triangular: r_i = A_ii delta_i + sum_{j>i} U_ij delta_j */
        double q = 0.0;
        const double *u = uk;
        for (int32_t i = 0; i < d; i++) {
            double s = sk[i] * dk[i];
            for (int32_t j = i + 1; j < d; j++) s += (*u++) * dk[j];
            rk[i] = s;
            q += s * s;
        }
        q += SBI__MDN_EPS * dd;
        c[k] = (logits[k] - lse_l) + cst + sumlog - 0.5 * q;
        if (c[k] > cmax) cmax = c[k];
    }
    if (!(cmax > -INFINITY) || !isfinite(cmax)) {
        /* Degenerate (non-finite inputs or parameters): no gradient. */
        if (d_o) memset(d_o, 0, sizeof(double) * (size_t)L->T);
        if (d_th) memset(d_th, 0, sizeof(double) * (size_t)d);
        return isnan(cmax) ? NAN : cmax;
    }
    double csum = 0.0;
    for (int32_t k = 0; k < K; k++) {
        ec[k] = exp(c[k] - cmax);
        csum += ec[k];
    }
    const double logp = cmax + log(csum);
    if (g == 0.0 || (!d_o && !d_th)) return logp;

    /* Gradients. gamma_k = responsibilities, w_k = mixture weights. */
    const double inv = 1.0 / csum;
    if (d_th) memset(d_th, 0, sizeof(double) * (size_t)d);
    for (int32_t k = 0; k < K; k++) {
        const double gamma = ec[k] * inv, gk = g * gamma;
        if (d_o) d_o[k] = g * (gamma - el[k] / lsum);
        const double *dk = delta + (size_t)k * d, *rk = r + (size_t)k * d;
        const double *sk = sp + (size_t)k * d, *uk = up + (size_t)k * nu;
        const double *rt = ratio + (size_t)k * d, *sg = sig + (size_t)k * d;
        double *dmu = d_o ? d_o + L->o_mu + (size_t)k * d : NULL;
        double *dad = d_o ? d_o + L->o_diag + (size_t)k * d : NULL;
        double *dup = d_o ? d_o + L->o_up + (size_t)k * nu : NULL;
        /* s = A^T r + eps delta, accumulated column by column of A:
         * s_j = A_jj r_j + sum_{i<j} U_ij r_i. */
        for (int32_t j = 0; j < d; j++) {
            double s = sk[j] * rk[j] + SBI__MDN_EPS * dk[j];
            /* U_ij for i < j sits at index i*d - i(i+1)/2 + (j-i-1) */
            for (int32_t i = 0; i < j; i++)
                s += uk[(size_t)i * d - (size_t)i * (i + 1) / 2 + (size_t)(j - i - 1)] * rk[i];
            if (dmu) dmu[j] = gk * s;   /* d c_k / d mu_j = s_j */
            if (d_th) d_th[j] -= gk * s; /* d c_k / d theta_j = -s_j */
        }
        if (d_o) {
            for (int32_t i = 0; i < d; i++) dad[i] = gk * (rt[i] - rk[i] * dk[i] * sg[i]);
            size_t t = 0;
            for (int32_t i = 0; i < d; i++)
                for (int32_t j = i + 1; j < d; j++) dup[t++] = -gk * rk[i] * dk[j];
        }
    }
    return logp;
}

/* ---- setup, init, destroy ------------------------------------------------ */

static int mdn_setup(sbi__estimator *e)
{
    const sbi__estimator_config *c = &e->config;
    const double d = c->theta_dim, K = c->num_components, H = c->hidden_features;
    /* Parameter count in floating point first, so the check cannot overflow. */
    const double T_real = K * (1.0 + 2.0 * d + d * (d - 1.0) / 2.0);
    const double np_real = (c->x_dim + 1.0) * H + (c->hidden_layers - 1.0) * (H + 1.0) * H +
                           (H + 1.0) * T_real;
    if (!(T_real < 2147483647.0) || np_real > (double)SBI__ESTIMATOR_MAX_PARAMS)
        return sbi__fail(SBI_EINVAL, "mdn: %.3g parameters exceed the limit %lld", np_real,
                         (long long)SBI__ESTIMATOR_MAX_PARAMS);
    mdn_impl *m = sbi__calloc(1, sizeof *m);
    if (!m) return sbi__oom("mdn");
    sbi__mdn_layout *L = &m->lay;
    L->d = c->theta_dim;
    L->K = c->num_components;
    L->n_upper = (int32_t)((int64_t)L->d * (L->d - 1) / 2);
    L->T = (int32_t)T_real;
    L->o_mu = L->K;
    L->o_diag = L->K + L->K * L->d;
    L->o_up = L->K + 2 * L->K * L->d;
    const int32_t n_sizes = c->hidden_layers + 2;
    int32_t *sizes = sbi__malloc_array((size_t)n_sizes, sizeof *sizes);
    if (!sizes) {
        sbi__free(m);
        return sbi__oom("mdn");
    }
    sizes[0] = c->x_dim;
    for (int32_t i = 1; i <= c->hidden_layers; i++) sizes[i] = c->hidden_features;
    sizes[n_sizes - 1] = L->T;
    int rc = sbi__mlp_init(&m->net, n_sizes, sizes, SBI__ACT_RELU, SBI__ACT_IDENTITY, 0);
    sbi__free(sizes);
    if (rc != SBI_OK) {
        sbi__free(m);
        return rc;
    }
    L->head_layer = m->net.n_layers - 1;
    L->head_w_off = m->net.layers[L->head_layer].w_off;
    L->head_b_off = m->net.layers[L->head_layer].b_off;
    m->work = sbi__malloc_array(row_work_size(L), sizeof(double));
    if (!m->work) {
        sbi__mlp_destroy(&m->net);
        sbi__free(m);
        return sbi__oom("mdn");
    }
    e->impl = m;
    e->n_params = m->net.n_params;
    return SBI_OK;
}

static void mdn_destroy(sbi__estimator *e)
{
    mdn_impl *m = e->impl;
    if (!m) return;
    sbi__mlp_ws_destroy(&m->ws);
    sbi__mlp_destroy(&m->net);
    sbi__free(m->dout);
    sbi__free(m->work);
    sbi__free(m);
    e->impl = NULL;
}

static int mdn_init(sbi__estimator *e, sbi_rng *rng)
{
    mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    const int64_t H = m->net.layers[L->head_layer].in;
    double *p = e->params;
    /* PyTorch default for every layer (the means head keeps it)... */
    sbi__mlp_init_params(&m->net, p, rng);
    /* ...then the reference's custom head initialisation. */
    const double eps = 1e-4;
    double *W = p + L->head_w_off, *b = p + L->head_b_off;
    for (int64_t r = 0; r < L->K; r++) /* logits: W, b ~ N(0, eps^2) */
        for (int64_t i = 0; i < H; i++) W[r * H + i] = eps * sbi__rng_normal(rng);
    for (int64_t r = 0; r < L->K; r++) b[r] = eps * sbi__rng_normal(rng);
    const double diag_bias = log(expm1(1.0 - eps)); /* softplus(diag_bias) = 1 - eps */
    for (int64_t r = L->o_diag; r < L->o_diag + (int64_t)L->K * L->d; r++) {
        for (int64_t i = 0; i < H; i++) W[r * H + i] = eps * sbi__rng_normal(rng);
        b[r] = diag_bias;
    }
    for (int64_t r = L->o_up; r < L->T; r++) {
        for (int64_t i = 0; i < H; i++) W[r * H + i] = eps * sbi__rng_normal(rng);
        b[r] = 0.0;
    }
    return SBI_OK;
}

/* ---- evaluation ---------------------------------------------------------- */

static int check_rows(const char *what, int64_t n, const void *a, const void *b, const void *c)
{
    SBI_CHECK_ARG(n >= 0, "mdn %s: n=%lld is negative", what, (long long)n);
    SBI_CHECK_ARG(n == 0 || (a && b && c), "mdn %s: an array argument is NULL", what);
    return SBI_OK;
}

static int mdn_log_prob(const sbi__estimator *e, int64_t n, const double *theta, const double *x,
                        double *out)
{
    SBI_TRY(check_rows("log_prob", n, theta, x, out));
    if (n == 0) return SBI_OK;
    const mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    const int64_t chunk = n < MDN_CHUNK ? n : MDN_CHUNK;
    const int32_t d = L->d, xd = e->config.x_dim;
    /* Re-entrant: a private workspace per call, for one chunk of rows. */
    sbi__mlp_ws ws = {0};
    double *work = sbi__malloc_array(row_work_size(L), sizeof(double));
    if (!work || sbi__mlp_ws_reserve(&ws, &m->net, chunk) != SBI_OK) {
        sbi__free(work);
        sbi__mlp_ws_destroy(&ws);
        return sbi__oom("mdn log_prob");
    }
    for (int64_t s = 0; s < n; s += chunk) {
        const int64_t rows = n - s < chunk ? n - s : chunk;
        const double *o = sbi__mlp_forward(&m->net, e->params, rows, x + s * xd, &ws);
        for (int64_t r = 0; r < rows; r++)
            out[s + r] = row_eval(L, o + r * L->T, theta + (s + r) * d, work, 0.0, NULL, NULL);
    }
    sbi__free(work);
    sbi__mlp_ws_destroy(&ws);
    return SBI_OK;
}

static int mdn_nll_grad(sbi__estimator *e, int64_t n, const double *theta, const double *x,
                        double *loss, double *grad)
{
    SBI_TRY(check_rows("nll_grad", n, theta, x, grad));
    SBI_CHECK_PTR(loss, "mdn nll_grad");
    SBI_CHECK_ARG(n >= 1, "mdn nll_grad: empty batch");
    mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    if (n > m->cap) {
        /* Grows once per larger batch size, never in the steady state. */
        double *dout = sbi__malloc_array((size_t)n * (size_t)L->T, sizeof(double));
        if (!dout) return sbi__oom("mdn nll_grad");
        int rc = sbi__mlp_ws_reserve(&m->ws, &m->net, n);
        if (rc != SBI_OK) {
            sbi__free(dout);
            return rc;
        }
        sbi__free(m->dout);
        m->dout = dout;
        m->cap = n;
    }
    const int32_t d = L->d;
    const double *o = sbi__mlp_forward(&m->net, e->params, n, x, &m->ws);
    const double g = -1.0 / (double)n; /* d(mean NLL) / d log q_i */
    double sum = 0.0;
    for (int64_t r = 0; r < n; r++)
        sum += row_eval(L, o + r * L->T, theta + r * d, m->work, g, m->dout + r * L->T, NULL);
    *loss = -sum / (double)n;
    /* The first layer's input gradient is not needed: dx = NULL saves a dgemm. */
    sbi__mlp_backward(&m->net, e->params, n, x, &m->ws, m->dout, grad, 0, NULL);
    /* A non-finite loss is reported through *loss: the trainer decides. */
    return SBI_OK;
}

/* Forward the network for a single condition into out[T] with a private
 * one-row workspace. */
static int head_at(const sbi__estimator *e, const double *x, double *out)
{
    const mdn_impl *m = e->impl;
    sbi__mlp_ws ws = {0};
    SBI_TRY(sbi__mlp_ws_reserve(&ws, &m->net, 1));
    const double *o = sbi__mlp_forward(&m->net, e->params, 1, x, &ws);
    memcpy(out, o, sizeof(double) * (size_t)m->lay.T);
    sbi__mlp_ws_destroy(&ws);
    return SBI_OK;
}

static int mdn_log_prob_grad_theta(const sbi__estimator *e, int64_t n, const double *theta,
                                   const double *x, double *out, double *grad)
{
    SBI_TRY(check_rows("log_prob_grad_theta", n, theta, x, out));
    SBI_CHECK_ARG(n == 0 || grad, "mdn log_prob_grad_theta: grad is NULL");
    if (n == 0) return SBI_OK;
    const mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    double *buf = sbi__malloc_array((size_t)L->T + row_work_size(L), sizeof(double));
    if (!buf) return sbi__oom("mdn log_prob_grad_theta");
    int rc = head_at(e, x, buf);
    if (rc == SBI_OK)
        for (int64_t r = 0; r < n; r++)
            out[r] = row_eval(L, buf, theta + r * L->d, buf + L->T, 1.0, NULL, grad + r * L->d);
    sbi__free(buf);
    return rc;
}

static int mdn_sample(const sbi__estimator *e, const double *x, int64_t n, sbi_rng *rng,
                      double *out)
{
    SBI_CHECK_ARG(n >= 0, "mdn sample: n=%lld is negative", (long long)n);
    SBI_CHECK_ARG(n == 0 || (x && rng && out), "mdn sample: an argument is NULL");
    if (n == 0) return SBI_OK;
    const mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    const int32_t d = L->d, K = L->K, nu = L->n_upper;
    /* o[T] | cumulative weights[K] | 1/A_ii [K][d] | y [d] */
    double *buf = sbi__malloc_array((size_t)L->T + K + (size_t)K * d + d, sizeof(double));
    if (!buf) return sbi__oom("mdn sample");
    double *o = buf, *cum = o + L->T, *inv_diag = cum + K, *y = inv_diag + (size_t)K * d;
    int rc = head_at(e, x, o);
    if (rc != SBI_OK) {
        sbi__free(buf);
        return rc;
    }
    /* Mixture weights (softmax), accumulated for the categorical draw. */
    double lmax = o[0];
    for (int32_t k = 1; k < K; k++) lmax = o[k] > lmax ? o[k] : lmax;
    double acc = 0.0;
    for (int32_t k = 0; k < K; k++) {
        acc += exp(o[k] - lmax);
        cum[k] = acc;
    }
    for (int32_t k = 0; k < (int32_t)((size_t)K * d); k++) {
        double sp, sg, rt;
        softplus_parts(o[L->o_diag + k], &sp, &sg, &rt);
        inv_diag[k] = 1.0 / sp;
    }
    if (!isfinite(acc) || !isfinite(lmax)) {
        sbi__free(buf);
        return sbi__fail(SBI_ENUMERIC, "mdn sample: the mixture weights are not finite");
    }
    for (int64_t s = 0; s < n; s++) {
        /* component k ~ Categorical(w): first k with u*total < cum[k] */
        const double u = sbi__rng_uniform(rng) * acc;
        int32_t k = 0;
        while (k < K - 1 && !(u < cum[k])) k++;
        while (k > 0 && cum[k] == cum[k - 1]) k--; /* never pick a zero-weight component */
        for (int32_t i = 0; i < d; i++) y[i] = sbi__rng_normal(rng);
        /* Solve A_k y = xi by back substitution (A upper triangular, no eps). */
        const double *uk = o + L->o_up + (size_t)k * nu, *id = inv_diag + (size_t)k * d;
        const double *mu = o + L->o_mu + (size_t)k * d;
        double *dst = out + s * d;
        for (int32_t i = d - 1; i >= 0; i--) {
            const double *row = uk + (size_t)i * d - (size_t)i * (i + 1) / 2; /* U_i,i+1.. */
            double t = y[i];
            for (int32_t j = i + 1; j < d; j++) t -= row[j - i - 1] * y[j];
            y[i] = t * id[i];
        }
        for (int32_t i = 0; i < d; i++) dst[i] = mu[i] + y[i];
    }
    sbi__free(buf);
    return SBI_OK;
}

/* ---- helpers for tests and analytic losses -------------------------------- */

void sbi__mdn_get_layout(const sbi__estimator *e, sbi__mdn_layout *layout)
{
    *layout = ((const mdn_impl *)e->impl)->lay;
}

int sbi__mdn_head(const sbi__estimator *e, const double *x, double *out)
{
    SBI_CHECK_ARG(e && e->ops == &sbi__mdn_ops, "mdn head: not an MDN estimator");
    SBI_CHECK_ARG(x && out, "mdn head: an argument is NULL");
    return head_at(e, x, out);
}

int sbi__mdn_mixture(const sbi__estimator *e, const double *x, double *log_w, double *mu,
                     double *A)
{
    SBI_CHECK_ARG(e && e->ops == &sbi__mdn_ops, "mdn mixture: not an MDN estimator");
    SBI_CHECK_PTR(x, "mdn mixture");
    const sbi__mdn_layout *L = &((const mdn_impl *)e->impl)->lay;
    const int32_t d = L->d, K = L->K;
    double *o = sbi__malloc_array((size_t)L->T, sizeof(double));
    if (!o) return sbi__oom("mdn mixture");
    int rc = head_at(e, x, o);
    if (rc == SBI_OK) {
        if (log_w) {
            double lmax = o[0], s = 0.0;
            for (int32_t k = 1; k < K; k++) lmax = o[k] > lmax ? o[k] : lmax;
            for (int32_t k = 0; k < K; k++) s += exp(o[k] - lmax);
            for (int32_t k = 0; k < K; k++) log_w[k] = o[k] - lmax - log(s);
        }
        if (mu) memcpy(mu, o + L->o_mu, sizeof(double) * (size_t)K * d);
        if (A) {
            memset(A, 0, sizeof(double) * (size_t)K * d * d);
            for (int32_t k = 0; k < K; k++) {
                double *Ak = A + (size_t)k * d * d;
                const double *uk = o + L->o_up + (size_t)k * L->n_upper;
                for (int32_t i = 0; i < d; i++) {
                    double sp, sg, rt;
                    softplus_parts(o[L->o_diag + k * d + i], &sp, &sg, &rt);
                    Ak[(size_t)i * d + i] = sp;
                    for (int32_t j = i + 1; j < d; j++) Ak[(size_t)i * d + j] = *uk++;
                }
            }
        }
    }
    sbi__free(o);
    return rc;
}

const sbi__estimator_ops sbi__mdn_ops = {
    .name = "mdn",
    .setup = mdn_setup,
    .init = mdn_init,
    .log_prob = mdn_log_prob,
    .nll_grad = mdn_nll_grad,
    .sample = mdn_sample,
    .log_prob_grad_theta = mdn_log_prob_grad_theta,
    .destroy = mdn_destroy,
};
