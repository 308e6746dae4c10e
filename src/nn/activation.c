/* Elementwise activations and their derivatives (written from the outputs). */
#include <math.h>
#include <string.h>

#include "nn/nn.h"

/* x if keep, else +0.0, without a branch: ReLU masks are ~50 % random, so a
 * branch would mispredict half the time (measured: 4x slower). */
static inline double keep_or_zero(double x, int keep)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b &= -(uint64_t)keep;
    memcpy(&x, &b, sizeof x);
    return x;
}

void sbi__act_forward(sbi__act act, int64_t count, const double *z, double *h)
{
    switch (act) {
    case SBI__ACT_RELU:
        /* !(z <= 0) also keeps NaN, so non-finite values reach the loss. */
        for (int64_t i = 0; i < count; i++) h[i] = keep_or_zero(z[i], !(z[i] <= 0.0));
        break;
    case SBI__ACT_TANH:
        for (int64_t i = 0; i < count; i++) h[i] = tanh(z[i]);
        break;
    case SBI__ACT_IDENTITY:
    default:
        if (h != z)
            for (int64_t i = 0; i < count; i++) h[i] = z[i];
        break;
    }
}

void sbi__act_backward(sbi__act act, int64_t count, const double *h, double *d)
{
    switch (act) {
    case SBI__ACT_RELU:
        /* h > 0 exactly when z > 0; at z = 0 the derivative is taken as 0 (PyTorch). */
        for (int64_t i = 0; i < count; i++) d[i] = keep_or_zero(d[i], !(h[i] <= 0.0));
        break;
    case SBI__ACT_TANH:
        for (int64_t i = 0; i < count; i++) d[i] *= 1.0 - h[i] * h[i];
        break;
    case SBI__ACT_IDENTITY:
    default:
        break;
    }
}
