#include "cli.h"
int cmd_simulate(int argc, char **argv)
{
    (void)argc; (void)argv;
    cli_error("simulate", "TEMP: plugins not yet merged");
    return CLI_FAIL;
}
