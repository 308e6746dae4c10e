/* The three simulators, exactly as ../shared/spec/benchmark-tasks.md gives
 * them. Row i draws only from the generator stream (seeds[i], 0), so its
 * output is a function of (theta_i, seeds[i]) whatever the batching. */
#include <math.h>

#include "tasks_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A per-call generator: callbacks must be re-entrant across runner workers. */
static sbi_rng *new_rng(void)
{
    sbi_rng *rng = NULL;
    return sbi_rng_create(&rng, 0, 0) == SBI_OK ? rng : NULL;
}

int sbi_tasks_gaussian_linear_simulate(void *user_data, int64_t n, int32_t theta_dim,
                                       const double *theta, const uint64_t *seeds,
                                       int32_t x_dim, double *x, int32_t *status)
{
    (void)user_data;
    (void)status;
    if (theta_dim != 10 || x_dim != 10) return -1;
    sbi_rng *rng = new_rng();
    if (!rng) return -1;
    const double sd = sqrt(0.1); /* noise variance 0.1 */
    double eps[10];
    for (int64_t i = 0; i < n; i++) {
        sbi_rng_reset(rng, seeds[i], 0);
        sbi_rng_normal(rng, 10, eps);
        for (int j = 0; j < 10; j++) x[i * 10 + j] = theta[i * 10 + j] + sd * eps[j];
    }
    sbi_rng_free(rng);
    return 0;
}

int sbi_tasks_two_moons_simulate(void *user_data, int64_t n, int32_t theta_dim,
                                 const double *theta, const uint64_t *seeds, int32_t x_dim,
                                 double *x, int32_t *status)
{
    (void)user_data;
    (void)status;
    if (theta_dim != 2 || x_dim != 2) return -1;
    sbi_rng *rng = new_rng();
    if (!rng) return -1;
    for (int64_t i = 0; i < n; i++) {
        double u, z;
        sbi_rng_reset(rng, seeds[i], 0);
        sbi_rng_uniform(rng, 1, &u);
        sbi_rng_normal(rng, 1, &z);
        double a = M_PI * (u - 0.5);  /* U(-pi/2, pi/2) */
        double r = 0.1 + 0.01 * z;    /* N(0.1, 0.01^2) */
        double p0 = r * cos(a) + 0.25, p1 = r * sin(a);
        double t0 = theta[2 * i], t1 = theta[2 * i + 1];
        x[2 * i] = p0 - fabs(t0 + t1) / sqrt(2.0);
        x[2 * i + 1] = p1 + (-t0 + t1) / sqrt(2.0);
    }
    sbi_rng_free(rng);
    return 0;
}

int sbi_tasks_slcp_simulate(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                            const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    (void)user_data;
    (void)status;
    if (theta_dim != 5 || x_dim != 8) return -1;
    sbi_rng *rng = new_rng();
    if (!rng) return -1;
    double z[8];
    for (int64_t i = 0; i < n; i++) {
        const double *t = theta + 5 * i;
        double s1 = t[2] * t[2], s2 = t[3] * t[3], rho = tanh(t[4]);
        /* Sigma = [[s1^2, rho s1 s2], [rho s1 s2, s2^2]] + 1e-6 I, by Cholesky. */
        double c11 = s1 * s1 + 1e-6, c21 = rho * s1 * s2, c22 = s2 * s2 + 1e-6;
        double l11 = sqrt(c11), l21 = c21 / l11, l22 = sqrt(c22 - l21 * l21);
        sbi_rng_reset(rng, seeds[i], 0);
        sbi_rng_normal(rng, 8, z);
        for (int k = 0; k < 4; k++) {
            double za = z[2 * k], zb = z[2 * k + 1];
            x[8 * i + 2 * k] = t[0] + l11 * za;
            x[8 * i + 2 * k + 1] = t[1] + l21 * za + l22 * zb;
        }
    }
    sbi_rng_free(rng);
    return 0;
}
