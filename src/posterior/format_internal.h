/* The posterior file format (docs/posterior-format.md): constants shared by
 * the writer and the reader (the chunk checksum is sbi__crc32, core/internal.h). */
#ifndef SBI_FORMAT_INTERNAL_H
#define SBI_FORMAT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h" /* sbi__crc32 */
#include "estimators/estimator.h"

#define SBI__FORMAT_MAGIC "\x89SBI\r\n\x1a\n"
#define SBI__FORMAT_MAGIC_LEN 8
#define SBI__FORMAT_MAJOR 1
#define SBI__FORMAT_MINOR 0
#define SBI__FORMAT_HEADER_LEN 16 /* magic, u16 major, u16 minor, u32 crc */
#define SBI__CHUNK_OVERHEAD 16    /* u32 tag, u64 length, u32 crc */

/* Chunk tags: four ASCII bytes in file order, read as a little-endian u32. */
#define SBI__TAG(a, b, c, d)                                                                      \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define SBI__TAG_META SBI__TAG('M', 'E', 'T', 'A')
#define SBI__TAG_PRIOR SBI__TAG('P', 'R', 'I', 'O')
#define SBI__TAG_ZSCORE SBI__TAG('Z', 'S', 'C', 'R')
#define SBI__TAG_ARCH SBI__TAG('A', 'R', 'C', 'H')
#define SBI__TAG_WGTS SBI__TAG('W', 'G', 'T', 'S')
#define SBI__TAG_TRAIN SBI__TAG('T', 'R', 'N', 'G')
#define SBI__TAG_END SBI__TAG('E', 'N', 'D', ' ')

#define SBI__META_MAX_TEXT 1024

/* An estimate of an estimator's parameter count from its config, used by the
 * reader to refuse configs far larger than the weights the file holds before
 * building anything. Exact for the MDN; -1 for an unknown kind. */
int64_t sbi__format_param_estimate(const sbi__estimator_config *cfg);

#endif /* SBI_FORMAT_INTERNAL_H */
