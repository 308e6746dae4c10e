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
    double *work;  /* per-row work (row_work_size doubles) */
} mdn_impl;

/* Per-row work: delta, r, softplus, sigmoid/softplus ratio, sigmoid (K*d
 * each); per component the half quadratic form, the unnormalised
 * responsibility, the logit's exponential and prod_i A_ii (K each). */
static size_t row_work_size(const sbi__mdn_layout *l)
{
    return (size_t)l->K * (5 * (size_t)l->d + 4);
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

/* What a row's density needs from its head outputs o alone, whatever theta:
 * the mixture weights up to their normaliser and each component's
 * softplus diagonal. The arrays go into work (see row_work_size). */
typedef struct mixture_head {
    double lmax, lsum; /* el_k = exp(l_k - lmax), lsum = sum_k el_k */
    int in_range;      /* every prod_i A_ii is well inside the normal range */
} mixture_head;

static mixture_head head_prepare(const sbi__mdn_layout *L, const double *o, double *work)
{
    const int32_t d = L->d, K = L->K;
    double *sp = work + 2 * (size_t)K * d, *ratio = sp + (size_t)K * d, *sig = ratio + (size_t)K * d;
    double *el = sig + (size_t)K * d + 2 * (size_t)K, *pk = el + K;
    const double *logits = o, *ad = o + L->o_diag;
    mixture_head h = {logits[0], 0.0, 1};
    for (int32_t k = 1; k < K; k++) h.lmax = logits[k] > h.lmax ? logits[k] : h.lmax;
    for (int32_t k = 0; k < K; k++) {
        el[k] = exp(logits[k] - h.lmax);
        h.lsum += el[k];
    }
    for (int32_t k = 0; k < K; k++) {
        double prod = 1.0;
        for (int32_t i = 0; i < d; i++) {
            size_t ki = (size_t)k * d + i;
            softplus_parts(ad[ki], &sp[ki], &sig[ki], &ratio[ki]);
            prod *= sp[ki];
        }
        pk[k] = prod;
        h.in_range &= prod > 1e-300 && prod < 1e300;
    }
    return h;
}

/* log q(theta | head outputs o) for one row, after head_prepare(o) filled h
 * and work. With g != 0 and d_o / d_th not NULL, also writes g * dlogq/do
 * into d_o[T] and g * dlogq/dtheta into d_th[d] (overwritten). */
static double row_density(const sbi__mdn_layout *L, const double *o, const mixture_head *h,
                          const double *th, double *work, double g, double *d_o, double *d_th)
{
    const int32_t d = L->d, K = L->K, nu = L->n_upper;
    double *delta = work, *r = delta + (size_t)K * d, *sp = r + (size_t)K * d;
    double *ratio = sp + (size_t)K * d, *sig = ratio + (size_t)K * d;
    double *t = sig + (size_t)K * d, *ec = t + K, *el = ec + K, *pk = el + K;
    const double *logits = o, *mu = o + L->o_mu, *ad = o + L->o_diag, *up = o + L->o_up;
    const double lmax = h->lmax, lsum = h->lsum;
    const int in_range = h->in_range;

    /* Per component: t = -q/2 with q the quadratic form. */
    double tmax = -INFINITY;
    for (int32_t k = 0; k < K; k++) {
        double *dk = delta + (size_t)k * d, *rk = r + (size_t)k * d;
        const double *sk = sp + (size_t)k * d, *mk = mu + (size_t)k * d;
        const double *uk = up + (size_t)k * nu;
        double dd = 0.0;
        for (int32_t i = 0; i < d; i++) {
            dk[i] = th[i] - mk[i];
            dd += dk[i] * dk[i];
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
        t[k] = -0.5 * (q + SBI__MDN_EPS * dd);
        if (t[k] > tmax) tmax = t[k];
    }
    const double cst = -0.5 * d * LOG_2PI;

    /* log q = cst + log sum_k (el_k/lsum) pk_k exp(t_k). Fast path: the sum
     * in the linear domain shifted by tmax, so the per-component logs of pk
     * are not needed (log is the costliest call here). Exact same value up
     * to rounding; falls back to the log domain when a term could leave the
     * normal range. */
    double esum = 0.0, logp;
    if (in_range && isfinite(tmax)) {
        for (int32_t k = 0; k < K; k++) {
            ec[k] = el[k] * pk[k] * exp(t[k] - tmax);
            esum += ec[k];
        }
    }
    if (in_range && isfinite(tmax) && esum > 1e-300 && esum < 1e300) {
        logp = cst + tmax + log(esum / lsum);
    } else {
        /* Log domain: c_k = log w_k + cst + sum_i log A_ii - q/2. */
        const double lse_l = lmax + log(lsum);
        double cmax = -INFINITY;
        for (int32_t k = 0; k < K; k++) {
            double sumlog = 0.0;
            for (int32_t i = 0; i < d; i++)
                sumlog += log_softplus(ad[(size_t)k * d + i], sp[(size_t)k * d + i]);
            ec[k] = (logits[k] - lse_l) + cst + sumlog + t[k]; /* c_k, for now */
            if (ec[k] > cmax) cmax = ec[k];
        }
        if (!(cmax > -INFINITY) || !isfinite(cmax)) {
            /* Degenerate (non-finite inputs or parameters): no gradient. */
            if (d_o) memset(d_o, 0, sizeof(double) * (size_t)L->T);
            if (d_th) memset(d_th, 0, sizeof(double) * (size_t)d);
            return isnan(cmax) ? NAN : cmax;
        }
        esum = 0.0;
        for (int32_t k = 0; k < K; k++) {
            ec[k] = exp(ec[k] - cmax);
            esum += ec[k];
        }
        logp = cmax + log(esum);
    }
    if (g == 0.0 || (!d_o && !d_th)) return logp;

    /* Gradients. gamma_k = responsibilities, w_k = mixture weights. */
    const double inv = 1.0 / esum; /* responsibilities gamma_k = ec_k / esum */
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
            size_t ui = 0;
            for (int32_t i = 0; i < d; i++)
                for (int32_t j = i + 1; j < d; j++) dup[ui++] = -gk * rk[i] * dk[j];
        }
    }
    return logp;
}

/* log q(theta | head outputs o) for one row (row_density's arguments). */
static double row_eval(const sbi__mdn_layout *L, const double *o, const double *th, double *work,
                       double g, double *d_o, double *d_th)
{
    const mixture_head h = head_prepare(L, o, work);
    return row_density(L, o, &h, th, work, g, d_o, d_th);
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
    /* Grows once per larger batch size, never in the steady state. */
    SBI_TRY(sbi__mlp_ws_reserve(&m->ws, &m->net, n));
    const int32_t d = L->d;
    const double *o = sbi__mlp_forward(&m->net, e->params, n, x, &m->ws);
    const double g = -1.0 / (double)n; /* d(mean NLL) / d log q_i */
    double sum = 0.0;
    /* The head-output gradient goes straight into the workspace's first
     * gradient buffer (which the backward pass starts from: no copy). */
    double *dout = m->ws.d0;
    for (int64_t r = 0; r < n; r++)
        sum += row_eval(L, o + r * L->T, theta + r * d, m->work, g, dout + r * L->T, NULL);
    *loss = -sum / (double)n;
    /* The first layer's input gradient is not needed: dx = NULL saves a dgemm. */
    sbi__mlp_backward(&m->net, e->params, n, x, &m->ws, dout, grad, 0, NULL);
    /* A non-finite loss is reported through *loss: the trainer decides. */
    return SBI_OK;
}

/* Scratch for one-condition calls: on the stack when small (the default
 * architecture needs ~310 doubles, 8 KiB of stack at most), so sampling does not allocate. */
#define MDN_STACK_DOUBLES 1024

typedef struct scratch {
    double stack[MDN_STACK_DOUBLES];
    double *p; /* stack or heap */
} scratch;

static double *scratch_get(scratch *s, size_t count)
{
    s->p = count <= MDN_STACK_DOUBLES ? s->stack : sbi__malloc_array(count, sizeof(double));
    return s->p;
}

static void scratch_release(scratch *s)
{
    if (s->p != s->stack) sbi__free(s->p);
}

/* Forward the network for a single condition into out[T]; fwd holds
 * 2*max_width doubles of scratch. */
static void head_at(const sbi__estimator *e, const double *x, double *out, double *fwd)
{
    const mdn_impl *m = e->impl;
    const double *o = sbi__mlp_forward_one(&m->net, e->params, x, fwd);
    memcpy(out, o, sizeof(double) * (size_t)m->lay.T);
}

static size_t fwd_size(const mdn_impl *m) { return 2 * (size_t)m->net.max_width; }

/* log q(theta_r | x) for n >= 1 rows at one condition x and, if grad is not
 * NULL, its gradient in theta [n][d]: the trunk and the mixture's
 * parameters once, then only the per-row part of the density. */
static int rows_at(const sbi__estimator *e, const char *where, int64_t n, const double *theta,
                   const double *x, double *out, double *grad)
{
    const mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    scratch sc;
    double *buf = scratch_get(&sc, (size_t)L->T + row_work_size(L) + fwd_size(m));
    if (!buf) return sbi__oom(where);
    double *work = buf + L->T;
    head_at(e, x, buf, work + row_work_size(L));
    const mixture_head h = head_prepare(L, buf, work);
    for (int64_t r = 0; r < n; r++)
        out[r] = row_density(L, buf, &h, theta + r * L->d, work, grad ? 1.0 : 0.0, NULL,
                             grad ? grad + r * L->d : NULL);
    scratch_release(&sc);
    return SBI_OK;
}

static int mdn_log_prob_at(const sbi__estimator *e, int64_t n, const double *theta,
                           const double *x, double *out)
{
    SBI_TRY(check_rows("log_prob_at", n, theta, x, out));
    return n == 0 ? SBI_OK : rows_at(e, "mdn log_prob_at", n, theta, x, out, NULL);
}

static int mdn_log_prob_grad_theta(const sbi__estimator *e, int64_t n, const double *theta,
                                   const double *x, double *out, double *grad)
{
    SBI_TRY(check_rows("log_prob_grad_theta", n, theta, x, out));
    SBI_CHECK_ARG(n == 0 || grad, "mdn log_prob_grad_theta: grad is NULL");
    return n == 0 ? SBI_OK : rows_at(e, "mdn log_prob_grad_theta", n, theta, x, out, grad);
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
    /* o[T] | cumulative weights[K] | 1/A_ii [K][d] | y [d] | forward scratch */
    scratch sc;
    double *buf = scratch_get(&sc, (size_t)L->T + K + (size_t)K * d + d + fwd_size(m));
    if (!buf) return sbi__oom("mdn sample");
    double *o = buf, *cum = o + L->T, *inv_diag = cum + K, *y = inv_diag + (size_t)K * d;
    head_at(e, x, o, y + d);
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
        scratch_release(&sc);
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
    scratch_release(&sc);
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
    const mdn_impl *m = e->impl;
    scratch sc;
    double *fwd = scratch_get(&sc, fwd_size(m));
    if (!fwd) return sbi__oom("mdn head");
    head_at(e, x, out, fwd);
    scratch_release(&sc);
    return SBI_OK;
}

int sbi__mdn_mixture(const sbi__estimator *e, const double *x, double *log_w, double *mu,
                     double *A)
{
    SBI_CHECK_ARG(e && e->ops == &sbi__mdn_ops, "mdn mixture: not an MDN estimator");
    SBI_CHECK_PTR(x, "mdn mixture");
    const mdn_impl *m = e->impl;
    const sbi__mdn_layout *L = &m->lay;
    const int32_t d = L->d, K = L->K;
    scratch sc;
    double *o = scratch_get(&sc, (size_t)L->T + fwd_size(m));
    if (!o) return sbi__oom("mdn mixture");
    head_at(e, x, o, o + L->T);
    {
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
    scratch_release(&sc);
    return SBI_OK;
}

const sbi__estimator_ops sbi__mdn_ops = {
    .name = "mdn",
    .setup = mdn_setup,
    .init = mdn_init,
    .log_prob = mdn_log_prob,
    .log_prob_at = mdn_log_prob_at,
    .nll_grad = mdn_nll_grad,
    .sample = mdn_sample,
    .log_prob_grad_theta = mdn_log_prob_grad_theta,
    .destroy = mdn_destroy,
};
