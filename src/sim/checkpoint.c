/* The runner's checkpoint file (format in checkpoint.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "sim/checkpoint.h"

#define MAGIC "\x89SBR\r\n\x1a\n"
#define MAGIC_LEN 8
#define FORMAT_MAJOR 1
#define FORMAT_MINOR 0
#define HEADER_LEN 52
#define RECORD_HEAD 20 /* tag, start, count */
#define TAG_ROWS 0x53574f52u /* "ROWS" read as little-endian u32 */

struct sbi__checkpoint {
    int fd;
    char *path;            /* for messages */
    size_t row_bytes;      /* payload bytes per row */
    unsigned char *buf;    /* one record of up to max_rows rows */
    int64_t max_rows;
};

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get_u16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put_u64(p, v);
}
static double get_f64(const unsigned char *p)
{
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static void encode_header(unsigned char *h, const sbi__run_identity *id)
{
    memcpy(h, MAGIC, MAGIC_LEN);
    put_u16(h + 8, FORMAT_MAJOR);
    put_u16(h + 10, FORMAT_MINOR);
    put_u32(h + 12, (uint32_t)id->theta_dim);
    put_u32(h + 16, (uint32_t)id->x_dim);
    put_u32(h + 20, id->theta_given ? 2u : 1u);
    put_u64(h + 24, id->seed);
    put_u64(h + 32, (uint64_t)id->first_index);
    put_u64(h + 40, (uint64_t)id->n);
    put_u32(h + 48, sbi__crc32(h, 48));
}

/* Read exactly len bytes at the current offset; returns the bytes read
 * (short at end of file) or -1 on an I/O error. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, (char *)buf + got, len - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static int write_full(int fd, const void *buf, size_t len)
{
    size_t put = 0;
    while (put < len) {
        ssize_t w = write(fd, (const char *)buf + put, len - put);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        put += (size_t)w;
    }
    return 0;
}

static int io_fail(const sbi__checkpoint *cp, const char *what)
{
    return sbi__fail(SBI_EIO, "runner: checkpoint '%s': %s failed: %s", cp->path, what,
                     strerror(errno));
}

/* Compare a header with this run's identity; SBI_EINVAL names the first
 * difference. */
static int check_header(const sbi__checkpoint *cp, const unsigned char *h,
                        const sbi__run_identity *id)
{
    if (get_u16(h + 8) != FORMAT_MAJOR)
        return sbi__fail(SBI_EVERSION, "runner: checkpoint '%s' has format version %u, expected %d",
                         cp->path, (unsigned)get_u16(h + 8), FORMAT_MAJOR);
    struct {
        const char *name;
        uint64_t file, run;
    } f[] = {{"theta_dim", get_u32(h + 12), (uint64_t)id->theta_dim},
             {"x_dim", get_u32(h + 16), (uint64_t)id->x_dim},
             {"theta source (1 prior, 2 given)", get_u32(h + 20), id->theta_given ? 2u : 1u},
             {"seed", get_u64(h + 24), id->seed},
             {"first index", get_u64(h + 32), (uint64_t)id->first_index},
             {"n", get_u64(h + 40), (uint64_t)id->n}};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i].file != f[i].run)
            return sbi__fail(SBI_EINVAL,
                             "runner: checkpoint '%s' belongs to another run: its %s is %llu, "
                             "this run's is %llu",
                             cp->path, f[i].name, (unsigned long long)f[i].file,
                             (unsigned long long)f[i].run);
    return SBI_OK;
}

/* Decode a checksummed record into ds. Returns 1 (and changes nothing) for
 * a record holding a row state other than simulated, SBI_EINVAL if theta
 * differs from a given theta. */
static int load_record(const sbi__checkpoint *cp, const unsigned char *rec, int64_t start,
                       int64_t count, struct sbi_dataset *ds, int theta_given)
{
    const size_t td = (size_t)ds->theta_dim, xd = (size_t)ds->x_dim;
    const unsigned char *st = rec + RECORD_HEAD + (size_t)count * (td + xd) * 8;
    for (int64_t k = 0; k < count; k++) {
        uint32_t v = get_u32(st + 4 * k);
        if (v != SBI_ROW_OK && v != SBI_ROW_FAILED && v != SBI_ROW_NONFINITE) return 1;
    }
    const unsigned char *p = rec + RECORD_HEAD;
    for (int64_t k = 0; k < count; k++) {
        double *theta = ds->theta + (size_t)(start + k) * td;
        for (size_t j = 0; j < td; j++, p += 8) {
            double v = get_f64(p);
            if (!theta_given) theta[j] = v;
            else if (memcmp(&v, &theta[j], sizeof v) != 0)
                return sbi__fail(SBI_EINVAL,
                                 "runner: checkpoint '%s' holds another theta for row %lld "
                                 "than this run",
                                 cp->path, (long long)(start + k));
        }
    }
    for (size_t i = 0; i < (size_t)count * xd; i++, p += 8)
        ds->x[(size_t)start * xd + i] = get_f64(p);
    for (int64_t k = 0; k < count; k++, p += 4)
        ds->status[start + k] = (int32_t)get_u32(p);
    return SBI_OK;
}

/* Read records until the end or the first bad one; truncate the file after
 * the last good record. */
static int load_records(sbi__checkpoint *cp, struct sbi_dataset *ds, int theta_given,
                        int64_t *loaded)
{
    off_t good_end = HEADER_LEN;
    unsigned char head[RECORD_HEAD];
    unsigned char *rec = NULL;
    int rc = SBI_OK;
    for (;;) {
        ssize_t got = read_full(cp->fd, head, RECORD_HEAD);
        if (got < 0) {
            rc = io_fail(cp, "read");
            break;
        }
        if (got < RECORD_HEAD || get_u32(head) != TAG_ROWS) break;
        int64_t start = (int64_t)get_u64(head + 4), count = (int64_t)get_u64(head + 12);
        if (start < 0 || count < 1 || start > ds->n || count > ds->n - start) break;
        int overlap = 0;
        for (int64_t k = 0; k < count && !overlap; k++)
            overlap = ds->status[start + k] != SBI_ROW_PENDING;
        if (overlap) break;
        size_t len = RECORD_HEAD + (size_t)count * cp->row_bytes + 4;
        unsigned char *grown = sbi__realloc(rec, len);
        if (!grown) {
            rc = sbi__oom("runner: checkpoint");
            break;
        }
        rec = grown;
        memcpy(rec, head, RECORD_HEAD);
        got = read_full(cp->fd, rec + RECORD_HEAD, len - RECORD_HEAD);
        if (got < 0) {
            rc = io_fail(cp, "read");
            break;
        }
        if ((size_t)got < len - RECORD_HEAD || sbi__crc32(rec, len - 4) != get_u32(rec + len - 4))
            break;
        rc = load_record(cp, rec, start, count, ds, theta_given);
        if (rc == 1) { /* not a record this writer makes: stop here */
            rc = SBI_OK;
            break;
        }
        if (rc != SBI_OK) break;
        *loaded += count;
        good_end += (off_t)len;
    }
    sbi__free(rec);
    if (rc != SBI_OK) return rc;
    /* Drop a torn or corrupt tail, then append after the good records. */
    if (ftruncate(cp->fd, good_end) != 0) return io_fail(cp, "truncate");
    if (lseek(cp->fd, good_end, SEEK_SET) < 0) return io_fail(cp, "seek");
    return SBI_OK;
}

/* Either a valid header for this run, a fresh file, or an error. */
static int open_header(sbi__checkpoint *cp, const sbi__run_identity *id, int *fresh)
{
    unsigned char h[HEADER_LEN];
    ssize_t got = read_full(cp->fd, h, HEADER_LEN);
    if (got < 0) return io_fail(cp, "read");
    size_t prefix = (size_t)got < MAGIC_LEN ? (size_t)got : MAGIC_LEN;
    if (memcmp(h, MAGIC, prefix) != 0)
        return sbi__fail(SBI_EFORMAT, "runner: '%s' exists and is not a checkpoint file",
                         cp->path);
    *fresh = got < HEADER_LEN; /* empty, or a header torn while being written */
    if (*fresh) {
        encode_header(h, id);
        if (ftruncate(cp->fd, 0) != 0) return io_fail(cp, "truncate");
        if (lseek(cp->fd, 0, SEEK_SET) < 0) return io_fail(cp, "seek");
        if (write_full(cp->fd, h, HEADER_LEN) != 0) return io_fail(cp, "write");
        return SBI_OK;
    }
    if (get_u32(h + 48) != sbi__crc32(h, 48))
        return sbi__fail(SBI_EFORMAT, "runner: checkpoint '%s' has a corrupt header", cp->path);
    return check_header(cp, h, id);
}

/* Take the run's exclusive lock. A run that was just killed may release its
 * lock a moment after its parent saw it die, so a busy lock is retried for
 * up to about a second before the file counts as in use. */
static int lock_checkpoint(int fd)
{
    for (int attempt = 0;; attempt++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
        if (errno != EWOULDBLOCK || attempt == 20) return -1;
        const struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* Close and free without flushing (error paths). */
static void discard(sbi__checkpoint *cp)
{
    if (cp->fd >= 0) close(cp->fd);
    sbi__free(cp->buf);
    sbi__free(cp->path);
    sbi__free(cp);
}

int sbi__checkpoint_open(sbi__checkpoint **out, const char *path, const sbi__run_identity *id,
                         struct sbi_dataset *ds, int64_t max_rows, int64_t *loaded)
{
    *out = NULL;
    *loaded = 0;
    sbi__checkpoint *cp = sbi__calloc(1, sizeof *cp);
    if (!cp) return sbi__oom("runner: checkpoint");
    cp->fd = -1;
    cp->row_bytes = ((size_t)ds->theta_dim + (size_t)ds->x_dim) * 8 + 4;
    cp->max_rows = max_rows;
    cp->path = sbi__strdup(path);
    /* max_rows <= n, and n rows of the dataset were allocated already. */
    if ((size_t)max_rows <= (SIZE_MAX - RECORD_HEAD - 4) / cp->row_bytes)
        cp->buf = sbi__malloc((size_t)max_rows * cp->row_bytes + RECORD_HEAD + 4);
    if (!cp->path || !cp->buf) {
        discard(cp);
        return sbi__oom("runner: checkpoint");
    }
    int rc = SBI_OK, fresh = 0;
    cp->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (cp->fd < 0) rc = io_fail(cp, "open");
    else if (lock_checkpoint(cp->fd) != 0)
        rc = errno == EWOULDBLOCK
                 ? sbi__fail(SBI_EIO, "runner: checkpoint '%s' is in use by another run", path)
                 : io_fail(cp, "lock");
    if (rc == SBI_OK) rc = open_header(cp, id, &fresh);
    if (rc == SBI_OK && !fresh) rc = load_records(cp, ds, id->theta_given, loaded);
    if (rc != SBI_OK) {
        discard(cp);
        return rc;
    }
    *out = cp;
    return SBI_OK;
}

int sbi__checkpoint_append(sbi__checkpoint *cp, const struct sbi_dataset *ds, int64_t start,
                           int64_t count)
{
    const size_t td = (size_t)ds->theta_dim, xd = (size_t)ds->x_dim;
    unsigned char *p = cp->buf;
    put_u32(p, TAG_ROWS);
    put_u64(p + 4, (uint64_t)start);
    put_u64(p + 12, (uint64_t)count);
    p += RECORD_HEAD;
    for (size_t i = 0; i < (size_t)count * td; i++, p += 8)
        put_f64(p, ds->theta[(size_t)start * td + i]);
    for (size_t i = 0; i < (size_t)count * xd; i++, p += 8)
        put_f64(p, ds->x[(size_t)start * xd + i]);
    for (int64_t k = 0; k < count; k++, p += 4) put_u32(p, (uint32_t)ds->status[start + k]);
    size_t len = (size_t)(p - cp->buf);
    put_u32(p, sbi__crc32(cp->buf, len));
    /* One write per record: a kill leaves at most a torn tail. */
    if (write_full(cp->fd, cp->buf, len + 4) != 0) return io_fail(cp, "write");
    return SBI_OK;
}

int sbi__checkpoint_close(sbi__checkpoint *cp)
{
    if (!cp) return SBI_OK;
    int rc = SBI_OK;
    if (cp->fd >= 0) {
        if (fsync(cp->fd) != 0) rc = io_fail(cp, "fsync");
        close(cp->fd); /* also releases the lock */
    }
    sbi__free(cp->buf);
    sbi__free(cp->path);
    sbi__free(cp);
    return rc;
}
