/* Test helpers: CMocka plus tolerance checks and reference-data access. */
#ifndef SBI_TEST_H
#define SBI_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sbi.h"

/* |actual - expected| <= atol + rtol*|expected|, NaN equal only to NaN and
 * infinities only to themselves; prints both values on failure. */
#define assert_close(actual, expected, rtol, atol)                                                 \
    sbi_test_assert_close((actual), (expected), (rtol), (atol), #actual, __FILE__, __LINE__)

static inline void sbi_test_assert_close(double a, double e, double rtol, double atol,
                                         const char *what, const char *file, int line)
{
    int ok;
    if (isnan(e)) ok = isnan(a);
    else if (isinf(e)) ok = (a == e);
    else ok = isfinite(a) && fabs(a - e) <= atol + rtol * fabs(e);
    if (!ok) {
        print_error("%s = %.17g, expected %.17g (rtol %g, atol %g)\n", what, a, e, rtol, atol);
        _fail(file, line);
    }
}

/* Assert a libsbi call returns the given status, printing its message if not. */
#define assert_status(call, status)                                                                \
    do {                                                                                           \
        int sbi_t_rc_ = (call);                                                                    \
        if (sbi_t_rc_ != (status)) {                                                               \
            print_error("%s returned %d (%s: %s), expected %d\n", #call, sbi_t_rc_,                \
                        sbi_status_string(sbi_t_rc_), sbi_last_error(), (int)(status));             \
            _fail(__FILE__, __LINE__);                                                             \
        }                                                                                          \
    } while (0)
#define assert_ok(call) assert_status(call, SBI_OK)

/* Path of a file in ../shared/ (tests run from the repository root), or NULL
 * with a skip message when shared/ is absent. */
#define SBI_SHARED_DIR "../shared"
static inline int sbi_test_have_shared(void)
{
    return access(SBI_SHARED_DIR "/README.md", R_OK) == 0;
}
#define skip_without_shared()                                                                      \
    do {                                                                                           \
        if (!sbi_test_have_shared()) {                                                             \
            print_message("skipped: ../shared/ reference data is absent\n");                      \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* Read a numeric CSV with one header row into a malloc'd row-major array;
 * returns the number of rows (cols set), or -1. The caller frees *data. */
static inline long sbi_test_read_csv(const char *path, int *cols, double **data)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1 << 16];
    if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }
    int c = 1;
    for (char *p = line; *p; p++) c += (*p == ',');
    long cap = 1024, n = 0;
    double *d = malloc(sizeof(double) * (size_t)cap * (size_t)c);
    while (d && fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '\0') continue;
        if (n == cap) {
            cap *= 2;
            double *nd = realloc(d, sizeof(double) * (size_t)cap * (size_t)c);
            if (!nd) { free(d); d = NULL; break; }
            d = nd;
        }
        char *p = line;
        for (int j = 0; j < c; j++) {
            d[n * c + j] = strtod(p, &p);
            if (*p == ',') p++;
        }
        n++;
    }
    fclose(f);
    if (!d) return -1;
    *cols = c;
    *data = d;
    return n;
}

#endif /* SBI_TEST_H */
