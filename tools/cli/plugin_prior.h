/* The prior of a simulator plugin, for `sbi train --plugin`. */
#ifndef SBI_CLI_PLUGIN_PRIOR_H
#define SBI_CLI_PLUGIN_PRIOR_H

#include "cli.h"

/* Load the plugin at path and create its default prior; prints the error
 * and returns -1 on failure. */
int cli_plugin_prior(const char *cmd, const char *path, sbi_prior **out);

#endif
