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

/* The update of elements [i0, n), one at a time. */
static void adam_scalar(int64_t i0, int64_t n, double *params, double *m, double *v,
                        const double *grad, double w1, double b2, double w2, double bc2_sqrt,
                        double eps, double step)
{
    for (int64_t i = i0; i < n; i++) {
        const double g = grad[i];
        m[i] += w1 * (g - m[i]); /* torch: exp_avg.lerp_(grad, 1 - beta1) */
        v[i] = v[i] * b2 + w2 * g * g;
        params[i] -= step * (m[i] / (sqrt(v[i]) / bc2_sqrt + eps));
    }
}

/* The same operations in the same order, 8 elements at a time (AVX-512,
 * chosen at run time; no contraction into fused multiply-adds, so the bits
 * are those of adam_scalar). The two divisions and the square root per
 * element made the scalar loop ~7 % of an MDN training step. Returns the
 * elements done. */
#if defined(__x86_64__) && defined(__GNUC__)
#define SBI_ADAM_AVX512 1
#include <immintrin.h>
/* A target attribute (not #pragma GCC target, which clang ignores). */
__attribute__((target("avx512f")))
static int64_t adam_avx512(int64_t n, double *params, double *m, double *v, const double *grad,
                           double w1, double b2, double w2, double bc2_sqrt, double eps,
                           double step)
{
    const __m512d W1 = _mm512_set1_pd(w1), B2 = _mm512_set1_pd(b2), W2 = _mm512_set1_pd(w2);
    const __m512d BC2 = _mm512_set1_pd(bc2_sqrt), EPS = _mm512_set1_pd(eps);
    const __m512d STEP = _mm512_set1_pd(step);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m512d g = _mm512_loadu_pd(grad + i);
        __m512d mi = _mm512_loadu_pd(m + i), vi = _mm512_loadu_pd(v + i);
        mi = _mm512_add_pd(mi, _mm512_mul_pd(W1, _mm512_sub_pd(g, mi)));
        vi = _mm512_add_pd(_mm512_mul_pd(vi, B2), _mm512_mul_pd(_mm512_mul_pd(W2, g), g));
        const __m512d den = _mm512_add_pd(_mm512_div_pd(_mm512_sqrt_pd(vi), BC2), EPS);
        const __m512d upd = _mm512_mul_pd(STEP, _mm512_div_pd(mi, den));
        _mm512_storeu_pd(m + i, mi);
        _mm512_storeu_pd(v + i, vi);
        _mm512_storeu_pd(params + i, _mm512_sub_pd(_mm512_loadu_pd(params + i), upd));
    }
    return i;
}
#endif

void sbi__adam_step(sbi__adam *a, double *params, const double *grad)
{
    a->t++;
    const double b1 = a->beta1, b2 = a->beta2, eps = a->eps;
    const double bc1 = 1.0 - pow(b1, (double)a->t);
    const double bc2_sqrt = sqrt(1.0 - pow(b2, (double)a->t));
    const double step = a->lr / bc1, w1 = 1.0 - b1, w2 = 1.0 - b2;
    int64_t i = 0;
#if SBI_ADAM_AVX512
    if (__builtin_cpu_supports("avx512f"))
        i = adam_avx512(a->n, params, a->m, a->v, grad, w1, b2, w2, bc2_sqrt, eps, step);
#endif
    adam_scalar(i, a->n, params, a->m, a->v, grad, w1, b2, w2, bc2_sqrt, eps, step);
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
