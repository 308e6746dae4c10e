/* The loaded shared library agrees with the headers it was built from:
 * version number, version string and ABI version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sbi.h"

static void test_version_matches_headers(void **state)
{
    (void)state;
    assert_int_equal(sbi_version_number(), SBI_VERSION_NUMBER);
    assert_int_equal(SBI_VERSION_NUMBER,
                     SBI_VERSION_MAJOR * 10000 + SBI_VERSION_MINOR * 100 + SBI_VERSION_PATCH);
    assert_string_equal(sbi_version_string(), SBI_VERSION_STRING);
    char built[64];
    snprintf(built, sizeof built, "%d.%d.%d", SBI_VERSION_MAJOR, SBI_VERSION_MINOR,
             SBI_VERSION_PATCH);
    assert_string_equal(sbi_version_string(), built);
    assert_int_equal(sbi_abi_version(), SBI_ABI_VERSION);
}

static void test_status_strings(void **state)
{
    (void)state;
    /* Every pinned code has its own text; unknown codes a generic one. */
    for (int s = SBI_ECALLBACK; s <= SBI_OK; s++) {
        assert_non_null(sbi_status_string(s));
        assert_string_not_equal(sbi_status_string(s), sbi_status_string(-1000));
        for (int t = SBI_ECALLBACK; t < s; t++)
            assert_string_not_equal(sbi_status_string(s), sbi_status_string(t));
    }
    assert_string_equal(sbi_status_string(SBI_OK), "success");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_matches_headers),
        cmocka_unit_test(test_status_strings),
    };
    return cmocka_run_group_tests_name("abi_version", tests, NULL, NULL);
}
