/* The runner's checkpoint file: finished rows appended as checksummed
 * records while a run goes, read back to resume an interrupted run.
 *
 * Layout (all integers little-endian, doubles as IEEE-754 binary64 bits):
 *   header (52 bytes): magic "\x89SBR\r\n\x1a\n", u16 major = 1, u16 minor = 0,
 *     u32 theta_dim, u32 x_dim, u32 source (1 = theta from the prior,
 *     2 = theta given), u64 seed, i64 first_index, i64 n,
 *     u32 CRC-32 of the 48 bytes before it;
 *   records, one per finished chunk: u32 tag "ROWS", i64 start (row of the
 *     run, 0-based), i64 count (>= 1), theta f64[count][theta_dim],
 *     x f64[count][x_dim], status i32[count], u32 CRC-32 of everything in the
 *     record before it.
 * Each record goes to the file in one write(), so a killed process leaves at
 * most one torn record at the end. A reader stops at the first record that
 * is short, out of range, overlapping or fails its checksum, and truncates
 * the file there: those rows are simply simulated again. */
#ifndef SBI_CHECKPOINT_H
#define SBI_CHECKPOINT_H

#include <stdint.h>

#include "sim/sim_internal.h"

typedef struct sbi__checkpoint sbi__checkpoint;

/* What identifies a run: a checkpoint is resumed only by the same run. */
typedef struct sbi__run_identity {
    int32_t theta_dim;
    int32_t x_dim;
    int32_t theta_given; /* 0: theta drawn from the prior; 1: given by the caller */
    uint64_t seed;
    int64_t first_index;
    int64_t n;
} sbi__run_identity;

/* Open the checkpoint at path, creating it if absent (or empty), and lock it
 * against other runs. Records found are loaded into ds: status, x, and theta
 * (for a given-theta run theta is compared with ds's instead, SBI_EINVAL on a
 * difference). *loaded receives the rows loaded. max_rows bounds a record
 * written later (the chunk size). Errors: SBI_EIO (cannot open, locked by
 * another run, read/write failure), SBI_EFORMAT (not a checkpoint file: the
 * file is left untouched), SBI_EINVAL (a checkpoint of another run),
 * SBI_ENOMEM. */
int sbi__checkpoint_open(sbi__checkpoint **out, const char *path, const sbi__run_identity *id,
                         struct sbi_dataset *ds, int64_t max_rows, int64_t *loaded);
/* Append rows [start, start+count) of ds as one record. SBI_EIO on failure. */
int sbi__checkpoint_append(sbi__checkpoint *cp, const struct sbi_dataset *ds, int64_t start,
                           int64_t count);
/* Flush to disk (fsync), unlock and close; accepts NULL. Returns SBI_EIO if
 * the flush failed (the file was still closed). */
int sbi__checkpoint_close(sbi__checkpoint *cp);

#endif /* SBI_CHECKPOINT_H */
