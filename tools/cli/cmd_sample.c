/* sbi sample: draw posterior samples at one observation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const char *C = "sample";

static int out_format(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".npy") == 0) return SBI_FORMAT_NPY;
    if (n > 4 && strcasecmp(path + n - 4, ".csv") == 0) return SBI_FORMAT_CSV;
    return -1;
}

int cmd_sample(int argc, char **argv)
{
    cli_opt opts[] = {
        {"posterior", 'p', "FILE", "a posterior file written by `sbi train`", NULL},
        {"observation", 'x', "FILE", "the observed x: CSV with a header and one row, or .npy", NULL},
        {"num-samples", 'n', "N", "number of samples (default 10000)", NULL},
        {"seed", 's', "S", "random seed (default 1)", NULL},
        {"out", 'o', "FILE", "samples file: .csv (with header) or .npy, by extension", NULL},
        {"names", 0, "A,B,..", "CSV column names for theta (default theta0,theta1,...)", NULL},
        {"quiet", 'q', NULL, "print nothing but errors", NULL},
        {NULL, 0, NULL, NULL, NULL},
    };
    cli_cmd cmd = {
        .name = C,
        .usage = "--posterior FILE --observation FILE [-n N] [--seed S] --out FILE",
        .summary = "Draw samples of theta from the posterior at one observation x_o. Samples\n"
                   "outside the prior's support are rejected (leakage correction), as the\n"
                   "reference implementation does; the acceptance rate is reported.",
        .opts = opts,
        .epilog = "example:\n"
                  "  sbi sample -p post.sbi -x observation.csv -n 10000 --names g_Na,g_K -o samples.csv\n",
    };
    int rc = cli_parse(&cmd, argc, argv);
    if (rc == CLI_HELP) return CLI_OK;
    if (rc != CLI_OK) return rc;
    const char *post_path = cli_get(&cmd, "posterior"), *obs_path = cli_get(&cmd, "observation"),
               *out = cli_get(&cmd, "out"), *names_arg = cli_get(&cmd, "names");
    if (!post_path || !obs_path || !out) {
        cli_error(C, "--posterior, --observation and --out are required (see sbi sample --help)");
        return CLI_USAGE;
    }
    int fmt = out_format(out);
    if (fmt < 0) {
        cli_error(C, "--out '%s' must end in .csv or .npy", out);
        return CLI_USAGE;
    }
    int64_t n = 10000;
    uint64_t seed = 1;
    if (cli_get(&cmd, "num-samples") &&
        cli_int64(C, "num-samples", cli_get(&cmd, "num-samples"), 1, (int64_t)1 << 31, &n) != 0)
        return CLI_USAGE;
    if (cli_get(&cmd, "seed") && cli_seed(C, cli_get(&cmd, "seed"), &seed) != 0) return CLI_USAGE;
    int quiet = cli_get(&cmd, "quiet") != NULL;

    int status = CLI_FAIL;
    sbi_posterior *post = NULL;
    sbi_table *obs = NULL;
    sbi_rng *rng = NULL;
    double *samples = NULL;
    char **names = NULL;
    char **default_names = NULL;
    int32_t theta_dim = 0, x_dim = 0;
    rc = sbi_posterior_load(&post, post_path);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "cannot load --posterior");
        goto done;
    }
    sbi_posterior_dims(post, &theta_dim, &x_dim);
    if (names_arg && cli_split_names(names_arg, theta_dim, &names) != 0) {
        cli_error(C, "--names '%s' does not give %d names", names_arg, (int)theta_dim);
        status = CLI_USAGE;
        goto done;
    }
    int64_t rows;
    int32_t cols, ndim;
    const double *xo;
    if (cli_read_table(C, "--observation", obs_path, &obs, &rows, &cols, &xo) != 0) goto done;
    sbi_table_ndim(obs, &ndim);
    if (ndim == 1) { /* a 1-D .npy array is one observation */
        cols = (int32_t)rows;
        rows = 1;
    }
    if (rows != 1) {
        cli_error(C, "--observation has %lld rows; give exactly one observation", (long long)rows);
        goto done;
    }
    if (cols != x_dim) {
        cli_error(C, "--observation has %d values but the posterior was trained on x of %d",
                  (int)cols, (int)x_dim);
        goto done;
    }
    for (int32_t j = 0; j < cols; j++) {
        if (!isfinite(xo[j])) {
            const char *name = NULL;
            if (ndim == 2) sbi_table_name(obs, j, &name);
            cli_error(C, "--observation holds %s in column %d%s%s%s", isnan(xo[j]) ? "NaN" : "Inf",
                      (int)j + 1, name ? " (" : "", name ? name : "", name ? ")" : "");
            goto done;
        }
    }
    samples = malloc(sizeof(double) * (size_t)n * (size_t)theta_dim);
    if (!samples || sbi_rng_create(&rng, seed, 0) != SBI_OK) {
        cli_error(C, "out of memory for %lld samples", (long long)n);
        goto done;
    }
    double t0 = cli_now(), acceptance = NAN;
    int64_t got = 0;
    rc = sbi_posterior_sample_ex(post, rng, xo, n, 0, samples, &got, &acceptance);
    if (rc == SBI_EBUDGET) {
        cli_error(C, "only %lld of %lld samples fell inside the prior's support (acceptance %.2g): "
                  "the observation may lie outside what the posterior was trained on",
                  (long long)got, (long long)n, acceptance);
        goto done;
    }
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "sampling failed");
        goto done;
    }
    if (!names) {
        default_names = malloc(sizeof(char *) * (size_t)(theta_dim + 1));
        if (!default_names) goto done;
        for (int32_t j = 0; j < theta_dim; j++) {
            default_names[j] = malloc(24);
            if (default_names[j]) snprintf(default_names[j], 24, "theta%d", (int)j);
        }
        default_names[theta_dim] = NULL;
    }
    rc = sbi_table_write(out, n, theta_dim, samples,
                         (const char *const *)(names ? names : default_names), fmt);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "cannot write --out");
        goto done;
    }
    if (!quiet)
        fprintf(stderr, "sampled %lld x %d in %.3f s (acceptance %.3f); wrote %s\n", (long long)n,
                (int)theta_dim, cli_now() - t0, acceptance, out);
    status = CLI_OK;
done:
    if (default_names) {
        for (int32_t j = 0; j < theta_dim; j++) free(default_names[j]);
        free(default_names);
    }
    cli_free_names(names);
    free(samples);
    sbi_rng_free(rng);
    sbi_table_free(obs);
    sbi_posterior_free(post);
    return status;
}
