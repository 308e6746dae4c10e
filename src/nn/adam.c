/* Adam and global-norm gradient clipping, each one loop over the flat arrays. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "nn/nn.h"

int sbi__adam_init(sbi__adam *a, int64_t n, double lr)
{
    memset(a, 0, sizeof *a);
    SBI_CHECK_ARG(n >= 1, "adam: %lld parameters", (long long)n);
    SBI_CHECK_ARG(lr > 0.0 && isfinite(lr), "adam: learning rate %g must be positive", lr);
    a->m = sbi__calloc(2 * (size_t)n, sizeof(double));
    if (!a->m) return sbi__oom("adam");
    a->v = a->m + n;
    a->n = n;
    a->lr = lr;
    a->beta1 = 0.9;
    a->beta2 = 0.999;
    a->eps = 1e-8;
    a->t = 0;
    return SBI_OK;
}

void sbi__adam_destroy(sbi__adam *a)
{
    if (!a) return;
    sbi__free(a->m);
    memset(a, 0, sizeof *a);
}

void sbi__adam_reset(sbi__adam *a)
{
    memset(a->m, 0, 2 * sizeof(double) * (size_t)a->n);
    a->t = 0;
}

void sbi__adam_step(sbi__adam *a, double *params, const double *grad)
{
    a->t++;
    const double b1 = a->beta1, b2 = a->beta2, eps = a->eps;
    const double bc1 = 1.0 - pow(b1, (double)a->t);
    const double bc2_sqrt = sqrt(1.0 - pow(b2, (double)a->t));
    const double step = a->lr / bc1, w1 = 1.0 - b1, w2 = 1.0 - b2;
    double *m = a->m, *v = a->v;
    for (int64_t i = 0; i < a->n; i++) {
        const double g = grad[i];
        m[i] += w1 * (g - m[i]); /* torch: exp_avg.lerp_(grad, 1 - beta1) */
        v[i] = v[i] * b2 + w2 * g * g;
        params[i] -= step * (m[i] / (sqrt(v[i]) / bc2_sqrt + eps));
    }
}

double sbi__clip_grad_norm(double *grad, int64_t n, double max_norm)
{
    double ss = 0.0;
    for (int64_t i = 0; i < n; i++) ss += grad[i] * grad[i];
    const double norm = sqrt(ss);
    if (max_norm > 0.0) {
        double c = max_norm / (norm + 1e-6);
        if (c < 1.0)
            for (int64_t i = 0; i < n; i++) grad[i] *= c;
    }
    return norm;
}
