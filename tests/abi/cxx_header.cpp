// The public headers compile as C++ (extern "C", no C-only constructs).
#include "sbi.h"

static_assert(SBI_OK == 0, "status codes are pinned");
static_assert(SBI_ROW_PENDING == 3, "row states are pinned");

extern "C" int sbi_cxx_probe(void);
int sbi_cxx_probe(void)
{
    sbi_prior *prior = nullptr;
    const double low[1] = {0.0}, high[1] = {1.0};
    int rc = sbi_prior_create_box_uniform(&prior, 1, low, high);
    sbi_prior_free(prior);
    sbi_simulate_fn fn = nullptr;
    (void)fn;
    return rc;
}
