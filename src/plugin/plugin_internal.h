/* Internals of plugin handles, shared by the loader and the accessors. */
#ifndef SBI_PLUGIN_INTERNAL_H
#define SBI_PLUGIN_INTERNAL_H

#include <stdatomic.h>

#include "sbi/plugin.h"

struct sbi_plugin {
    atomic_long refs;  /* the caller's reference plus one per live simulator */
    void *module;      /* dlopen handle, NULL for an in-process descriptor */
    char *path, *name, *description, *version;
    int32_t theta_dim, x_dim;
    char **theta_names, **theta_units; /* copies (units "" when absent) */
    char **x_names;                    /* copies, or NULL */
    double *low, *high, *theta_true;   /* theta_true NULL when absent */
    int32_t num_options;
    char **option_names;
    double *options; /* current values */
    sbi_plugin_create_fn create;
    sbi_plugin_destroy_fn destroy;
    sbi_simulate_fn simulate;
};

/* A handle holding copies of a validated descriptor's data; takes over
 * `module` (closed by the last release), also on failure. */
int sbi__plugin_from_descriptor(sbi_plugin **out, const sbi_plugin_descriptor *d, void *module,
                                const char *path);
/* Another reference / drop one (the last frees the handle, unloads the module). */
void sbi__plugin_retain(const sbi_plugin *p);
void sbi__plugin_release(sbi_plugin *p);

#endif /* SBI_PLUGIN_INTERNAL_H */
