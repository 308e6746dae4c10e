/* The public table object: read from a file or buffer, write atomically. */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "io/io_internal.h"

int sbi__table_new(sbi_table **out, int64_t rows, int32_t cols, int32_t ndim, int32_t format)
{
    sbi_table *t = sbi__calloc(1, sizeof *t);
    if (!t) return sbi__oom("table");
    t->rows = rows;
    t->cols = cols;
    t->ndim = ndim;
    t->format = format;
    if (rows > 0) {
        t->data = sbi__malloc_array((size_t)rows * (size_t)cols, sizeof(double));
        if (!t->data) {
            sbi__free(t);
            return sbi__oom("table");
        }
    }
    *out = t;
    return SBI_OK;
}

void sbi_table_free(sbi_table *t)
{
    if (!t) return;
    if (t->names) {
        for (int32_t j = 0; j < t->cols; j++) sbi__free(t->names[j]);
        sbi__free(t->names);
    }
    sbi__free(t->data);
    sbi__free(t);
}

static int looks_like_npy(const void *buf, size_t len)
{
    return len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0;
}

int sbi_table_read_mem(sbi_table **out, const void *buf, size_t len, int32_t format)
{
    SBI_CHECK_PTR(out, "sbi_table_read_mem");
    *out = NULL;
    SBI_CHECK_ARG(buf != NULL || len == 0, "sbi_table_read_mem: buf is NULL");
    SBI_CHECK_ARG(format == SBI_FORMAT_AUTO || format == SBI_FORMAT_CSV || format == SBI_FORMAT_NPY,
                  "sbi_table_read_mem: unknown format %d", (int)format);
    if ((uint64_t)len > SBI__IO_MAX_BYTES)
        return sbi__fail(SBI_EFORMAT, "table: input is larger than the limit of %llu bytes",
                         (unsigned long long)SBI__IO_MAX_BYTES);
    if (format == SBI_FORMAT_AUTO) format = looks_like_npy(buf, len) ? SBI_FORMAT_NPY : SBI_FORMAT_CSV;
    if (format == SBI_FORMAT_NPY) return sbi__npy_parse(out, buf, len);
    return sbi__csv_parse(out, len ? buf : "", len);
}

int sbi_table_read(sbi_table **out, const char *path)
{
    SBI_CHECK_PTR(out, "sbi_table_read");
    *out = NULL;
    SBI_CHECK_PTR(path, "sbi_table_read");
    char *buf = NULL;
    size_t len = 0;
    SBI_TRY(sbi__read_file(path, "table", &buf, &len));
    int rc = sbi_table_read_mem(out, buf, len, SBI_FORMAT_AUTO);
    sbi__free(buf);
    if (rc == SBI_EFORMAT) {
        /* Prefix the file name: "x.csv: csv: line 3 ...". */
        char msg[400];
        snprintf(msg, sizeof msg, "%s", sbi_last_error());
        rc = sbi__fail(rc, "%s: %s", path, msg);
    }
    return rc;
}

int sbi_table_shape(const sbi_table *t, int64_t *rows, int32_t *cols)
{
    SBI_CHECK_PTR(t, "sbi_table_shape");
    if (rows) *rows = t->rows;
    if (cols) *cols = t->cols;
    return SBI_OK;
}

int sbi_table_ndim(const sbi_table *t, int32_t *ndim)
{
    SBI_CHECK_PTR(t, "sbi_table_ndim");
    SBI_CHECK_PTR(ndim, "sbi_table_ndim");
    *ndim = t->ndim;
    return SBI_OK;
}

int sbi_table_format(const sbi_table *t, int32_t *format)
{
    SBI_CHECK_PTR(t, "sbi_table_format");
    SBI_CHECK_PTR(format, "sbi_table_format");
    *format = t->format;
    return SBI_OK;
}

int sbi_table_data(const sbi_table *t, const double **data)
{
    SBI_CHECK_PTR(t, "sbi_table_data");
    SBI_CHECK_PTR(data, "sbi_table_data");
    *data = t->data;
    return SBI_OK;
}

int sbi_table_name(const sbi_table *t, int32_t col, const char **name)
{
    SBI_CHECK_PTR(t, "sbi_table_name");
    SBI_CHECK_PTR(name, "sbi_table_name");
    SBI_CHECK_ARG(col >= 0 && col < t->cols, "sbi_table_name: column %d is outside 0..%d",
                  (int)col, (int)t->cols - 1);
    *name = t->names ? t->names[col] : NULL;
    return SBI_OK;
}

static int check_names(const char *const *names, int32_t cols, const char *what)
{
    void *loc = sbi__c_locale_begin();
    int rc = SBI_OK;
    for (int32_t j = 0; j < cols && rc == SBI_OK; j++) {
        const char *s = names[j];
        if (!s) {
            rc = sbi__fail(SBI_EINVAL, "%s: names[%d] is NULL", what, (int)j);
            break;
        }
        size_t n = strlen(s);
        double v;
        if (n == 0) rc = sbi__fail(SBI_EINVAL, "%s: names[%d] is empty", what, (int)j);
        else if (n > SBI__IO_MAX_NAME)
            rc = sbi__fail(SBI_EINVAL, "%s: names[%d] is longer than %d bytes", what, (int)j,
                           SBI__IO_MAX_NAME);
        else if (strpbrk(s, ",\"\r\n") || s[0] == '#' || s[0] == ' ' || s[n - 1] == ' ')
            rc = sbi__fail(SBI_EINVAL,
                           "%s: names[%d]='%s' holds a comma, quote or line break, or starts with "
                           "'#' or a space", what, (int)j, s);
        else if (strncmp(s, "\xEF\xBB\xBF", 3) == 0) /* the reader drops a leading BOM */
            rc = sbi__fail(SBI_EINVAL, "%s: names[%d] starts with a byte-order mark", what, (int)j);
        else if (sbi__parse_number(s, n, &v) == 0)
            rc = sbi__fail(SBI_EINVAL, "%s: names[%d]='%s' reads as a number", what, (int)j, s);
        for (size_t i = 0; i < n && rc == SBI_OK; i++)
            if ((unsigned char)s[i] < 0x20)
                rc = sbi__fail(SBI_EINVAL, "%s: names[%d] holds a control character", what, (int)j);
    }
    sbi__c_locale_end(loc);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k) return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[n - k + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return 0;
    }
    return 1;
}

static int format_table(sbi__buf *b, int64_t rows, int32_t cols, const double *data,
                        const char *const *names, int32_t format, const char *what)
{
    SBI_CHECK_ARG(rows >= 0, "%s: rows=%lld is negative", what, (long long)rows);
    SBI_CHECK_ARG(cols >= 1 && cols <= SBI_IO_MAX_COLS, "%s: cols=%d is outside 1..%d", what,
                  (int)cols, SBI_IO_MAX_COLS);
    SBI_CHECK_ARG(rows == 0 || data != NULL, "%s: data is NULL", what);
    SBI_CHECK_ARG((uint64_t)rows <= SIZE_MAX / 32 / (uint64_t)cols, "%s: %lld rows is too many",
                  what, (long long)rows);
    if (names && format == SBI_FORMAT_CSV) SBI_TRY(check_names(names, cols, what));
    if (format == SBI_FORMAT_NPY) return sbi__npy_format(b, rows, cols, data);
    return sbi__csv_format(b, rows, cols, data, names);
}

int sbi_table_write_mem(void **buf, size_t *len, int64_t rows, int32_t cols, const double *data,
                        const char *const *names, int32_t format)
{
    SBI_CHECK_PTR(buf, "sbi_table_write_mem");
    SBI_CHECK_PTR(len, "sbi_table_write_mem");
    *buf = NULL;
    *len = 0;
    SBI_CHECK_ARG(format == SBI_FORMAT_CSV || format == SBI_FORMAT_NPY,
                  "sbi_table_write_mem: format %d is not CSV (1) or NPY (2)", (int)format);
    sbi__buf b = {0};
    int rc = format_table(&b, rows, cols, data, names, format, "sbi_table_write_mem");
    if (rc != SBI_OK) {
        sbi__buf_free(&b);
        return rc;
    }
    *buf = b.data;
    *len = b.len;
    return SBI_OK;
}

int sbi_table_write(const char *path, int64_t rows, int32_t cols, const double *data,
                    const char *const *names, int32_t format)
{
    SBI_CHECK_PTR(path, "sbi_table_write");
    SBI_CHECK_ARG(format == SBI_FORMAT_AUTO || format == SBI_FORMAT_CSV || format == SBI_FORMAT_NPY,
                  "sbi_table_write: unknown format %d", (int)format);
    if (format == SBI_FORMAT_AUTO) format = ends_with(path, ".npy") ? SBI_FORMAT_NPY : SBI_FORMAT_CSV;
    sbi__buf b = {0};
    int rc = format_table(&b, rows, cols, data, names, format, "sbi_table_write");
    if (rc == SBI_OK) rc = sbi__write_file_atomic(path, "sbi_table_write", b.data, b.len);
    sbi__buf_free(&b);
    return rc;
}
