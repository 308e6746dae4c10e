/* The .npy reader on arbitrary bytes (and content detection: the AUTO
 * format must agree with the explicit one for .npy input), then CSV and .npy
 * round trips of what it read. */
#include "table_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_table_one(data, size, SBI_FORMAT_NPY);
    sbi_table *a = NULL, *n = NULL;
    int rc_auto = sbi_table_read_mem(&a, data, size, SBI_FORMAT_AUTO);
    int rc_npy = sbi_table_read_mem(&n, data, size, SBI_FORMAT_NPY);
    if (rc_npy == SBI_OK) {
        /* .npy input is recognised by its magic bytes. */
        FUZZ_CHECK(rc_auto == SBI_OK);
        fuzz_table_same(a, n, 0);
    }
    sbi_table_free(a);
    sbi_table_free(n);
    return 0;
}
