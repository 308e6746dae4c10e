/* nn core: BLAS products against plain loops, dense layers and activations
 * against finite differences, MLP gradients (also masked), initialisation
 * bounds, Adam against hand-computed steps, gradient clipping. */
#include "sbi_test.h"
#include "nn/nn.h"
#include "rng/rng_internal.h"

static void fill_uniform(sbi_rng *rng, int64_t n, double *v, double lo, double hi)
{
    for (int64_t i = 0; i < n; i++) v[i] = lo + (hi - lo) * sbi__rng_uniform(rng);
}

static void test_gemm_matches_loops(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    const int64_t shapes[][3] = {{1, 5, 3}, {7, 4, 6}, {1, 1, 9}, {13, 11, 1}, {40, 50, 30}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int bt = 0; bt < 2; bt++) {
                    double *a = malloc(sizeof(double) * (size_t)(m * k));
                    double *b = malloc(sizeof(double) * (size_t)(k * n));
                    double *c1 = malloc(sizeof(double) * (size_t)(m * n));
                    double *c2 = malloc(sizeof(double) * (size_t)(m * n));
                    fill_uniform(rng, m * k, a, -1, 1);
                    fill_uniform(rng, k * n, b, -1, 1);
                    fill_uniform(rng, m * n, c1, -1, 1);
                    memcpy(c2, c1, sizeof(double) * (size_t)(m * n));
                    const int64_t lda = ta ? m : k, ldb = tb ? k : n;
                    const double beta = bt ? 0.5 : 0.0;
                    sbi__gemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, beta, c1, n);
                    sbi__gemm_ref(ta, tb, m, n, k, 1.5, a, lda, b, ldb, beta, c2, n);
                    for (int64_t i = 0; i < m * n; i++) assert_close(c1[i], c2[i], 1e-12, 1e-12);
                    free(a);
                    free(b);
                    free(c1);
                    free(c2);
                }
    }
    sbi_rng_free(rng);
}

/* A layer with params at an offset, to catch offset mistakes. */
enum { IN = 6, OUT = 4, OFF = 3 };

static void make_mask(double *mask)
{
    for (int o = 0; o < OUT; o++)
        for (int i = 0; i < IN; i++) mask[o * IN + i] = ((o + 2 * i) % 3 != 0) ? 1.0 : 0.0;
}

static void test_dense_blas_matches_reference(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 2, 0));
    double mask[OUT * IN];
    make_mask(mask);
    for (int variant = 0; variant < 4; variant++) {
        sbi__dense l = {IN, OUT, OFF, OFF + IN * OUT, SBI__ACT_IDENTITY, NULL};
        if (variant & 1) l.mask = mask;
        if (variant & 2) l.b_off = -1;
        const int64_t np = OFF + IN * OUT + OUT;
        /* 1 row: dgemv; 9: dgemm(N,T); 20: transposed W and dgemm(N,N) */
        const int64_t rows[3] = {1, 9, 20};
        for (int t = 0; t < 3; t++) {
            const int64_t n = rows[t];
            double p[OFF + IN * OUT + OUT], x[20 * IN], y1[20 * OUT], y2[20 * OUT], dy[20 * OUT];
            double g1[OFF + IN * OUT + OUT], g2[OFF + IN * OUT + OUT], dx1[20 * IN], dx2[20 * IN];
            double wbuf[IN * OUT];
            fill_uniform(rng, np, p, -1, 1);
            fill_uniform(rng, n * IN, x, -2, 2);
            fill_uniform(rng, n * OUT, dy, -1, 1);
            sbi__dense_forward(&l, p, n, x, y1, wbuf);
            sbi__dense_forward_ref(&l, p, n, x, y2);
            for (int64_t i = 0; i < n * OUT; i++) assert_close(y1[i], y2[i], 1e-13, 1e-13);
            if (!l.mask) sbi__dense_forward(&l, p, n, x, y1, NULL); /* without scratch */
            for (int64_t i = 0; i < n * OUT; i++) assert_close(y1[i], y2[i], 1e-13, 1e-13);
            for (int acc = 0; acc < 2; acc++) {
                fill_uniform(rng, np, g1, -1, 1);
                if (l.mask)
                    for (int i = 0; i < IN * OUT; i++) g1[OFF + i] *= mask[i];
                memcpy(g2, g1, sizeof g1);
                sbi__dense_backward(&l, p, n, x, dy, g1, acc, dx1, wbuf);
                sbi__dense_backward_ref(&l, p, n, x, dy, g2, acc, dx2);
                for (int64_t i = OFF; i < OFF + IN * OUT + (l.b_off >= 0 ? OUT : 0); i++)
                    assert_close(g1[i], g2[i], 1e-13, 1e-13);
                for (int64_t i = 0; i < n * IN; i++) assert_close(dx1[i], dx2[i], 1e-13, 1e-13);
            }
        }
    }
    sbi_rng_free(rng);
}

/* Loss = sum(c .* f(v)) for a random c: its gradient with respect to the
 * output is c, which the backward passes turn into gradients. */
typedef struct dense_ctx {
    sbi__dense *l;
    int64_t n;
    double *p, *x, *c, *wbuf;
    int wrt_x; /* 1: v is x, 0: v is params */
} dense_ctx;

static int dense_loss(void *ctx, const double *v, double *value)
{
    dense_ctx *d = ctx;
    double y[8 * OUT];
    sbi__dense_forward(d->l, d->wrt_x ? d->p : v, d->n, d->wrt_x ? v : d->x, y, d->wbuf);
    double s = 0;
    for (int64_t i = 0; i < d->n * OUT; i++) s += d->c[i] * y[i];
    *value = s;
    return SBI_OK;
}

static void test_dense_gradients_finite_differences(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 3, 0));
    double mask[OUT * IN];
    make_mask(mask);
    for (int masked = 0; masked < 2; masked++) {
        sbi__dense l = {IN, OUT, OFF, OFF + IN * OUT, SBI__ACT_IDENTITY, masked ? mask : NULL};
        const int64_t n = 8, np = OFF + IN * OUT + OUT;
        double p[OFF + IN * OUT + OUT], x[8 * IN], c[8 * OUT], g[OFF + IN * OUT + OUT] = {0};
        double dx[8 * IN], wbuf[IN * OUT];
        fill_uniform(rng, np, p, -1, 1);
        fill_uniform(rng, n * IN, x, -2, 2);
        fill_uniform(rng, n * OUT, c, -1, 1);
        sbi__dense_backward(&l, p, n, x, c, g, 0, dx, wbuf);
        dense_ctx ctx = {&l, n, p, x, c, wbuf, 0};
        int64_t worst;
        /* Entries before OFF belong to no layer: gradient 0, and f ignores them. */
        double err = sbi__gradcheck(dense_loss, &ctx, p, np, g, 1e-6, &worst, NULL);
        assert_true(err >= 0 && err < 1e-8);
        ctx.wrt_x = 1;
        err = sbi__gradcheck(dense_loss, &ctx, x, n * IN, dx, 1e-6, &worst, NULL);
        assert_true(err >= 0 && err < 1e-8);
        if (masked)
            for (int i = 0; i < IN * OUT; i++)
                if (mask[i] == 0.0) assert_true(g[OFF + i] == 0.0);
    }
    sbi_rng_free(rng);
}

typedef struct act_ctx {
    sbi__act act;
    double *c;
    int64_t n;
} act_ctx;

static int act_loss(void *ctx, const double *v, double *value)
{
    act_ctx *a = ctx;
    double h[64];
    sbi__act_forward(a->act, a->n, v, h);
    double s = 0;
    for (int64_t i = 0; i < a->n; i++) s += a->c[i] * h[i];
    *value = s;
    return SBI_OK;
}

static void test_activations(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 4, 0));
    const sbi__act acts[] = {SBI__ACT_IDENTITY, SBI__ACT_RELU, SBI__ACT_TANH};
    for (int a = 0; a < 3; a++) {
        double z[64], h[64], c[64], d[64];
        fill_uniform(rng, 64, z, -3, 3);
        fill_uniform(rng, 64, c, -1, 1);
        sbi__act_forward(acts[a], 64, z, h);
        for (int i = 0; i < 64; i++) {
            double e = acts[a] == SBI__ACT_RELU ? (z[i] > 0 ? z[i] : 0)
                       : acts[a] == SBI__ACT_TANH ? tanh(z[i]) : z[i];
            assert_close(h[i], e, 1e-15, 0);
        }
        memcpy(d, c, sizeof d);
        sbi__act_backward(acts[a], 64, h, d);
        act_ctx ctx = {acts[a], c, 64};
        double err = sbi__gradcheck(act_loss, &ctx, z, 64, d, 1e-6, NULL, NULL);
        assert_true(err >= 0 && err < 1e-8);
        /* In place gives the same. */
        double zz[64];
        memcpy(zz, z, sizeof z);
        sbi__act_forward(acts[a], 64, zz, zz);
        assert_memory_equal(zz, h, sizeof h);
    }
    sbi_rng_free(rng);
}

typedef struct mlp_ctx {
    sbi__mlp *m;
    sbi__mlp_ws *ws;
    int64_t n;
    double *p, *x, *c;
    int wrt_x;
} mlp_ctx;

static int mlp_loss(void *ctx, const double *v, double *value)
{
    mlp_ctx *t = ctx;
    const double *y = sbi__mlp_forward(t->m, t->wrt_x ? t->p : v, t->n, t->wrt_x ? v : t->x, t->ws);
    double s = 0;
    for (int64_t i = 0; i < t->n * sbi__mlp_out(t->m); i++) s += t->c[i] * y[i];
    *value = s;
    return SBI_OK;
}

static void check_mlp(sbi_rng *rng, sbi__act hidden, sbi__act last, int masked)
{
    const int32_t sizes[] = {3, 7, 5, 2};
    sbi__mlp m;
    assert_ok(sbi__mlp_init(&m, 4, sizes, hidden, last, 2));
    assert_int_equal(m.n_params, 3 * 7 + 7 + 7 * 5 + 5 + 5 * 2 + 2);
    assert_int_equal(m.max_width, 7);
    double mask[7 * 5];
    for (int i = 0; i < 35; i++) mask[i] = (i % 4 == 1) ? 0.0 : 1.0;
    if (masked) m.layers[1].mask = mask;
    sbi__mlp_ws ws = {0};
    const int64_t n = 6, np = 2 + m.n_params;
    assert_ok(sbi__mlp_ws_reserve(&ws, &m, n));
    double *p = calloc((size_t)np, sizeof(double)), *g = calloc((size_t)np, sizeof(double));
    double x[6 * 3], c[6 * 2], dx[6 * 3];
    sbi__mlp_init_params(&m, p, rng);
    fill_uniform(rng, n * 3, x, -2, 2);
    fill_uniform(rng, n * 2, c, -1, 1);
    const double *y = sbi__mlp_forward(&m, p, n, x, &ws);
    /* The one-row path (dgemv / direct masked dot products) agrees. */
    for (int64_t r = 0; r < n; r++) {
        double buf[2 * 7];
        const double *y1 = sbi__mlp_forward_one(&m, p, x + r * 3, buf);
        for (int j = 0; j < 2; j++) assert_close(y1[j], y[r * 2 + j], 1e-13, 1e-14);
    }
    sbi__mlp_forward(&m, p, n, x, &ws);
    sbi__mlp_backward(&m, p, n, x, &ws, c, g, 0, dx);
    mlp_ctx ctx = {&m, &ws, n, p, x, c, 0};
    int64_t worst;
    double err = sbi__gradcheck(mlp_loss, &ctx, p, np, g, 1e-6, &worst, NULL);
    if (!(err >= 0 && err < 1e-7)) print_error("mlp param grad err %g at %lld\n", err, (long long)worst);
    assert_true(err >= 0 && err < 1e-7);
    ctx.wrt_x = 1;
    err = sbi__gradcheck(mlp_loss, &ctx, x, n * 3, dx, 1e-6, &worst, NULL);
    assert_true(err >= 0 && err < 1e-7);
    if (masked)
        for (int i = 0; i < 35; i++)
            if (mask[i] == 0.0) {
                assert_true(p[m.layers[1].w_off + i] == 0.0); /* zeroed by init */
                assert_true(g[m.layers[1].w_off + i] == 0.0);
            }
    /* accumulate adds: a second backward with accumulate doubles the gradient */
    double *g2 = malloc(sizeof(double) * (size_t)np);
    memcpy(g2, g, sizeof(double) * (size_t)np);
    sbi__mlp_forward(&m, p, n, x, &ws);
    sbi__mlp_backward(&m, p, n, x, &ws, c, g2, 1, NULL);
    for (int64_t i = 2; i < np; i++) assert_close(g2[i], 2 * g[i], 1e-14, 1e-15);
    free(g2);
    free(p);
    free(g);
    sbi__mlp_ws_destroy(&ws);
    sbi__mlp_destroy(&m);
}

static void test_mlp_gradients(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 5, 0));
    check_mlp(rng, SBI__ACT_RELU, SBI__ACT_IDENTITY, 0);
    check_mlp(rng, SBI__ACT_TANH, SBI__ACT_IDENTITY, 0);
    check_mlp(rng, SBI__ACT_TANH, SBI__ACT_TANH, 1);
    check_mlp(rng, SBI__ACT_RELU, SBI__ACT_RELU, 1);
    sbi_rng_free(rng);
}

static void test_gradcheck_catches_wrong_gradient(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 6, 0));
    double z[64], c[64], d[64];
    fill_uniform(rng, 64, z, -3, 3);
    fill_uniform(rng, 64, c, -1, 1);
    memcpy(d, c, sizeof d);
    sbi__act_backward(SBI__ACT_TANH, 64, z, d); /* wrong: uses z instead of tanh(z) */
    act_ctx ctx = {SBI__ACT_TANH, c, 64};
    int64_t worst;
    assert_true(sbi__gradcheck(act_loss, &ctx, z, 64, d, 1e-6, &worst, NULL) > 1e-3);
    assert_true(worst >= 0);
    sbi_rng_free(rng);
}

static void test_default_init(void **state)
{
    (void)state;
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 7, 0));
    const int32_t sizes[] = {100, 400};
    sbi__mlp m;
    assert_ok(sbi__mlp_init(&m, 2, sizes, SBI__ACT_RELU, SBI__ACT_IDENTITY, 0));
    double *p = malloc(sizeof(double) * (size_t)m.n_params);
    sbi__mlp_init_params(&m, p, rng);
    const double bound = 0.1; /* 1/sqrt(100) */
    double s = 0, ss = 0;
    for (int64_t i = 0; i < m.n_params; i++) {
        assert_true(fabs(p[i]) < bound);
        s += p[i];
        ss += p[i] * p[i];
    }
    const double nn = (double)m.n_params;
    /* U(-b, b): mean 0, variance b^2/3; 40400 draws -> se(mean) 2.9e-4, se(var) ~1e-5. */
    assert_close(s / nn, 0.0, 0, 1.5e-3);
    assert_close(ss / nn, bound * bound / 3.0, 0.02, 0);
    free(p);
    sbi__mlp_destroy(&m);
    sbi_rng_free(rng);
}

static void test_adam_steps_by_hand(void **state)
{
    (void)state;
    sbi__adam a;
    assert_ok(sbi__adam_init(&a, 3, 0.01));
    double p[3] = {1.0, -2.0, 0.5};
    const double g1[3] = {0.3, -4.0, 0.0}, g2[3] = {-0.1, 1.0, 2.0};
    sbi__adam_step(&a, p, g1);
    /* Step 1: m_hat = g, v_hat = g^2: p -= lr * g / (|g| + eps). */
    assert_close(p[0], 1.0 - 0.01 * 0.3 / (0.3 + 1e-8), 1e-15, 0);
    assert_close(p[1], -2.0 + 0.01 * 4.0 / (4.0 + 1e-8), 1e-15, 0);
    assert_close(p[2], 0.5, 0, 0);
    double q[3] = {p[0], p[1], p[2]};
    sbi__adam_step(&a, p, g2);
    for (int i = 0; i < 3; i++) {
        double m = 0.9 * (0.1 * g1[i]) + 0.1 * g2[i];
        double v = 0.999 * (0.001 * g1[i] * g1[i]) + 0.001 * g2[i] * g2[i];
        double mh = m / (1 - 0.81), vh_sqrt = sqrt(v) / sqrt(1 - 0.999 * 0.999);
        assert_close(p[i], q[i] - 0.01 * mh / (vh_sqrt + 1e-8), 1e-12, 1e-15);
    }
    sbi__adam_reset(&a);
    assert_int_equal(a.t, 0);
    assert_true(a.m[1] == 0.0 && a.v[2] == 0.0);
    sbi__adam_destroy(&a);
    assert_status(sbi__adam_init(&a, 0, 0.01), SBI_EINVAL);
    assert_status(sbi__adam_init(&a, 3, -1.0), SBI_EINVAL);
}

static void test_clip(void **state)
{
    (void)state;
    double g[2] = {3.0, 4.0};
    assert_close(sbi__clip_grad_norm(g, 2, 10.0), 5.0, 1e-15, 0);
    assert_true(g[0] == 3.0 && g[1] == 4.0); /* below the limit: untouched */
    assert_close(sbi__clip_grad_norm(g, 2, 1.0), 5.0, 1e-15, 0);
    const double c = 1.0 / (5.0 + 1e-6);
    assert_close(g[0], 3.0 * c, 1e-15, 0);
    assert_close(g[1], 4.0 * c, 1e-15, 0);
    double g0[2] = {3.0, 4.0};
    sbi__clip_grad_norm(g0, 2, 0.0); /* disabled */
    assert_true(g0[0] == 3.0 && g0[1] == 4.0);
    double gn[2] = {NAN, 1.0};
    assert_true(isnan(sbi__clip_grad_norm(gn, 2, 5.0)));
}

static void test_layout_errors(void **state)
{
    (void)state;
    sbi__mlp m;
    const int32_t bad[] = {3, 0, 2};
    assert_status(sbi__mlp_init(&m, 3, bad, SBI__ACT_RELU, SBI__ACT_IDENTITY, 0), SBI_EINVAL);
    assert_status(sbi__mlp_init(&m, 1, bad, SBI__ACT_RELU, SBI__ACT_IDENTITY, 0), SBI_EINVAL);
    sbi__mlp_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_matches_loops),
        cmocka_unit_test(test_dense_blas_matches_reference),
        cmocka_unit_test(test_dense_gradients_finite_differences),
        cmocka_unit_test(test_activations),
        cmocka_unit_test(test_mlp_gradients),
        cmocka_unit_test(test_gradcheck_catches_wrong_gradient),
        cmocka_unit_test(test_default_init),
        cmocka_unit_test(test_adam_steps_by_hand),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_layout_errors),
    };
    return cmocka_run_group_tests_name("nn", tests, NULL, NULL);
}
