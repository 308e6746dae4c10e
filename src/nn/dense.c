/* Dense (fully connected) layer: Y = X W^T + b over a row-major batch, with
 * an optional 0/1 mask on W (MADE). The BLAS path and a plain-loop reference. */
#include <math.h>
#include <string.h>

#include "nn/nn.h"
#include "rng/rng_internal.h"

int64_t sbi__dense_n_params(int32_t in, int32_t out, int has_bias)
{
    return (int64_t)in * out + (has_bias ? out : 0);
}

/* The weights the layer actually uses: W itself, or W .* mask in wbuf. */
static const double *effective_weights(const sbi__dense *l, const double *params, double *wbuf)
{
    const double *w = params + l->w_off;
    if (!l->mask) return w;
    const int64_t nw = (int64_t)l->in * l->out;
    for (int64_t i = 0; i < nw; i++) wbuf[i] = w[i] * l->mask[i];
    return wbuf;
}

/* From this many rows on, the forward pass transposes W into the scratch and
 * runs dgemm(N,N): OpenBLAS's N,T kernels are ~1.7x slower on these shapes
 * (bench/nn), and the transpose costs one pass over W. */
#define TRANSPOSE_MIN_ROWS 16

void sbi__dense_forward(const sbi__dense *l, const double *params, int64_t n, const double *x,
                        double *y, double *wbuf)
{
    const int64_t in = l->in, out = l->out;
    double beta = 0.0;
    if (l->b_off >= 0) {
        /* Broadcast the bias into Y, then accumulate X W^T onto it. */
        const double *b = params + l->b_off;
        for (int64_t r = 0; r < n; r++) memcpy(y + r * out, b, sizeof(double) * (size_t)out);
        beta = 1.0;
    }
    if (wbuf && n >= TRANSPOSE_MIN_ROWS) {
        /* wbuf = (W .* mask)^T [in][out] */
        const double *w = params + l->w_off;
        for (int64_t o = 0; o < out; o++)
            for (int64_t i = 0; i < in; i++)
                wbuf[i * out + o] = l->mask ? w[o * in + i] * l->mask[o * in + i] : w[o * in + i];
        sbi__gemm(0, 0, n, out, in, 1.0, x, in, wbuf, out, beta, y, out);
        return;
    }
    const double *w = effective_weights(l, params, wbuf);
    sbi__gemm(0, 1, n, out, in, 1.0, x, in, w, in, beta, y, out);
}

/* gb[o] += sum over rows r of dy[r][o], each column summed in row order.
 * With AVX-512 (chosen at run time) 8 columns at a time in a register:
 * the same additions in the same order, so the same bits; the scalar loop
 * (which cannot be vectorised: gb may alias dy as far as the compiler knows)
 * was ~5 % of an MDN training step. */
#if defined(__x86_64__) && defined(__GNUC__)
#define SBI_DENSE_AVX512 1
#include <immintrin.h>
/* A target attribute (not #pragma GCC target, which clang ignores). */
__attribute__((target("avx512f")))
static void bias_sums_avx512(int64_t n, int64_t out, const double *dy, double *gb)
{
    for (int64_t o = 0; o < out; o += 8) {
        const __mmask8 m = out - o >= 8 ? 0xff : (__mmask8)((1u << (out - o)) - 1u);
        __m512d acc = _mm512_maskz_loadu_pd(m, gb + o);
        for (int64_t r = 0; r < n; r++)
            acc = _mm512_add_pd(acc, _mm512_maskz_loadu_pd(m, dy + r * out + o));
        _mm512_mask_storeu_pd(gb + o, m, acc);
    }
}
#endif

static void bias_sums(int64_t n, int64_t out, const double *dy, double *gb)
{
#if SBI_DENSE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        bias_sums_avx512(n, out, dy, gb);
        return;
    }
#endif
    /* Column sums in row order: cache-friendly and deterministic. */
    for (int64_t r = 0; r < n; r++) {
        const double *d = dy + r * out;
        for (int64_t o = 0; o < out; o++) gb[o] += d[o];
    }
}

void sbi__dense_backward(const sbi__dense *l, const double *params, int64_t n, const double *x,
                         const double *dy, double *grad, int accumulate, double *dx, double *wbuf)
{
    const int64_t in = l->in, out = l->out;
    double *gw = grad + l->w_off;
    /* dW[out][in] (+)= dY^T X */
    sbi__gemm(1, 0, out, in, n, 1.0, dy, out, x, in, accumulate ? 1.0 : 0.0, gw, in);
    if (l->mask) {
        /* Masked weights do not influence the output: their gradient is 0.
         * (Earlier accumulated values are masked already.) */
        const int64_t nw = in * out;
        for (int64_t i = 0; i < nw; i++) gw[i] *= l->mask[i];
    }
    if (l->b_off >= 0) {
        double *gb = grad + l->b_off;
        if (!accumulate) memset(gb, 0, sizeof(double) * (size_t)out);
        bias_sums(n, out, dy, gb);
    }
    if (dx) {
        const double *w = effective_weights(l, params, wbuf);
        /* dX[n][in] = dY[n][out] W[out][in] */
        sbi__gemm(0, 0, n, in, out, 1.0, dy, out, w, in, 0.0, dx, in);
    }
}

static double weight_at(const sbi__dense *l, const double *params, int64_t o, int64_t i)
{
    double w = params[l->w_off + o * l->in + i];
    return l->mask ? w * l->mask[o * l->in + i] : w;
}

void sbi__dense_forward_ref(const sbi__dense *l, const double *params, int64_t n, const double *x,
                            double *y)
{
    for (int64_t r = 0; r < n; r++)
        for (int64_t o = 0; o < l->out; o++) {
            double s = l->b_off >= 0 ? params[l->b_off + o] : 0.0;
            for (int64_t i = 0; i < l->in; i++) s += x[r * l->in + i] * weight_at(l, params, o, i);
            y[r * l->out + o] = s;
        }
}

void sbi__dense_backward_ref(const sbi__dense *l, const double *params, int64_t n,
                             const double *x, const double *dy, double *grad, int accumulate,
                             double *dx)
{
    for (int64_t o = 0; o < l->out; o++) {
        for (int64_t i = 0; i < l->in; i++) {
            double s = 0.0;
            if (!l->mask || l->mask[o * l->in + i] != 0.0)
                for (int64_t r = 0; r < n; r++) s += dy[r * l->out + o] * x[r * l->in + i];
            double *g = &grad[l->w_off + o * l->in + i];
            *g = accumulate ? *g + s : s;
        }
        if (l->b_off >= 0) {
            double s = 0.0;
            for (int64_t r = 0; r < n; r++) s += dy[r * l->out + o];
            double *g = &grad[l->b_off + o];
            *g = accumulate ? *g + s : s;
        }
    }
    if (dx)
        for (int64_t r = 0; r < n; r++)
            for (int64_t i = 0; i < l->in; i++) {
                double s = 0.0;
                for (int64_t o = 0; o < l->out; o++)
                    s += dy[r * l->out + o] * weight_at(l, params, o, i);
                dx[r * l->in + i] = s;
            }
}

void sbi__dense_init_default(const sbi__dense *l, double *params, sbi_rng *rng)
{
    /* kaiming_uniform_(a=sqrt(5)) gives bound 1/sqrt(fan_in); so does the bias. */
    const double bound = 1.0 / sqrt((double)l->in);
    const int64_t nw = (int64_t)l->in * l->out;
    double *w = params + l->w_off;
    for (int64_t i = 0; i < nw; i++) w[i] = (2.0 * sbi__rng_uniform(rng) - 1.0) * bound;
    if (l->b_off >= 0) {
        double *b = params + l->b_off;
        for (int64_t o = 0; o < l->out; o++) b[o] = (2.0 * sbi__rng_uniform(rng) - 1.0) * bound;
    }
    if (l->mask)
        for (int64_t i = 0; i < nw; i++)
            if (l->mask[i] == 0.0) w[i] = 0.0;
}
