/* MDN estimator: config and creation errors, the reference initialisation,
 * log_prob against a hand-built Gaussian / explicit mixture, normalisation by
 * grid integration, sampling moments against the mixture's analytic moments,
 * the NLL gradient and the theta gradient against finite differences (also
 * at gaussian_linear's shape, d = 10 with K = 10), clone, and a small
 * end-to-end fit of a linear-Gaussian conditional. */
#include "sbi_test.h"
#include "estimators/estimator.h"
#include "estimators/mdn.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"
#include "core/internal.h"

#define LOG_2PI 1.83787706640934548356

static double softplus_ref(double a) { return a > 30 ? a : log1p(exp(a)); }

/* An MDN with the reference initialisation plus uniform noise on every
 * parameter, so mixtures are far from the symmetric start. */
static sbi__estimator *make_mdn(int d, int xd, int K, int H, int layers, uint64_t seed,
                                double noise)
{
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, SBI_ESTIMATOR_MDN, d, xd);
    cfg.num_components = K;
    cfg.hidden_features = H;
    cfg.hidden_layers = layers;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, seed, 0));
    sbi__estimator *e = NULL;
    assert_ok(sbi__estimator_create(&cfg, rng, &e));
    for (int64_t i = 0; i < e->n_params; i++)
        e->params[i] += noise * (2 * sbi__rng_uniform(rng) - 1);
    sbi_rng_free(rng);
    return e;
}

static void test_config_and_errors(void **state)
{
    (void)state;
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, SBI_ESTIMATOR_MDN, 2, 3);
    assert_int_equal(cfg.hidden_features, 50);
    assert_int_equal(cfg.hidden_layers, 2);
    assert_int_equal(cfg.num_components, 10);
    assert_int_equal(cfg.num_transforms, 5);
    assert_int_equal(cfg.num_bins, 10);
    sbi__estimator *e = NULL;
    assert_ok(sbi__estimator_create(&cfg, NULL, &e));
    /* trunk 3->50->50, heads 50 -> 10*(1 + 2*2 + 1) = 60 */
    assert_int_equal(e->n_params, (3 * 50 + 50) + (50 * 50 + 50) + (50 * 60 + 60));
    for (int64_t i = 0; i < e->n_params; i++) assert_true(e->params[i] == 0.0);
    assert_string_equal(e->ops->name, "mdn");
    sbi__estimator_free(e);

    sbi__estimator_config bad = cfg;
    bad.kind = 77;
    assert_status(sbi__estimator_create(&bad, NULL, &e), SBI_EINVAL);
    bad = cfg;
    bad.theta_dim = 0;
    assert_status(sbi__estimator_create(&bad, NULL, &e), SBI_EINVAL);
    bad = cfg;
    bad.num_components = 0;
    assert_status(sbi__estimator_create(&bad, NULL, &e), SBI_EINVAL);
    bad = cfg;
    bad.hidden_layers = 0;
    assert_status(sbi__estimator_create(&bad, NULL, &e), SBI_EINVAL);
    /* An absurd size (as from a corrupt file) is refused before allocating. */
    bad = cfg;
    bad.theta_dim = 90000;
    bad.num_components = 90000;
    assert_status(sbi__estimator_create(&bad, NULL, &e), SBI_EINVAL);
    assert_null(e);
    sbi__estimator_free(NULL);
}

static void test_reference_initialisation(void **state)
{
    (void)state;
    sbi__estimator *e = make_mdn(3, 4, 10, 50, 2, 11, 0.0);
    sbi__mdn_layout L;
    sbi__mdn_get_layout(e, &L);
    assert_int_equal(L.T, 10 * (1 + 6 + 3));
    const int64_t H = 50;
    const double *W = e->params + L.head_w_off, *b = e->params + L.head_b_off;
    const double diag_bias = log(exp(1 - 1e-4) - 1);
    double ss = 0;
    int64_t cnt = 0;
    for (int64_t r = 0; r < L.T; r++) {
        const int is_mean = r >= L.o_mu && r < L.o_diag;
        for (int64_t i = 0; i < H; i++) {
            double w = W[r * H + i];
            if (is_mean) {
                assert_true(fabs(w) < 1.0 / sqrt(50.0)); /* PyTorch default */
            } else {
                ss += w * w;
                cnt++;
            }
        }
        if (r >= L.o_diag && r < L.o_up) assert_close(b[r], diag_bias, 1e-15, 0);
        if (r >= L.o_up) assert_true(b[r] == 0.0);
        if (r < L.K) assert_true(fabs(b[r]) < 6e-4);
    }
    /* N(0, 1e-4^2) weights: sample variance within 5 %. (3500 draws: se 2.4 %) */
    assert_close(ss / (double)cnt, 1e-8, 0.08, 0);
    /* At initialisation the mixture is near uniform with A = (1-1e-4) I. */
    double x[4] = {0.3, -1.0, 2.0, 0.1}, logw[10], A[10 * 9];
    assert_ok(sbi__mdn_mixture(e, x, logw, NULL, A));
    for (int k = 0; k < 10; k++) {
        assert_close(logw[k], -log(10.0), 0, 1e-2);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double a = A[k * 9 + i * 3 + j];
                if (i == j) assert_close(a, 1 - 1e-4, 0, 1e-2);
                else assert_close(a, 0.0, 0, 1e-2);
            }
    }
    sbi__estimator_free(e);
}

/* log q by hand from the head outputs for any K, d <= 16: explicit matrices
 * P_k = A_k^T A_k + eps I and a max-shifted sum over components in the log
 * domain (so it also works where densities underflow). */
static double log_prob_by_hand(const sbi__mdn_layout *L, const double *o, const double *th)
{
    const int d = L->d, K = L->K;
    double lmax = o[0], lse = 0, c[64], cmax = -INFINITY;
    for (int k = 1; k < K; k++) lmax = fmax(lmax, o[k]);
    for (int k = 0; k < K; k++) lse += exp(o[k] - lmax);
    lse = lmax + log(lse);
    for (int k = 0; k < K; k++) {
        double A[16][16] = {{0}}, P[16][16], delta[16];
        int u = 0;
        double logdet = 0;
        for (int i = 0; i < d; i++) {
            const double a = o[L->o_diag + k * d + i];
            A[i][i] = softplus_ref(a);
            logdet += a < -30 ? a : log(A[i][i]);
            for (int j = i + 1; j < d; j++) A[i][j] = o[L->o_up + k * L->n_upper + u++];
            delta[i] = th[i] - o[L->o_mu + k * d + i];
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = (i == j) ? 1e-4 : 0;
                for (int l = 0; l < d; l++) s += A[l][i] * A[l][j];
                P[i][j] = s;
            }
        double q = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) q += delta[i] * P[i][j] * delta[j];
        c[k] = o[k] - lse - 0.5 * d * LOG_2PI + logdet - 0.5 * q;
        cmax = fmax(cmax, c[k]);
    }
    double total = 0;
    for (int k = 0; k < K; k++) total += exp(c[k] - cmax);
    return cmax + log(total);
}

static void test_log_prob_matches_hand_computation(void **state)
{
    (void)state;
    const int shapes[][2] = {{2, 1}, {2, 2}, {3, 4}, {1, 3}, {5, 2}}; /* d, K */
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int d = shapes[s][0], K = shapes[s][1], xd = 3, n = 17;
        sbi__estimator *e = make_mdn(d, xd, K, 8, 2, 100 + s, 0.3);
        sbi__mdn_layout L;
        sbi__mdn_get_layout(e, &L);
        sbi_rng *rng = NULL;
        assert_ok(sbi_rng_create(&rng, 5, s));
        double x[17 * 3], th[17 * 5], lp[17], o[200];
        for (int i = 0; i < n * xd; i++) x[i] = 2 * sbi__rng_uniform(rng) - 1;
        for (int i = 0; i < n * d; i++) th[i] = 2 * sbi__rng_normal(rng);
        assert_ok(e->ops->log_prob(e, n, th, x, lp));
        for (int r = 0; r < n; r++) {
            assert_ok(sbi__mdn_head(e, x + r * xd, o));
            assert_close(lp[r], log_prob_by_hand(&L, o, th + r * d), 1e-11, 1e-11);
        }
        sbi_rng_free(rng);
        sbi__estimator_free(e);
    }
}

/* K=1, d=2: the density is exactly N(mu, Sigma) with Sigma^-1 = A^T A,
 * times exp(-eps/2 |delta|^2) (the reference's ridge in the quadratic form
 * only). Built from the mixture parameters with a 2x2 inverse. */
static void test_single_gaussian_closed_form(void **state)
{
    (void)state;
    sbi__estimator *e = make_mdn(2, 2, 1, 8, 2, 7, 0.5);
    const double x[2] = {0.4, -0.7};
    double logw, mu[2], A[4];
    assert_ok(sbi__mdn_mixture(e, x, &logw, mu, A));
    assert_close(logw, 0.0, 0, 1e-15);
    /* Sigma = (A^T A)^-1 */
    const double p00 = A[0] * A[0], p01 = A[0] * A[1], p11 = A[1] * A[1] + A[3] * A[3];
    const double det = p00 * p11 - p01 * p01;
    const double s00 = p11 / det, s01 = -p01 / det, s11 = p00 / det;
    const double sdet = s00 * s11 - s01 * s01;
    for (int t = 0; t < 5; t++) {
        double th[2] = {mu[0] + 0.3 * t - 0.5, mu[1] - 0.2 * t + 0.1}, lp, xx[2] = {x[0], x[1]};
        assert_ok(e->ops->log_prob(e, 1, th, xx, &lp));
        double d0 = th[0] - mu[0], d1 = th[1] - mu[1];
        /* Gaussian with covariance Sigma via Sigma's own inverse */
        double i00 = s11 / sdet, i01 = -s01 / sdet, i11 = s00 / sdet;
        double gauss = -LOG_2PI - 0.5 * log(sdet) - 0.5 * (d0 * d0 * i00 + 2 * d0 * d1 * i01 + d1 * d1 * i11);
        assert_close(lp, gauss - 0.5e-4 * (d0 * d0 + d1 * d1), 1e-12, 1e-12);
    }
    sbi__estimator_free(e);
}

/* Total mass of the reference density: sum_k w_k det(I + eps Sigma_k)^-1/2,
 * i.e. sum_k w_k prod_i A_k,ii / sqrt(det P_k). */
static double predicted_mass(const sbi__estimator *e, const double *x, int d, int K)
{
    double logw[8], A[8 * 4];
    assert_ok(sbi__mdn_mixture(e, x, logw, NULL, A));
    double mass = 0;
    for (int k = 0; k < K; k++) {
        const double *a = A + k * d * d;
        double ratio;
        if (d == 1) {
            ratio = a[0] / sqrt(a[0] * a[0] + 1e-4);
        } else {
            double p00 = a[0] * a[0] + 1e-4, p01 = a[0] * a[1];
            double p11 = a[1] * a[1] + a[3] * a[3] + 1e-4;
            ratio = a[0] * a[3] / sqrt(p00 * p11 - p01 * p01);
        }
        mass += exp(logw[k]) * ratio;
    }
    return mass;
}

static void test_density_integrates_to_one(void **state)
{
    (void)state;
    /* 1-D, 3 components: trapezoid rule on a fine grid (spectrally accurate
     * for Gaussians); the mass must equal the predicted value, within 1e-4 of 1. */
    {
        sbi__estimator *e = make_mdn(1, 2, 3, 8, 2, 21, 0.4);
        const double x[2] = {0.2, 0.9};
        const int n = 4001;
        const double lo = -30, hi = 30, h = (hi - lo) / (n - 1);
        double *th = malloc(sizeof(double) * n), *xs = malloc(sizeof(double) * 2 * n);
        double *lp = malloc(sizeof(double) * n);
        for (int i = 0; i < n; i++) {
            th[i] = lo + h * i;
            xs[2 * i] = x[0];
            xs[2 * i + 1] = x[1];
        }
        assert_ok(e->ops->log_prob(e, n, th, xs, lp));
        double mass = 0;
        for (int i = 0; i < n; i++) mass += exp(lp[i]) * h;
        assert_close(mass, predicted_mass(e, x, 1, 3), 1e-9, 0);
        assert_close(mass, 1.0, 0, 1e-4);
        assert_true(exp(lp[0]) < 1e-12 && exp(lp[n - 1]) < 1e-12); /* grid covers the mass */
        free(th);
        free(xs);
        free(lp);
        sbi__estimator_free(e);
    }
    /* 2-D, 2 components, 2-D trapezoid. */
    {
        sbi__estimator *e = make_mdn(2, 2, 2, 8, 2, 22, 0.4);
        const double x[2] = {-0.5, 0.3};
        const int m = 301;
        const double lo = -15, hi = 15, h = (hi - lo) / (m - 1);
        double *th = malloc(sizeof(double) * 2 * m), *xs = malloc(sizeof(double) * 2 * m);
        double *lp = malloc(sizeof(double) * m);
        double mass = 0, edge = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                th[2 * j] = lo + h * i;
                th[2 * j + 1] = lo + h * j;
                xs[2 * j] = x[0];
                xs[2 * j + 1] = x[1];
            }
            assert_ok(e->ops->log_prob(e, m, th, xs, lp));
            for (int j = 0; j < m; j++) {
                mass += exp(lp[j]) * h * h;
                if (i == 0 || i == m - 1 || j == 0 || j == m - 1)
                    edge = fmax(edge, exp(lp[j]));
            }
        }
        assert_true(edge < 1e-12);
        assert_close(mass, predicted_mass(e, x, 2, 2), 1e-8, 0);
        assert_close(mass, 1.0, 0, 2e-4);
        free(th);
        free(xs);
        free(lp);
        sbi__estimator_free(e);
    }
}

static void test_sampling_moments(void **state)
{
    (void)state;
    enum { D = 3, K = 3, N = 200000 };
    sbi__estimator *e = make_mdn(D, 2, K, 8, 2, 31, 0.4);
    const double x[2] = {0.6, -0.2};
    double logw[K], mu[K * D], A[K * D * D];
    assert_ok(sbi__mdn_mixture(e, x, logw, mu, A));
    /* Analytic mixture moments with Sigma_k = (A_k^T A_k)^-1 = A^-1 A^-T (sampling uses A). */
    double mean[D] = {0}, cov[D][D] = {{0}};
    for (int k = 0; k < K; k++) {
        const double *a = A + k * D * D, w = exp(logw[k]);
        double inv[D][D] = {{0}}; /* A^-1, upper triangular, by back substitution */
        for (int c = 0; c < D; c++)
            for (int i = D - 1; i >= 0; i--) {
                double s = (i == c) ? 1.0 : 0.0;
                for (int j = i + 1; j < D; j++) s -= a[i * D + j] * inv[j][c];
                inv[i][c] = s / a[i * D + i];
            }
        for (int i = 0; i < D; i++) {
            mean[i] += w * mu[k * D + i];
            for (int j = 0; j < D; j++) {
                double s = 0;
                for (int l = 0; l < D; l++) s += inv[i][l] * inv[j][l];
                cov[i][j] += w * (s + mu[k * D + i] * mu[k * D + j]);
            }
        }
    }
    for (int i = 0; i < D; i++)
        for (int j = 0; j < D; j++) cov[i][j] -= mean[i] * mean[j];
    double *s = malloc(sizeof(double) * N * D);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 99, 0));
    assert_ok(e->ops->sample(e, x, N, rng, s));
    double em[D] = {0}, ec[D][D] = {{0}};
    for (int r = 0; r < N; r++)
        for (int i = 0; i < D; i++) em[i] += s[r * D + i] / N;
    for (int r = 0; r < N; r++)
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++)
                ec[i][j] += (s[r * D + i] - em[i]) * (s[r * D + j] - em[j]) / (N - 1);
    for (int i = 0; i < D; i++) {
        /* 5 standard errors of the mean */
        assert_close(em[i], mean[i], 0, 5 * sqrt(cov[i][i] / N));
        for (int j = 0; j < D; j++) {
            /* Var of a sample covariance entry <= (c_ii c_jj + c_ij^2) * kurtosis slack 3 */
            double se = sqrt(3 * (cov[i][i] * cov[j][j] + cov[i][j] * cov[i][j]) / N);
            assert_close(ec[i][j], cov[i][j], 0, 5 * se);
        }
    }
    /* Same seed, same samples; n=1 calls reproduce the stream too. */
    double s2[4 * D], s3[4 * D];
    assert_ok(sbi_rng_reset(rng, 7, 1));
    assert_ok(e->ops->sample(e, x, 4, rng, s2));
    assert_ok(sbi_rng_reset(rng, 7, 1));
    for (int r = 0; r < 4; r++) assert_ok(e->ops->sample(e, x, 1, rng, s3 + r * D));
    assert_memory_equal(s2, s3, sizeof s2);
    free(s);
    sbi_rng_free(rng);
    sbi__estimator_free(e);
}

typedef struct nll_ctx {
    sbi__estimator *e;
    int64_t n;
    const double *th, *x;
    double *scratch_grad;
} nll_ctx;

static int nll_value(void *ctx, const double *v, double *value)
{
    nll_ctx *c = ctx;
    (void)v; /* v is e->params itself, perturbed in place */
    double lp[16];
    int rc = c->e->ops->log_prob(c->e, c->n, c->th, c->x, lp);
    if (rc != SBI_OK) return rc;
    double s = 0;
    for (int64_t i = 0; i < c->n; i++) s -= lp[i];
    *value = s / (double)c->n;
    return SBI_OK;
}

static void test_nll_gradient(void **state)
{
    (void)state;
    const int shapes[][3] = {{3, 3, 2}, {1, 2, 3}, {2, 1, 1}, {4, 2, 2}}; /* d, K, layers */
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int d = shapes[s][0], K = shapes[s][1], xd = 2, n = 6;
        sbi__estimator *e = make_mdn(d, xd, K, 7, shapes[s][2], 200 + s, 0.3);
        sbi_rng *rng = NULL;
        assert_ok(sbi_rng_create(&rng, 9, s));
        double x[6 * 2], th[6 * 4], lp[6];
        for (int i = 0; i < n * xd; i++) x[i] = 2 * sbi__rng_uniform(rng) - 1;
        for (int i = 0; i < n * d; i++) th[i] = 1.5 * sbi__rng_normal(rng);
        double *g = malloc(sizeof(double) * (size_t)e->n_params), loss;
        assert_ok(e->ops->nll_grad(e, n, th, x, &loss, g));
        assert_ok(e->ops->log_prob(e, n, th, x, lp));
        double mean = 0;
        for (int i = 0; i < n; i++) mean -= lp[i] / n;
        assert_close(loss, mean, 1e-13, 1e-13);
        nll_ctx ctx = {e, n, th, x, NULL};
        int64_t worst;
        double fd;
        double err = sbi__gradcheck(nll_value, &ctx, e->params, e->n_params, g, 1e-6, &worst, &fd);
        if (!(err >= 0 && err < 1e-6))
            print_error("shape %zu: err %g at param %lld: analytic %g fd %g\n", s, err,
                        (long long)worst, worst >= 0 ? g[worst] : 0.0, fd);
        assert_true(err >= 0 && err < 1e-6);
        /* A second call with a smaller batch reuses the scratch and agrees. */
        double loss2;
        assert_ok(e->ops->nll_grad(e, 3, th, x, &loss2, g));
        assert_close(loss2, -(lp[0] + lp[1] + lp[2]) / 3, 1e-13, 1e-13);
        free(g);
        sbi_rng_free(rng);
        sbi__estimator_free(e);
    }
}

/* The gaussian_linear shape: d = 10, K = 10, x_dim = 10 (T = 660 head
 * outputs, 45 upper entries per component). log_prob against the explicit
 * matrices, and the NLL gradient w.r.t. every parameter against central
 * finite differences (a narrow trunk keeps the parameter count small; the
 * head, where the d-dependent code lives, is complete). */
static void test_ten_dimensions_ten_components(void **state)
{
    (void)state;
    enum { D = 10, K = 10, XD = 10, N = 7 };
    sbi__estimator *e = make_mdn(D, XD, K, 5, 2, 410, 0.3);
    sbi__mdn_layout L;
    sbi__mdn_get_layout(e, &L);
    assert_int_equal(L.T, K * (1 + 2 * D + D * (D - 1) / 2));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 11, 0));
    double x[N * XD], th[N * D], lp[N];
    double *o = malloc(sizeof(double) * (size_t)L.T);
    for (int i = 0; i < N * XD; i++) x[i] = 2 * sbi__rng_normal(rng);
    for (int i = 0; i < N * D; i++) th[i] = 1.5 * sbi__rng_normal(rng);
    assert_ok(e->ops->log_prob(e, N, th, x, lp));
    for (int r = 0; r < N; r++) {
        assert_ok(sbi__mdn_head(e, x + r * XD, o));
        assert_close(lp[r], log_prob_by_hand(&L, o, th + r * D), 1e-11, 1e-11);
    }
    double *g = malloc(sizeof(double) * (size_t)e->n_params), loss;
    assert_ok(e->ops->nll_grad(e, N, th, x, &loss, g));
    double mean = 0;
    for (int i = 0; i < N; i++) mean -= lp[i] / N;
    assert_close(loss, mean, 1e-12, 1e-12);
    nll_ctx ctx = {e, N, th, x, NULL};
    int64_t worst;
    double fd;
    const double err = sbi__gradcheck(nll_value, &ctx, e->params, e->n_params, g, 1e-6, &worst, &fd);
    print_message("d=10 K=10: %lld parameters, worst relative FD error %.2g\n",
                  (long long)e->n_params, err);
    if (!(err >= 0 && err < 1e-6))
        print_error("d=10 K=10: err %g at param %lld: analytic %g fd %g\n", err, (long long)worst,
                    worst >= 0 ? g[worst] : 0.0, fd);
    assert_true(err >= 0 && err < 1e-6);
    free(g);
    free(o);
    sbi_rng_free(rng);
    sbi__estimator_free(e);
}

/* Precision factors with A_ii ~ e^-400: prod_i A_ii underflows, so log_prob
 * and the gradient take the log-domain path; both still agree with the hand
 * computation and finite differences. */
static void test_underflowing_scales_use_log_domain(void **state)
{
    (void)state;
    sbi__estimator *e = make_mdn(2, 2, 2, 6, 1, 77, 0.3);
    sbi__mdn_layout L;
    sbi__mdn_get_layout(e, &L);
    const int64_t H = 6;
    for (int64_t r = L.o_diag; r < L.o_up; r++) {
        for (int64_t i = 0; i < H; i++) e->params[L.head_w_off + r * H + i] *= 0.01;
        e->params[L.head_b_off + r] = -400.0 - (double)(r - L.o_diag);
    }
    double x[3 * 2] = {0.2, -0.4, 0.9, 0.1, -0.5, -0.5}, th[3 * 2] = {1, 2, -30, 10, 400, -300};
    double lp[3], o[64];
    assert_ok(e->ops->log_prob(e, 3, th, x, lp));
    for (int r = 0; r < 3; r++) {
        assert_ok(sbi__mdn_head(e, x + 2 * r, o));
        assert_true(lp[r] < -700);
        assert_close(lp[r], log_prob_by_hand(&L, o, th + 2 * r), 1e-12, 0);
    }
    double *g = malloc(sizeof(double) * (size_t)e->n_params), loss;
    assert_ok(e->ops->nll_grad(e, 3, th, x, &loss, g));
    nll_ctx ctx = {e, 3, th, x, NULL};
    double err = sbi__gradcheck(nll_value, &ctx, e->params, e->n_params, g, 1e-6, NULL, NULL);
    assert_true(err >= 0 && err < 1e-6);
    free(g);
    sbi__estimator_free(e);
}

typedef struct theta_ctx {
    sbi__estimator *e;
    const double *x;
    int d;
} theta_ctx;

static int lp_theta(void *ctx, const double *v, double *value)
{
    theta_ctx *c = ctx;
    double xs[3];
    memcpy(xs, c->x, sizeof xs);
    return c->e->ops->log_prob(c->e, 1, v, xs, value);
}

static void test_log_prob_grad_theta(void **state)
{
    (void)state;
    for (int d = 1; d <= 4; d++) {
        sbi__estimator *e = make_mdn(d, 3, 3, 8, 2, 300 + d, 0.3);
        const double x[3] = {0.1, -0.4, 0.8};
        sbi_rng *rng = NULL;
        assert_ok(sbi_rng_create(&rng, 3, d));
        double th[5 * 4], lp[5], lp2[5], g[5 * 4], xs[5 * 3];
        for (int i = 0; i < 5 * d; i++) th[i] = 1.5 * sbi__rng_normal(rng);
        for (int r = 0; r < 5; r++) memcpy(xs + 3 * r, x, sizeof x);
        assert_ok(e->ops->log_prob_grad_theta(e, 5, th, x, lp, g));
        assert_ok(e->ops->log_prob(e, 5, th, xs, lp2));
        theta_ctx ctx = {e, x, d};
        for (int r = 0; r < 5; r++) {
            assert_close(lp[r], lp2[r], 1e-13, 1e-13);
            double err = sbi__gradcheck(lp_theta, &ctx, th + r * d, d, g + r * d, 1e-6, NULL, NULL);
            assert_true(err >= 0 && err < 1e-7);
        }
        sbi_rng_free(rng);
        sbi__estimator_free(e);
    }
}

static void test_clone_and_extremes(void **state)
{
    (void)state;
    sbi__estimator *e = make_mdn(2, 3, 4, 8, 2, 41, 0.3), *c = NULL;
    assert_ok(sbi__estimator_clone(e, &c));
    assert_int_equal(c->n_params, e->n_params);
    assert_memory_equal(c->params, e->params, sizeof(double) * (size_t)e->n_params);
    double x[3] = {0.5, 0.5, -1}, th[2] = {0.3, 0.1}, a, b;
    assert_ok(e->ops->log_prob(e, 1, th, x, &a));
    assert_ok(c->ops->log_prob(c, 1, th, x, &b));
    assert_true(a == b);
    /* Far-away theta: finite, very negative log density (no overflow). */
    double far[2] = {1e3, -1e3};
    assert_ok(e->ops->log_prob(e, 1, far, x, &a));
    assert_true(isfinite(a) && a < -1e4);
    /* Extreme diagonal pre-activations keep log_prob finite. */
    sbi__mdn_layout L;
    sbi__mdn_get_layout(e, &L);
    c->params[L.head_b_off + L.o_diag] = -60.0;
    c->params[L.head_b_off + L.o_diag + 1] = 60.0;
    assert_ok(c->ops->log_prob(c, 1, th, x, &b));
    assert_true(isfinite(b));
    assert_ok(e->ops->log_prob(e, 0, NULL, NULL, NULL));
    assert_status(e->ops->log_prob(e, -1, th, x, &a), SBI_EINVAL);
    sbi__estimator_free(c);
    sbi__estimator_free(e);
}

/* theta = 1.5 x0 - 0.5 x1 + 0.3 + 0.4 eps: train the default-width MDN with
 * Adam for 900 steps of 200 rows (20 000 rows: fewer let the net overfit
 * by ~0.05 near the corners) and read off the conditional mean and std. */
static void test_end_to_end_fit(void **state)
{
    (void)state;
    enum { N = 20000, B = 200, STEPS = 900 };
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, SBI_ESTIMATOR_MDN, 1, 2);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 2024, 0));
    sbi__estimator *e = NULL;
    assert_ok(sbi__estimator_create(&cfg, rng, &e));
    double *x = malloc(sizeof(double) * N * 2), *th = malloc(sizeof(double) * N);
    for (int i = 0; i < N; i++) {
        x[2 * i] = 2 * sbi__rng_uniform(rng) - 1;
        x[2 * i + 1] = 2 * sbi__rng_uniform(rng) - 1;
        th[i] = 1.5 * x[2 * i] - 0.5 * x[2 * i + 1] + 0.3 + 0.4 * sbi__rng_normal(rng);
    }
    sbi__adam opt;
    assert_ok(sbi__adam_init(&opt, e->n_params, 1e-3));
    double *g = malloc(sizeof(double) * (size_t)e->n_params), loss = 0;
    double bx[B * 2], bt[B];
    for (int s = 0; s < STEPS; s++) {
        for (int r = 0; r < B; r++) {
            int i = (int)(sbi__rng_u64(rng) % N);
            bx[2 * r] = x[2 * i];
            bx[2 * r + 1] = x[2 * i + 1];
            bt[r] = th[i];
        }
        assert_ok(e->ops->nll_grad(e, B, bt, bx, &loss, g));
        sbi__clip_grad_norm(g, e->n_params, 5.0);
        opt.lr = s < 2 * STEPS / 3 ? 3e-3 : 3e-4; /* a final low-rate phase averages out SGD noise */
        sbi__adam_step(&opt, e->params, g);
    }
    /* Optimal loss: 0.5 log(2 pi e 0.16) = 0.5027 */
    assert_true(loss < 0.65);
    const double probes[][2] = {{0, 0}, {0.5, -0.5}, {-0.6, 0.2}, {0.8, 0.7}};
    for (int p = 0; p < 4; p++) {
        double logw[10], mu[10], A[10], m = 0, m2 = 0;
        assert_ok(sbi__mdn_mixture(e, probes[p], logw, mu, A));
        for (int k = 0; k < 10; k++) {
            double w = exp(logw[k]), var = 1.0 / (A[k] * A[k]);
            m += w * mu[k];
            m2 += w * (var + mu[k] * mu[k]);
        }
        const double sd = sqrt(m2 - m * m);
        const double want = 1.5 * probes[p][0] - 0.5 * probes[p][1] + 0.3;
        print_message("probe %d: mean %.4f (want %.4f) sd %.4f loss %.4f\n", p, m, want, sd, loss);
        assert_close(m, want, 0, 0.05);
        assert_close(sd, 0.4, 0.10, 0);
    }
    sbi__adam_destroy(&opt);
    free(g);
    free(x);
    free(th);
    sbi_rng_free(rng);
    sbi__estimator_free(e);
}

/* Every estimator call with every allocation failing in turn: SBI_ENOMEM,
 * no leak (under ASan), nothing left half-built. Only meaningful in a build
 * with -DSBI_FAULT_INJECTION=ON; elsewhere the loop runs once. */
static int exercise_mdn(sbi_rng *rng)
{
    sbi__estimator_config cfg;
    sbi__estimator_config_default(&cfg, SBI_ESTIMATOR_MDN, 2, 3);
    cfg.hidden_features = 6;
    cfg.num_components = 2;
    sbi__estimator *e = NULL, *c = NULL;
    double x[3 * 4] = {0.1, 0.2, 0.3, -0.1, 0.5, 0.0, 1.0, 1.0, -1.0, 0.3, 0.3, 0.3};
    double th[2 * 4] = {0.1, -0.2, 0.5, 0.5, -1.0, 0.0, 0.2, 0.2}, lp[4], g2[8], s[10];
    int rc = sbi__estimator_create(&cfg, rng, &e);
    if (rc != SBI_OK) return rc;
    double *grad = malloc(sizeof(double) * (size_t)e->n_params), loss;
    rc = e->ops->nll_grad(e, 4, th, x, &loss, grad);
    if (rc == SBI_OK) rc = e->ops->nll_grad(e, 2, th, x, &loss, grad);
    if (rc == SBI_OK) rc = e->ops->log_prob(e, 4, th, x, lp);
    if (rc == SBI_OK) rc = e->ops->log_prob_grad_theta(e, 4, th, x, lp, g2);
    if (rc == SBI_OK) rc = e->ops->sample(e, x, 5, rng, s);
    if (rc == SBI_OK) rc = sbi__mdn_mixture(e, x, lp, NULL, NULL);
    if (rc == SBI_OK) rc = sbi__estimator_clone(e, &c);
    if (rc == SBI_OK) rc = c->ops->nll_grad(c, 4, th, x, &loss, grad);
    free(grad);
    sbi__estimator_free(c);
    sbi__estimator_free(e);
    return rc;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    int64_t k;
    for (k = 1; k < 1000; k++) {
        sbi__fault_arm(k);
        const int rc = exercise_mdn(rng);
        const int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            break;
        }
        assert_int_equal(rc, SBI_ENOMEM);
    }
    if (k == 1) print_message("(no fault injection in this build: ran once)\n");
    else print_message("%lld allocation sites failed in turn\n", (long long)(k - 1));
    sbi_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_and_errors),
        cmocka_unit_test(test_reference_initialisation),
        cmocka_unit_test(test_log_prob_matches_hand_computation),
        cmocka_unit_test(test_single_gaussian_closed_form),
        cmocka_unit_test(test_density_integrates_to_one),
        cmocka_unit_test(test_sampling_moments),
        cmocka_unit_test(test_nll_gradient),
        cmocka_unit_test(test_ten_dimensions_ten_components),
        cmocka_unit_test(test_log_prob_grad_theta),
        cmocka_unit_test(test_underflowing_scales_use_log_domain),
        cmocka_unit_test(test_clone_and_extremes),
        cmocka_unit_test(test_end_to_end_fit),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("mdn", tests, NULL, NULL);
}
