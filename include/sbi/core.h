/* libsbi core: status codes, error messages, version, memory.
 *
 * Thread-safety: every function here is safe to call from any thread.
 * sbi_last_error() is per thread. sbi_set_allocator() must be called before
 * any other libsbi call, from one thread, if it is called at all. */
#ifndef SBI_CORE_H
#define SBI_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "sbi/export.h"
#include "sbi/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Every public function that can fail returns one of these.
 * Values are pinned forever and the list is append-only. */
enum {
    SBI_OK = 0,           /* success */
    SBI_EINVAL = -1,      /* an argument is invalid (NULL, out of range, wrong shape) */
    SBI_ENOMEM = -2,      /* an allocation failed */
    SBI_ESIMULATOR = -3,  /* the simulator callback returned an error for a whole call */
    SBI_ECANCELED = -4,   /* the operation was cancelled through a *_cancel call */
    SBI_EFORMAT = -5,     /* a file or buffer is not in the expected format or is corrupt */
    SBI_EVERSION = -6,    /* a file, plugin or library has an unsupported version */
    SBI_EIO = -7,         /* reading or writing a file failed */
    SBI_ENUMERIC = -8,    /* a numerical failure (non-finite values, singular matrix) */
    SBI_EBUDGET = -9,     /* a sampling or time budget ran out; partial results are returned */
    SBI_ESTATE = -10,     /* the call is not valid in the object's current state */
    SBI_EPLUGIN = -11,    /* a plugin could not be loaded (missing file or symbol) */
    SBI_ECALLBACK = -12   /* a user callback other than the simulator returned an error */
};

/* Static English text for a status code; never NULL (unknown codes give a
 * generic text). */
SBI_API const char *sbi_status_string(int status);

/* The detailed message of the last failure on the calling thread, e.g.
 * "prior: low[1]=5 is not below high[1]=2". Never NULL; "" if none. The
 * pointer is valid until the next libsbi call on this thread. */
SBI_API const char *sbi_last_error(void);

/* Forget the calling thread's last error message. */
SBI_API void sbi_clear_error(void);

/* Version of the library actually loaded: 10000*major + 100*minor + patch;
 * compare with SBI_VERSION_NUMBER from the headers. */
SBI_API int32_t sbi_version_number(void);
/* "major.minor.patch" of the loaded library; static storage. */
SBI_API const char *sbi_version_string(void);
/* The ABI major of the loaded library (the N in libsbi.so.N); bindings refuse
 * to run against a library whose ABI version they were not written for. */
SBI_API int32_t sbi_abi_version(void);

/* User allocator (optional). The three functions must behave like malloc,
 * realloc and free. Must be called before any other libsbi call, and never
 * while libsbi objects exist. Passing all-NULL restores the C library's.
 * Returns SBI_EINVAL if only some of the functions are given. */
typedef void *(*sbi_malloc_fn)(void *user_data, size_t size);
typedef void *(*sbi_realloc_fn)(void *user_data, void *ptr, size_t size);
typedef void (*sbi_free_fn)(void *user_data, void *ptr);
SBI_API int sbi_set_allocator(sbi_malloc_fn malloc_fn, sbi_realloc_fn realloc_fn,
                              sbi_free_fn free_fn, void *user_data);

/* Free a buffer that libsbi allocated and handed to the caller (for example by
 * sbi_posterior_save_mem). Accepts NULL. Never use the C library's free(). */
SBI_API void sbi_free(void *ptr);

/* A progress callback used by long operations: `done` of `total` units of
 * work are complete (the unit is given by the operation). Return 0 to go on,
 * non-zero to cancel the operation (it then returns SBI_ECANCELED). Called on
 * the thread that started the operation. */
typedef int (*sbi_progress_fn)(void *user_data, int64_t done, int64_t total);

#ifdef __cplusplus
}
#endif

#endif /* SBI_CORE_H */
