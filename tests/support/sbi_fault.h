/* Allocation-failure walks: run a scenario with the 1st, 2nd, ... allocation
 * failing until it runs without a failure; every failing run must return
 * SBI_ENOMEM and free everything (ASan's leak check sees the rest). Active
 * only in builds with -DSBI_FAULT_INJECTION=ON (tools/test.sh's sanitizer
 * suite); skipped otherwise. */
#ifndef SBI_FAULT_H
#define SBI_FAULT_H

#include "sbi_test.h"
#include "core/internal.h"

static inline int sbi_test_fault_injection_enabled(void)
{
    sbi__fault_arm(1);
    void *p = sbi__malloc(8);
    int fired = sbi__fault_fired();
    sbi__free(p);
    sbi__fault_arm(0);
    return fired;
}

/* scenario(ctx) returns a status; it must free all it made on every path. */
static inline void sbi_test_fault_walk(int (*scenario)(void *ctx), void *ctx)
{
    if (!sbi_test_fault_injection_enabled()) {
        print_message("skipped: built without SBI_FAULT_INJECTION\n");
        skip();
    }
    for (int64_t n = 1;; n++) {
        sbi__fault_arm(n);
        int rc = scenario(ctx);
        int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            print_message("walked %lld allocations\n", (long long)(n - 1));
            break;
        }
        if (rc != SBI_ENOMEM) {
            print_error("allocation %lld failing gave %d (%s: %s), expected SBI_ENOMEM\n",
                        (long long)n, rc, sbi_status_string(rc), sbi_last_error());
            fail();
        }
        assert_non_null(strstr(sbi_last_error(), "out of memory"));
    }
}

#endif /* SBI_FAULT_H */
