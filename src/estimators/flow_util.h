/* Small numeric helpers shared by the flow layers (internal, header-only). */
#ifndef SBI_ESTIMATORS_FLOW_UTIL_H
#define SBI_ESTIMATORS_FLOW_UTIL_H

#include <math.h>
#include <stdint.h>

/* log(1 + e^v) without overflow or loss of precision. */
static inline double sbi__softplus(double v)
{
    return v > 0.0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

/* 1 / (1 + e^-v), the derivative of softplus. */
static inline double sbi__sigmoid(double v)
{
    if (v >= 0.0) return 1.0 / (1.0 + exp(-v));
    double e = exp(v);
    return e / (1.0 + e);
}

/* log N(z; 0, I_d) for one row. */
static inline double sbi__std_normal_logpdf(int32_t d, const double *z)
{
    double s = 0.0;
    for (int32_t i = 0; i < d; i++) s += z[i] * z[i];
    return -0.5 * s - 0.5 * (double)d * 1.8378770664093454836; /* log(2 pi) */
}

/* Rows per chunk in log_prob / sample: bounds the scratch of re-entrant calls. */
#define SBI__FLOW_CHUNK 1024

#endif /* SBI_ESTIMATORS_FLOW_UTIL_H */
