/* Shared by the accuracy benchmark's files. */
#ifndef SBI_BENCH_ACCURACY_H
#define SBI_BENCH_ACCURACY_H

#include <stdint.h>
#include <stdio.h>

/* One scored observation. */
typedef struct bench_row {
    char task[32];
    int64_t budget;
    char estimator[8];
    int32_t observation;
    double c2st;          /* NaN if sampling failed */
    double train_seconds; /* of the cell (one training per task/budget/estimator) */
    int64_t epochs;
    double c2st_seconds;
    double acceptance;    /* of rejection sampling to the prior support */
} bench_row;

/* Append rows to a CSV file (a header is written if the file is new). */
int bench_csv_append(const char *path, const bench_row *rows, int64_t n);
/* Read every row of such a CSV into a new array (free()). */
int bench_csv_read(const char *path, bench_row **rows, int64_t *n);
/* The table of mean +- sd per cell, next to the published NPE numbers, as
 * Markdown and JSON. */
void bench_write_markdown(FILE *f, const bench_row *rows, int64_t n);
void bench_write_json(FILE *f, const bench_row *rows, int64_t n);

/* C2ST known answers at the benchmark's size (10k vs 10k). */
int bench_validate(uint64_t seed);

#endif /* SBI_BENCH_ACCURACY_H */
