/* Internal helpers shared by every module: allocation, errors, checks.
 * Nothing here is exported; names use the sbi__ prefix. */
#ifndef SBI_CORE_INTERNAL_H
#define SBI_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sbi/core.h"

/* All library allocations go through these (user allocator, fault injection). */
void *sbi__malloc(size_t size);
void *sbi__calloc(size_t count, size_t size); /* overflow-checked, zeroed */
void *sbi__realloc(void *ptr, size_t size);
void sbi__free(void *ptr);
/* count*size bytes, or NULL on overflow or failure. */
void *sbi__malloc_array(size_t count, size_t size);
/* Duplicate count*size bytes of src (NULL src or 0 bytes gives a 1-byte block). */
void *sbi__memdup(const void *src, size_t count, size_t size);
/* A copy of the string s, or NULL if s is NULL or on failure. */
char *sbi__strdup(const char *s);

/* Record a formatted message as the thread's last error and return status. */
int sbi__fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The out-of-memory failure with a short context ("prior", "runner"...). */
int sbi__oom(const char *where);

/* Fault injection for tests (only active in builds with SBI_FAULT_INJECTION):
 * make the n-th allocation from now fail (n >= 1), or disable with 0. Returns
 * the number of allocations made since the last arm. */
void sbi__fault_arm(int64_t n);
int64_t sbi__fault_count(void);
int sbi__fault_fired(void);

/* CRC-32 (zlib's; check value crc32("123456789") = 0xCBF43926), used by the
 * posterior file format and the runner's checkpoint. update continues a
 * running value (start with 0). Pure: safe from any thread. */
uint32_t sbi__crc32(const void *data, size_t len);
uint32_t sbi__crc32_update(uint32_t crc, const void *data, size_t len);

/* Argument checks that set a message and return SBI_EINVAL from the caller. */
#define SBI_CHECK_ARG(cond, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) return sbi__fail(SBI_EINVAL, __VA_ARGS__);                                   \
    } while (0)
#define SBI_CHECK_PTR(ptr, where) SBI_CHECK_ARG((ptr) != NULL, "%s: %s is NULL", where, #ptr)

/* Propagate a non-OK status. */
#define SBI_TRY(expr)                                                                              \
    do {                                                                                           \
        int sbi__rc_ = (expr);                                                                     \
        if (sbi__rc_ != SBI_OK) return sbi__rc_;                                                   \
    } while (0)

#endif /* SBI_CORE_INTERNAL_H */
