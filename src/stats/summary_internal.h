/* Internal interface of summary handles, shared with the simulator wrapper. */
#ifndef SBI_SUMMARY_INTERNAL_H
#define SBI_SUMMARY_INTERNAL_H

#include "sbi/stats.h"

/* Take one more reference (thread-safe). */
sbi_summary *sbi__summary_retain(const sbi_summary *summary);
/* sbi_summary_compute with checked arguments; status is int32_t[n], not NULL. */
int sbi__summary_compute(const sbi_summary *summary, int64_t n, const double *raw, double *out,
                         int32_t *status);

#endif /* SBI_SUMMARY_INTERNAL_H */
