/* libsbi input/output: numeric tables as CSV (one header row) or NumPy .npy,
 * and the prior specification strings of the command-line tool.
 *
 * A table is a row-major double[rows][cols] array with optional column names.
 * Readers are hardened against malformed or hostile input: every length is
 * checked, nothing overflows, and a bad file gives SBI_EFORMAT with a message
 * naming the problem (line and column for CSV). Writers are atomic: the data
 * goes to a temporary file in the destination folder, which is flushed to
 * disk (fsync) and renamed over the destination, so a crash never leaves a
 * half-written file under the final name.
 *
 * Formats (docs/cli.md has the details):
 *  - CSV: comma-separated decimal numbers, one row per line, '\n' or "\r\n".
 *    The first line is a header of column names if any of its fields is not
 *    a number (a leading "# " as written by numpy.savetxt is accepted). Fields
 *    may be padded with spaces; "nan", "inf", "-inf" (any case) are read as
 *    such; empty fields and other text are errors. Numbers are read and
 *    written in the C locale whatever the process locale; written numbers use
 *    the shortest form that reads back to the same double.
 *  - .npy: format versions 1.0, 2.0 and 3.0 are read; dtype '<f8' or '<f4'
 *    (converted to double), C order, 1-D or 2-D. Anything else (big-endian,
 *    integers, Fortran order, 3-D...) is rejected with SBI_EFORMAT. Version 1.0
 *    with dtype '<f8' is written (numpy.load reads it).
 *
 * Limits: at most SBI_IO_MAX_COLS columns, column names of at most 255 bytes,
 * input of at most 2^34 bytes.
 *
 * Thread-safety: a table is immutable after it is read; its functions may be
 * called from several threads at once. The other functions are re-entrant. */
#ifndef SBI_IO_H
#define SBI_IO_H

#include "sbi/core.h"
#include "sbi/prior.h"

#ifdef __cplusplus
extern "C" {
#endif

/* File formats. Values pinned, append-only. */
enum {
    SBI_FORMAT_AUTO = 0, /* reading: from the content (.npy magic, else CSV);
                            writing: from the file name (".npy" or else CSV) */
    SBI_FORMAT_CSV = 1,
    SBI_FORMAT_NPY = 2
};

/* The largest number of columns a table may have. */
enum { SBI_IO_MAX_COLS = 1000000 };

typedef struct sbi_table sbi_table;

/* Read a table from a file (CSV or .npy, told apart by the content).
 * Errors: SBI_EIO (the file cannot be opened or read; the message names it
 * and the reason), SBI_EFORMAT (malformed content), SBI_ENOMEM, SBI_EINVAL. */
SBI_API int sbi_table_read(sbi_table **out, const char *path);
/* Read a table from a buffer of len bytes in the given format (SBI_FORMAT_*).
 * The buffer is not kept. Errors as sbi_table_read, without SBI_EIO. */
SBI_API int sbi_table_read_mem(sbi_table **out, const void *buf, size_t len, int32_t format);
/* Free a table; accepts NULL. */
SBI_API void sbi_table_free(sbi_table *table);

/* Rows and columns (either pointer may be NULL). A 1-D .npy array of length
 * n reads as n rows of 1 column; sbi_table_ndim tells it apart. */
SBI_API int sbi_table_shape(const sbi_table *table, int64_t *rows, int32_t *cols);
/* 1 for a 1-D .npy array, else 2. */
SBI_API int sbi_table_ndim(const sbi_table *table, int32_t *ndim);
/* The format the table was read from (SBI_FORMAT_CSV or SBI_FORMAT_NPY). */
SBI_API int sbi_table_format(const sbi_table *table, int32_t *format);
/* Borrowed pointer to the row-major values (rows*cols doubles; may be NULL
 * when the table has no rows), valid until the table is freed. */
SBI_API int sbi_table_data(const sbi_table *table, const double **data);
/* Name of column col, borrowed; NULL when the table has no header (.npy
 * files, CSV files without a header row). */
SBI_API int sbi_table_name(const sbi_table *table, int32_t col, const char **name);

/* Write rows x cols values (row-major; data may be NULL when rows is 0) to a
 * file, atomically. names (optional, cols strings) become the CSV header; a
 * CSV without names gets the header "c0,c1,...". Names may not hold commas,
 * quotes or line breaks, and must not read as numbers. .npy files hold no
 * names. format: SBI_FORMAT_AUTO chooses .npy for a path ending in ".npy",
 * CSV otherwise. Errors: SBI_EINVAL (bad arguments or names), SBI_EIO (the
 * file cannot be written; no partial file is left), SBI_ENOMEM. */
SBI_API int sbi_table_write(const char *path, int64_t rows, int32_t cols, const double *data,
                            const char *const *names, int32_t format);
/* The same into a new buffer (format CSV or NPY, not AUTO); free *buf with
 * sbi_free. */
SBI_API int sbi_table_write_mem(void **buf, size_t *len, int64_t rows, int32_t cols,
                                const double *data, const char *const *names, int32_t format);

/* Parse a prior specification and create the prior:
 *   "box:LOW1,LOW2,...:HIGH1,HIGH2,..."        uniform on a box
 *   "gaussian:MEAN1,MEAN2,...:VAR1,VAR2,..."    independent normals
 * Numbers are decimal (C locale), at most SBI_IO_MAX_COLS of them per list;
 * both lists must have the same length. Errors: SBI_EINVAL with a message
 * naming the problem (unknown kind, bad number, length mismatch, low >= high,
 * variance <= 0), SBI_ENOMEM. */
SBI_API int sbi_prior_parse_spec(const char *spec, sbi_prior **out);

#ifdef __cplusplus
}
#endif

#endif /* SBI_IO_H */
