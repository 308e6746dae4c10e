/* The training options of `sbi train` (see cmd_train.c for the help). */
#ifndef SBI_CLI_TRAIN_OPTIONS_H
#define SBI_CLI_TRAIN_OPTIONS_H

#include "cli.h"

#define CLI_TRAIN_OPTIONS                                                                          \
    {"estimator", 'e', "NAME", "density estimator: mdn (default), maf or nsf", NULL},             \
    {"batch-size", 0, "N", "training batch size (default 200)", NULL},                             \
    {"learning-rate", 0, "R", "Adam learning rate (default 5e-4)", NULL},                          \
    {"validation-fraction", 0, "F", "fraction held out for validation (default 0.1)", NULL},       \
    {"stop-after-epochs", 0, "N", "stop after N epochs without improvement (default 20)", NULL},  \
    {"max-epochs", 0, "N", "upper bound on epochs (default: none)", NULL},                         \
    {"clip-max-norm", 0, "C", "gradient norm clipping (default 5; 0 disables)", NULL},            \
    {"hidden-features", 0, "N", "width of the hidden layers (default 50)", NULL},                  \
    {"hidden-layers", 0, "N", "number of hidden layers (default 2)", NULL},                        \
    {"components", 0, "N", "MDN mixture components (default 10)", NULL},                           \
    {"transforms", 0, "N", "flow transforms, maf/nsf (default 5)", NULL},                          \
    {"bins", 0, "N", "spline bins, nsf (default 10)", NULL},                                     \
    {"threads", 0, "N", "threads per training step, 1..64; maf/nsf use 2 (default 1)", NULL}

/* Apply the given options to a trainer; prints the error and returns -1 on
 * a bad value. */
int cli_apply_train_options(const char *cmd, const cli_cmd *c, sbi_trainer *trainer);

#endif
