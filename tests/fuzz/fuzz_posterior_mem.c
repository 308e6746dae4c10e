/* The posterior loader from memory: the input as given (checksums mostly
 * wrong for mutations: the rejection paths) and with fixed checksums (the
 * chunk decoders and estimator builders); a loaded posterior is then used. */
#include "posterior_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sbi_posterior *p = NULL;
    int rc = sbi_posterior_load_mem(&p, data, size);
    FUZZ_CHECK((rc == SBI_OK) == (p != NULL));
    if (p) fuzz_exercise_posterior(p);
    sbi_posterior_free(p);

    unsigned char *fixed = malloc(size ? size : 1);
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    fuzz_fix_checksums(fixed, size);
    p = NULL;
    rc = sbi_posterior_load_mem(&p, fixed, size);
    FUZZ_CHECK((rc == SBI_OK) == (p != NULL));
    FUZZ_CHECK(rc == SBI_OK || rc == SBI_EFORMAT || rc == SBI_EVERSION || rc == SBI_ENOMEM);
    if (p) fuzz_exercise_posterior(p);
    sbi_posterior_free(p);
    free(fixed);
    return 0;
}
