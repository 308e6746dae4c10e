/* Elementwise activations and their derivatives (written from the outputs). */
#include <math.h>

#include "nn/nn.h"

void sbi__act_forward(sbi__act act, int64_t count, const double *z, double *h)
{
    switch (act) {
    case SBI__ACT_RELU:
        for (int64_t i = 0; i < count; i++) h[i] = z[i] > 0.0 ? z[i] : 0.0;
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
        for (int64_t i = 0; i < count; i++)
            if (!(h[i] > 0.0)) d[i] = 0.0;
        break;
    case SBI__ACT_TANH:
        for (int64_t i = 0; i < count; i++) d[i] *= 1.0 - h[i] * h[i];
        break;
    case SBI__ACT_IDENTITY:
    default:
        break;
    }
}
