/* The posterior loader from a file: the (checksum-fixed) input is written
 * to a private temporary file and loaded with sbi_posterior_load, which must
 * agree with the memory loader. */
#include <unistd.h>

#include "posterior_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[256];
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/sbi-fuzz-posterior-%ld.bin", dir && *dir ? dir : "/tmp",
                 (long)getpid());
    }
    unsigned char *fixed = malloc(size ? size : 1);
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    fuzz_fix_checksums(fixed, size);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(fixed);
        return 0;
    }
    const int ok = fwrite(fixed, 1, size, f) == size;
    if (fclose(f) != 0 || !ok) {
        remove(path);
        free(fixed);
        return 0;
    }
    sbi_posterior *pf = NULL, *pm = NULL;
    const int rc_file = sbi_posterior_load(&pf, path);
    const int rc_mem = sbi_posterior_load_mem(&pm, fixed, size);
    remove(path);
    FUZZ_CHECK(rc_file == rc_mem);
    FUZZ_CHECK((rc_file == SBI_OK) == (pf != NULL));
    if (pf) {
        /* Same bytes in, same posterior out. */
        void *b1 = NULL, *b2 = NULL;
        size_t n1 = 0, n2 = 0;
        if (sbi_posterior_save_mem(pf, &b1, &n1) == SBI_OK &&
            sbi_posterior_save_mem(pm, &b2, &n2) == SBI_OK)
            FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
        sbi_free(b1);
        sbi_free(b2);
        fuzz_exercise_posterior(pf);
    }
    sbi_posterior_free(pf);
    sbi_posterior_free(pm);
    free(fixed);
    return 0;
}
