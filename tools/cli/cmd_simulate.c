/* sbi simulate: run a simulator plugin on draws from its prior and write
 * theta and x as CSV and .npy. A checkpoint file keeps every finished chunk,
 * so an interrupted run, started again with the same command, simulates only
 * what is missing and gives the same files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "plugin_prior.h"

static const char *C = "simulate";
static sbi_runner *volatile g_runner; /* for the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    if (g_runner) sbi_runner_cancel(g_runner); /* an atomic store */
}

static int on_progress(void *ud, int64_t done, int64_t total)
{
    cli_progress_update(ud, done, total);
    return 0;
}

static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    return 0;
}

/* Column names for a table: the plugin's if they suit a CSV header, else
 * "<prefix>0, <prefix>1, ...". names[k] point into store. */
static void column_names(const sbi_plugin *p, int theta, int32_t dim, const char **names,
                         char (*store)[32])
{
    int ok = 1;
    for (int32_t j = 0; j < dim; j++) {
        const char *name = NULL, *unit = NULL;
        if (theta) sbi_plugin_theta_name(p, j, &name, &unit);
        else sbi_plugin_x_name(p, j, &name);
        names[j] = name;
        if (!name || !*name || strpbrk(name, ",\"\r\n") || name[0] == '#' || name[0] == ' ') ok = 0;
    }
    /* Names that read as numbers are caught by the writer; fall back then too. */
    void *probe = NULL;
    size_t len = 0;
    double zero[1024] = {0};
    if (ok && dim <= 1024 &&
        sbi_table_write_mem(&probe, &len, 1, dim, zero, names, SBI_FORMAT_CSV) != SBI_OK)
        ok = 0;
    sbi_free(probe);
    if (ok && dim <= 1024) return;
    for (int32_t j = 0; j < dim; j++) {
        snprintf(store[j], sizeof store[j], "%s%d", theta ? "theta" : "x", (int)j);
        names[j] = store[j];
    }
}

/* The four result files are first written (each atomically) under
 * temporary names, then renamed into place: a failure leaves the previous
 * results, if any, untouched. */
typedef struct {
    char final[4][4200], temp[4][4200];
    int written;
} outputs;

static void remove_temps(outputs *o)
{
    for (int k = 0; k < o->written; k++) unlink(o->temp[k]);
    o->written = 0;
}

int cmd_simulate(int argc, char **argv)
{
    cli_opt opts[] = {
        {"plugin", 'p', "PATH", "the simulator plugin (a shared library exporting sbi_plugin_describe)", NULL},
        {"num-simulations", 'n', "N", "number of simulations", NULL},
        {"seed", 's', "S", "seed of the prior draws and the simulators' noise (default 1)", NULL},
        {"workers", 'w', "W", "simulation threads (default 0 = one per core)", NULL},
        {"out", 'o', "DIR", "output folder (created if missing)", NULL},
        {"options", 0, "A=V,..", "plugin options, e.g. noise=0 (see sbi info on the plugin)", NULL},
        {"first-index", 0, "K", "simulate global rows K..K+N-1 (slices of one big run; default 0)", NULL},
        {"checkpoint", 0, "FILE", "checkpoint file (default DIR/simulate.checkpoint)", NULL},
        {"no-checkpoint", 0, NULL, "do not keep a checkpoint", NULL},
        {"quiet", 'q', NULL, "print nothing but errors", NULL},
        {NULL, 0, NULL, NULL, NULL},
    };
    cli_cmd cmd = {
        .name = C,
        .usage = "--plugin PATH -n N [--seed S] [--workers W] --out DIR",
        .summary = "Draw N parameter sets from the plugin's prior and simulate them on all cores.\n"
                   "Writes DIR/theta.csv, theta.npy, x.csv and x.npy (CSV headers from the\n"
                   "plugin's names). Row i depends only on (seed, i): any --workers gives the same\n"
                   "files. Failed simulations keep their theta and get NaN in x (`sbi train`\n"
                   "excludes them). Every finished chunk goes to a checkpoint file first: if the\n"
                   "run is interrupted (Ctrl-C, kill, crash), the same command resumes it. The\n"
                   "checkpoint is deleted once the output files are written.",
        .opts = opts,
        .epilog = "example:\n"
                  "  sbi simulate --plugin build/lib/hh/sbi_hh_plugin.so -n 1000 --seed 1 --out runs/1\n",
    };
    int rc = cli_parse(&cmd, argc, argv);
    if (rc == CLI_HELP) return CLI_OK;
    if (rc != CLI_OK) return rc;
    const char *plugin_path = cli_get(&cmd, "plugin"), *out = cli_get(&cmd, "out"),
               *n_arg = cli_get(&cmd, "num-simulations");
    if (!plugin_path || !out || !n_arg) {
        cli_error(C, "--plugin, -n and --out are required (see sbi simulate --help)");
        return CLI_USAGE;
    }
    int64_t n = 0, workers = 0, first = 0;
    uint64_t seed = 1;
    if (cli_int64(C, "num-simulations", n_arg, 1, (int64_t)1 << 40, &n) != 0) return CLI_USAGE;
    if (cli_get(&cmd, "workers") &&
        cli_int64(C, "workers", cli_get(&cmd, "workers"), 0, 4096, &workers) != 0)
        return CLI_USAGE;
    if (cli_get(&cmd, "first-index") &&
        cli_int64(C, "first-index", cli_get(&cmd, "first-index"), 0, INT64_MAX / 2, &first) != 0)
        return CLI_USAGE;
    if (cli_get(&cmd, "seed") && cli_seed(C, cli_get(&cmd, "seed"), &seed) != 0) return CLI_USAGE;
    if (cli_get(&cmd, "checkpoint") && cli_get(&cmd, "no-checkpoint")) {
        cli_error(C, "give --checkpoint FILE or --no-checkpoint, not both");
        return CLI_USAGE;
    }
    int quiet = cli_get(&cmd, "quiet") != NULL;

    int status = CLI_FAIL;
    sbi_plugin *plugin = NULL;
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *runner = NULL;
    sbi_dataset *ds = NULL;
    double *x = NULL;
    const char **names = NULL;
    char(*store)[32] = NULL;
    outputs outs = {.written = 0};
    char ckpt[4200] = "";
    if (cli_plugin_load(C, plugin_path, &plugin) != 0) goto done;
    if (cli_get(&cmd, "options") && cli_plugin_options(C, plugin, cli_get(&cmd, "options")) != 0) {
        status = CLI_USAGE;
        goto done;
    }
    rc = sbi_plugin_create_prior(plugin, &prior);
    if (rc == SBI_OK) rc = sbi_plugin_create_simulator(plugin, &sim);
    if (rc == SBI_OK) rc = sbi_runner_create(&runner, sim);
    if (rc == SBI_OK) rc = sbi_runner_set_workers(runner, (int32_t)workers);
    if (rc == SBI_OK) rc = sbi_runner_set_first_index(runner, first);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "cannot set up the plugin's simulator");
        goto done;
    }
    if (make_dirs(out) != 0) {
        cli_error(C, "cannot create --out folder '%s': %s", out, strerror(errno));
        goto done;
    }
    if (!cli_get(&cmd, "no-checkpoint")) {
        if (cli_get(&cmd, "checkpoint")) snprintf(ckpt, sizeof ckpt, "%s", cli_get(&cmd, "checkpoint"));
        else snprintf(ckpt, sizeof ckpt, "%s/simulate.checkpoint", out);
        int resuming = access(ckpt, F_OK) == 0;
        rc = sbi_runner_set_checkpoint(runner, ckpt);
        if (rc != SBI_OK) {
            cli_lib_error(C, rc, "checkpoint '%s'", ckpt);
            goto done;
        }
        if (resuming && !quiet) fprintf(stderr, "resuming from the checkpoint %s\n", ckpt);
    }
    const char *pname = NULL;
    sbi_plugin_info(plugin, &pname, NULL, NULL, NULL);
    int32_t theta_dim = 0, x_dim = 0;
    sbi_plugin_dims(plugin, &theta_dim, &x_dim);
    cli_progress bar;
    cli_progress_init(&bar, "simulating", quiet);
    sbi_runner_set_progress(runner, on_progress, &bar);
    g_runner = runner;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    rc = sbi_runner_run_prior(runner, prior, n, seed, &ds);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    g_runner = NULL;
    if (rc == SBI_ECANCELED) {
        if (bar.tty && !quiet) fprintf(stderr, "\n");
        cli_error(C, "interrupted; %s", ckpt[0] ? "run the same command again to resume from the checkpoint"
                                                : "nothing was written");
        goto done;
    }
    if (rc != SBI_OK) {
        if (bar.tty && !quiet) fprintf(stderr, "\n");
        cli_lib_error(C, rc, "simulation failed%s", ckpt[0] ? " (finished rows are in the checkpoint)" : "");
        goto done;
    }
    int64_t n_ok = 0;
    sbi_dataset_count(ds, SBI_ROW_OK, &n_ok);
    cli_progress_done(&bar, "%lld simulations of %s, %lld valid, %lld failed or non-finite",
                      (long long)n, pname, (long long)n_ok, (long long)(n - n_ok));

    /* x of rows that are not OK becomes NaN, so nothing can train on it. */
    const double *theta, *x_raw;
    const int32_t *st;
    sbi_dataset_theta(ds, &theta);
    sbi_dataset_x(ds, &x_raw);
    sbi_dataset_status(ds, &st);
    x = malloc(sizeof(double) * (size_t)n * (size_t)x_dim);
    int32_t maxdim = theta_dim > x_dim ? theta_dim : x_dim;
    names = malloc(sizeof(char *) * (size_t)maxdim);
    store = malloc(sizeof *store * (size_t)maxdim);
    if (!x || !names || !store) {
        cli_error(C, "out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        for (int32_t j = 0; j < x_dim; j++)
            x[i * x_dim + j] = st[i] == SBI_ROW_OK ? x_raw[i * x_dim + j] : NAN;
    static const char *const files[4] = {"theta.csv", "theta.npy", "x.csv", "x.npy"};
    for (int k = 0; k < 4; k++) {
        int is_theta = k < 2;
        int32_t dim = is_theta ? theta_dim : x_dim;
        snprintf(outs.final[k], sizeof outs.final[k], "%s/%s", out, files[k]);
        snprintf(outs.temp[k], sizeof outs.temp[k], "%s/.%s.new", out, files[k]);
        column_names(plugin, is_theta, dim, names, store);
        rc = sbi_table_write(outs.temp[k], n, dim, is_theta ? theta : x, names,
                             k % 2 ? SBI_FORMAT_NPY : SBI_FORMAT_CSV);
        if (rc != SBI_OK) {
            cli_lib_error(C, rc, "cannot write the results");
            remove_temps(&outs);
            goto done;
        }
        outs.written = k + 1;
    }
    for (int k = 0; k < 4; k++)
        if (rename(outs.temp[k], outs.final[k]) != 0) {
            cli_error(C, "cannot write '%s': %s", outs.final[k], strerror(errno));
            remove_temps(&outs);
            goto done;
        }
    if (ckpt[0]) unlink(ckpt);
    if (!quiet) fprintf(stderr, "wrote %s/theta.csv, theta.npy, x.csv, x.npy\n", out);
    status = CLI_OK;
done:
    free(x);
    free(names);
    free(store);
    sbi_dataset_free(ds);
    sbi_runner_free(runner);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    sbi_plugin_free(plugin);
    return status;
}
