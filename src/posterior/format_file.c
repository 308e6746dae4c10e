/* The file variants of save and load. Saving is atomic: the bytes go to a
 * new temporary file next to the target, which is flushed (fsync) and then
 * renamed over it, so readers see the old file or the new one, never a
 * mixture. Loading reads the whole file and hands it to the memory loader. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "posterior/format_internal.h"
#include "posterior/posterior_internal.h"

/* Larger inputs are refused rather than read (far beyond any posterior). */
#define MAX_FILE_BYTES ((size_t)1 << 34)

static atomic_uint g_tmp_counter;

static int write_fd(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        const ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsync the directory holding path, so the rename itself is durable. */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return;
    const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse it */
        close(fd);
    }
}

int sbi_posterior_save(const sbi_posterior *p, const char *path)
{
    static const char where[] = "sbi_posterior_save";
    SBI_CHECK_PTR(p, where);
    SBI_CHECK_PTR(path, where);
    SBI_CHECK_ARG(path[0] != '\0', "%s: path is empty", where);
    void *buf = NULL;
    size_t len = 0;
    SBI_TRY(sbi_posterior_save_mem(p, &buf, &len));

    const size_t tlen = strlen(path) + 64;
    char *tmp = sbi__malloc(tlen);
    if (!tmp) {
        sbi__free(buf);
        return sbi__oom(where);
    }
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, tlen, "%s.tmp-%ld-%u", path, (long)getpid(),
                 atomic_fetch_add(&g_tmp_counter, 1u));
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    int rc = SBI_OK;
    if (fd < 0) {
        rc = sbi__fail(SBI_EIO, "%s: cannot create a temporary file next to %s: %s", where, path,
                       strerror(errno));
    } else if (write_fd(fd, buf, len) != 0 || fsync(fd) != 0) {
        rc = sbi__fail(SBI_EIO, "%s: writing %s failed: %s", where, tmp, strerror(errno));
        close(fd);
        unlink(tmp);
    } else if (close(fd) != 0) {
        rc = sbi__fail(SBI_EIO, "%s: closing %s failed: %s", where, tmp, strerror(errno));
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = sbi__fail(SBI_EIO, "%s: renaming %s to %s failed: %s", where, tmp, path,
                       strerror(errno));
        unlink(tmp);
    } else {
        sync_parent(path);
    }
    sbi__free(tmp);
    sbi__free(buf);
    return rc;
}

int sbi_posterior_load(sbi_posterior **out, const char *path)
{
    static const char where[] = "sbi_posterior_load";
    SBI_CHECK_PTR(out, where);
    *out = NULL;
    SBI_CHECK_PTR(path, where);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sbi__fail(SBI_EIO, "%s: cannot open %s: %s", where, path, strerror(errno));
    struct stat st;
    size_t cap = 1 << 16;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uint64_t)st.st_size > MAX_FILE_BYTES) {
            close(fd);
            return sbi__fail(SBI_EFORMAT, "%s: %s is %lld bytes, too large for a posterior file",
                             where, path, (long long)st.st_size);
        }
        cap = (size_t)st.st_size + 1; /* +1: notice growth without another pass */
    }
    unsigned char *buf = sbi__malloc(cap);
    size_t len = 0;
    int rc = buf ? SBI_OK : sbi__oom(where);
    while (rc == SBI_OK) {
        if (len == cap) {
            if (cap >= MAX_FILE_BYTES) {
                rc = sbi__fail(SBI_EFORMAT, "%s: %s is too large for a posterior file", where,
                               path);
                break;
            }
            unsigned char *nb = sbi__realloc(buf, cap * 2);
            if (!nb) {
                rc = sbi__oom(where);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        const ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = sbi__fail(SBI_EIO, "%s: reading %s failed: %s", where, path, strerror(errno));
        } else if (r == 0) {
            break;
        } else {
            len += (size_t)r;
        }
    }
    close(fd);
    if (rc == SBI_OK) rc = sbi_posterior_load_mem(out, buf, len);
    sbi__free(buf);
    return rc;
}
