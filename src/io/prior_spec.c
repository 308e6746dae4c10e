/* Prior specification strings of the command-line tool:
 * "box:LOW1,LOW2:HIGH1,HIGH2" and "gaussian:MEAN1,MEAN2:VAR1,VAR2". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "io/io_internal.h"

/* Parse a comma-separated list of finite numbers [s, s+len) into a new array. */
static int parse_list(const char *s, size_t len, const char *which, double **out, int32_t *n)
{
    *out = NULL;
    *n = 0;
    if (len == 0) return sbi__fail(SBI_EINVAL, "prior spec: the %s list is empty", which);
    size_t count = 1;
    for (size_t i = 0; i < len; i++) count += (s[i] == ',');
    if (count > (size_t)SBI_IO_MAX_COLS)
        return sbi__fail(SBI_EINVAL, "prior spec: the %s list has more than %d numbers", which,
                         SBI_IO_MAX_COLS);
    double *v = sbi__malloc_array(count, sizeof *v);
    if (!v) return sbi__oom("prior spec");
    size_t pos = 0;
    for (size_t k = 0; k < count; k++) {
        const char *comma = memchr(s + pos, ',', len - pos);
        size_t end = comma ? (size_t)(comma - s) : len;
        size_t a = pos, b = end;
        while (a < b && s[a] == ' ') a++;
        while (b > a && s[b - 1] == ' ') b--;
        if (sbi__parse_number(s + a, b - a, &v[k]) != 0 || !isfinite(v[k])) {
            char shown[40];
            size_t m = b - a < sizeof shown - 1 ? b - a : sizeof shown - 1;
            for (size_t i = 0; i < m; i++) {
                unsigned char c = (unsigned char)s[a + i];
                shown[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
            }
            shown[m] = '\0';
            sbi__free(v);
            return sbi__fail(SBI_EINVAL, "prior spec: %s[%zu]='%s' is not a finite number", which,
                             k, shown);
        }
        pos = end + 1;
    }
    *out = v;
    *n = (int32_t)count;
    return SBI_OK;
}

static int parse_locale(const char *spec, sbi_prior **out)
{
    const char *c1 = strchr(spec, ':');
    if (!c1)
        return sbi__fail(SBI_EINVAL,
                         "prior spec: '%.40s' is not KIND:LIST:LIST (box:low1,...:high1,... or "
                         "gaussian:mean1,...:var1,...)", spec);
    size_t klen = (size_t)(c1 - spec);
    int box;
    const char *first, *second;
    if (klen == 3 && memcmp(spec, "box", 3) == 0) {
        box = 1;
        first = "low";
        second = "high";
    } else if (klen == 8 && memcmp(spec, "gaussian", 8) == 0) {
        box = 0;
        first = "mean";
        second = "variance";
    } else {
        return sbi__fail(SBI_EINVAL, "prior spec: unknown kind '%.*s' (box or gaussian)",
                         (int)(klen < 20 ? klen : 20), spec);
    }
    const char *c2 = strchr(c1 + 1, ':');
    if (!c2) return sbi__fail(SBI_EINVAL, "prior spec: the %s list is missing", second);
    if (strchr(c2 + 1, ':')) return sbi__fail(SBI_EINVAL, "prior spec: more than three ':' parts");
    double *a = NULL, *b = NULL;
    int32_t na = 0, nb = 0;
    int rc = parse_list(c1 + 1, (size_t)(c2 - c1 - 1), first, &a, &na);
    if (rc == SBI_OK) rc = parse_list(c2 + 1, strlen(c2 + 1), second, &b, &nb);
    if (rc == SBI_OK && na != nb)
        rc = sbi__fail(SBI_EINVAL, "prior spec: %d %s values but %d %s values", (int)na, first,
                       (int)nb, second);
    for (int32_t i = 0; rc == SBI_OK && i < na; i++) {
        if (box && !(a[i] < b[i]))
            rc = sbi__fail(SBI_EINVAL, "prior spec: low[%d]=%g is not below high[%d]=%g", (int)i,
                           a[i], (int)i, b[i]);
        if (!box && !(b[i] > 0))
            rc = sbi__fail(SBI_EINVAL, "prior spec: variance[%d]=%g is not positive", (int)i, b[i]);
    }
    if (rc == SBI_OK)
        rc = box ? sbi_prior_create_box_uniform(out, na, a, b)
                 : sbi_prior_create_gaussian_diag(out, na, a, b);
    sbi__free(a);
    sbi__free(b);
    return rc;
}

int sbi_prior_parse_spec(const char *spec, sbi_prior **out)
{
    SBI_CHECK_PTR(out, "sbi_prior_parse_spec");
    *out = NULL;
    SBI_CHECK_PTR(spec, "sbi_prior_parse_spec");
    void *loc = sbi__c_locale_begin();
    int rc = parse_locale(spec, out);
    sbi__c_locale_end(loc);
    return rc;
}
