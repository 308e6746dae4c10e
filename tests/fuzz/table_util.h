/* Shared by the table targets: read, query everything, and check that what
 * the writers make from a table reads back to the same table. */
#ifndef SBI_FUZZ_TABLE_UTIL_H
#define SBI_FUZZ_TABLE_UTIL_H

#include "fuzz.h"

static inline void fuzz_table_same(const sbi_table *a, const sbi_table *b, int check_names)
{
    int64_t ra = -1, rb = -1;
    int32_t ca = -1, cb = -1;
    FUZZ_CHECK(sbi_table_shape(a, &ra, &ca) == SBI_OK);
    FUZZ_CHECK(sbi_table_shape(b, &rb, &cb) == SBI_OK);
    FUZZ_CHECK(ra == rb);
    if (ra > 0) FUZZ_CHECK(ca == cb);
    const double *da = NULL, *db = NULL;
    FUZZ_CHECK(sbi_table_data(a, &da) == SBI_OK);
    FUZZ_CHECK(sbi_table_data(b, &db) == SBI_OK);
    if (ra > 0) FUZZ_CHECK(fuzz_same_doubles(da, db, (size_t)ra * (size_t)ca));
    if (check_names && ca == cb) {
        for (int32_t j = 0; j < ca; j++) {
            const char *na = NULL, *nb = NULL;
            FUZZ_CHECK(sbi_table_name(a, j, &na) == SBI_OK);
            FUZZ_CHECK(sbi_table_name(b, j, &nb) == SBI_OK);
            if (na) FUZZ_CHECK(nb && strcmp(na, nb) == 0);
        }
    }
}

/* Query every accessor of a table that read. */
static inline void fuzz_table_query(const sbi_table *t, int32_t want_format)
{
    int64_t rows = -1;
    int32_t cols = -1, ndim = 0, format = 0;
    FUZZ_CHECK(sbi_table_shape(t, &rows, &cols) == SBI_OK);
    FUZZ_CHECK(rows >= 0 && cols >= 0 && cols <= SBI_IO_MAX_COLS);
    FUZZ_CHECK(sbi_table_ndim(t, &ndim) == SBI_OK && (ndim == 1 || ndim == 2));
    FUZZ_CHECK(sbi_table_format(t, &format) == SBI_OK && format == want_format);
    const double *data = NULL;
    FUZZ_CHECK(sbi_table_data(t, &data) == SBI_OK);
    if (rows > 0) {
        FUZZ_CHECK(data != NULL);
        int64_t nonfinite = 0; /* every value is readable (ASan checks) */
        for (int64_t i = 0; i < rows * cols; i++) nonfinite += !isfinite(data[i]);
        FUZZ_CHECK(nonfinite <= rows * cols);
    }
    for (int32_t j = 0; j < cols; j++) {
        const char *name = NULL;
        FUZZ_CHECK(sbi_table_name(t, j, &name) == SBI_OK);
        if (name) FUZZ_CHECK(strlen(name) <= 255);
    }
    FUZZ_CHECK(sbi_table_name(t, cols, &(const char *){NULL}) == SBI_EINVAL);
}

/* Write the table in `format` (with its names for CSV) into memory and read
 * it back: the same table must come out. Writing may refuse names that
 * cannot be written (SBI_EINVAL), nothing else. */
static inline void fuzz_table_round_trip(const sbi_table *t, int32_t format)
{
    int64_t rows = 0;
    int32_t cols = 0;
    FUZZ_CHECK(sbi_table_shape(t, &rows, &cols) == SBI_OK);
    if (cols < 1) return;
    const double *data = NULL;
    FUZZ_CHECK(sbi_table_data(t, &data) == SBI_OK);
    const char **names = NULL;
    const char *first = NULL;
    FUZZ_CHECK(sbi_table_name(t, 0, &first) == SBI_OK);
    if (first && format == SBI_FORMAT_CSV) {
        names = malloc((size_t)cols * sizeof *names);
        if (!names) return;
        for (int32_t j = 0; j < cols; j++) FUZZ_CHECK(sbi_table_name(t, j, &names[j]) == SBI_OK);
    }
    void *buf = NULL;
    size_t len = 0;
    int rc = sbi_table_write_mem(&buf, &len, rows, cols, data, names, format);
    if (rc == SBI_OK) {
        sbi_table *back = NULL;
        FUZZ_CHECK(sbi_table_read_mem(&back, buf, len, format) == SBI_OK);
        fuzz_table_same(t, back, names != NULL);
        sbi_table_free(back);
    } else {
        FUZZ_CHECK(rc == SBI_EINVAL && names != NULL);
    }
    sbi_free(buf);
    free(names);
}

static inline int fuzz_table_one(const uint8_t *data, size_t size, int32_t format)
{
    sbi_table *t = NULL;
    int rc = sbi_table_read_mem(&t, data, size, format);
    FUZZ_CHECK((rc == SBI_OK) == (t != NULL));
    FUZZ_CHECK(rc == SBI_OK || rc == SBI_EFORMAT || rc == SBI_ENOMEM);
    if (t) {
        fuzz_table_query(t, format);
        fuzz_table_round_trip(t, SBI_FORMAT_CSV);
        fuzz_table_round_trip(t, SBI_FORMAT_NPY);
    }
    sbi_table_free(t);
    return 0;
}

#endif /* SBI_FUZZ_TABLE_UTIL_H */
