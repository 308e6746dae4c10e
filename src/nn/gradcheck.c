/* Central finite differences against an analytic gradient (tests). */
#include <math.h>

#include "nn/nn.h"

double sbi__gradcheck(sbi__scalar_fn f, void *ctx, double *v, int64_t n, const double *grad,
                      double h, int64_t *worst, double *worst_fd)
{
    double max_err = 0.0;
    if (worst) *worst = -1;
    if (worst_fd) *worst_fd = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const double keep = v[i];
        double fp, fm;
        v[i] = keep + h;
        int rc = f(ctx, v, &fp);
        v[i] = keep - h;
        if (rc == SBI_OK) rc = f(ctx, v, &fm);
        v[i] = keep;
        if (rc != SBI_OK) return -1.0;
        const double fd = (fp - fm) / (2.0 * h);
        double scale = fabs(grad[i]) > fabs(fd) ? fabs(grad[i]) : fabs(fd);
        if (scale < 1.0) scale = 1.0;
        const double err = fabs(grad[i] - fd) / scale;
        if (!(err <= max_err)) { /* also catches NaN */
            max_err = isnan(err) ? INFINITY : err;
            if (worst) *worst = i;
            if (worst_fd) *worst_fd = fd;
            if (isnan(err)) break;
        }
    }
    return max_err;
}
