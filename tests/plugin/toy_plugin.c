/* Tiny plugins for the loader tests, one per TOY_VARIANT:
 *   1  a valid plugin: 2 parameters, 3 outputs, an option "scale" (> 0), live
 *      instances counted (toy_live_instances), no theta_true
 *   2  built for plugin ABI version 2
 *   3  sbi_plugin_describe returns NULL
 *   4  a descriptor 16 bytes longer than version 1, those bytes set
 *   5  the same with those bytes zero (loads)
 * They use only the plugin header, not libsbi. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbi/plugin.h"

static int live;

SBI_PLUGIN_EXPORT int toy_live_instances(void);
int toy_live_instances(void) { return live; }

static int toy_create(void **instance, const double *options)
{
    if (!(options[0] > 0.0)) return 1;
    double *scale = malloc(sizeof *scale);
    if (!scale) return 2;
    *scale = options[0];
    *instance = scale;
    live++;
    return 0;
}

static void toy_destroy(void *instance)
{
    free(instance);
    live--;
}

/* x_j = scale * (j+1) * theta_(j mod 2) + seed mod 1000; theta_0 < 0 fails. */
static int toy_simulate(void *instance, int64_t n, int32_t theta_dim, const double *theta,
                        const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    const double scale = *(const double *)instance;
    for (int64_t i = 0; i < n; i++) {
        for (int32_t j = 0; j < x_dim; j++)
            x[i * x_dim + j] = scale * (j + 1) * theta[i * theta_dim + j % theta_dim] +
                               (double)(seeds[i] % 1000u);
        if (theta[i * theta_dim] < 0) status[i] = 1;
    }
    return 0;
}

static const char *const names[2] = {"a", "b"};
static const char *const xs[3] = {"x1", "x2", "x3"};
static const double lo[2] = {-1, 0}, hi[2] = {1, 10};
static const char *const opts[1] = {"scale"};
static const double defs[1] = {1.0};

#define TOY_FIELDS                                                                                 \
    .name = "toy", .description = "a test plugin", .version = "0.1", .theta_dim = 2, .x_dim = 3,   \
    .theta_names = names, .theta_units = NULL, .x_names = xs, .prior_low = lo, .prior_high = hi,   \
    .theta_true = NULL, .num_options = 1, .option_names = opts, .option_defaults = defs,          \
    .create = toy_create, .destroy = toy_destroy, .simulate = toy_simulate

#if TOY_VARIANT == 4 || TOY_VARIANT == 5
/* A "newer" descriptor: version 1's fields, then 16 bytes of a later ABI. */
static const struct {
    sbi_plugin_descriptor v1;
    uint64_t newer[2];
} descriptor = {
    .v1 = {.size = sizeof(sbi_plugin_descriptor) + 16, .abi_version = SBI_PLUGIN_ABI_VERSION,
           TOY_FIELDS},
    .newer = {TOY_VARIANT == 4 ? 7u : 0u, 0u},
};
SBI_PLUGIN_EXPORT const sbi_plugin_descriptor *sbi_plugin_describe(void);
const sbi_plugin_descriptor *sbi_plugin_describe(void) { return &descriptor.v1; }
#else
static const sbi_plugin_descriptor descriptor = {
    .size = sizeof(sbi_plugin_descriptor),
    .abi_version = TOY_VARIANT == 2 ? 2 : SBI_PLUGIN_ABI_VERSION,
    TOY_FIELDS};
SBI_PLUGIN_EXPORT const sbi_plugin_descriptor *sbi_plugin_describe(void);
const sbi_plugin_descriptor *sbi_plugin_describe(void)
{
    return TOY_VARIANT == 3 ? NULL : &descriptor;
}
#endif
