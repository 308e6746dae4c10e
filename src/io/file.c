/* Whole-file reading with a size limit, and atomic writing: a temporary file
 * in the destination folder, flushed with fsync, then renamed over the
 * destination, so readers see either the old file or the complete new one. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "io/io_internal.h"

static const char *err_text(int err, char *buf, size_t n)
{
    /* GNU strerror_r returns the text (maybe a static string, not buf). */
    return strerror_r(err, buf, n);
}

int sbi__read_file(const char *path, const char *what, char **data, size_t *len)
{
    char eb[128];
    *data = NULL;
    *len = 0;
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        return sbi__fail(SBI_EIO, "%s: cannot open '%s': %s", what, path, err_text(e, eb, sizeof eb));
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return sbi__fail(SBI_EIO, "%s: '%s' is a directory", what, path);
    }
    size_t cap = 0, n = 0;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= SBI__IO_MAX_BYTES && (uint64_t)st.st_size < SIZE_MAX)
        cap = (size_t)st.st_size + 1;
    if (cap == 0) cap = 4096;
    for (;;) {
        if (!buf || n == cap) {
            if (buf) {
                if ((uint64_t)cap > SBI__IO_MAX_BYTES) {
                    close(fd);
                    sbi__free(buf);
                    return sbi__fail(SBI_EFORMAT, "%s: '%s' is larger than the limit of %llu bytes",
                                     what, path, (unsigned long long)SBI__IO_MAX_BYTES);
                }
                if (cap > SIZE_MAX / 2) cap = SIZE_MAX; else cap *= 2;
            }
            char *p = sbi__realloc(buf, cap);
            if (!p) {
                close(fd);
                sbi__free(buf);
                return sbi__oom(what);
            }
            buf = p;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            sbi__free(buf);
            return sbi__fail(SBI_EIO, "%s: cannot read '%s': %s", what, path,
                             err_text(e, eb, sizeof eb));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = n;
    return SBI_OK;
}

static _Atomic unsigned g_tmp_counter;

int sbi__write_file_atomic(const char *path, const char *what, const void *data, size_t len)
{
    char eb[128];
    size_t plen = strlen(path);
    if (plen == 0) return sbi__fail(SBI_EINVAL, "%s: the path is empty", what);
    if (path[plen - 1] == '/')
        return sbi__fail(SBI_EIO, "%s: '%s' names a directory, not a file", what, path);
    /* "<dir>/.<base>.tmp-<pid>-<n>": same folder, so rename() is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t cap = plen + 64;
    char *tmp = sbi__malloc(cap);
    if (!tmp) return sbi__oom(what);
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        unsigned k = atomic_fetch_add(&g_tmp_counter, 1u);
        snprintf(tmp, cap, "%.*s.%s.tmp-%ld-%u", (int)dirlen, path, path + dirlen, (long)getpid(),
                 k);
        do fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        while (fd < 0 && errno == EINTR);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int e = errno;
        sbi__free(tmp);
        return sbi__fail(SBI_EIO, "%s: cannot create a file next to '%s': %s", what, path,
                         err_text(e, eb, sizeof eb));
    }
    const char *p = data;
    size_t left = len;
    int e = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            e = errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        sbi__free(tmp);
        return sbi__fail(SBI_EIO, "%s: cannot write '%s': %s", what, path,
                         err_text(e, eb, sizeof eb));
    }
    sbi__free(tmp);
    /* Make the rename itself durable; failure here loses nothing written. */
    char *dir = sbi__malloc(dirlen + 2);
    if (dir) {
        if (dirlen) {
            memcpy(dir, path, dirlen);
            dir[dirlen] = '\0';
        } else {
            strcpy(dir, ".");
        }
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        sbi__free(dir);
    }
    return SBI_OK;
}
