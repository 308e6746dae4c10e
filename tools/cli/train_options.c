/* Estimator and training options shared by `sbi train`: each maps to one
 * trainer option; the library checks the ranges and names the problem. */
#include <string.h>

#include "cli.h"
#include "train_options.h"

static const struct {
    const char *name;
    int32_t key;
    int is_int;
} k_map[] = {
    {"batch-size", SBI_OPT_BATCH_SIZE, 1},
    {"learning-rate", SBI_OPT_LEARNING_RATE, 0},
    {"validation-fraction", SBI_OPT_VALIDATION_FRACTION, 0},
    {"stop-after-epochs", SBI_OPT_STOP_AFTER_EPOCHS, 1},
    {"max-epochs", SBI_OPT_MAX_EPOCHS, 1},
    {"clip-max-norm", SBI_OPT_CLIP_MAX_NORM, 0},
    {"hidden-features", SBI_OPT_HIDDEN_FEATURES, 1},
    {"hidden-layers", SBI_OPT_HIDDEN_LAYERS, 1},
    {"components", SBI_OPT_NUM_COMPONENTS, 1},
    {"transforms", SBI_OPT_NUM_TRANSFORMS, 1},
    {"bins", SBI_OPT_NUM_BINS, 1},
    {"threads", SBI_OPT_THREADS, 1},
};

int cli_apply_train_options(const char *cmd, const cli_cmd *c, sbi_trainer *trainer)
{
    for (size_t i = 0; i < sizeof k_map / sizeof k_map[0]; i++) {
        const char *v = cli_get(c, k_map[i].name);
        if (!v) continue;
        int rc;
        if (k_map[i].is_int) {
            int64_t x;
            if (cli_int64(cmd, k_map[i].name, v, INT64_MIN, INT64_MAX, &x) != 0) return -1;
            rc = sbi_trainer_set_int(trainer, k_map[i].key, x);
        } else {
            double x;
            if (cli_double(cmd, k_map[i].name, v, -1e308, 1e308, &x) != 0) return -1;
            rc = sbi_trainer_set_double(trainer, k_map[i].key, x);
        }
        if (rc != SBI_OK) {
            cli_lib_error(cmd, rc, "--%s %s", k_map[i].name, v);
            return -1;
        }
    }
    return 0;
}
