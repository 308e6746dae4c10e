/* Internal pieces of the io module: a growable byte buffer, C-locale number
 * text, whole-file reading and atomic file writing. */
#ifndef SBI_IO_INTERNAL_H
#define SBI_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sbi/io.h"

/* Largest input the readers accept (bytes). */
#define SBI__IO_MAX_BYTES ((uint64_t)1 << 34)
/* Longest column name (bytes, without the terminator). */
#define SBI__IO_MAX_NAME 255
/* Longest number token a reader accepts. */
#define SBI__IO_MAX_NUMBER 256

/* A growable byte buffer; all fields zero is an empty buffer. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* an append ran out of memory; later appends are no-ops */
} sbi__buf;

void sbi__buf_append(sbi__buf *b, const void *src, size_t n);
void sbi__buf_puts(sbi__buf *b, const char *s);
void sbi__buf_putc(sbi__buf *b, char c);
/* Append the shortest decimal text that reads back as v ("nan", "inf", "-inf"
 * for non-finite values). Must run inside sbi__c_locale_begin/end. */
void sbi__buf_put_double(sbi__buf *b, double v);
void sbi__buf_free(sbi__buf *b);

/* Switch the calling thread to the C locale for number text, and back.
 * begin returns a token to hand to end. Re-entrant and thread-safe. */
void *sbi__c_locale_begin(void);
void sbi__c_locale_end(void *token);

/* Parse one number token of len bytes (no surrounding spaces): decimal with
 * optional sign, fraction and exponent, or nan/inf/infinity in any case.
 * Returns 0 and sets *v, or -1 if the text is not such a number, -2 if it is
 * out of the double range. Must run inside sbi__c_locale_begin/end. */
int sbi__parse_number(const char *s, size_t len, double *v);

/* Read a whole file into a new buffer (sbi__free it). what names the caller
 * in messages. Errors: SBI_EIO, SBI_EFORMAT (too large), SBI_ENOMEM. */
int sbi__read_file(const char *path, const char *what, char **data, size_t *len);
/* Write len bytes to path atomically (temporary file in the same folder,
 * fsync, rename). Errors: SBI_EIO (no file left behind), SBI_ENOMEM. */
int sbi__write_file_atomic(const char *path, const char *what, const void *data, size_t len);

/* Readers and writers of the formats; a parsed table is handed over in *out. */
struct sbi_table {
    int64_t rows;
    int32_t cols;
    int32_t ndim;
    int32_t format;
    double *data;  /* rows*cols, may be NULL when rows == 0 */
    char **names;  /* cols strings, or NULL without a header */
};
int sbi__table_new(sbi_table **out, int64_t rows, int32_t cols, int32_t ndim, int32_t format);
int sbi__csv_parse(sbi_table **out, const char *buf, size_t len);
int sbi__npy_parse(sbi_table **out, const unsigned char *buf, size_t len);
int sbi__csv_format(sbi__buf *b, int64_t rows, int32_t cols, const double *data,
                    const char *const *names);
int sbi__npy_format(sbi__buf *b, int64_t rows, int32_t cols, const double *data);

#endif /* SBI_IO_INTERNAL_H */
