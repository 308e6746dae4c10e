/* Loading simulator plugins for `sbi simulate` and `sbi train --plugin`. */
#ifndef SBI_CLI_PLUGIN_PRIOR_H
#define SBI_CLI_PLUGIN_PRIOR_H

#include "cli.h"

/* Load the plugin at path; prints the error and returns -1 on failure. */
int cli_plugin_load(const char *cmd, const char *path, sbi_plugin **out);
/* Load the plugin at path and create its default (box) prior. */
int cli_plugin_prior(const char *cmd, const char *path, sbi_prior **out);
/* Apply "name=value,name=value" to a plugin's options; -1 on error. */
int cli_plugin_options(const char *cmd, sbi_plugin *plugin, const char *spec);

#endif
