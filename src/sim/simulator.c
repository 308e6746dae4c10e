/* The simulator handle: a batched user callback with its dimensions. */
#include <math.h>

#include "core/internal.h"
#include "sim/sim_internal.h"

int sbi_simulator_create(sbi_simulator **out, int32_t theta_dim, int32_t x_dim,
                         sbi_simulate_fn fn, void *user_data)
{
    static const char *where = "sbi_simulator_create";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_ARG(theta_dim >= 1, "%s: theta_dim=%d must be at least 1", where, (int)theta_dim);
    SBI_CHECK_ARG(x_dim >= 1, "%s: x_dim=%d must be at least 1", where, (int)x_dim);
    SBI_CHECK_ARG(fn != NULL, "%s: the simulate callback is NULL", where);
    struct sbi_simulator *s = sbi__calloc(1, sizeof *s);
    if (!s) return sbi__oom(where);
    s->theta_dim = theta_dim;
    s->x_dim = x_dim;
    s->fn = fn;
    s->user_data = user_data;
    *out = s;
    return SBI_OK;
}

int sbi_simulator_set_destructor(sbi_simulator *sim, sbi_destroy_fn destroy)
{
    SBI_CHECK_PTR(sim, "sbi_simulator_set_destructor");
    SBI_CHECK_ARG(sim->owned == NULL,
                  "sbi_simulator_set_destructor: this simulator was made by libsbi and has no "
                  "user data");
    sim->destroy = destroy;
    return SBI_OK;
}

void sbi_simulator_free(sbi_simulator *sim)
{
    if (!sim) return;
    if (sim->destroy) sim->destroy(sim->user_data);
    if (sim->release) sim->release(sim->owned);
    sbi__free(sim);
}

int sbi_simulator_dims(const sbi_simulator *sim, int32_t *theta_dim, int32_t *x_dim)
{
    SBI_CHECK_PTR(sim, "sbi_simulator_dims");
    if (theta_dim) *theta_dim = sim->theta_dim;
    if (x_dim) *x_dim = sim->x_dim;
    return SBI_OK;
}

void sbi__fill_nan(double *p, size_t count)
{
    for (size_t i = 0; i < count; i++) p[i] = NAN;
}

int sbi__simulator_call(const struct sbi_simulator *sim, int64_t n, const double *theta,
                        const uint64_t *seeds, double *x, int32_t *status)
{
    const size_t xd = (size_t)sim->x_dim;
    sbi__fill_nan(x, (size_t)n * xd);
    for (int64_t i = 0; i < n; i++) status[i] = 0;
    int rc = sim->fn(sim->user_data, n, sim->theta_dim, theta, seeds, sim->x_dim, x, status);
    if (rc != 0) {
        sbi__fill_nan(x, (size_t)n * xd);
        for (int64_t i = 0; i < n; i++) status[i] = SBI_ROW_PENDING;
        return rc;
    }
    for (int64_t i = 0; i < n; i++) {
        if (status[i] != 0) {
            status[i] = SBI_ROW_FAILED;
            continue;
        }
        const double *row = x + (size_t)i * xd;
        status[i] = SBI_ROW_OK;
        for (size_t j = 0; j < xd; j++)
            if (!isfinite(row[j])) {
                status[i] = SBI_ROW_NONFINITE;
                break;
            }
    }
    return 0;
}

int sbi_simulator_run(const sbi_simulator *sim, int64_t n, const double *theta,
                      const uint64_t *seeds, double *x, int32_t *status)
{
    static const char *where = "sbi_simulator_run";
    SBI_CHECK_PTR(sim, where);
    SBI_CHECK_ARG(n >= 0, "%s: n=%lld is negative", where, (long long)n);
    SBI_CHECK_ARG(n <= INT64_MAX / sim->theta_dim && n <= INT64_MAX / sim->x_dim,
                  "%s: n=%lld rows overflow", where, (long long)n);
    if (n == 0) return SBI_OK;
    SBI_CHECK_PTR(theta, where);
    SBI_CHECK_PTR(seeds, where);
    SBI_CHECK_PTR(x, where);
    SBI_CHECK_PTR(status, where);
    int rc = sbi__simulator_call(sim, n, theta, seeds, x, status);
    if (rc != 0)
        return sbi__fail(SBI_ESIMULATOR, "%s: the simulator returned %d", where, rc);
    return SBI_OK;
}
