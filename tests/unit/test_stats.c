/* Statistics module: moments against hand-computed and NumPy 1.24 values,
 * spike counting against hand-made traces and a literal re-implementation of
 * the reference's array algorithm, time windows, summary handles. */
#include "sbi_test.h"
#include "core/internal.h"

/* ---- moments ---- */

static void test_moments_hand(void **state)
{
    (void)state;
    const double a[4] = {1, 2, 3, 4};
    double out[5];
    int32_t all = SBI_MOMENT_MEAN | SBI_MOMENT_VAR | SBI_MOMENT_STD | SBI_MOMENT_SKEW |
                  SBI_MOMENT_KURT;
    assert_ok(sbi_stats_moments(a, 4, all, out));
    assert_close(out[0], 2.5, 1e-15, 0);
    assert_close(out[1], 1.25, 1e-15, 0);
    assert_close(out[2], sqrt(1.25), 1e-15, 0);
    assert_close(out[3], 0.0, 0, 1e-15);
    assert_close(out[4], 2.5625 / 1.5625, 1e-15, 0); /* m4 / s^4 */
    /* Bernoulli(1/4) sample: skew (1-2p)/sqrt(p(1-p)), Pearson kurtosis 7/3. */
    const double b[4] = {0, 0, 0, 1};
    assert_ok(sbi_stats_moments(b, 4, SBI_MOMENT_SKEW | SBI_MOMENT_KURT | SBI_MOMENT_VAR, out));
    assert_close(out[0], 0.1875, 1e-15, 0);
    assert_close(out[1], 0.5 / sqrt(0.1875), 1e-14, 0);
    assert_close(out[2], 7.0 / 3.0, 1e-14, 0);
    int32_t c;
    assert_ok(sbi_stats_moment_count(all, &c));
    assert_int_equal(c, 5);
    /* Constant window: zero variance, skew and kurtosis 0/0 = NaN. */
    const double k[3] = {-70, -70, -70};
    assert_ok(sbi_stats_moments(k, 3, all, out));
    assert_close(out[1], 0.0, 0, 0);
    assert_true(isnan(out[3]) && isnan(out[4]));
    double m, s;
    assert_ok(sbi_stats_mean_std(a, 4, &m, &s));
    assert_close(m, 2.5, 0, 0);
    assert_close(s, sqrt(1.25), 1e-15, 0);
    assert_ok(sbi_stats_mean(b, 4, &m));
    assert_close(m, 0.25, 0, 0);
}

/* Values printed by NumPy 1.24.2: m = np.mean(v), s = np.std(v), d = v - m,
 * np.mean(d**2), np.mean((d**2)*d)/np.power(s,3.), np.mean((d**2)**2)/np.power(s,4.)
 * for v[i] = ((i*7919) % 1009)*0.01 - 60. NumPy sums pairwise: the mean for
 * n = 9999 differs from a naive left-to-right sum (-54.95928392839276). */
static void test_moments_numpy(void **state)
{
    (void)state;
    static const struct {
        int n;
        double mean, var, std, skew, kurt;
    } ref[3] = {
        {5, -54.988, 8.620936000000004, 2.9361430482863065, -0.5849808772787967,
         2.1724989564068133},
        {100, -54.914100000000005, 8.655632190000002, 2.94204557918466, -0.0020756393599873956,
         1.796801446809499},
        {9999, -54.95928392839284, 8.48579310660339, 2.913038466378944, -5.3486303988521925e-05,
         1.7999034680779988},
    };
    double *v = malloc(sizeof(double) * 9999);
    for (int i = 0; i < 9999; i++) v[i] = (double)((i * 7919) % 1009) * 0.01 - 60.0;
    for (int t = 0; t < 3; t++) {
        double out[5];
        assert_ok(sbi_stats_moments(v, ref[t].n, 31, out));
        /* Same summation order and term formation: equal to a few ulps
         * (pow may differ by an ulp between libms). */
        assert_close(out[0], ref[t].mean, 0, 0);
        assert_close(out[1], ref[t].var, 2e-16, 0);
        assert_close(out[2], ref[t].std, 2e-16, 0);
        assert_close(out[3], ref[t].skew, 1e-12, 0);
        assert_close(out[4], ref[t].kurt, 1e-15, 0);
    }
    free(v);
}

static void test_moments_accuracy(void **state)
{
    (void)state;
    /* Against long double two-pass sums on a large shifted sample. */
    enum { N = 100003 };
    double *v = malloc(sizeof(double) * N);
    sbi_rng *r = NULL;
    assert_ok(sbi_rng_create(&r, 9, 0));
    assert_ok(sbi_rng_normal(r, N, v));
    for (int i = 0; i < N; i++) v[i] = 1e3 + 2.0 * v[i] + (v[i] > 1 ? v[i] * v[i] : 0);
    long double lm = 0, l2 = 0, l3 = 0, l4 = 0;
    for (int i = 0; i < N; i++) lm += v[i];
    lm /= N;
    for (int i = 0; i < N; i++) {
        long double d = v[i] - lm;
        l2 += d * d;
        l3 += d * d * d;
        l4 += d * d * d * d;
    }
    l2 /= N; l3 /= N; l4 /= N;
    double out[5];
    assert_ok(sbi_stats_moments(v, N, 31, out));
    assert_close(out[0], (double)lm, 1e-15, 0);
    assert_close(out[1], (double)l2, 1e-13, 0);
    assert_close(out[3], (double)(l3 / powl(sqrtl(l2), 3)), 1e-12, 0);
    assert_close(out[4], (double)(l4 / (l2 * l2)), 1e-12, 0);
    free(v);
    sbi_rng_free(r);
}

static void test_moments_bad(void **state)
{
    (void)state;
    double v[2] = {1, 2}, out[5];
    int32_t c;
    assert_status(sbi_stats_moments(v, 0, 1, out), SBI_EINVAL);
    assert_status(sbi_stats_moments(NULL, 2, 1, out), SBI_EINVAL);
    assert_status(sbi_stats_moments(v, 2, 1, NULL), SBI_EINVAL);
    assert_status(sbi_stats_moments(v, 2, 0, out), SBI_EINVAL);
    assert_status(sbi_stats_moments(v, 2, 32, out), SBI_EINVAL);
    assert_status(sbi_stats_moment_count(64, &c), SBI_EINVAL);
    assert_status(sbi_stats_mean(v, -1, out), SBI_EINVAL);
    assert_status(sbi_stats_mean_std(NULL, 2, out, out), SBI_EINVAL);
}

/* ---- time windows ---- */

static void test_time_window(void **state)
{
    (void)state;
    int64_t b, e;
    /* The HH tutorial's windows (spec A.3): stimulus 1001..10999, rest 0..999. */
    assert_ok(sbi_stats_time_window(12001, 0.01, 10.0, 110.0, &b, &e));
    assert_int_equal(b, 1001);
    assert_int_equal(e, 11000);
    assert_ok(sbi_stats_time_window(12001, 0.01, -INFINITY, 10.0, &b, &e));
    assert_int_equal(b, 0);
    assert_int_equal(e, 1000);
    assert_ok(sbi_stats_time_window(12001, 0.01, 200.0, INFINITY, &b, &e));
    assert_int_equal(b, e);
    assert_ok(sbi_stats_time_window(10, 1.0, 2.5, 2.7, &b, &e));
    assert_int_equal(b, e);
    assert_ok(sbi_stats_time_window(10, 1.0, -5, 50, &b, &e));
    assert_int_equal(b, 0);
    assert_int_equal(e, 10);
    assert_status(sbi_stats_time_window(10, 0.0, 0, 1, &b, &e), SBI_EINVAL);
    assert_status(sbi_stats_time_window(10, 1.0, NAN, 1, &b, &e), SBI_EINVAL);
    assert_status(sbi_stats_time_window(-1, 1.0, 0, 1, &b, &e), SBI_EINVAL);
}

/* ---- spikes ---- */

/* The reference's algorithm, literally with arrays (NumPy semantics). */
static long reference_spikes(const double *v, long n, double dt, double th, double t_on,
                             double t_off, double refr, long *idx)
{
    double *w = malloc(sizeof(double) * (size_t)n);
    char *mask = malloc((size_t)n);
    double *times = malloc(sizeof(double) * (size_t)n);
    for (long k = 0; k < n; k++) w[k] = v[k] < th ? th : v[k];
    for (long k = 0; k + 1 < n; k++) mask[k] = w[k + 1] - w[k] < 0;
    for (long k = 0; k + 1 < n; k++)
        if (mask[k]) w[k] = th;
    long m = 0;
    long *cand = malloc(sizeof(long) * (size_t)n);
    for (long k = 0; k + 1 < n; k++)
        if (w[k + 1] - w[k] < 0) {
            double t = (double)k * dt;
            if (t > t_on && t < t_off) {
                times[m] = t;
                cand[m++] = k;
            }
        }
    long kept = 0;
    for (long j = 0; j < m; j++)
        if (j == 0 || times[j] - times[j - 1] > refr) idx[kept++] = cand[j];
    free(w); free(mask); free(times); free(cand);
    return kept;
}

static void test_spikes_hand(void **state)
{
    (void)state;
    int64_t idx[8], c;
    /* Plateau peak: the candidate is one before the plateau's last sample. */
    const double p[6] = {-20, 0, 5, 5, 3, -50};
    assert_ok(sbi_stats_spike_times(p, 6, 1.0, -10, -1, 100, 0.5, 8, idx, &c));
    assert_int_equal(c, 1);
    assert_int_equal(idx[0], 2);
    /* Peaks below the threshold do not count; the threshold itself is flat. */
    const double q[7] = {-30, -11, -30, -10, -10, -30, -30};
    assert_ok(sbi_stats_spike_count(q, 7, 1.0, -10, -1, 100, 0.5, &c));
    assert_int_equal(c, 0);
    /* A one-sample peak is flattened (it is followed by a fall and preceded by
     * a clamped sample): no spike. */
    double r[30];
    for (int i = 0; i < 30; i++) r[i] = -60;
    r[11] = 20;
    assert_ok(sbi_stats_spike_count(r, 30, 0.1, -10, 0, 10, 0.5, &c));
    assert_int_equal(c, 0);
    /* Rising peaks (0 then 20) at samples 11, 14, 18 with dt = 0.1: candidates
     * k = 10, 13, 17 at t = 1.0, 1.3, 1.7. The second is refractory (0.3 <=
     * 0.5); the third is too, because it is compared with the second (0.4),
     * not with the kept first (0.7). */
    r[10] = r[13] = r[17] = 0;
    r[11] = r[14] = r[18] = 20;
    assert_ok(sbi_stats_spike_times(r, 30, 0.1, -10, 0, 10, 0.5, 8, idx, &c));
    assert_int_equal(c, 1);
    assert_int_equal(idx[0], 10);
    r[23] = 0;
    r[24] = 20; /* candidate at t = 2.3, 0.6 after the third */
    assert_ok(sbi_stats_spike_times(r, 30, 0.1, -10, 0, 10, 0.5, 8, idx, &c));
    assert_int_equal(c, 2);
    assert_int_equal(idx[1], 23);
    /* Strict window: the candidate exactly at t_start = 1.0 is excluded; then
     * 1.3 is first (kept), 1.7 refractory, 2.3 kept. */
    assert_ok(sbi_stats_spike_times(r, 30, 0.1, -10, 1.0, 10, 0.5, 8, idx, &c));
    assert_int_equal(c, 2);
    assert_int_equal(idx[0], 13);
    assert_int_equal(idx[1], 23);
    long ridx[8];
    assert_int_equal(c, reference_spikes(r, 30, 0.1, -10, 1.0, 10, 0.5, ridx));
    /* Capacity smaller than the count: count is still the total. */
    assert_ok(sbi_stats_spike_times(r, 30, 0.1, -10, 0, 10, 0.5, 1, idx, &c));
    assert_int_equal(c, 2);
    /* A peak at the very last sample is never a candidate; NaN never is. */
    const double e[4] = {-60, -60, 0, 10};
    assert_ok(sbi_stats_spike_count(e, 4, 1, -10, -1, 100, 0.5, &c));
    assert_int_equal(c, 0);
    const double nn[5] = {-60, 10, NAN, 0, -60};
    assert_ok(sbi_stats_spike_times(nn, 5, 1, -10, -1, 100, 0.5, 8, idx, &c));
    assert_int_equal(c, reference_spikes(nn, 5, 1, -10, -1, 100, 0.5, ridx));
    assert_ok(sbi_stats_spike_count(p, 1, 1, -10, -1, 100, 0.5, &c));
    assert_int_equal(c, 0);
    assert_ok(sbi_stats_spike_count(NULL, 0, 1, -10, -1, 100, 0.5, &c));
    assert_int_equal(c, 0);
}

static void test_spikes_random(void **state)
{
    (void)state;
    /* Random walks with plateaus and values around the threshold, against the
     * literal array algorithm. */
    enum { N = 2000 };
    double v[N], u[N];
    int64_t idx[N];
    long ridx[N];
    sbi_rng *r = NULL;
    assert_ok(sbi_rng_create(&r, 77, 0));
    for (int trial = 0; trial < 200; trial++) {
        assert_ok(sbi_rng_uniform(r, N, u));
        double x = -15;
        for (int i = 0; i < N; i++) {
            /* u < 0.2: a plateau (x unchanged) */
            if (u[i] >= 0.2 && u[i] < 0.25) x = -10; /* exactly the threshold */
            else if (u[i] >= 0.25) x += (u[i] - 0.62) * 8;
            if (x < -40) x = -40;
            v[i] = x;
        }
        double refr = (trial % 3) * 0.05;
        int64_t c;
        assert_ok(sbi_stats_spike_times(v, N, 0.01, -10, 2.0, 18.0, refr, N, idx, &c));
        long rc = reference_spikes(v, N, 0.01, -10, 2.0, 18.0, refr, ridx);
        assert_int_equal(c, rc);
        for (long j = 0; j < rc; j++) assert_int_equal(idx[j], ridx[j]);
    }
    sbi_rng_free(r);
}

static void test_spikes_bad(void **state)
{
    (void)state;
    double v[3] = {0, 1, 0};
    int64_t c, idx[1];
    assert_status(sbi_stats_spike_count(v, 3, 0.0, -10, 0, 1, 0.5, &c), SBI_EINVAL);
    assert_status(sbi_stats_spike_count(v, 3, 1.0, NAN, 0, 1, 0.5, &c), SBI_EINVAL);
    assert_status(sbi_stats_spike_count(v, 3, 1.0, -10, NAN, 1, 0.5, &c), SBI_EINVAL);
    assert_status(sbi_stats_spike_count(v, 3, 1.0, -10, 0, 1, INFINITY, &c), SBI_EINVAL);
    assert_status(sbi_stats_spike_count(NULL, 3, 1.0, -10, 0, 1, 0.5, &c), SBI_EINVAL);
    assert_status(sbi_stats_spike_count(v, 3, 1.0, -10, 0, 1, 0.5, NULL), SBI_EINVAL);
    assert_status(sbi_stats_spike_times(v, 3, 1.0, -10, 0, 1, 0.5, 1, NULL, &c), SBI_EINVAL);
    assert_status(sbi_stats_spike_times(v, 3, 1.0, -10, 0, 1, 0.5, -1, idx, &c), SBI_EINVAL);
}

/* ---- summary handles ---- */

static int destroyed;
static void count_destroy(void *ud)
{
    (void)ud;
    destroyed++;
}

/* x = (sum, max) of the row; rows whose first value is negative fail; a row
 * starting with 99 gives Inf. */
static int sum_max(void *ud, int64_t n, int32_t raw_dim, const double *raw, int32_t out_dim,
                   double *out, int32_t *status)
{
    (void)ud;
    assert_int_equal(out_dim, 2);
    for (int64_t i = 0; i < n; i++) {
        const double *row = raw + i * raw_dim;
        double s = 0, m = row[0];
        for (int32_t j = 0; j < raw_dim; j++) {
            s += row[j];
            if (row[j] > m) m = row[j];
        }
        out[i * 2] = row[0] == 99 ? INFINITY : s;
        out[i * 2 + 1] = m;
        if (row[0] < 0) status[i] = 7;
    }
    return 0;
}

static int failing(void *ud, int64_t n, int32_t raw_dim, const double *raw, int32_t out_dim,
                   double *out, int32_t *status)
{
    (void)ud; (void)n; (void)raw_dim; (void)raw; (void)out_dim; (void)out; (void)status;
    return -3;
}

static void test_summary_pieces(void **state)
{
    (void)state;
    /* Three rows of 6 samples. */
    const double raw[3][6] = {{1, 2, 3, 4, 5, 6}, {-1, 0, 0, 0, 0, 2}, {99, 1, 1, 2, 2, 9}};
    sbi_summary *cb = NULL, *mom = NULL, *samp = NULL, *spk = NULL, *cat = NULL;
    destroyed = 0;
    assert_ok(sbi_summary_create(&cb, 6, 2, sum_max, NULL));
    assert_ok(sbi_summary_set_destructor(cb, count_destroy));
    assert_ok(sbi_summary_create_moments(&mom, 6, 1, 5, SBI_MOMENT_MEAN | SBI_MOMENT_STD));
    assert_ok(sbi_summary_create_samples(&samp, 6, 0, 6, 4));
    assert_ok(sbi_summary_create_spike_count(&spk, 6, 1.0, -10, -1, 10, 0.5));
    int32_t rd, od;
    assert_ok(sbi_summary_dims(samp, &rd, &od));
    assert_int_equal(rd, 6);
    assert_int_equal(od, 2); /* samples 0 and 4 */
    const sbi_summary *parts[4] = {cb, mom, samp, spk};
    assert_ok(sbi_summary_create_concat(&cat, 4, parts));
    assert_ok(sbi_summary_dims(cat, &rd, &od));
    assert_int_equal(od, 7);
    /* The concatenation keeps its parts alive. */
    sbi_summary_free(cb);
    sbi_summary_free(mom);
    sbi_summary_free(samp);
    sbi_summary_free(spk);
    assert_int_equal(destroyed, 0);
    double x[3][7];
    int32_t st[3] = {77, 77, 77}; /* outputs only: garbage in must not matter */
    assert_ok(sbi_summary_compute(cat, 3, &raw[0][0], &x[0][0], st));
    assert_int_equal(st[0], SBI_ROW_OK);
    assert_int_equal(st[1], SBI_ROW_FAILED);
    assert_int_equal(st[2], SBI_ROW_NONFINITE);
    /* Row 0: sum 21, max 6, window 2..5 mean 3.5 std sqrt(1.25), samples 1
     * and 5, spikes: only a rise to the end, none. */
    const double e0[7] = {21, 6, 3.5, sqrt(1.25), 1, 5, 0};
    for (int j = 0; j < 7; j++) assert_close(x[0][j], e0[j], 1e-15, 0);
    /* Row 2 (99, 1, 1, 2, 2, 9): the literal array rule decides. */
    long ridx[6];
    assert_close(x[2][6], (double)reference_spikes(raw[2], 6, 1.0, -10, -1, 10, 0.5, ridx), 0,
                 0);
    sbi_summary_free(cat);
    assert_int_equal(destroyed, 1);
}

static void test_summary_errors(void **state)
{
    (void)state;
    sbi_summary *s = NULL, *t = NULL;
    assert_status(sbi_summary_create(&s, 0, 1, sum_max, NULL), SBI_EINVAL);
    assert_status(sbi_summary_create(&s, 1, 1, NULL, NULL), SBI_EINVAL);
    assert_status(sbi_summary_create_moments(&s, 6, 3, 3, 1), SBI_EINVAL);
    assert_status(sbi_summary_create_moments(&s, 6, 0, 7, 1), SBI_EINVAL);
    assert_status(sbi_summary_create_moments(&s, 6, 0, 6, 0), SBI_EINVAL);
    assert_status(sbi_summary_create_samples(&s, 6, 0, 6, 0), SBI_EINVAL);
    assert_status(sbi_summary_create_spike_count(&s, 6, -1, -10, 0, 1, 0.5), SBI_EINVAL);
    assert_null(s);
    assert_ok(sbi_summary_create_moments(&s, 6, 0, 6, 1));
    assert_ok(sbi_summary_create_moments(&t, 5, 0, 5, 1));
    const sbi_summary *parts[2] = {s, t};
    sbi_summary *c = NULL;
    assert_status(sbi_summary_create_concat(&c, 2, parts), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "raw_dim"));
    assert_status(sbi_summary_create_concat(&c, 0, parts), SBI_EINVAL);
    assert_status(sbi_summary_set_destructor(s, count_destroy), SBI_EINVAL);
    double raw[6] = {0}, x[1];
    assert_status(sbi_summary_compute(s, -1, raw, x, NULL), SBI_EINVAL);
    assert_ok(sbi_summary_compute(s, 0, NULL, NULL, NULL));
    assert_ok(sbi_summary_compute(s, 1, raw, x, NULL));
    assert_close(x[0], 0.0, 0, 0);
    sbi_summary *f = NULL;
    assert_ok(sbi_summary_create(&f, 6, 1, failing, NULL));
    assert_status(sbi_summary_compute(f, 1, raw, x, NULL), SBI_ECALLBACK);
    /* The callback's failure propagates through a concatenation. */
    const sbi_summary *p2[2] = {s, f};
    assert_ok(sbi_summary_create_concat(&c, 2, p2));
    double x2[2];
    assert_status(sbi_summary_compute(c, 1, raw, x2, NULL), SBI_ECALLBACK);
    sbi_summary_free(c);
    sbi_summary_free(f);
    sbi_summary_free(s);
    sbi_summary_free(t);
    sbi_summary_free(NULL);
}

/* ---- a simulator composed with a summary ---- */

/* Raw rows of 20 samples: theta[0] + theta[1] * (a normal draw from the
 * row's seed); rows with theta[0] < 0 fail. */
static int raw_sim(void *ud, int64_t n, int32_t theta_dim, const double *theta,
                   const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)ud;
    sbi_rng *r = NULL;
    if (sbi_rng_create(&r, 0, 0) != SBI_OK) return -1;
    for (int64_t i = 0; i < n; i++) {
        const double *th = theta + i * theta_dim;
        sbi_rng_reset(r, seeds[i], 0);
        sbi_rng_normal(r, x_dim, x + i * x_dim);
        for (int32_t j = 0; j < x_dim; j++) x[i * x_dim + j] = th[0] + th[1] * x[i * x_dim + j];
        if (th[0] < 0) status[i] = 1;
    }
    sbi_rng_free(r);
    return 0;
}

static void test_simulator_with_summary(void **state)
{
    (void)state;
    sbi_simulator *raw = NULL, *sim = NULL;
    sbi_summary *sum = NULL;
    assert_ok(sbi_simulator_create(&raw, 2, 20, raw_sim, NULL));
    assert_ok(sbi_summary_create_moments(&sum, 20, 0, 20, SBI_MOMENT_MEAN | SBI_MOMENT_STD));
    assert_ok(sbi_simulator_create_with_summary(&sim, raw, sum));
    sbi_summary_free(sum); /* retained by the simulator */
    int32_t td, xd;
    assert_ok(sbi_simulator_dims(sim, &td, &xd));
    assert_int_equal(td, 2);
    assert_int_equal(xd, 2);
    enum { N = 37 };
    double theta[N][2];
    for (int i = 0; i < N; i++) {
        theta[i][0] = (i % 7 == 3) ? -1.0 : 0.1 * i;
        theta[i][1] = 1.0 + 0.01 * i;
    }
    /* The runner on 1 and 2 workers with odd chunks gives the same rows,
     * equal to the summary applied to the raw simulator's rows. */
    sbi_dataset *ds[2] = {NULL, NULL};
    for (int w = 0; w < 2; w++) {
        sbi_runner *run = NULL;
        assert_ok(sbi_runner_create(&run, sim));
        assert_ok(sbi_runner_set_workers(run, w + 1));
        assert_ok(sbi_runner_set_chunk_size(run, 5 + 4 * w));
        assert_ok(sbi_runner_run(run, N, &theta[0][0], 11, &ds[w]));
        sbi_runner_free(run);
    }
    const double *x0, *x1;
    const int32_t *st;
    assert_ok(sbi_dataset_x(ds[0], &x0));
    assert_ok(sbi_dataset_x(ds[1], &x1));
    assert_ok(sbi_dataset_status(ds[0], &st));
    assert_memory_equal(x0, x1, sizeof(double) * N * 2);
    double rawx[20];
    for (int i = 0; i < N; i++) {
        uint64_t seed = sbi_seed_for_index(11, (uint64_t)i);
        int32_t rst;
        assert_ok(sbi_simulator_run(raw, 1, theta[i], &seed, rawx, &rst));
        if (theta[i][0] < 0) {
            assert_int_equal(st[i], SBI_ROW_FAILED);
            continue;
        }
        assert_int_equal(st[i], SBI_ROW_OK);
        double m, sd;
        assert_ok(sbi_stats_mean_std(rawx, 20, &m, &sd));
        assert_close(x0[2 * i], m, 0, 0);
        assert_close(x0[2 * i + 1], sd, 0, 0);
    }
    /* Mismatched dimensions are refused. */
    sbi_summary *wrong = NULL;
    sbi_simulator *bad = NULL;
    assert_ok(sbi_summary_create_moments(&wrong, 21, 0, 21, SBI_MOMENT_MEAN));
    assert_status(sbi_simulator_create_with_summary(&bad, raw, wrong), SBI_EINVAL);
    assert_null(bad);
    sbi_summary_free(wrong);
    sbi_dataset_free(ds[0]);
    sbi_dataset_free(ds[1]);
    sbi_simulator_free(sim);
    sbi_simulator_free(raw);
}

/* Every allocation of summaries and the composed simulator fails in turn
 * (SBI_FAULT_INJECTION builds): each failure is reported and leaks nothing
 * (under ASan). Other builds run the sequence once. */
static int exercise_summaries(void)
{
    sbi_summary *a = NULL, *b = NULL, *c = NULL;
    sbi_simulator *raw = NULL, *sim = NULL;
    double rows[3 * 20], out[3 * 3], theta[3 * 2] = {0, 1, 1, 1, 2, 1};
    uint64_t seeds[3] = {1, 2, 3};
    int32_t st[3];
    for (int i = 0; i < 60; i++) rows[i] = (i % 7) - 3.0;
    int rc = sbi_summary_create_moments(&a, 20, 0, 20, SBI_MOMENT_MEAN | SBI_MOMENT_STD);
    if (!rc) rc = sbi_summary_create_spike_count(&b, 20, 1.0, -10, -1, 100, 0.5);
    const sbi_summary *parts[2] = {a, b};
    if (!rc) rc = sbi_summary_create_concat(&c, 2, parts);
    if (!rc) rc = sbi_summary_compute(c, 3, rows, out, NULL);
    if (!rc) rc = sbi_simulator_create(&raw, 2, 20, raw_sim, NULL);
    if (!rc) rc = sbi_simulator_create_with_summary(&sim, raw, c);
    if (!rc) rc = sbi_simulator_run(sim, 3, theta, seeds, out, st);
    sbi_simulator_free(sim);
    sbi_simulator_free(raw);
    sbi_summary_free(a);
    sbi_summary_free(b);
    sbi_summary_free(c);
    return rc;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    int64_t k;
    for (k = 1; k < 500; k++) {
        sbi__fault_arm(k);
        const int rc = exercise_summaries();
        const int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            break;
        }
        /* inside the simulator callback the failure stops the run */
        assert_true(rc == SBI_ENOMEM || rc == SBI_ESIMULATOR);
    }
    if (k == 1) print_message("(no fault injection in this build: ran once)\n");
    else print_message("%lld allocation sites failed in turn\n", (long long)(k - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_hand),
        cmocka_unit_test(test_moments_numpy),
        cmocka_unit_test(test_moments_accuracy),
        cmocka_unit_test(test_moments_bad),
        cmocka_unit_test(test_time_window),
        cmocka_unit_test(test_spikes_hand),
        cmocka_unit_test(test_spikes_random),
        cmocka_unit_test(test_spikes_bad),
        cmocka_unit_test(test_summary_pieces),
        cmocka_unit_test(test_summary_errors),
        cmocka_unit_test(test_simulator_with_summary),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
