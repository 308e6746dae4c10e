/* Axis ticks at "nice" numbers (1, 2, 2.5, 5 times a power of ten) and their
 * labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot/plot_internal.h"

int sbi__nice_ticks(double lo, double hi, int target, double *ticks, int max_ticks, double *step)
{
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi) || target < 1) {
        *step = 1;
        return 0;
    }
    double raw = (hi - lo) / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag, nice;
    if (f <= 1) nice = 1;
    else if (f <= 2) nice = 2;
    else if (f <= 2.5) nice = 2.5;
    else if (f <= 5) nice = 5;
    else nice = 10;
    double s = nice * mag;
    *step = s;
    double first = ceil(lo / s - 1e-9) * s;
    int n = 0;
    for (int k = 0; n < max_ticks; k++) {
        double v = first + k * s;
        if (v > hi + s * 1e-9) break;
        if (fabs(v) < s * 1e-9) v = 0; /* no "-0" or 1e-17 */
        ticks[n++] = v;
    }
    return n;
}

void sbi__tick_label(double v, double step, char *out, size_t cap)
{
    char tmp[48];
    double a = fabs(v);
    if (v != 0 && (a >= 1e6 || a < 1e-4 || step < 1e-4)) {
        snprintf(tmp, sizeof tmp, "%.3g", a);
    } else {
        int dec = 0;
        /* Enough decimals for the step (2.5 needs one more than 2). */
        double s = step;
        while (dec < 8 && fabs(s - round(s)) > 1e-9 * fmax(1, fabs(s))) {
            s *= 10;
            dec++;
        }
        snprintf(tmp, sizeof tmp, "%.*f", dec, a);
    }
    if (v < 0) snprintf(out, cap, "\xE2\x88\x92%s", tmp); /* U+2212 minus */
    else snprintf(out, cap, "%s", tmp);
}
