/* Loading plugins: dlopen, the descriptor symbol, copies of the descriptor's
 * data, and the reference count that keeps the module loaded while any
 * simulator made from it lives. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "plugin/plugin_internal.h"

int32_t sbi_plugin_abi_version(void) { return SBI_PLUGIN_ABI_VERSION; }

static char *dup_str(const char *s)
{
    return sbi__memdup(s ? s : "", strlen(s ? s : "") + 1, 1);
}

/* Copy n strings into one block: n pointers followed by the characters.
 * A missing array (src NULL) gives n empty strings. */
static char **dup_strings(const char *const *src, int32_t n)
{
    size_t chars = 0;
    for (int32_t i = 0; i < n; i++) chars += strlen(src ? src[i] : "") + 1;
    char **out = sbi__malloc(sizeof(char *) * (size_t)n + chars + 1);
    if (!out) return NULL;
    char *p = (char *)(out + n);
    for (int32_t i = 0; i < n; i++) {
        const char *s = src ? src[i] : "";
        size_t len = strlen(s) + 1;
        memcpy(p, s, len);
        out[i] = p;
        p += len;
    }
    return out;
}

static void plugin_destroy(sbi_plugin *p)
{
    sbi__free(p->path);
    sbi__free(p->name);
    sbi__free(p->description);
    sbi__free(p->version);
    sbi__free(p->theta_names);
    sbi__free(p->theta_units);
    sbi__free(p->x_names);
    sbi__free(p->low);
    sbi__free(p->high);
    sbi__free(p->theta_true);
    sbi__free(p->option_names);
    sbi__free(p->options);
    if (p->module) dlclose(p->module);
    sbi__free(p);
}

void sbi__plugin_retain(const sbi_plugin *p)
{
    atomic_fetch_add_explicit(&((sbi_plugin *)p)->refs, 1, memory_order_relaxed);
}

void sbi__plugin_release(sbi_plugin *p)
{
    if (p && atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) plugin_destroy(p);
}

void sbi_plugin_free(sbi_plugin *plugin) { sbi__plugin_release(plugin); }

int sbi__plugin_from_descriptor(sbi_plugin **out, const sbi_plugin_descriptor *d, void *module,
                                const char *path)
{
    sbi_plugin *p = sbi__calloc(1, sizeof *p);
    if (!p) {
        if (module) dlclose(module);
        return sbi__oom("plugin");
    }
    atomic_init(&p->refs, 1);
    p->module = module;
    const size_t td = (size_t)d->theta_dim;
    p->theta_dim = d->theta_dim;
    p->x_dim = d->x_dim;
    p->num_options = d->num_options;
    p->create = d->create;
    p->destroy = d->destroy;
    p->simulate = d->simulate;
    p->path = dup_str(path);
    p->name = dup_str(d->name);
    p->description = dup_str(d->description);
    p->version = dup_str(d->version);
    p->theta_names = dup_strings(d->theta_names, d->theta_dim);
    p->theta_units = dup_strings(d->theta_units, d->theta_dim);
    p->x_names = d->x_names ? dup_strings(d->x_names, d->x_dim) : NULL;
    p->low = sbi__memdup(d->prior_low, td, sizeof(double));
    p->high = sbi__memdup(d->prior_high, td, sizeof(double));
    p->theta_true = d->theta_true ? sbi__memdup(d->theta_true, td, sizeof(double)) : NULL;
    p->option_names = dup_strings(d->num_options ? d->option_names : NULL, d->num_options);
    p->options = sbi__memdup(d->num_options ? d->option_defaults : NULL, (size_t)d->num_options,
                             sizeof(double));
    if (!p->path || !p->name || !p->description || !p->version || !p->theta_names ||
        !p->theta_units || (d->x_names && !p->x_names) || !p->low || !p->high ||
        (d->theta_true && !p->theta_true) || !p->option_names || !p->options) {
        plugin_destroy(p);
        return sbi__oom("plugin");
    }
    *out = p;
    return SBI_OK;
}

/* Re-raise the thread's last error with a prefix. */
static int fail_with_context(int rc, const char *path)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", sbi_last_error());
    return sbi__fail(rc, "plugin '%s': %s", path, msg);
}

int sbi_plugin_load(sbi_plugin **out, const char *path)
{
    SBI_CHECK_PTR(out, "sbi_plugin_load");
    *out = NULL;
    SBI_CHECK_PTR(path, "sbi_plugin_load");
    void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        const char *why = dlerror();
        return sbi__fail(SBI_EPLUGIN, "plugin: cannot load '%s': %s", path, why ? why : "unknown");
    }
    void *sym = dlsym(module, SBI_PLUGIN_SYMBOL);
    if (!sym) {
        dlclose(module);
        return sbi__fail(SBI_EPLUGIN, "plugin: '%s' is not a libsbi plugin (it exports no %s)", path,
                         SBI_PLUGIN_SYMBOL);
    }
    sbi_plugin_describe_fn describe;
    memcpy(&describe, &sym, sizeof describe);
    const sbi_plugin_descriptor *d = describe();
    if (!d) {
        dlclose(module);
        return sbi__fail(SBI_EPLUGIN, "plugin '%s': %s() returned NULL", path, SBI_PLUGIN_SYMBOL);
    }
    int rc = sbi_plugin_validate(d);
    if (rc != SBI_OK) {
        rc = fail_with_context(rc, path);
        dlclose(module);
        return rc;
    }
    return sbi__plugin_from_descriptor(out, d, module, path);
}

int sbi_plugin_open_descriptor(sbi_plugin **out, const sbi_plugin_descriptor *d)
{
    SBI_CHECK_PTR(out, "sbi_plugin_open_descriptor");
    *out = NULL;
    SBI_TRY(sbi_plugin_validate(d));
    return sbi__plugin_from_descriptor(out, d, NULL, "");
}
