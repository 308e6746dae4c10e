/* One-line messages and option values checked with their option's name. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sbi %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_lib_error(const char *cmd, int status, const char *fmt, ...)
{
    char head[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    const char *detail = sbi_last_error();
    if (!detail || !*detail) detail = sbi_status_string(status);
    fprintf(stderr, "sbi %s: %s: %s\n", cmd, head, detail);
}

int cli_int64(const char *cmd, const char *opt, const char *s, int64_t min, int64_t max,
              int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno) {
        cli_error(cmd, "--%s '%s' is not an integer", opt, s);
        return -1;
    }
    if (v < min || v > max) {
        cli_error(cmd, "--%s %lld is outside %lld..%lld", opt, v, (long long)min, (long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_double(const char *cmd, const char *opt, const char *s, double min, double max,
               double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) {
        cli_error(cmd, "--%s '%s' is not a finite number", opt, s);
        return -1;
    }
    if (v < min || v > max) {
        cli_error(cmd, "--%s %g is outside %g..%g", opt, v, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_seed(const char *cmd, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (s[0] == '-') {
        cli_error(cmd, "--seed '%s' is negative", s);
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno) {
        cli_error(cmd, "--seed '%s' is not an integer in 0..2^64-1", s);
        return -1;
    }
    *out = v;
    return 0;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
