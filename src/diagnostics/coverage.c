/* Expected coverage of highest-posterior-density regions, by ranking
 * log-probabilities (as the reference's run_sbc with a log_prob reduce
 * function): theta* lies in the alpha-HPD region when fewer than a fraction
 * alpha of the posterior samples have a higher density. */
#include <math.h>

#include "core/internal.h"
#include "sbi/diagnostics.h"

int sbi_coverage_ranks(int64_t n_tests, int64_t n_samples, const double *log_q_true,
                       const double *log_q_samples, int32_t *hpd_ranks)
{
    const char *w = "sbi_coverage_ranks";
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(n_samples >= 1 && n_samples <= INT32_MAX,
                  "%s: n_samples=%lld must be in 1..2^31-1", w, (long long)n_samples);
    SBI_CHECK_PTR(log_q_true, w);
    SBI_CHECK_PTR(log_q_samples, w);
    SBI_CHECK_PTR(hpd_ranks, w);
    for (int64_t i = 0; i < n_tests; i++) {
        double t = log_q_true[i];
        SBI_CHECK_ARG(!isnan(t), "%s: log_q_true[%lld] is NaN", w, (long long)i);
        const double *s = log_q_samples + (size_t)i * (size_t)n_samples;
        int32_t r = 0;
        for (int64_t j = 0; j < n_samples; j++) {
            SBI_CHECK_ARG(!isnan(s[j]), "%s: log_q_samples[%lld][%lld] is NaN", w,
                          (long long)i, (long long)j);
            r += s[j] > t;
        }
        hpd_ranks[i] = r;
    }
    return SBI_OK;
}

int sbi_coverage_curve(int64_t n_tests, const int32_t *hpd_ranks, int64_t n_samples,
                       int32_t n_levels, const double *levels, double *coverage)
{
    const char *w = "sbi_coverage_curve";
    SBI_CHECK_ARG(n_tests >= 1, "%s: n_tests=%lld must be at least 1", w, (long long)n_tests);
    SBI_CHECK_ARG(n_samples >= 1, "%s: n_samples=%lld must be at least 1", w,
                  (long long)n_samples);
    SBI_CHECK_ARG(n_levels >= 1, "%s: n_levels=%d must be at least 1", w, (int)n_levels);
    SBI_CHECK_PTR(hpd_ranks, w);
    SBI_CHECK_PTR(levels, w);
    SBI_CHECK_PTR(coverage, w);
    for (int32_t l = 0; l < n_levels; l++)
        SBI_CHECK_ARG(levels[l] >= 0.0 && levels[l] <= 1.0, "%s: levels[%d]=%g is outside [0, 1]",
                      w, (int)l, levels[l]);
    for (int64_t i = 0; i < n_tests; i++)
        SBI_CHECK_ARG(hpd_ranks[i] >= 0 && hpd_ranks[i] <= n_samples,
                      "%s: hpd_ranks[%lld]=%d is outside 0..%lld", w, (long long)i,
                      (int)hpd_ranks[i], (long long)n_samples);
    for (int32_t l = 0; l < n_levels; l++) {
        int64_t inside = 0;
        /* The mid-point of rank r's cell of the unit interval: uniform ranks
         * on 0..L then give coverage(alpha) = alpha up to 1/(2(L+1)). */
        for (int64_t i = 0; i < n_tests; i++)
            inside += ((double)hpd_ranks[i] + 0.5) / (double)(n_samples + 1) < levels[l];
        coverage[l] = (double)inside / (double)n_tests;
    }
    return SBI_OK;
}
