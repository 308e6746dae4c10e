/* sbi info: what a posterior file or a data table holds. */
#include <math.h>
#include <string.h>

#include "cli.h"

static const char *C = "info";

static void print_prior(const sbi_prior *prior)
{
    int32_t dim = 0, kind = 0;
    sbi_prior_dim(prior, &dim);
    sbi_prior_kind(prior, &kind);
    double lo[16], hi[16];
    if (kind == SBI_PRIOR_BOX_UNIFORM) {
        printf("prior:        box uniform, %d dimensions\n", (int)dim);
        if (dim <= 16 && sbi_prior_bounds(prior, lo, hi) == SBI_OK)
            for (int32_t j = 0; j < dim; j++)
                printf("                theta%d in [%.6g, %.6g]\n", (int)j, lo[j], hi[j]);
    } else if (kind == SBI_PRIOR_GAUSSIAN) {
        printf("prior:        Gaussian, %d dimensions\n", (int)dim);
        if (dim <= 16 && sbi_prior_moments(prior, lo, hi) == SBI_OK)
            for (int32_t j = 0; j < dim; j++)
                printf("                theta%d: mean %.6g, variance %.6g\n", (int)j, lo[j], hi[j]);
    } else {
        printf("prior:        kind %d, %d dimensions\n", (int)kind, (int)dim);
    }
}

static int info_posterior(const char *path, sbi_posterior *post)
{
    int32_t theta_dim = 0, x_dim = 0, kind = 0;
    int64_t epochs = 0, n_train = 0;
    double best = NAN;
    const sbi_prior *prior = NULL;
    sbi_posterior_dims(post, &theta_dim, &x_dim);
    sbi_posterior_estimator(post, &kind);
    sbi_posterior_training_summary(post, &epochs, &n_train, &best);
    printf("file:         %s\n", path);
    /* The fixed file header (docs/posterior-format.md): 8 magic bytes, then
     * the format's major and minor version as little-endian uint16. */
    unsigned char head[12];
    FILE *f = fopen(path, "rb");
    if (f && fread(head, 1, sizeof head, f) == sizeof head)
        printf("kind:         libsbi posterior file, format version %u.%u\n",
               (unsigned)(head[8] | head[9] << 8), (unsigned)(head[10] | head[11] << 8));
    else
        printf("kind:         libsbi posterior file\n");
    if (f) fclose(f);
    printf("theta:        %d dimensions\n", (int)theta_dim);
    printf("x:            %d dimensions\n", (int)x_dim);
    printf("estimator:    %s\n", sbi_estimator_name(kind));
    if (sbi_posterior_prior(post, &prior) == SBI_OK) print_prior(prior);
    printf("training:     %lld epochs on %lld rows, best validation loss %.6g\n", (long long)epochs,
           (long long)n_train, best);
    return CLI_OK;
}

static int info_table(const char *path, sbi_table *t)
{
    int64_t rows;
    int32_t cols, ndim, fmt;
    const double *d;
    sbi_table_shape(t, &rows, &cols);
    sbi_table_ndim(t, &ndim);
    sbi_table_format(t, &fmt);
    sbi_table_data(t, &d);
    printf("file:         %s\n", path);
    printf("kind:         table (%s)\n", fmt == SBI_FORMAT_NPY ? ".npy" : "CSV");
    if (ndim == 1) printf("shape:        %lld values (1-D)\n", (long long)rows);
    else printf("shape:        %lld rows x %d columns\n", (long long)rows, (int)cols);
    printf("%-14s %12s %12s %12s %10s\n", "column", "min", "mean", "max", "non-finite");
    for (int32_t j = 0; j < cols && j < 64; j++) {
        const char *name = NULL;
        sbi_table_name(t, j, &name);
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        int64_t bad = 0;
        for (int64_t i = 0; i < rows; i++) {
            double v = d[i * cols + j];
            if (!isfinite(v)) {
                bad++;
                continue;
            }
            lo = fmin(lo, v);
            hi = fmax(hi, v);
            sum += v;
        }
        char label[32];
        if (name) snprintf(label, sizeof label, "%.31s", name);
        else snprintf(label, sizeof label, "%d", (int)j);
        if (rows > bad)
            printf("%-14s %12.6g %12.6g %12.6g %10lld\n", label, lo, sum / (double)(rows - bad), hi,
                   (long long)bad);
        else
            printf("%-14s %12s %12s %12s %10lld\n", label, "-", "-", "-", (long long)bad);
    }
    if (cols > 64) printf("... and %d more columns\n", (int)(cols - 64));
    return CLI_OK;
}

static int info_plugin(const char *path, sbi_plugin *p)
{
    const char *name, *desc, *version;
    int32_t theta_dim = 0, x_dim = 0, n_opt = 0;
    sbi_plugin_info(p, &name, &desc, &version, NULL);
    sbi_plugin_dims(p, &theta_dim, &x_dim);
    printf("file:         %s\n", path);
    printf("kind:         simulator plugin '%s'%s%s\n", name, *version ? " version " : "", version);
    if (*desc) printf("description:  %s\n", desc);
    printf("theta:        %d parameters (default prior: box uniform)\n", (int)theta_dim);
    double lo[64], hi[64], truth[64];
    int have_truth = theta_dim <= 64 && sbi_plugin_theta_true(p, truth) == SBI_OK;
    if (theta_dim <= 64 && sbi_plugin_prior_box(p, lo, hi) == SBI_OK)
        for (int32_t i = 0; i < theta_dim; i++) {
            const char *tn = "", *unit = "";
            sbi_plugin_theta_name(p, i, &tn, &unit);
            printf("                %-12s in [%.6g, %.6g] %s", tn, lo[i], hi[i], unit);
            if (have_truth) printf("  (default observation: %.6g)", truth[i]);
            printf("\n");
        }
    printf("x:            %d outputs\n", (int)x_dim);
    for (int32_t j = 0; j < x_dim && j < 32; j++) {
        const char *xn = NULL;
        if (sbi_plugin_x_name(p, j, &xn) == SBI_OK && xn) printf("                %s\n", xn);
    }
    sbi_plugin_option_count(p, &n_opt);
    if (n_opt > 0) printf("options:      (sbi simulate --options NAME=VALUE,...)\n");
    for (int32_t k = 0; k < n_opt; k++) {
        const char *on = NULL;
        double v = NAN;
        sbi_plugin_option_name(p, k, &on);
        sbi_plugin_get_option(p, on, &v);
        printf("                %-20s = %.6g\n", on, v);
    }
    return CLI_OK;
}

static int is_elf(const char *path)
{
    unsigned char m[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t got = fread(m, 1, 4, f);
    fclose(f);
    return got == 4 && memcmp(m, "\x7f" "ELF", 4) == 0;
}

int cmd_info(int argc, char **argv)
{
    cli_opt opts[] = {{NULL, 0, NULL, NULL, NULL}};
    cli_cmd cmd = {
        .name = C,
        .usage = "FILE",
        .summary = "Describe a posterior file (dimensions, prior, estimator, training summary),\n"
                   "a data table (CSV or .npy: shape, column names, ranges, non-finite values)\n"
                   "or a simulator plugin (names, prior box, outputs, options).",
        .opts = opts,
        .max_positional = 1,
    };
    int rc = cli_parse(&cmd, argc, argv);
    if (rc == CLI_HELP) return CLI_OK;
    if (rc != CLI_OK) return rc;
    if (cmd.n_positional != 1) {
        cli_error(C, "give one FILE (see sbi info --help)");
        return CLI_USAGE;
    }
    const char *path = cmd.positional[0];
    if (is_elf(path)) {
        sbi_plugin *p = NULL;
        /* dlopen needs a '/' to take the path as a file, not a library name. */
        char local[4200];
        snprintf(local, sizeof local, "%s%s", strchr(path, '/') ? "" : "./", path);
        rc = sbi_plugin_load(&p, local);
        if (rc != SBI_OK) {
            cli_lib_error(C, rc, "'%s' is a shared library but not a usable plugin", path);
            return CLI_FAIL;
        }
        rc = info_plugin(path, p);
        sbi_plugin_free(p);
        return rc;
    }
    sbi_posterior *post = NULL;
    rc = sbi_posterior_load(&post, path);
    if (rc == SBI_OK) {
        rc = info_posterior(path, post);
        sbi_posterior_free(post);
        return rc;
    }
    if (rc != SBI_EFORMAT) {
        cli_lib_error(C, rc, "cannot read '%s'", path);
        return CLI_FAIL;
    }
    char post_msg[512];
    snprintf(post_msg, sizeof post_msg, "%s", sbi_last_error());
    sbi_table *t = NULL;
    if (sbi_table_read(&t, path) == SBI_OK) {
        rc = info_table(path, t);
        sbi_table_free(t);
        return rc;
    }
    cli_error(C, "'%s' is neither a posterior file (%s) nor a table (%s)", path, post_msg,
              sbi_last_error());
    return CLI_FAIL;
}
