/* The CSV reader on arbitrary bytes, then CSV and .npy round trips of what
 * it read (values bit for bit, column names). */
#include "table_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_table_one(data, size, SBI_FORMAT_CSV);
}
