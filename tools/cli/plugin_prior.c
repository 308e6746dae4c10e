#include "plugin_prior.h"
int cli_plugin_prior(const char *cmd, const char *path, sbi_prior **out)
{
    (void)out;
    cli_error(cmd, "TEMP: plugins not yet merged (%s)", path);
    return -1;
}
