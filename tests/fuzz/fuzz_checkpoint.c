/* The runner's checkpoint reader (src/sim/checkpoint.h) on arbitrary files:
 * the input, with its header and record checksums recomputed (as for the
 * posterior targets), becomes the checkpoint of a small run whose identity
 * is read from the header when it is sane. The run must fail cleanly or
 * return a complete dataset whose theta is the run's own (never a row
 * smuggled in from the file under another index), and a second run on the
 * file it left must return the same dataset. */
#include <unistd.h>

#include "checkpoint_sim.h"
#include "fuzz.h"
#include "posterior/format_internal.h"

enum { HEADER = 52, HEAD = 20, MAX_N = 512, MAX_DIM = 4 };

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

typedef struct run_id {
    int32_t td, xd, given;
    uint64_t seed;
    int64_t first, n;
} run_id;

static int run(const run_id *id, const char *ckpt, sbi_dataset **out)
{
    const double mean[MAX_DIM] = {0, 0, 0, 0}, var[MAX_DIM] = {1, 1, 1, 1};
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    double *theta = NULL;
    int rc = sbi_prior_create_gaussian_diag(&prior, id->td, mean, var);
    if (rc == SBI_OK) rc = sbi_simulator_create(&sim, id->td, id->xd, checkpoint_sim, NULL);
    if (rc == SBI_OK) rc = sbi_runner_create(&r, sim);
    if (rc == SBI_OK) rc = sbi_runner_set_chunk_size(r, 16);
    if (rc == SBI_OK) rc = sbi_runner_set_first_index(r, id->first);
    if (rc == SBI_OK && ckpt) rc = sbi_runner_set_checkpoint(r, ckpt);
    if (rc == SBI_OK && id->given) {
        /* Given theta: a fixed function of the row. */
        theta = malloc(sizeof(double) * (size_t)(id->n ? id->n : 1) * (size_t)id->td);
        if (!theta) rc = SBI_ENOMEM;
        for (int64_t i = 0; theta && i < id->n * id->td; i++) theta[i] = sin((double)i);
    }
    if (rc == SBI_OK)
        rc = id->given ? sbi_runner_run(r, id->n, theta, id->seed, out)
                       : sbi_runner_run_prior(r, prior, id->n, id->seed, out);
    free(theta);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    return rc;
}

static void same_dataset(const sbi_dataset *a, const sbi_dataset *b, int64_t n, int32_t td,
                         int32_t xd, int theta_only)
{
    const double *ta, *tb, *xa, *xb;
    const int32_t *sa, *sb;
    FUZZ_CHECK(sbi_dataset_theta(a, &ta) == SBI_OK && sbi_dataset_theta(b, &tb) == SBI_OK);
    FUZZ_CHECK(sbi_dataset_x(a, &xa) == SBI_OK && sbi_dataset_x(b, &xb) == SBI_OK);
    FUZZ_CHECK(sbi_dataset_status(a, &sa) == SBI_OK && sbi_dataset_status(b, &sb) == SBI_OK);
    FUZZ_CHECK(fuzz_same_doubles(ta, tb, (size_t)n * (size_t)td));
    if (theta_only) return;
    FUZZ_CHECK(memcmp(sa, sb, sizeof(int32_t) * (size_t)n) == 0);
    FUZZ_CHECK(fuzz_same_doubles(xa, xb, (size_t)n * (size_t)xd));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[256];
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/sbi-fuzz-ckpt-%ld", dir && *dir ? dir : "/tmp",
                 (long)getpid());
    }
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    run_id id = {2, 3, 0, 1, 0, 64};
    if (size >= HEADER) {
        put32(buf + 48, sbi__crc32(buf, 48));
        const uint32_t td = le32(buf + 12), xd = le32(buf + 16), src = le32(buf + 20);
        const uint64_t first = rd64(buf + 32), n = rd64(buf + 40);
        if (td >= 1 && td <= MAX_DIM && xd >= 1 && xd <= MAX_DIM && (src == 1 || src == 2) &&
            n <= MAX_N && first <= 1000000) {
            id = (run_id){(int32_t)td, (int32_t)xd, src == 2, rd64(buf + 24), (int64_t)first,
                          (int64_t)n};
        }
        /* Records: fix each checksum as far as the counts allow. */
        const size_t row = 8 * ((size_t)id.td + (size_t)id.xd) + 4;
        size_t pos = HEADER;
        while (size - pos >= HEAD) {
            const uint64_t count = rd64(buf + pos + 12);
            if (count < 1 || count > MAX_N) break;
            const size_t len = HEAD + (size_t)count * row + 4;
            if (len > size - pos) break;
            put32(buf + pos + len - 4, sbi__crc32(buf + pos, len - 4));
            pos += len;
        }
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(buf);
        return 0;
    }
    const int ok = fwrite(buf, 1, size, f) == size;
    free(buf);
    if (fclose(f) != 0 || !ok) {
        remove(path);
        return 0;
    }
    sbi_dataset *ref = NULL, *a = NULL, *b = NULL;
    FUZZ_CHECK(run(&id, NULL, &ref) == SBI_OK);
    const int rc = run(&id, path, &a);
    FUZZ_CHECK(rc == SBI_OK || rc == SBI_EFORMAT || rc == SBI_EINVAL || rc == SBI_EVERSION ||
               rc == SBI_EIO);
    if (rc == SBI_OK) {
        int64_t pending = -1;
        FUZZ_CHECK(sbi_dataset_count(a, SBI_ROW_PENDING, &pending) == SBI_OK && pending == 0);
        /* theta is always the run's own; x and status may come from the file. */
        same_dataset(a, ref, id.n, id.td, id.xd, 1);
        const int32_t *st = NULL;
        FUZZ_CHECK(sbi_dataset_status(a, &st) == SBI_OK);
        for (int64_t i = 0; i < id.n; i++) FUZZ_CHECK(st[i] >= SBI_ROW_OK && st[i] <= SBI_ROW_NONFINITE);
        /* The file now holds the whole run: a rerun reads it back alone. */
        FUZZ_CHECK(run(&id, path, &b) == SBI_OK);
        same_dataset(a, b, id.n, id.td, id.xd, 0);
    }
    sbi_dataset_free(ref);
    sbi_dataset_free(a);
    sbi_dataset_free(b);
    remove(path);
    return 0;
}
