/* Plugins from the command line: load with a clear error, the default
 * prior, and "name=value" options. */
#include <stdlib.h>
#include <string.h>

#include "plugin_prior.h"

int cli_plugin_load(const char *cmd, const char *path, sbi_plugin **out)
{
    int rc = sbi_plugin_load(out, path);
    if (rc != SBI_OK) {
        cli_lib_error(cmd, rc, "cannot load --plugin '%s'", path);
        return -1;
    }
    return 0;
}

int cli_plugin_prior(const char *cmd, const char *path, sbi_prior **out)
{
    sbi_plugin *p = NULL;
    if (cli_plugin_load(cmd, path, &p) != 0) return -1;
    int rc = sbi_plugin_create_prior(p, out);
    sbi_plugin_free(p);
    if (rc != SBI_OK) {
        cli_lib_error(cmd, rc, "cannot create the prior of plugin '%s'", path);
        return -1;
    }
    return 0;
}

int cli_plugin_options(const char *cmd, sbi_plugin *plugin, const char *spec)
{
    char *copy = strdup(spec);
    if (!copy) return -1;
    int status = 0;
    for (char *item = strtok(copy, ","); item && status == 0; item = strtok(NULL, ",")) {
        char *eq = strchr(item, '=');
        if (!eq) {
            cli_error(cmd, "--options: '%s' is not NAME=VALUE", item);
            status = -1;
            break;
        }
        *eq = '\0';
        double v;
        char opt[80];
        snprintf(opt, sizeof opt, "options %s", item);
        if (cli_double(cmd, opt, eq + 1, -1e308, 1e308, &v) != 0) {
            status = -1;
            break;
        }
        int rc = sbi_plugin_set_option(plugin, item, v);
        if (rc != SBI_OK) {
            cli_lib_error(cmd, rc, "--options %s=%s", item, eq + 1);
            status = -1;
        }
    }
    free(copy);
    return status;
}
