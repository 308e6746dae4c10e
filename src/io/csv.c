/* Numeric CSV: an optional header row of names, then rows of numbers. */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "io/io_internal.h"

typedef struct {
    const char *s; /* the line, without its line break */
    size_t len;
} line_t;

/* Next line of buf starting at *pos; returns 0 at the end. */
static int next_line(const char *buf, size_t len, size_t *pos, line_t *line)
{
    if (*pos >= len) return 0;
    const char *start = buf + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - start) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    if (n > 0 && start[n - 1] == '\r') n--;
    line->s = start;
    line->len = n;
    return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

static int is_blank(const line_t *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (!is_space(l->s[i])) return 0;
    return 1;
}

/* Field k of a line: [*start, *start + *n) without surrounding spaces.
 * Iterate with *pos from 0; returns 0 when the line is used up. */
static int next_field(const line_t *l, size_t *pos, int *done, const char **start, size_t *n)
{
    if (*done) return 0;
    size_t i = *pos;
    const char *comma = memchr(l->s + i, ',', l->len - i);
    size_t end = comma ? (size_t)(comma - l->s) : l->len;
    size_t a = i, b = end;
    while (a < b && is_space(l->s[a])) a++;
    while (b > a && is_space(l->s[b - 1])) b--;
    *start = l->s + a;
    *n = b - a;
    if (comma) *pos = end + 1;
    else *done = 1;
    return 1;
}

static int count_fields(const line_t *l)
{
    size_t n = 1;
    for (size_t i = 0; i < l->len; i++) n += (l->s[i] == ',');
    return n > (size_t)SBI_IO_MAX_COLS ? -1 : (int)n;
}

/* Is every field of the line a number? */
static int all_numeric(const line_t *l)
{
    size_t pos = 0;
    int done = 0;
    const char *f;
    size_t n;
    while (next_field(l, &pos, &done, &f, &n)) {
        double v;
        if (sbi__parse_number(f, n, &v) != 0) return 0;
    }
    return 1;
}

static int parse_header(sbi_table *t, const line_t *l, int64_t lineno)
{
    t->names = sbi__calloc((size_t)t->cols, sizeof *t->names);
    if (!t->names) return sbi__oom("csv");
    size_t pos = 0;
    int done = 0, j = 0;
    const char *f;
    size_t n;
    while (next_field(l, &pos, &done, &f, &n)) {
        if (n >= 2 && f[0] == '"' && f[n - 1] == '"') f++, n -= 2; /* "name" */
        if (n > SBI__IO_MAX_NAME)
            return sbi__fail(SBI_EFORMAT, "csv: line %lld: column name %d is longer than %d bytes",
                             (long long)lineno, j + 1, SBI__IO_MAX_NAME);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)f[i] < 0x20 || f[i] == '"')
                return sbi__fail(SBI_EFORMAT,
                                 "csv: line %lld: column name %d holds a control character or quote",
                                 (long long)lineno, j + 1);
        t->names[j] = sbi__malloc(n + 1);
        if (!t->names[j]) return sbi__oom("csv");
        memcpy(t->names[j], f, n);
        t->names[j][n] = '\0';
        j++;
    }
    return SBI_OK;
}

static void show_field(char *dst, size_t cap, const char *f, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)f[i];
        dst[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[k] = '\0';
    if (n >= cap && cap > 4) memcpy(dst + cap - 4, "...", 4);
}

static int parse_row(double *row, int32_t cols, const line_t *l, int64_t lineno)
{
    int nf = count_fields(l);
    if (nf != cols)
        return sbi__fail(SBI_EFORMAT, "csv: line %lld has %d fields, expected %d",
                         (long long)lineno, nf < 0 ? SBI_IO_MAX_COLS + 1 : nf, (int)cols);
    size_t pos = 0;
    int done = 0, j = 0;
    const char *f;
    size_t n;
    while (next_field(l, &pos, &done, &f, &n)) {
        int rc = sbi__parse_number(f, n, &row[j]);
        if (rc != 0) {
            char shown[40];
            show_field(shown, sizeof shown, f, n);
            if (n == 0)
                return sbi__fail(SBI_EFORMAT, "csv: line %lld, column %d is empty",
                                 (long long)lineno, j + 1);
            return sbi__fail(SBI_EFORMAT, "csv: line %lld, column %d: '%s' is %s",
                             (long long)lineno, j + 1, shown,
                             rc == -2 ? "out of the double range" : "not a number");
        }
        j++;
    }
    return SBI_OK;
}

static int csv_parse_locale(sbi_table **out, const char *buf, size_t len)
{
    if (memchr(buf, '\0', len))
        return sbi__fail(SBI_EFORMAT, "csv: the data holds a NUL byte (binary, not CSV text)");
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) pos = 3; /* UTF-8 byte-order mark */
    line_t l;
    int64_t lineno = 0;
    int have = 0;
    while (next_line(buf, len, &pos, &l)) {
        lineno++;
        if (!is_blank(&l)) {
            have = 1;
            break;
        }
    }
    if (!have) return sbi__fail(SBI_EFORMAT, "csv: no header and no data (the input is empty)");

    int header = 0;
    if (l.len > 0 && l.s[0] == '#') { /* numpy.savetxt's "# a,b" header */
        header = 1;
        l.s++;
        l.len--;
    } else {
        header = !all_numeric(&l);
    }
    int cols = count_fields(&l);
    if (cols < 0)
        return sbi__fail(SBI_EFORMAT, "csv: line %lld has more than %d columns", (long long)lineno,
                         SBI_IO_MAX_COLS);
    sbi_table *t = NULL;
    SBI_TRY(sbi__table_new(&t, 0, cols, 2, SBI_FORMAT_CSV));
    int rc = SBI_OK;
    size_t cap_rows = 0;
    if (header) {
        rc = parse_header(t, &l, lineno);
        have = 0;
    }
    while (rc == SBI_OK) {
        if (!have) {
            if (!next_line(buf, len, &pos, &l)) break;
            lineno++;
            if (is_blank(&l)) continue;
        }
        have = 0;
        if ((size_t)t->rows == cap_rows) {
            size_t ncap = cap_rows ? cap_rows * 2 : 64;
            if (ncap > SIZE_MAX / sizeof(double) / (size_t)cols) {
                rc = sbi__fail(SBI_EFORMAT, "csv: too many rows");
                break;
            }
            double *d = sbi__realloc(t->data, ncap * (size_t)cols * sizeof(double));
            if (!d) {
                rc = sbi__oom("csv");
                break;
            }
            t->data = d;
            cap_rows = ncap;
        }
        rc = parse_row(t->data + (size_t)t->rows * (size_t)cols, cols, &l, lineno);
        if (rc == SBI_OK) t->rows++;
    }
    if (rc != SBI_OK) {
        sbi_table_free(t);
        return rc;
    }
    *out = t;
    return SBI_OK;
}

int sbi__csv_parse(sbi_table **out, const char *buf, size_t len)
{
    void *loc = sbi__c_locale_begin();
    int rc = csv_parse_locale(out, buf, len);
    sbi__c_locale_end(loc);
    return rc;
}

int sbi__csv_format(sbi__buf *b, int64_t rows, int32_t cols, const double *data,
                    const char *const *names)
{
    char def[24];
    for (int32_t j = 0; j < cols; j++) {
        if (j) sbi__buf_putc(b, ',');
        if (names) {
            sbi__buf_puts(b, names[j]);
        } else {
            snprintf(def, sizeof def, "c%d", (int)j);
            sbi__buf_puts(b, def);
        }
    }
    sbi__buf_putc(b, '\n');
    void *loc = sbi__c_locale_begin();
    for (int64_t i = 0; i < rows && !b->failed; i++) {
        const double *row = data + (size_t)i * (size_t)cols;
        for (int32_t j = 0; j < cols; j++) {
            if (j) sbi__buf_putc(b, ',');
            sbi__buf_put_double(b, row[j]);
        }
        sbi__buf_putc(b, '\n');
    }
    sbi__c_locale_end(loc);
    return b->failed ? sbi__oom("csv") : SBI_OK;
}
