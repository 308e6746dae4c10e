/* Plugin handles: metadata accessors, options, and the prior and simulator
 * handles made from them. */
#include <string.h>

#include "core/internal.h"
#include "plugin/plugin_internal.h"

int sbi_plugin_info(const sbi_plugin *plugin, const char **name, const char **description,
                    const char **version, const char **path)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_info");
    if (name) *name = plugin->name;
    if (description) *description = plugin->description;
    if (version) *version = plugin->version;
    if (path) *path = plugin->path;
    return SBI_OK;
}

int sbi_plugin_dims(const sbi_plugin *plugin, int32_t *theta_dim, int32_t *x_dim)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_dims");
    if (theta_dim) *theta_dim = plugin->theta_dim;
    if (x_dim) *x_dim = plugin->x_dim;
    return SBI_OK;
}

int sbi_plugin_theta_name(const sbi_plugin *plugin, int32_t i, const char **name,
                          const char **unit)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_theta_name");
    SBI_CHECK_ARG(i >= 0 && i < plugin->theta_dim,
                  "sbi_plugin_theta_name: index %d is outside 0..%d", (int)i,
                  (int)plugin->theta_dim - 1);
    if (name) *name = plugin->theta_names[i];
    if (unit) *unit = plugin->theta_units[i];
    return SBI_OK;
}

int sbi_plugin_x_name(const sbi_plugin *plugin, int32_t j, const char **name)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_x_name");
    SBI_CHECK_PTR(name, "sbi_plugin_x_name");
    SBI_CHECK_ARG(j >= 0 && j < plugin->x_dim, "sbi_plugin_x_name: index %d is outside 0..%d",
                  (int)j, (int)plugin->x_dim - 1);
    *name = plugin->x_names ? plugin->x_names[j] : NULL;
    return SBI_OK;
}

int sbi_plugin_prior_box(const sbi_plugin *plugin, double *low, double *high)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_prior_box");
    const size_t bytes = sizeof(double) * (size_t)plugin->theta_dim;
    if (low) memcpy(low, plugin->low, bytes);
    if (high) memcpy(high, plugin->high, bytes);
    return SBI_OK;
}

int sbi_plugin_create_prior(const sbi_plugin *plugin, sbi_prior **out)
{
    SBI_CHECK_PTR(out, "sbi_plugin_create_prior");
    *out = NULL;
    SBI_CHECK_PTR(plugin, "sbi_plugin_create_prior");
    return sbi_prior_create_box_uniform(out, plugin->theta_dim, plugin->low, plugin->high);
}

int sbi_plugin_theta_true(const sbi_plugin *plugin, double *theta)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_theta_true");
    SBI_CHECK_PTR(theta, "sbi_plugin_theta_true");
    if (!plugin->theta_true)
        return sbi__fail(SBI_ESTATE, "plugin '%s' gives no default observation parameters",
                         plugin->name);
    memcpy(theta, plugin->theta_true, sizeof(double) * (size_t)plugin->theta_dim);
    return SBI_OK;
}

int sbi_plugin_option_count(const sbi_plugin *plugin, int32_t *count)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_option_count");
    SBI_CHECK_PTR(count, "sbi_plugin_option_count");
    *count = plugin->num_options;
    return SBI_OK;
}

int sbi_plugin_option_name(const sbi_plugin *plugin, int32_t i, const char **name)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_option_name");
    SBI_CHECK_PTR(name, "sbi_plugin_option_name");
    SBI_CHECK_ARG(i >= 0 && i < plugin->num_options,
                  "sbi_plugin_option_name: index %d is outside 0..%d", (int)i,
                  (int)plugin->num_options - 1);
    *name = plugin->option_names[i];
    return SBI_OK;
}

static int option_index(const sbi_plugin *plugin, const char *name, const char *where)
{
    for (int32_t i = 0; i < plugin->num_options; i++)
        if (strcmp(plugin->option_names[i], name) == 0) return (int)i;
    return sbi__fail(SBI_EINVAL, "%s: plugin '%s' has no option '%s'", where, plugin->name, name);
}

int sbi_plugin_get_option(const sbi_plugin *plugin, const char *name, double *value)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_get_option");
    SBI_CHECK_PTR(name, "sbi_plugin_get_option");
    SBI_CHECK_PTR(value, "sbi_plugin_get_option");
    int i = option_index(plugin, name, "sbi_plugin_get_option");
    if (i < 0) return i;
    *value = plugin->options[i];
    return SBI_OK;
}

int sbi_plugin_set_option(sbi_plugin *plugin, const char *name, double value)
{
    SBI_CHECK_PTR(plugin, "sbi_plugin_set_option");
    SBI_CHECK_PTR(name, "sbi_plugin_set_option");
    int i = option_index(plugin, name, "sbi_plugin_set_option");
    if (i < 0) return i;
    const double old = plugin->options[i];
    plugin->options[i] = value;
    if (plugin->create) {
        /* The plugin judges the whole set of values: make a trial instance. */
        void *trial = NULL;
        int rc = plugin->create(&trial, plugin->options);
        if (rc != 0) {
            plugin->options[i] = old;
            return sbi__fail(SBI_EINVAL, "sbi_plugin_set_option: plugin '%s' refused %s = %g", plugin->name,
                             name, value);
        }
        if (plugin->destroy) plugin->destroy(trial);
    }
    return SBI_OK;
}

/* What a plugin simulator handle holds: the plugin (one reference) and the
 * instance the plugin made for it. */
struct plugin_sim {
    sbi_plugin *plugin;
    void *instance;
};

static int plugin_simulate(void *user_data, int64_t n, int32_t theta_dim, const double *theta,
                           const uint64_t *seeds, int32_t x_dim, double *x, int32_t *status)
{
    const struct plugin_sim *ps = user_data;
    return ps->plugin->simulate(ps->instance, n, theta_dim, theta, seeds, x_dim, x, status);
}

static void plugin_sim_destroy(void *user_data)
{
    struct plugin_sim *ps = user_data;
    if (ps->plugin->destroy) ps->plugin->destroy(ps->instance);
    sbi__plugin_release(ps->plugin);
    sbi__free(ps);
}

int sbi_plugin_create_simulator(const sbi_plugin *plugin, sbi_simulator **out)
{
    SBI_CHECK_PTR(out, "sbi_plugin_create_simulator");
    *out = NULL;
    SBI_CHECK_PTR(plugin, "sbi_plugin_create_simulator");
    struct plugin_sim *ps = sbi__calloc(1, sizeof *ps);
    if (!ps) return sbi__oom("sbi_plugin_create_simulator");
    if (plugin->create) {
        int rc = plugin->create(&ps->instance, plugin->options);
        if (rc != 0) {
            sbi__free(ps);
            return sbi__fail(SBI_EPLUGIN, "plugin '%s': creating a simulator instance failed (%d)",
                             plugin->name, rc);
        }
    }
    sbi_simulator *sim = NULL;
    int rc = sbi_simulator_create(&sim, plugin->theta_dim, plugin->x_dim, plugin_simulate, ps);
    if (rc == SBI_OK) rc = sbi_simulator_set_destructor(sim, plugin_sim_destroy);
    if (rc != SBI_OK) {
        sbi_simulator_free(sim); /* no destructor attached */
        if (plugin->destroy) plugin->destroy(ps->instance);
        sbi__free(ps);
        return rc;
    }
    sbi__plugin_retain(plugin);
    ps->plugin = (sbi_plugin *)plugin;
    *out = sim;
    return SBI_OK;
}
