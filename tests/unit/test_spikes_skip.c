/* Spike detection skips runs of samples below the threshold 8 at a time.
 * On traces shaped like the HH tutorial's (long stretches below the
 * threshold, short excursions above it, placed at every offset around the
 * 8-sample blocks, at the very start and end, plateaus, values exactly at the
 * threshold, NaN) it must find exactly what the literal array algorithm of
 * the reference finds. */
#include "sbi_test.h"

/* The reference's steps on whole arrays: clamp, flatten the falls, then the
 * samples still followed by a fall; refractory rule between candidates. */
static long literal_spikes(const double *v, long n, double dt, double th, double t_on,
                           double t_off, double refr, long *idx)
{
    double *w = malloc(sizeof(double) * (size_t)n);
    char *fall = malloc((size_t)n);
    double *times = malloc(sizeof(double) * (size_t)n);
    long *cand = malloc(sizeof(long) * (size_t)n);
    for (long k = 0; k < n; k++) w[k] = v[k] < th ? th : v[k];
    for (long k = 0; k + 1 < n; k++) fall[k] = w[k + 1] - w[k] < 0;
    for (long k = 0; k + 1 < n; k++)
        if (fall[k]) w[k] = th;
    long m = 0;
    for (long k = 0; k + 1 < n; k++)
        if (w[k + 1] - w[k] < 0) {
            const double t = (double)k * dt;
            if (t > t_on && t < t_off) {
                times[m] = t;
                cand[m++] = k;
            }
        }
    long kept = 0;
    for (long j = 0; j < m; j++)
        if (j == 0 || times[j] - times[j - 1] > refr) idx[kept++] = cand[j];
    free(w);
    free(fall);
    free(times);
    free(cand);
    return kept;
}

static void test_spikes_match_literal(void **state)
{
    (void)state;
    enum { N = 1500 };
    const double th = -10.0;
    double v[N], u[8];
    int64_t idx[N];
    long ref[N];
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 5, 0));
    long total = 0;
    for (int trial = 0; trial < 400; trial++) {
        for (int i = 0; i < N; i++) v[i] = -65.0 + (double)(i % 13) * 0.1;
        /* A few excursions of random shape at random places. */
        const int spikes = trial % 9;
        for (int s = 0; s < spikes; s++) {
            assert_ok(sbi_rng_uniform(rng, 8, u));
            int at = (int)(u[0] * N), len = 1 + (int)(u[1] * 12);
            if (trial % 5 == 0) at = (s * 8 + trial) % N; /* around block boundaries */
            if (trial % 7 == 0 && s == 0) at = 0;
            if (trial % 11 == 0 && s == 0) at = N - len;
            for (int i = 0; i < len && at + i < N; i++) {
                const double x = u[2] < 0.2 ? th : 40.0 * sin(3.14159 * (i + 1) / (len + 1)) - 5;
                v[at + i] = u[3] < 0.15 ? 20.0 : x; /* 20.0: plateaus */
            }
            if (u[4] < 0.05) v[at] = NAN;
            if (u[5] < 0.1 && at + len < N) v[at + len] = th; /* back exactly to th */
        }
        const double refr = (trial % 3) * 0.05;
        int64_t c;
        assert_ok(sbi_stats_spike_times(v, N, 0.01, th, (trial % 4) * 0.5, 14.0, refr, N, idx, &c));
        const long rc = literal_spikes(v, N, 0.01, th, (trial % 4) * 0.5, 14.0, refr, ref);
        assert_int_equal(c, rc);
        for (long j = 0; j < rc; j++) assert_int_equal(idx[j], ref[j]);
        total += rc;
    }
    assert_true(total > 300); /* the traces did have spikes */
    sbi_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spikes_match_literal),
    };
    return cmocka_run_group_tests_name("spikes_skip", tests, NULL, NULL);
}
