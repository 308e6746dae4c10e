/* sbi: simulation-based inference from the command line. */
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sbi COMMAND [options]   (sbi COMMAND --help for each)\n\n"
            "commands:\n"
            "  simulate   run a simulator plugin on prior draws; write theta and x\n"
            "  train      train a posterior on (theta, x) files; write a posterior file\n"
            "  sample     draw posterior samples at an observation\n"
            "  info       describe a posterior file or a data table\n"
            "  check      diagnostics: C2ST between sample sets, SBC and coverage\n\n"
            "Files: CSV with a header row, or NumPy .npy (float64/float32, 1-D or 2-D).\n"
            "libsbi %s\n",
            sbi_version_string());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *c = argv[1];
    if (strcmp(c, "-h") == 0 || strcmp(c, "--help") == 0 || strcmp(c, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(c, "--version") == 0) {
        printf("sbi (libsbi) %s\n", sbi_version_string());
        return CLI_OK;
    }
    if (strcmp(c, "simulate") == 0) return cmd_simulate(argc - 1, argv + 1);
    if (strcmp(c, "train") == 0) return cmd_train(argc - 1, argv + 1);
    if (strcmp(c, "sample") == 0) return cmd_sample(argc - 1, argv + 1);
    if (strcmp(c, "info") == 0) return cmd_info(argc - 1, argv + 1);
    if (strcmp(c, "check") == 0) return cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "sbi: unknown command '%s' (simulate, train, sample, info, check; see sbi --help)\n", c);
    return CLI_USAGE;
}
