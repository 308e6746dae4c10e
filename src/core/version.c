/* The version of the library as built (one source: CMake's project version). */
#include "core/internal.h"

int32_t sbi_version_number(void) { return SBI_VERSION_NUMBER; }
const char *sbi_version_string(void) { return SBI_VERSION_STRING; }
int32_t sbi_abi_version(void) { return SBI_ABI_VERSION; }
