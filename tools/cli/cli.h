/* The `sbi` command-line tool: shared option parsing, messages and helpers.
 * Messages go to stderr as one line "sbi <command>: <text>"; results and
 * `info` output go to stdout. Exit status: 0 success, 1 failure, 2 usage. */
#ifndef SBI_CLI_H
#define SBI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "sbi.h"
#include "sbi/plugin.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_HELP = 3 };

/* One option of a subcommand. A flag has metavar NULL and gets the value "1". */
typedef struct {
    const char *name;     /* long name without "--" */
    char short_name;      /* 0 for none */
    const char *metavar;  /* e.g. "FILE"; NULL for a flag */
    const char *help;     /* one line */
    const char *value;    /* filled by cli_parse (NULL when absent) */
} cli_opt;

typedef struct {
    const char *name;     /* "train" */
    const char *usage;    /* "--theta FILE --x FILE ..." */
    const char *summary;  /* one paragraph */
    cli_opt *opts;        /* terminated by an entry with name NULL */
    const char *epilog;   /* examples and notes; may be NULL */
    int max_positional;   /* how many positional arguments are allowed */
    const char *positional[4];
    int n_positional;
} cli_cmd;

/* Parse argv[1..argc-1] (argv[0] is the subcommand). Returns CLI_OK,
 * CLI_USAGE (message printed) or CLI_HELP (help printed). */
int cli_parse(cli_cmd *cmd, int argc, char **argv);
void cli_print_help(const cli_cmd *cmd, FILE *f);
/* The value of an option by long name, or NULL. */
const char *cli_get(const cli_cmd *cmd, const char *name);

/* One-line messages: "sbi <cmd>: text". cli_lib_error appends the
 * library's last error. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_lib_error(const char *cmd, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Option values: parse or print an error naming the option; 0 on success. */
int cli_int64(const char *cmd, const char *opt, const char *s, int64_t min, int64_t max,
              int64_t *out);
int cli_double(const char *cmd, const char *opt, const char *s, double min, double max,
               double *out);
int cli_seed(const char *cmd, const char *s, uint64_t *out);

/* Read a table (CSV or .npy); what names it in messages ("theta"). */
int cli_read_table(const char *cmd, const char *what, const char *path, sbi_table **out,
                   int64_t *rows, int32_t *cols, const double **data);

/* Split "a,b,c" into n names (malloc'd array of pointers into one malloc'd
 * copy); free with cli_free_names. Returns 0, or -1 if the count differs. */
int cli_split_names(const char *s, int32_t n, char ***names);
void cli_free_names(char **names);

/* Progress on stderr: a bar redrawn in place on a terminal, a plain line
 * every 10 % otherwise; quiet prints nothing. */
typedef struct {
    const char *label;
    int tty, quiet, last_decile;
    double start, last_draw;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *label, int quiet);
void cli_progress_update(cli_progress *p, int64_t done, int64_t total);
void cli_progress_done(cli_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

double cli_now(void);

/* The subcommands. */
int cmd_simulate(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv); /* cmd_check.c (diagnostics) */

#endif /* SBI_CLI_H */
