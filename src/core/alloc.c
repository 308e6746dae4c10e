/* The one allocator: every library allocation passes here, so a user
 * allocator can replace malloc and tests can fail the n-th allocation. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

static void *default_malloc(void *ud, size_t size) { (void)ud; return malloc(size); }
static void *default_realloc(void *ud, void *p, size_t size) { (void)ud; return realloc(p, size); }
static void default_free(void *ud, void *p) { (void)ud; free(p); }

/* Set once before any other call (documented), so plain statics suffice. */
static sbi_malloc_fn g_malloc = default_malloc;
static sbi_realloc_fn g_realloc = default_realloc;
static sbi_free_fn g_free = default_free;
static void *g_user;

int sbi_set_allocator(sbi_malloc_fn malloc_fn, sbi_realloc_fn realloc_fn, sbi_free_fn free_fn,
                      void *user_data)
{
    if (!malloc_fn && !realloc_fn && !free_fn) {
        g_malloc = default_malloc;
        g_realloc = default_realloc;
        g_free = default_free;
        g_user = NULL;
        return SBI_OK;
    }
    SBI_CHECK_ARG(malloc_fn && realloc_fn && free_fn,
                  "sbi_set_allocator: give all three functions or none");
    g_malloc = malloc_fn;
    g_realloc = realloc_fn;
    g_free = free_fn;
    g_user = user_data;
    return SBI_OK;
}

#ifdef SBI_FAULT_INJECTION
#include <stdatomic.h>
static _Atomic int64_t g_fault_left;  /* allocations until the failing one; 0 = off */
static _Atomic int64_t g_fault_count; /* allocations since arming */
static _Atomic int g_fault_fired;

void sbi__fault_arm(int64_t n)
{
    g_fault_count = 0;
    g_fault_fired = 0;
    g_fault_left = n;
}
int64_t sbi__fault_count(void) { return g_fault_count; }
int sbi__fault_fired(void) { return g_fault_fired; }

static int fault_now(void)
{
    g_fault_count++;
    if (g_fault_left > 0 && --g_fault_left == 0) {
        g_fault_fired = 1;
        return 1;
    }
    return 0;
}
#else
void sbi__fault_arm(int64_t n) { (void)n; }
int64_t sbi__fault_count(void) { return 0; }
int sbi__fault_fired(void) { return 0; }
static int fault_now(void) { return 0; }
#endif

void *sbi__malloc(size_t size)
{
    if (fault_now()) return NULL;
    return g_malloc(g_user, size ? size : 1);
}

void *sbi__malloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return NULL;
    return sbi__malloc(count * size);
}

void *sbi__calloc(size_t count, size_t size)
{
    void *p = sbi__malloc_array(count, size);
    if (p) memset(p, 0, count * size);
    return p;
}

void *sbi__realloc(void *ptr, size_t size)
{
    if (fault_now()) return NULL;
    return g_realloc(g_user, ptr, size ? size : 1);
}

void sbi__free(void *ptr)
{
    if (ptr) g_free(g_user, ptr);
}

void *sbi__memdup(const void *src, size_t count, size_t size)
{
    void *p = sbi__malloc_array(count, size);
    if (p && src && count && size) memcpy(p, src, count * size);
    return p;
}

char *sbi__strdup(const char *s)
{
    return s ? sbi__memdup(s, strlen(s) + 1, 1) : NULL;
}

void sbi_free(void *ptr) { sbi__free(ptr); }
