/* Posterior: rejection sampling to the prior's support (acceptance against
 * the analytic mass inside the box, the reference's batch schedule, the
 * proposal budget), z-scoring, log_prob with and without the leakage
 * correction against the analytic truncated density, MAP against the known
 * mode, batched and multi-threaded sampling, argument checks.
 *
 * The estimator here is a known one built by hand: in z-space
 * q(z | xz) = N(xz[0..d) * coupling + mu, diag(sd^2)), so every expected
 * value is analytic. */
#include <pthread.h>

#include "sbi_test.h"
#include "posterior/posterior_internal.h"
#include "rng/rng_internal.h"

/* ---- a known estimator ---------------------------------------------------- */

/* params: mu[d], log_sd[d], coupling (1 value: mean += coupling * xz[j]). */
static const double LOG_SQRT_2PI = 0.91893853320467274178;

/* Recording: sizes of the sample calls (for the batch schedule). */
static int64_t g_calls[4096];
static int g_n_calls;
static int g_record; /* only single-threaded tests record */

static void known_mean(const sbi__estimator *e, const double *xz, double *mean, double *sd)
{
    const int32_t d = e->config.theta_dim;
    const double c = e->params[2 * d];
    for (int32_t j = 0; j < d; j++) {
        mean[j] = e->params[j] + (j < e->config.x_dim ? c * xz[j] : 0.0);
        sd[j] = exp(e->params[d + j]);
    }
}

static int known_log_prob(const sbi__estimator *e, int64_t n, const double *z, const double *x,
                          double *out)
{
    const int32_t d = e->config.theta_dim;
    double mean[8], sd[8];
    for (int64_t i = 0; i < n; i++) {
        known_mean(e, x + i * e->config.x_dim, mean, sd);
        double lp = 0.0;
        for (int32_t j = 0; j < d; j++) {
            const double r = (z[i * d + j] - mean[j]) / sd[j];
            lp += -LOG_SQRT_2PI - log(sd[j]) - 0.5 * r * r;
        }
        out[i] = lp;
    }
    return SBI_OK;
}

static int known_grad_theta(const sbi__estimator *e, int64_t n, const double *z, const double *x,
                            double *out, double *grad)
{
    const int32_t d = e->config.theta_dim;
    double mean[8], sd[8];
    known_mean(e, x, mean, sd);
    for (int64_t i = 0; i < n; i++) {
        double lp = 0.0;
        for (int32_t j = 0; j < d; j++) {
            const double r = (z[i * d + j] - mean[j]) / sd[j];
            lp += -LOG_SQRT_2PI - log(sd[j]) - 0.5 * r * r;
            grad[i * d + j] = -r / sd[j];
        }
        out[i] = lp;
    }
    return SBI_OK;
}

static int known_sample(const sbi__estimator *e, const double *x, int64_t n, sbi_rng *rng,
                        double *out)
{
    const int32_t d = e->config.theta_dim;
    double mean[8], sd[8];
    known_mean(e, x, mean, sd);
    if (g_record && g_n_calls < 4096) g_calls[g_n_calls++] = n;
    for (int64_t i = 0; i < n; i++)
        for (int32_t j = 0; j < d; j++) out[i * d + j] = mean[j] + sd[j] * sbi__rng_normal(rng);
    return SBI_OK;
}

static const sbi__estimator_ops known_ops = {.name = "known",
                                             .log_prob = known_log_prob,
                                             .sample = known_sample,
                                             .log_prob_grad_theta = known_grad_theta};
/* Without the optional ops: the posterior's per-row and finite-difference paths. */
static const sbi__estimator_ops known_ops_no_grad = {.name = "known",
                                                     .log_prob = known_log_prob,
                                                     .sample = known_sample};

typedef struct fixture {
    sbi__estimator est;
    double params[17];
    sbi_posterior *post;
} fixture;

/* A posterior over d dims with the known estimator; the prior is taken.
 * theta = z * tscale + tshift; xz = (x - xshift) / xscale. */
static fixture *make(sbi_prior *prior, int32_t d, int32_t xd, const double *mu,
                     const double *sd, double coupling, const double *tshift,
                     const double *tscale, const double *xshift, const double *xscale)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->est.ops = &known_ops;
    f->est.config.kind = SBI_ESTIMATOR_MDN;
    f->est.config.theta_dim = d;
    f->est.config.x_dim = xd;
    f->est.n_params = 2 * d + 1;
    f->est.params = f->params;
    for (int32_t j = 0; j < d; j++) {
        f->params[j] = mu[j];
        f->params[d + j] = log(sd[j]);
    }
    f->params[2 * d] = coupling;
    assert_ok(sbi__posterior_assemble(&f->post, &f->est, prior, tshift, tscale, xshift, xscale,
                                      7, 100, 1.5));
    return f;
}

static void destroy(fixture *f)
{
    f->post->est = NULL; /* the estimator is the fixture's, not the library's */
    sbi_posterior_free(f->post);
    free(f);
}

static sbi_prior *box2(double l0, double h0, double l1, double h1)
{
    const double lo[2] = {l0, l1}, hi[2] = {h0, h1};
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_create_box_uniform(&p, 2, lo, hi));
    return p;
}

static double Phi(double v) { return 0.5 * erfc(-v / sqrt(2.0)); }
static double phi(double v) { return exp(-0.5 * v * v) / sqrt(2.0 * M_PI); }

static const double ONE[2] = {1.0, 1.0}, ZERO[2] = {0.0, 0.0};

/* ---- rejection sampling ----------------------------------------------------- */

static void test_acceptance_matches_box_mass(void **state)
{
    (void)state;
    const double mu[2] = {0.3, 0.0}, sd[2] = {1.0, 0.7};
    fixture *f = make(box2(-1.0, 1.0, -0.5, 2.0), 2, 2, mu, sd, 0.0, ZERO, ONE, ZERO, ONE);
    const double mass = (Phi((1.0 - 0.3) / 1.0) - Phi((-1.0 - 0.3) / 1.0)) *
                        (Phi(2.0 / 0.7) - Phi(-0.5 / 0.7));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 11, 0));
    const int64_t n = 40000;
    double *s = malloc(sizeof(double) * 2 * n);
    int64_t got = 0;
    double acc = 0.0;
    const double x[2] = {0.0, 0.0};
    assert_ok(sbi_posterior_sample_ex(f->post, rng, x, n, 0, s, &got, &acc));
    assert_int_equal(got, n);
    /* Standard error of the acceptance over >= 40 000 / mass draws is
     * below 0.003; 0.012 is four of them. */
    assert_close(acc, mass, 0, 0.012);
    /* Every sample inside, and the mean of the truncated normal. */
    double m0 = 0.0, m1 = 0.0;
    for (int64_t i = 0; i < n; i++) {
        assert_true(s[2 * i] >= -1.0 && s[2 * i] <= 1.0);
        assert_true(s[2 * i + 1] >= -0.5 && s[2 * i + 1] <= 2.0);
        m0 += s[2 * i] / (double)n;
        m1 += s[2 * i + 1] / (double)n;
    }
    const double a0 = -1.3, b0 = 0.7, a1 = -0.5 / 0.7, b1 = 2.0 / 0.7;
    const double want0 = 0.3 + (phi(a0) - phi(b0)) / (Phi(b0) - Phi(a0));
    const double want1 = 0.7 * (phi(a1) - phi(b1)) / (Phi(b1) - Phi(a1));
    assert_close(m0, want0, 0, 0.02); /* sd of the mean < 0.003 */
    assert_close(m1, want1, 0, 0.02);
    free(s);
    sbi_rng_free(rng);
    destroy(f);
}

static void test_batch_schedule_is_the_reference(void **state)
{
    (void)state;
    /* About 21 % inside: several batches are needed. */
    const double mu[2] = {0.0, 0.0}, sd[2] = {1.0, 1.0};
    fixture *f = make(box2(-0.5, 0.5, -0.3, 2.0), 2, 2, mu, sd, 0.0, ZERO, ONE, ZERO, ONE);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 5, 0));
    const int64_t n = 3000;
    double *s = malloc(sizeof(double) * 2 * n);
    /* Replay: the same stream, drawn batch by batch by the test, gives the
     * accepted counts; the schedule must follow B.5's formula. */
    g_n_calls = 0;
    g_record = 1;
    int64_t got;
    double acc;
    const double x[2] = {0.0, 0.0};
    assert_ok(sbi_posterior_sample_ex(f->post, rng, x, n, 0, s, &got, &acc));
    const int calls = g_n_calls;
    g_record = 0;
    int64_t sizes[64];
    assert_true(calls >= 2 && calls < 64);
    memcpy(sizes, g_calls, sizeof(int64_t) * (size_t)calls);
    assert_int_equal(sizes[0], n); /* min(n, 10 000) */

    assert_ok(sbi_rng_reset(rng, 5, 0));
    int64_t drawn = 0, accepted = 0;
    double buf[2 * 10000];
    for (int c = 0; c < calls; c++) {
        if (c > 0) {
            const double rate = (double)accepted / (double)drawn;
            const int64_t remaining = n - (accepted < n ? accepted : n);
            double want = floor(1.5 * (double)remaining / fmax(rate, 1e-12));
            want = fmin(10000.0, fmax(want, 100.0));
            assert_int_equal(sizes[c], (int64_t)want);
        }
        assert_ok(known_sample(&f->est, x, sizes[c], rng, buf));
        for (int64_t i = 0; i < sizes[c]; i++)
            accepted += fabs(buf[2 * i]) <= 0.5 && buf[2 * i + 1] >= -0.3 && buf[2 * i + 1] <= 2.0;
        drawn += sizes[c];
    }
    assert_true(accepted >= n);
    assert_close(acc, (double)accepted / (double)drawn, 1e-15, 0);
    free(s);
    sbi_rng_free(rng);
    destroy(f);
}

static void test_budget_returns_partial_results(void **state)
{
    (void)state;
    /* Almost all mass far outside the box: acceptance ~ 2e-4. */
    const double mu[2] = {3.5, 0.0}, sd[2] = {1.0, 1.0};
    fixture *f = make(box2(-1.0, 0.0, -5.0, 5.0), 2, 2, mu, sd, 0.0, ZERO, ONE, ZERO, ONE);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 3, 0));
    double s[2 * 1000];
    int64_t got = -1;
    double acc = -1;
    const double x[2] = {0.0, 0.0};
    g_n_calls = 0;
    g_record = 1;
    assert_status(sbi_posterior_sample_ex(f->post, rng, x, 100, 50000, s, &got, &acc),
                  SBI_EBUDGET);
    g_record = 0;
    int64_t total = 0;
    for (int c = 0; c < g_n_calls; c++) total += g_calls[c];
    assert_int_equal(total, 50000); /* exactly the budget, never more */
    assert_true(got >= 0 && got < 100);
    assert_true(acc >= 0.0 && acc < 0.01);
    for (int64_t i = 0; i < got; i++) assert_true(s[2 * i] >= -1.0 && s[2 * i] <= 0.0);
    assert_non_null(strstr(sbi_last_error(), "budget"));
    /* The plain call fails the same way with the default budget (10^6). */
    assert_status(sbi_posterior_sample(f->post, rng, x, 1000, s), SBI_EBUDGET);
    sbi_rng_free(rng);
    destroy(f);
}

static void test_zscore_is_undone(void **state)
{
    (void)state;
    /* z ~ N(0.5 + 0.8 xz, 0.1^2) per dim, theta = 10 + 2 z, xz = (x - 4) / 2. */
    const double mu[2] = {0.5, 0.5}, sd[2] = {0.1, 0.1};
    const double tsh[2] = {10.0, 10.0}, tsc[2] = {2.0, 2.0};
    const double xsh[2] = {4.0, 4.0}, xsc[2] = {2.0, 2.0};
    fixture *f = make(box2(0.0, 100.0, 0.0, 100.0), 2, 2, mu, sd, 0.8, tsh, tsc, xsh, xsc);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 9, 0));
    const double x[2] = {6.0, 2.0}; /* xz = (1, -1) */
    double s[2 * 4000];
    assert_ok(sbi_posterior_sample(f->post, rng, x, 4000, s));
    double m[2] = {0, 0}, v[2] = {0, 0};
    for (int i = 0; i < 4000; i++)
        for (int j = 0; j < 2; j++) m[j] += s[2 * i + j] / 4000.0;
    for (int i = 0; i < 4000; i++)
        for (int j = 0; j < 2; j++) v[j] += (s[2 * i + j] - m[j]) * (s[2 * i + j] - m[j]) / 3999.0;
    assert_close(m[0], 10.0 + 2.0 * (0.5 + 0.8), 0, 0.02);
    assert_close(m[1], 10.0 + 2.0 * (0.5 - 0.8), 0, 0.02);
    assert_close(v[0], 0.04, 0.1, 0); /* (2 * 0.1)^2 */
    assert_close(v[1], 0.04, 0.1, 0);
    sbi_rng_free(rng);
    destroy(f);
}

/* ---- log_prob ----------------------------------------------------------- */

static void test_log_prob_analytic_and_leakage(void **state)
{
    (void)state;
    const double mu[2] = {0.3, 0.0}, sd[2] = {1.0, 0.7};
    const double tsh[2] = {1.0, -2.0}, tsc[2] = {2.0, 0.5};
    /* Box in theta: z in [-1, 1] x [-0.5, 2] after the z-score. */
    fixture *f = make(box2(1.0 - 2.0, 1.0 + 2.0, -2.0 - 0.25, -2.0 + 1.0), 2, 2, mu, sd, 0.0,
                      tsh, tsc, ZERO, ONE);
    const double mass = (Phi(0.7) - Phi(-1.3)) * (Phi(2.0 / 0.7) - Phi(-0.5 / 0.7));
    const double th[5][2] = {{1.0, -2.0}, {2.5, -1.0}, {3.5, -2.0}, {NAN, 0.0}, {-1.0, -2.25}};
    double lp[5], lpc[5];
    const double x[2] = {0.0, 0.0};
    assert_ok(sbi_posterior_log_prob(f->post, NULL, x, 5, &th[0][0], lp));
    for (int i = 0; i < 5; i++) {
        if (i == 2 || i == 3) {
            assert_true(lp[i] == -INFINITY);
            continue;
        }
        const double z0 = (th[i][0] - 1.0) / 2.0, z1 = (th[i][1] + 2.0) / 0.5;
        const double r0 = (z0 - 0.3) / 1.0, r1 = z1 / 0.7;
        const double want = -2 * LOG_SQRT_2PI - log(0.7) - 0.5 * (r0 * r0 + r1 * r1) -
                            log(2.0) - log(0.5); /* Jacobian of the z-score */
        assert_close(lp[i], want, 1e-13, 1e-13);
    }
    /* Leakage-corrected: minus log of the acceptance of 10 000 draws. */
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 21, 0));
    assert_ok(sbi_posterior_log_prob(f->post, rng, x, 5, &th[0][0], lpc));
    for (int i = 0; i < 5; i++) {
        if (!isfinite(lp[i])) {
            assert_true(lpc[i] == -INFINITY);
            continue;
        }
        /* c from >= 10 000 draws: relative error ~ 0.6 %, so log c within 0.03. */
        assert_close(lpc[i] - lp[i], -log(mass), 0, 0.03);
    }
    /* The same factor as sbi_posterior_leakage from the same stream. */
    double c;
    assert_ok(sbi_rng_reset(rng, 21, 0));
    assert_ok(sbi_posterior_leakage(f->post, rng, x, &c));
    assert_close(lpc[0], lp[0] - log(c), 1e-14, 1e-14);
    assert_close(c, mass, 0, 0.015);
    sbi_rng_free(rng);
    destroy(f);
}

static void test_gaussian_prior_needs_no_leakage(void **state)
{
    (void)state;
    const double mean[2] = {0, 0}, var[2] = {1, 1};
    sbi_prior *prior = NULL;
    assert_ok(sbi_prior_create_gaussian_diag(&prior, 2, mean, var));
    const double mu[2] = {0.3, 0.0}, sd[2] = {1.0, 0.7};
    fixture *f = make(prior, 2, 2, mu, sd, 0.0, ZERO, ONE, ZERO, ONE);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    const double th[2] = {0.1, 0.2}, x[2] = {0, 0};
    double a, b, c;
    assert_ok(sbi_posterior_log_prob(f->post, NULL, x, 1, th, &a));
    assert_ok(sbi_posterior_log_prob(f->post, rng, x, 1, th, &b));
    assert_ok(sbi_posterior_leakage(f->post, rng, x, &c));
    assert_true(a == b);
    assert_true(c == 1.0);
    sbi_rng_free(rng);
    destroy(f);
}

/* ---- MAP ------------------------------------------------------------------ */

static void test_map_finds_the_mode(void **state)
{
    (void)state;
    /* Mode inside the box: the mean, in theta units 1 + 2*(0.3 + 0.5*xz0), ... */
    const double mu[2] = {0.3, -0.2}, sd[2] = {0.5, 0.2};
    const double tsh[2] = {1.0, -2.0}, tsc[2] = {2.0, 0.5};
    fixture *f = make(box2(-5.0, 5.0, -5.0, 5.0), 2, 2, mu, sd, 0.5, tsh, tsc, ZERO, ONE);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 2, 0));
    const double x[2] = {0.4, -1.0};
    double m[2], lp;
    assert_ok(sbi_posterior_map(f->post, rng, x, m, &lp));
    const double want0 = 1.0 + 2.0 * (0.3 + 0.5 * 0.4), want1 = -2.0 + 0.5 * (-0.2 - 0.5);
    assert_close(m[0], want0, 0, 2e-3);
    assert_close(m[1], want1, 0, 2e-3);
    double lpm;
    assert_ok(sbi_posterior_log_prob(f->post, NULL, x, 1, m, &lpm));
    assert_close(lp, lpm, 1e-12, 1e-12);
    /* Without the estimator's gradient (finite differences): the same mode. */
    f->est.ops = &known_ops_no_grad;
    double m2[2];
    assert_ok(sbi_rng_reset(rng, 2, 0));
    assert_ok(sbi_posterior_map(f->post, rng, x, m2, NULL));
    assert_close(m2[0], want0, 0, 2e-3);
    assert_close(m2[1], want1, 0, 2e-3);
    sbi_rng_free(rng);
    destroy(f);
}

static void test_map_on_the_boundary(void **state)
{
    (void)state;
    /* The unconstrained mode (1.5, 0) lies outside [-1, 1] in dim 0: the
     * constrained maximum is on the edge theta0 = 1. */
    const double mu[2] = {1.5, 0.0}, sd[2] = {1.0, 1.0};
    fixture *f = make(box2(-1.0, 1.0, -1.0, 1.0), 2, 2, mu, sd, 0.0, ZERO, ONE, ZERO, ONE);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 4, 0));
    const double x[2] = {0, 0};
    double m[2];
    assert_ok(sbi_posterior_map(f->post, rng, x, m, NULL));
    assert_true(m[0] <= 1.0);
    assert_close(m[0], 1.0, 0, 5e-3);
    assert_close(m[1], 0.0, 0, 5e-3);
    sbi_rng_free(rng);
    destroy(f);
}

/* ---- batched and concurrent sampling ---------------------------------------- */

static void test_batched_equals_sequential(void **state)
{
    (void)state;
    const double mu[2] = {0.1, 0.2}, sd[2] = {0.5, 0.5};
    fixture *f = make(box2(-1.0, 1.0, -1.0, 1.0), 2, 2, mu, sd, 0.7, ZERO, ONE, ZERO, ONE);
    sbi_rng *a = NULL, *b = NULL;
    assert_ok(sbi_rng_create(&a, 8, 0));
    assert_ok(sbi_rng_create(&b, 8, 0));
    const double xs[3][2] = {{0.0, 0.0}, {1.0, -1.0}, {-0.5, 0.5}};
    double batched[3 * 50 * 2], seq[3 * 50 * 2];
    assert_ok(sbi_posterior_sample_batched(f->post, a, 3, &xs[0][0], 50, batched));
    for (int i = 0; i < 3; i++) assert_ok(sbi_posterior_sample(f->post, b, xs[i], 50, seq + i * 100));
    assert_memory_equal(batched, seq, sizeof seq);
    /* A non-finite observation is refused before anything is drawn. */
    const double bad[2][2] = {{0.0, 0.0}, {NAN, 0.0}};
    assert_status(sbi_posterior_sample_batched(f->post, a, 2, &bad[0][0], 5, batched), SBI_EINVAL);
    sbi_rng_free(a);
    sbi_rng_free(b);
    destroy(f);
}

typedef struct job {
    const sbi_posterior *post;
    uint64_t seed;
    double out[2 * 3000];
    int rc;
} job;

static void *sample_job(void *arg)
{
    job *j = arg;
    sbi_rng *rng = NULL;
    j->rc = sbi_rng_create(&rng, j->seed, 0);
    const double x[2] = {0.3, -0.3};
    double lp[3000];
    if (j->rc == SBI_OK) j->rc = sbi_posterior_sample(j->post, rng, x, 3000, j->out);
    if (j->rc == SBI_OK) j->rc = sbi_posterior_log_prob(j->post, rng, x, 3000, j->out, lp);
    sbi_rng_free(rng);
    return NULL;
}

static void test_threads_share_a_const_posterior(void **state)
{
    (void)state;
    const double mu[2] = {0.1, 0.2}, sd[2] = {0.8, 0.8};
    fixture *f = make(box2(-1.0, 1.0, -1.0, 1.0), 2, 2, mu, sd, 0.7, ZERO, ONE, ZERO, ONE);
    job *jobs = calloc(4, sizeof *jobs);
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].post = f->post;
        jobs[i].seed = 100 + (uint64_t)i;
        assert_int_equal(pthread_create(&th[i], NULL, sample_job, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    /* Each thread's result equals a run on this thread with its seed. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(jobs[i].rc, SBI_OK);
        job solo = {f->post, 100 + (uint64_t)i, {0}, 0};
        sample_job(&solo);
        assert_memory_equal(solo.out, jobs[i].out, sizeof solo.out);
    }
    free(jobs);
    destroy(f);
}

/* ---- arguments -------------------------------------------------------------- */

static void test_bad_arguments(void **state)
{
    (void)state;
    const double mu[2] = {0, 0}, sd[2] = {1, 1};
    fixture *f = make(box2(-1, 1, -1, 1), 2, 2, mu, sd, 0.0, ZERO, ONE, ZERO, ONE);
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 1, 0));
    const double x[2] = {0, 0}, xnan[2] = {0, NAN}, xinf[2] = {INFINITY, 0};
    double out[8], lp[4];
    int64_t got = 99;
    double acc = 0.0;
    assert_status(sbi_posterior_sample(NULL, rng, x, 1, out), SBI_EINVAL);
    assert_status(sbi_posterior_sample(f->post, NULL, x, 1, out), SBI_EINVAL);
    assert_status(sbi_posterior_sample(f->post, rng, NULL, 1, out), SBI_EINVAL);
    assert_status(sbi_posterior_sample(f->post, rng, x, 1, NULL), SBI_EINVAL);
    assert_status(sbi_posterior_sample(f->post, rng, x, -1, out), SBI_EINVAL);
    assert_status(sbi_posterior_sample_ex(f->post, rng, xnan, 1, 0, out, &got, &acc), SBI_EINVAL);
    assert_int_equal(got, 0);
    assert_non_null(strstr(sbi_last_error(), "x[1]"));
    assert_status(sbi_posterior_sample_ex(f->post, rng, x, 1, -5, out, NULL, NULL), SBI_EINVAL);
    assert_status(sbi_posterior_log_prob(f->post, NULL, xinf, 1, x, lp), SBI_EINVAL);
    assert_status(sbi_posterior_log_prob(f->post, NULL, x, 1, NULL, lp), SBI_EINVAL);
    assert_status(sbi_posterior_map(f->post, NULL, x, out, NULL), SBI_EINVAL);
    assert_status(sbi_posterior_map(f->post, rng, xnan, out, NULL), SBI_EINVAL);
    assert_status(sbi_posterior_leakage(f->post, rng, x, NULL), SBI_EINVAL);
    /* n = 0 is fine and reports acceptance 1. */
    assert_ok(sbi_posterior_sample_ex(f->post, rng, x, 0, 0, NULL, &got, &acc));
    assert_int_equal(got, 0);
    assert_true(acc == 1.0);
    assert_ok(sbi_posterior_log_prob(f->post, NULL, x, 0, NULL, NULL));
    /* Accessors. */
    int32_t d, xd, kind;
    int64_t epochs, n_train;
    double best;
    const sbi_prior *pr;
    assert_ok(sbi_posterior_dims(f->post, &d, &xd));
    assert_int_equal(d, 2);
    assert_int_equal(xd, 2);
    assert_ok(sbi_posterior_estimator(f->post, &kind));
    assert_int_equal(kind, SBI_ESTIMATOR_MDN);
    assert_ok(sbi_posterior_prior(f->post, &pr));
    assert_ptr_equal(pr, f->post->prior);
    assert_ok(sbi_posterior_training_summary(f->post, &epochs, &n_train, &best));
    assert_int_equal(epochs, 7);
    assert_int_equal(n_train, 100);
    assert_true(best == 1.5);
    assert_status(sbi_posterior_dims(NULL, &d, &xd), SBI_EINVAL);
    sbi_posterior_free(NULL);
    sbi_rng_free(rng);
    destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acceptance_matches_box_mass),
        cmocka_unit_test(test_batch_schedule_is_the_reference),
        cmocka_unit_test(test_budget_returns_partial_results),
        cmocka_unit_test(test_zscore_is_undone),
        cmocka_unit_test(test_log_prob_analytic_and_leakage),
        cmocka_unit_test(test_gaussian_prior_needs_no_leakage),
        cmocka_unit_test(test_map_finds_the_mode),
        cmocka_unit_test(test_map_on_the_boundary),
        cmocka_unit_test(test_batched_equals_sequential),
        cmocka_unit_test(test_threads_share_a_const_posterior),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("posterior", tests, NULL, NULL);
}
